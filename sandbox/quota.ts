import { HttpError } from './errors';
import type { Mailbox, Store } from './store';

/** Sliding per-user quota windows in real time: a call is refused if the units accepted in the last windowMs plus its own exceed the budget. */
export class QuotaWindows {
	private readonly windows = new Map<string, Array<{ t: number; units: number }>>();

	/** Charges the units if they fit; returns false (charging nothing) if they do not. */
	charge(email: string, units: number, budget: number, windowMs: number): boolean {
		const now = Date.now();
		const list = (this.windows.get(email) ?? []).filter((e) => e.t > now - windowMs);
		const used = list.reduce((s, e) => s + e.units, 0);
		if (used + units > budget) {
			this.windows.set(email, list);
			return false;
		}
		list.push({ t: now, units });
		this.windows.set(email, list);
		return true;
	}

	/** Milliseconds until the oldest entry in the window leaves it. */
	waitMs(email: string, windowMs: number): number {
		const first = this.windows.get(email)?.[0];
		return first ? Math.max(0, first.t + windowMs - Date.now()) : 0;
	}

	/** Forgets every window. */
	clear(): void {
		this.windows.clear();
	}
}

/** The per-minute quota error, as Gmail words it (no "(Mail sending)"). */
export function rateLimitError(status: 403 | 429, retryAfterMs?: number): HttpError {
	const headers: Record<string, string> = {};
	if (retryAfterMs !== undefined) headers['Retry-After'] = String(Math.max(1, Math.ceil(retryAfterMs / 1000)));
	return new HttpError(status, 'User-rate limit exceeded', {
		reason: status === 403 ? 'userRateLimitExceeded' : 'rateLimitExceeded',
		domain: 'usageLimits',
		headers,
	});
}

/** 429 for the per-user concurrency limit. */
export function concurrencyError(): HttpError {
	return new HttpError(429, 'Too many concurrent requests for user', { reason: 'rateLimitExceeded', domain: 'usageLimits' });
}

/** Throws the daily sending-cap error if one more send would break the rolling 24 h cap (plus the configured lag). */
export function checkDailyCap(store: Store, mb: Mailbox): void {
	const sends = store.sent24h(mb);
	const limit = store.capOf(mb) + store.settings.capLagSends;
	if (sends.length < limit) return;
	// The oldest sends have to leave the window until one slot is free.
	const sorted = [...sends].sort((a, b) => a - b);
	const retryAt = sorted[sends.length - limit] + 24 * 3600_000;
	const iso = new Date(retryAt).toISOString();
	throw new HttpError(429, `User-rate limit exceeded. Retry after ${iso} (Mail sending)`, {
		reason: 'userRateLimitExceeded',
		domain: 'usageLimits',
		headers: { 'Retry-After': String(Math.max(1, Math.ceil((retryAt - store.clock.now()) / 1000))) },
	});
}

/** Per-mailbox call statistics for GET /sandbox/stats. */
export interface MailboxStats {
	calls: Record<string, number>;
	quotaUnits: number;
	errors: Record<string, number>;
}

/** Counts calls, charged units and error codes per mailbox. */
export class Stats {
	private readonly byMailbox = new Map<string, MailboxStats>();

	/** The stats entry of a mailbox (created on first use). */
	of(email: string): MailboxStats {
		let s = this.byMailbox.get(email);
		if (!s) {
			s = { calls: {}, quotaUnits: 0, errors: {} };
			this.byMailbox.set(email, s);
		}
		return s;
	}

	/** Every mailbox's stats. */
	all(): Map<string, MailboxStats> {
		return this.byMailbox;
	}

	/** Forgets everything. */
	clear(): void {
		this.byMailbox.clear();
	}
}
