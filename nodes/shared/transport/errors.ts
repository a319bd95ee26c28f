// Typed Gmail errors: what failed, in words a user understands, with Gmail's reason kept. Never tokens.
import { nextPacificMidnight, retryAtOf } from './retry';
import { METHOD_SCOPES, SEND_METHODS } from './quota';

/** Fields every Gmail error may carry. */
export interface GmailErrorOptions {
	status?: number;
	reason?: string;
	retryable?: boolean;
	cause?: unknown;
}

/** The base of every transport error. */
export class GmailError extends Error {
	override name: string = 'GmailError';

	readonly status?: number;

	readonly reason?: string;

	readonly method: string;

	readonly retryable: boolean;

	constructor(method: string, message: string, opts: GmailErrorOptions = {}) {
		super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
		this.method = method;
		this.status = opts.status;
		this.reason = opts.reason;
		this.retryable = opts.retryable ?? false;
	}
}

/** The mailbox reached Gmail's daily sending cap; retryAt is when Gmail says sending may resume (the later of header and message). */
export class DailyCapError extends GmailError {
	override name = 'DailyCapError' as const;

	readonly retryAt: Date;

	constructor(method: string, message: string, retryAt: Date, opts: GmailErrorOptions = {}) {
		super(method, message, { ...opts, retryable: false });
		this.retryAt = retryAt;
	}
}

/** Options of the errors that may say when to come back. */
export interface RetryHintOptions extends GmailErrorOptions {
	/** When Gmail says to retry; undefined when it gave no time. */
	retryAt?: Date;
	/** The same hint as a wait from when the error was classified; derived from retryAt when not given. */
	retryAfterMs?: number;
}

function hintOf(opts: RetryHintOptions): { retryAt?: Date; retryAfterMs?: number } {
	const now = Date.now();
	const retryAt = opts.retryAt ?? (opts.retryAfterMs === undefined ? undefined : new Date(now + opts.retryAfterMs));
	const retryAfterMs = opts.retryAfterMs ?? (retryAt ? Math.max(0, retryAt.getTime() - now) : undefined);
	return { retryAt, retryAfterMs };
}

/** A per-user rate limit (per-minute quota units, bandwidth, a plain "User-rate limit exceeded"); retry at retryAt, when Gmail gave one. */
export class RateLimitError extends GmailError {
	override name = 'RateLimitError' as const;

	/** The later of the Retry-After header and the message's "Retry after <time>"; undefined when Gmail said neither. */
	readonly retryAt?: Date;

	/** retryAt as a wait from when the error was classified. */
	readonly retryAfterMs?: number;

	constructor(method: string, message: string, opts: RetryHintOptions = {}) {
		super(method, message, { retryable: true, ...opts });
		const hint = hintOf(opts);
		this.retryAt = hint.retryAt;
		this.retryAfterMs = hint.retryAfterMs;
	}
}

/** Too many concurrent requests for this mailbox; safe to retry (at retryAt, when Gmail gave one). */
export class ConcurrencyError extends GmailError {
	override name = 'ConcurrencyError' as const;

	/** When Gmail says to retry; usually undefined, as Gmail rarely gives a time for this one. */
	readonly retryAt?: Date;

	/** retryAt as a wait from when the error was classified. */
	readonly retryAfterMs?: number;

	constructor(method: string, message: string, opts: RetryHintOptions = {}) {
		super(method, message, { retryable: true, ...opts });
		const hint = hintOf(opts);
		this.retryAt = hint.retryAt;
		this.retryAfterMs = hint.retryAfterMs;
	}
}

/** The Google Cloud project's daily API quota is used up: not the credential, not the mailbox; nothing works until retryAt (next midnight Pacific) or a raised quota. */
export class ProjectQuotaError extends GmailError {
	override name = 'ProjectQuotaError' as const;

	readonly retryAt: Date;

	constructor(method: string, message: string, retryAt: Date, opts: GmailErrorOptions = {}) {
		super(method, message, { ...opts, retryable: false });
		this.retryAt = retryAt;
	}
}

/** Gmail's backend failed (5xx); idempotent calls may be retried. */
export class BackendError extends GmailError {
	override name = 'BackendError' as const;

	constructor(method: string, message: string, opts: GmailErrorOptions = {}) {
		super(method, message, { retryable: true, ...opts });
	}
}

/** No HTTP answer (connection refused/reset, timeout). */
export class NetworkError extends GmailError {
	override name = 'NetworkError' as const;

	readonly code?: string;

	constructor(method: string, message: string, opts: GmailErrorOptions & { code?: string } = {}) {
		super(method, message, { retryable: true, ...opts });
		this.code = opts.code;
	}
}

/** The credential is expired or revoked: the user must reconnect it. */
export class AuthError extends GmailError {
	override name = 'AuthError' as const;
}

/** The credential lacks a scope this call needs. */
export class ScopeError extends GmailError {
	override name = 'ScopeError' as const;

	readonly scopes: string[];

	constructor(method: string, message: string, scopes: string[], opts: GmailErrorOptions = {}) {
		super(method, message, opts);
		this.scopes = scopes;
	}
}

/** Gmail refuses the call for a policy reason (domain policy, forbidden). */
export class PermissionError extends GmailError {
	override name = 'PermissionError' as const;
}

/** Gmail rejected the request; field names what was wrong ('raw', 'from', 'recipients', 'threadId', …). */
export class InvalidRequestError extends GmailError {
	override name = 'InvalidRequestError' as const;

	readonly field: string;

	constructor(method: string, message: string, opts: GmailErrorOptions & { field?: string } = {}) {
		super(method, message, opts);
		this.field = opts.field ?? method;
	}
}

/** The message, thread, draft or label does not exist. */
export class NotFoundError extends GmailError {
	override name = 'NotFoundError' as const;
}

/** A label with that name already exists (case-insensitive). */
export class ConflictError extends GmailError {
	override name = 'ConflictError' as const;
}

/** history.list's startHistoryId is older than Gmail keeps: do a full sync. */
export class HistoryTooOldError extends GmailError {
	override name = 'HistoryTooOldError' as const;
}

/** A send failed without a definite answer: the mail may have gone. Check the mailbox before resending. */
export class UnknownOutcomeError extends GmailError {
	override name = 'UnknownOutcomeError' as const;

	constructor(method: string, cause: unknown, detail = '') {
		super(
			method,
			`${method} did not get a definite answer from Gmail${detail ? ` (${detail})` : ''}: the message may or may not have been sent. It was not resent; check the mailbox (Sent) before trying again.`,
			{ cause, retryable: false, status: cause instanceof GmailError ? cause.status : undefined },
		);
	}
}

interface GoogleErrorBody {
	error?:
		| string
		| {
				code?: number;
				message?: string;
				status?: string;
				errors?: Array<{ reason?: string; message?: string; domain?: string }>;
		  };
	error_description?: string;
}

function parseBody(body: unknown): GoogleErrorBody {
	if (typeof body === 'string') {
		try {
			return JSON.parse(body) as GoogleErrorBody;
		} catch {
			return {};
		}
	}
	if (Buffer.isBuffer(body)) return parseBody(body.toString('utf8'));
	return body && typeof body === 'object' ? (body as GoogleErrorBody) : {};
}

function headerOf(headers: Record<string, string> | undefined, name: string): string | undefined {
	if (!headers) return undefined;
	const key = Object.keys(headers).find((k) => k.toLowerCase() === name.toLowerCase());
	return key === undefined ? undefined : String(headers[key]);
}

/** Which field of the request a 400 is about, from Gmail's message text. */
function invalidField(message: string): string {
	const m = message.toLowerCase();
	if (/thread[_ ]?id|thread id/.test(m)) return 'threadId';
	if (m.includes('recipient') || /\b(to|cc|bcc) header\b/.test(m)) return 'recipients';
	if (/\bfrom\b/.test(m) || m.includes('send-as') || m.includes('sendas')) return 'from';
	if (m.includes('raw') || m.includes('base64')) return 'raw';
	const at = /invalid value at '([^']+)'/i.exec(message);
	return at ? at[1] : 'request';
}

const NETWORK_CODES = /ECONNRESET|ECONNREFUSED|ETIMEDOUT|ECONNABORTED|EPIPE|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|UND_ERR_\w+|socket hang up|terminated/;

function networkCode(cause: unknown): string | undefined {
	for (let e = cause as { code?: unknown; message?: unknown; cause?: unknown } | undefined, i = 0; e && i < 6; e = e.cause as typeof e, i++) {
		if (typeof e.code === 'string' && NETWORK_CODES.test(e.code)) return e.code;
		if (typeof e.message === 'string') {
			const m = NETWORK_CODES.exec(e.message);
			if (m) return m[0];
		}
	}
	return undefined;
}

// Gmail's daily sending cap: "(Mail sending)", "Daily user sending limit exceeded", "Mail sending limit exceeded", "Daily sending quota exceeded".
const SENDING_CAP = /mail sending|sending limit|sending quota/i;

// The Cloud project's daily quota (403 in Gmail's guide; other Google front ends say quotaExceeded or answer 429).
const PROJECT_QUOTA_REASONS = new Set(['dailyLimitExceeded', 'dailyLimitExceededUnreg', 'quotaExceeded']);

// Google's newer wording of a daily project quota: "Quota exceeded for quota metric 'Queries' and limit 'Queries per day' …".
const PER_DAY_QUOTA = /quota metric .*limit '[^']*\bper day\b|^daily limit (for unauthenticated use )?exceeded/i;

/** Turns a failed call into one typed error. Pure: status undefined means no HTTP answer arrived. */
export function classifyError(
	method: string,
	status: number | undefined,
	body: unknown,
	headers?: Record<string, string>,
	cause?: unknown,
	now: Date = new Date(),
): GmailError {
	const parsed = parseBody(body);
	const envelope = typeof parsed.error === 'object' ? parsed.error : undefined;
	const oauthCode = typeof parsed.error === 'string' ? parsed.error : undefined;
	const gmailMessage = envelope?.message ?? parsed.error_description ?? '';
	const reason = envelope?.errors?.[0]?.reason ?? oauthCode ?? envelope?.status;
	const isSend = SEND_METHODS.has(method);
	const said = gmailMessage ? ` Gmail said: "${gmailMessage}"` : '';
	const opts = { status, reason, cause };

	if (status === undefined) {
		const code = networkCode(cause) ?? 'no response';
		if (isSend) return new UnknownOutcomeError(method, cause, `network error: ${code}`);
		return new NetworkError(method, `${method} got no answer from Gmail (${code}).`, { ...opts, code });
	}
	if (oauthCode === 'invalid_grant' || (status === 401 && oauthCode)) {
		return new AuthError(
			method,
			`The Gmail credential was revoked or has expired (${oauthCode}): reconnect the credential in n8n.`,
			opts,
		);
	}
	if (status === 401) {
		return new AuthError(
			method,
			`Gmail rejected the credential for ${method} even after a token refresh: reconnect the credential in n8n.${said}`,
			opts,
		);
	}
	const lower = gmailMessage.toLowerCase();
	const hinted = retryAtOf(headerOf(headers, 'retry-after'), gmailMessage, now);
	const hint = { retryAt: hinted, retryAfterMs: hinted ? Math.max(0, hinted.getTime() - now.getTime()) : undefined };
	const limited = status === 429 || status === 403;
	// Only Gmail's mail-sending marker (or a sending-limit wording) means the daily cap, on any method; a bare
	// "User-rate limit exceeded. Retry after …" is a per-user rate limit (e.g. bandwidth) and may clear sooner.
	if (limited && SENDING_CAP.test(gmailMessage)) {
		const retryAt = hinted ?? new Date(now.getTime() + 24 * 3600_000);
		return new DailyCapError(
			method,
			`The mailbox reached Gmail's daily sending limit; Gmail accepts new mail again at ${retryAt.toISOString()}.${said}`,
			retryAt,
			opts,
		);
	}
	if (status === 429 && (lower.includes('concurrent') || reason === 'concurrentLimitExceeded')) {
		return new ConcurrencyError(method, `Too many concurrent Gmail requests for this mailbox (${method}).${said}`, { ...opts, ...hint });
	}
	if (limited && (PROJECT_QUOTA_REASONS.has(reason ?? '') || PER_DAY_QUOTA.test(gmailMessage))) {
		// Google resets a project's daily quotas at midnight Pacific; a later explicit hint still wins.
		const midnight = nextPacificMidnight(now);
		const retryAt = hinted && hinted > midnight ? hinted : midnight;
		const what =
			reason === 'dailyLimitExceededUnreg'
				? "Google counted the call against the daily quota for unregistered use: check that the credential's OAuth client belongs to a Google Cloud project with the Gmail API enabled"
				: "the Google Cloud project's daily Gmail API quota is used up (the project's quota, not the mailbox's sending limit and not the credential): raise it in Google Cloud Console (APIs & Services → Gmail API → Quotas)";
		return new ProjectQuotaError(method, `${method} was refused: ${what}, or wait until ${retryAt.toISOString()}, when Google resets daily quotas (midnight Pacific time).${said}`, retryAt, opts);
	}
	if (status === 429 || (status === 403 && (reason === 'userRateLimitExceeded' || reason === 'rateLimitExceeded' || lower.includes('rate limit exceeded')))) {
		const when = hinted ? ` Gmail says to retry after ${hinted.toISOString()}.` : '';
		return new RateLimitError(method, `Gmail's rate limit was exceeded (${method}).${when}${said}`, { ...opts, ...hint });
	}
	if (status === 403 && (reason === 'insufficientPermissions' || reason === 'ACCESS_TOKEN_SCOPE_INSUFFICIENT' || lower.includes('insufficient'))) {
		const scopes = METHOD_SCOPES[method] ?? [];
		const list = scopes.map((s) => s.replace('https://www.googleapis.com/auth/', '')).join(' or ');
		return new ScopeError(
			method,
			`The credential lacks the scope ${method} needs${list ? ` (${list})` : ''}: reconnect it with that scope.${said}`,
			scopes,
			opts,
		);
	}
	if (status === 403) {
		const why = reason === 'domainPolicy' ? "the Workspace domain's policy does not allow this app" : 'Gmail does not allow it';
		return new PermissionError(method, `${method} was refused: ${why}.${said}`, opts);
	}
	if (status === 404) {
		if (method === 'history.list') {
			return new HistoryTooOldError(method, `The saved history position is older than Gmail keeps: a full sync is needed.${said}`, opts);
		}
		return new NotFoundError(method, `${method}: not found (it may have been deleted).${said}`, opts);
	}
	if (status === 409) return new ConflictError(method, `${method}: it already exists or conflicts with an existing one.${said}`, opts);
	if (status >= 500) {
		if (isSend) return new UnknownOutcomeError(method, new BackendError(method, `Gmail backend error ${status}.${said}`, opts), `HTTP ${status}`);
		return new BackendError(method, `Gmail had a temporary problem (HTTP ${status}) on ${method}.${said}`, opts);
	}
	if (status === 400 || status === 413 || status === 422) {
		const field = invalidField(gmailMessage);
		return new InvalidRequestError(method, `Gmail rejected ${method}: invalid ${field}.${said}`, { ...opts, field });
	}
	return new GmailError(method, `${method} failed with HTTP ${status}.${said}`, opts);
}
