/** A request as the handlers see it: no socket, so the batch endpoint can replay inner calls. */
export interface ApiRequest {
	method: string;
	path: string;
	query: URLSearchParams;
	headers: Record<string, string>;
	body: string;
}

/** A handler's answer. `body` undefined = empty; a string is sent as is; anything else as JSON. */
export interface ApiResponse {
	status: number;
	headers?: Record<string, string>;
	body?: unknown;
	/** Destroy the socket instead of answering (simulated connection reset). */
	reset?: boolean;
}

/** A route handler. */
export type Handler<C> = (ctx: C, params: Record<string, string>) => Promise<ApiResponse> | ApiResponse;

interface Route<C> {
	method: string;
	regex: RegExp;
	keys: string[];
	handler: Handler<C>;
}

/** A tiny method + path router: `/users/:userId/messages/:id`. */
export class Router<C> {
	private readonly routes: Array<Route<C>> = [];

	/** Adds a route. */
	on(method: string, pattern: string, handler: Handler<C>): this {
		const keys: string[] = [];
		const source = pattern
			.split('/')
			.map((seg) => {
				if (seg.startsWith(':')) {
					keys.push(seg.slice(1));
					return '([^/]+)';
				}
				return seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
			})
			.join('/');
		this.routes.push({ method, regex: new RegExp(`^${source}/?$`), keys, handler });
		return this;
	}

	/** Finds the route for a request: the handler and its params, 'method' if only the method is wrong, or undefined. */
	match(method: string, path: string): { handler: Handler<C>; params: Record<string, string> } | 'method' | undefined {
		let pathMatched = false;
		for (const r of this.routes) {
			const m = r.regex.exec(path);
			if (!m) continue;
			pathMatched = true;
			if (r.method !== method) continue;
			const params: Record<string, string> = {};
			r.keys.forEach((k, i) => (params[k] = decodeURIComponent(m[i + 1])));
			return { handler: r.handler, params };
		}
		return pathMatched ? 'method' : undefined;
	}
}
