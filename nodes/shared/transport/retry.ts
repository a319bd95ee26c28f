// Retry timing, pure: when Gmail says to come back, and how long to wait between attempts.
import { DateTime } from 'luxon';

// "Retry after <RFC 3339>", as Gmail writes it inside error messages.
const RETRY_AFTER_TEXT = /retry after\s+(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2}))/i;

/** The time in a "Retry after <RFC 3339>" phrase inside a message, if there is one. */
export function retryAfterInText(text: string | undefined | null): Date | undefined {
	const m = RETRY_AFTER_TEXT.exec(String(text ?? ''));
	if (!m) return undefined;
	const d = new Date(m[1]);
	return Number.isNaN(d.getTime()) ? undefined : d;
}

/** When to retry, from a Retry-After header (seconds or HTTP date) or "Retry after <RFC 3339>" in a message. */
export function parseRetryAfter(value: string | undefined | null, now: Date): Date | undefined {
	if (value === undefined || value === null) return undefined;
	const text = String(value).trim();
	if (!text) return undefined;
	if (/^\d+(\.\d+)?$/.test(text)) return new Date(now.getTime() + Math.round(Number(text) * 1000));
	const inText = retryAfterInText(text);
	if (inText) return inText;
	// A bare HTTP date or RFC 3339 time (the whole value, not a date buried in prose).
	if (/^[A-Za-z]{3}, \d{2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/.test(text) || /^\d{4}-\d{2}-\d{2}T[\d:.]+(Z|[+-]\d{2}:\d{2})$/.test(text)) {
		const d = new Date(text);
		return Number.isNaN(d.getTime()) ? undefined : d;
	}
	return undefined;
}

/** The later of the Retry-After header and the message's "Retry after <time>": waiting for the earlier one would only earn another refusal. */
export function retryAtOf(header: string | undefined | null, message: string | undefined | null, now: Date): Date | undefined {
	const times = [parseRetryAfter(header, now), retryAfterInText(message)].filter((d): d is Date => d !== undefined);
	return times.length ? new Date(Math.max(...times.map((d) => d.getTime()))) : undefined;
}

/** The next midnight in America/Los_Angeles after now: when Google resets a Cloud project's daily API quotas (DST-aware). */
export function nextPacificMidnight(now: Date): Date {
	return DateTime.fromJSDate(now, { zone: 'America/Los_Angeles' }).startOf('day').plus({ days: 1 }).toJSDate();
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
