// Retry timing, pure: when Gmail says to come back, and how long to wait between attempts.

/** When to retry, from a Retry-After header (seconds or HTTP date) or "Retry after <RFC 3339>" in a message. */
export function parseRetryAfter(value: string | undefined | null, now: Date): Date | undefined {
	if (value === undefined || value === null) return undefined;
	const text = String(value).trim();
	if (!text) return undefined;
	if (/^\d+(\.\d+)?$/.test(text)) return new Date(now.getTime() + Math.round(Number(text) * 1000));
	const rfc3339 = /retry after\s+(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2}))/i.exec(text);
	if (rfc3339) {
		const d = new Date(rfc3339[1]);
		return Number.isNaN(d.getTime()) ? undefined : d;
	}
	// A bare HTTP date or RFC 3339 time (the whole value, not a date buried in prose).
	if (/^[A-Za-z]{3}, \d{2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/.test(text) || /^\d{4}-\d{2}-\d{2}T[\d:.]+(Z|[+-]\d{2}:\d{2})$/.test(text)) {
		const d = new Date(text);
		return Number.isNaN(d.getTime()) ? undefined : d;
	}
	return undefined;
}

/** Options for backoffDelay. */
export interface BackoffOptions {
	baseMs?: number;
	capMs?: number;
	random?: () => number;
}

/** Exponential backoff with full jitter, never under baseMs: attempt 0 waits 1–2 s, attempt n up to min(cap, base·2^(n+1)). */
export function backoffDelay(attempt: number, opts: BackoffOptions = {}): number {
	const baseMs = opts.baseMs ?? 1000;
	const capMs = opts.capMs ?? 32000;
	const random = opts.random ?? Math.random;
	const upper = Math.min(capMs, baseMs * 2 ** (Math.max(0, attempt) + 1));
	return Math.round(baseMs + random() * Math.max(0, upper - baseMs));
}
