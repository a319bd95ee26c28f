import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { registerAdmin } from './admin';
import type { SandboxParts } from './api/context';
import { handleBatch } from './batch';
import { HttpError, OAuthError } from './errors';
import { Faults, FaultTimers } from './faults';
import { registerGmail } from './gmail';
import { authorizePage, tokenEndpoint } from './oauth';
import { loadState, saveState } from './persist';
import { QuotaWindows, Stats } from './quota';
import { Router, type ApiRequest, type ApiResponse } from './router';
import { DEFAULT_SETTINGS, mergeSettings, type SandboxSettings } from './settings';
import { Store } from './store';
import { registerView } from './view';

export type { SandboxSettings } from './settings';
export { DEFAULT_SETTINGS } from './settings';

/** Options of createSandbox. */
export interface SandboxOptions {
	/** Persist state as JSON in this folder (written on change, loaded on start). */
	dataDir?: string;
	settings?: Partial<SandboxSettings>;
}

/** A sandbox instance: an app testable without a socket, plus listen/close. */
export interface Sandbox {
	handle(req: http.IncomingMessage, res: http.ServerResponse): void;
	listen(port?: number, host?: string): Promise<string>;
	close(): Promise<void>;
	/** Answers one request without HTTP (used by the batch endpoint and handy in tests). */
	dispatch(req: ApiRequest): Promise<ApiResponse>;
	/** The state (for tests and the CLI). */
	readonly store: Store;
}

const MAX_BODY = 50 * 1024 * 1024;

/** Creates a Gmail Sandbox. */
export function createSandbox(opts: SandboxOptions = {}): Sandbox {
	const store = new Store(mergeSettings(DEFAULT_SETTINGS, {}));
	if (opts.dataDir) loadState(store, opts.dataDir);
	if (opts.settings) store.settings = mergeSettings(store.settings, opts.settings as Record<string, unknown>);
	const parts: SandboxParts = { store, faults: new Faults(), quota: new QuotaWindows(), stats: new Stats(), inflight: new Map(), timers: new FaultTimers() };

	let saveTimer: NodeJS.Timeout | undefined;
	const flush = () => {
		if (saveTimer) clearTimeout(saveTimer);
		saveTimer = undefined;
		if (opts.dataDir) saveState(store, opts.dataDir);
	};
	if (opts.dataDir) {
		store.onChange = () => {
			if (!saveTimer) saveTimer = setTimeout(flush, 100).unref();
		};
	}

	const router = new Router<ApiRequest>();
	router.on('GET', '/o/oauth2/v2/auth', (req) => authorizePage(store, req));
	router.on('GET', '/o/oauth2/auth', (req) => authorizePage(store, req));
	router.on('POST', '/token', (req) => tokenEndpoint(store, req));
	router.on('POST', '/oauth2/v4/token', (req) => tokenEndpoint(store, req));
	router.on('POST', '/batch/gmail/v1', (req) => handleBatch(req, dispatch));
	router.on('POST', '/batch', (req) => handleBatch(req, dispatch));
	registerGmail(router, parts);
	registerAdmin(router, parts);
	registerView(router, parts);

	async function dispatch(req: ApiRequest): Promise<ApiResponse> {
		try {
			const found = router.match(req.method, req.path);
			if (found === undefined) throw new HttpError(404, `No such path: ${req.method} ${req.path}`, { reason: 'notFound' });
			if (found === 'method') throw new HttpError(405, `Method ${req.method} not allowed for ${req.path}`, { reason: 'methodNotAllowed' });
			return await found.handler(req, found.params);
		} catch (err) {
			if (err instanceof HttpError) return { status: err.status, headers: err.headers, body: err.toJSON() };
			if (err instanceof OAuthError) return { status: err.status, body: { error: err.error, error_description: err.description } };
			const message = err instanceof Error ? err.message : String(err);
			return { status: 500, body: new HttpError(500, `Sandbox error: ${message}`, { reason: 'backendError' }).toJSON() };
		}
	}

	function handle(req: http.IncomingMessage, res: http.ServerResponse): void {
		const chunks: Buffer[] = [];
		let size = 0;
		req.on('data', (c: Buffer) => {
			size += c.length;
			if (size > MAX_BODY) req.destroy();
			else chunks.push(c);
		});
		req.on('end', () => {
			const url = new URL(req.url ?? '/', 'http://sandbox.invalid');
			const headers: Record<string, string> = {};
			for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
			void dispatch({ method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers, body: Buffer.concat(chunks).toString('utf8') }).then((r) =>
				send(res, r, store.clock.now()),
			);
		});
	}

	const servers = new Set<http.Server>();
	return {
		handle,
		dispatch,
		store,
		async listen(port = 0, host = '127.0.0.1') {
			const server = http.createServer(handle);
			servers.add(server);
			await new Promise<void>((resolve, reject) => {
				server.once('error', reject);
				server.listen(port, host, () => resolve());
			});
			const addr = server.address() as AddressInfo;
			return `http://${host.includes(':') ? `[${host}]` : host}:${addr.port}`;
		},
		async close() {
			parts.timers.clear();
			flush();
			await Promise.all(
				[...servers].map(
					(s) =>
						new Promise<void>((resolve) => {
							s.close(() => resolve());
							s.closeAllConnections();
						}),
				),
			);
			servers.clear();
		},
	};
}

function send(res: http.ServerResponse, r: ApiResponse, now: number): void {
	if (r.reset) {
		res.socket?.destroy();
		return;
	}
	// Like Google's front ends, the Date header tells the server's time: here the sandbox clock's, so clients can go by it.
	const headers: Record<string, string> = { Date: new Date(now).toUTCString(), ...(r.headers ?? {}) };
	let payload = '';
	if (r.body !== undefined && r.status !== 204) {
		if (typeof r.body === 'string') payload = r.body;
		else {
			payload = JSON.stringify(r.body, null, 2);
			headers['Content-Type'] ??= 'application/json; charset=UTF-8';
		}
	}
	res.writeHead(r.status, headers);
	res.end(payload);
}
