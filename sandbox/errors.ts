/** Google's canonical status names for the HTTP codes the sandbox returns. */
const STATUS_NAMES: Record<number, string> = {
	400: 'INVALID_ARGUMENT',
	401: 'UNAUTHENTICATED',
	403: 'PERMISSION_DENIED',
	404: 'NOT_FOUND',
	405: 'METHOD_NOT_ALLOWED',
	409: 'ALREADY_EXISTS',
	412: 'FAILED_PRECONDITION',
	413: 'INVALID_ARGUMENT',
	429: 'RESOURCE_EXHAUSTED',
	500: 'INTERNAL',
	501: 'UNIMPLEMENTED',
	502: 'UNAVAILABLE',
	503: 'UNAVAILABLE',
	504: 'DEADLINE_EXCEEDED',
};

/** The reason Google usually puts in errors[] for a given HTTP code. */
const DEFAULT_REASONS: Record<number, string> = {
	400: 'invalidArgument',
	401: 'authError',
	403: 'forbidden',
	404: 'notFound',
	409: 'duplicate',
	429: 'rateLimitExceeded',
	500: 'backendError',
	502: 'backendError',
	503: 'backendError',
	504: 'backendError',
};

/** Options of an HttpError beyond code and message. */
export interface HttpErrorOptions {
	reason?: string;
	domain?: string;
	headers?: Record<string, string>;
	location?: string;
	locationType?: string;
	/** errors[0].message when Google words it differently from the top-level message. */
	itemMessage?: string;
	cause?: unknown;
}

/** An error a handler throws; renders as Google's error envelope. */
export class HttpError extends Error {
	override name = 'HttpError' as const;

	readonly status: number;

	readonly reason: string;

	readonly domain: string;

	readonly headers: Record<string, string>;

	readonly location?: string;

	readonly locationType?: string;

	readonly itemMessage?: string;

	constructor(status: number, message: string, opts: HttpErrorOptions = {}) {
		super(message, { cause: opts.cause });
		this.status = status;
		this.reason = opts.reason ?? DEFAULT_REASONS[status] ?? 'backendError';
		this.domain = opts.domain ?? (status === 429 ? 'usageLimits' : 'global');
		this.headers = opts.headers ?? {};
		this.location = opts.location;
		this.locationType = opts.locationType;
		this.itemMessage = opts.itemMessage;
	}

	/** Google's JSON envelope for this error. */
	toJSON(): GoogleErrorBody {
		const item: GoogleErrorItem = { message: this.itemMessage ?? this.message, domain: this.domain, reason: this.reason };
		if (this.location) item.location = this.location;
		if (this.locationType) item.locationType = this.locationType;
		return {
			error: { code: this.status, message: this.message, errors: [item], status: statusName(this.status) },
		};
	}
}

/** An OAuth token-endpoint error (`{error, error_description}`), not Google's API envelope. */
export class OAuthError extends Error {
	override name = 'OAuthError' as const;

	constructor(
		readonly status: number,
		readonly error: string,
		readonly description: string,
	) {
		super(description);
	}
}

/** One entry of Google's `errors[]`. */
export interface GoogleErrorItem {
	message: string;
	domain: string;
	reason: string;
	location?: string;
	locationType?: string;
}

/** Google's error envelope. */
export interface GoogleErrorBody {
	error: { code: number; message: string; errors: GoogleErrorItem[]; status: string };
}

/** Google's status name for an HTTP code. */
export function statusName(code: number): string {
	return STATUS_NAMES[code] ?? (code >= 500 ? 'INTERNAL' : 'UNKNOWN');
}

/** 400 invalidArgument. */
export function badRequest(message: string, reason = 'invalidArgument'): HttpError {
	return new HttpError(400, message, { reason });
}

/** 404 notFound with Google's wording. */
export function notFound(message = 'Requested entity was not found.'): HttpError {
	return new HttpError(404, message, { reason: 'notFound' });
}
