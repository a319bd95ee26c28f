/** Sandbox behaviour switches, including Gmail behaviour that no source confirms (so nodes cannot depend on one guess). */
export interface SandboxSettings {
	/** Keep a client-set Message-ID (true) or replace it with the server's own (false, default). */
	keepClientMessageId: boolean;
	/** The daily cap bites this many sends late, as Gmail's sometimes does. */
	capLagSends: number;
	/** History records older than this (sandbox clock) are gone; older start ids give 404. */
	historyRetentionDays: number;
	/** Access-token lifetime in seconds of the sandbox clock. */
	tokenLifetimeSec: number;
	/** Per-user quota units per window (Gmail: 15,000 per minute). */
	quotaUnitsPerWindow: number;
	/** Length of the sliding quota window in real ms. */
	quotaWindowMs: number;
	/** HTTP code of the per-minute quota error (Gmail sends 403 or 429). */
	rateLimitStatus: 403 | 429;
	/** Concurrent requests per user before 429 "Too many concurrent requests for user" (0 = unlimited). */
	concurrency: number;
	/** Accept '=' padding in base64url `raw`. */
	acceptBase64Padding: boolean;
	/** Daily sending caps by mailbox type. */
	dailyCaps: { gmail: number; workspace: number; 'workspace-trial': number };
	/** Most recipients (To+Cc+Bcc) one message may have. */
	maxRecipients: number;
	/** Mail sent to another sandbox mailbox also lands in that mailbox's inbox. */
	deliverLocally: boolean;
	/** Send a Retry-After header with the per-minute quota error. */
	retryAfterOnRateLimit: boolean;
	/** A write (new message, draft, label change) reaches `q` searches this many ms of the sandbox clock later. */
	searchLagMs: number;
	/** Listings without `q` (by labelIds, drafts.list) lag like searches too (Gmail's are reported to be at once). */
	labelListingLag: boolean;
	/** A From that is neither the mailbox nor a verified alias: replaced by the primary address (Gmail, as reported) or refused with 400. */
	fromPolicy: 'rewrite' | 'reject';
	/** Sends let through by `capLagSends` are not delivered; Gmail's mailer-daemon notice lands in the sender's inbox instead. */
	senderLimitNotice: boolean;
	/** Zone of a YYYY/MM/DD in after:/before: — Pacific time (Gmail's guide) or the mailbox's own zone. */
	searchDateZone: 'pacific' | 'mailbox';
}

/** Defaults matching Gmail as documented in GMAIL.md. */
export const DEFAULT_SETTINGS: SandboxSettings = {
	keepClientMessageId: false,
	capLagSends: 0,
	historyRetentionDays: 7,
	tokenLifetimeSec: 3600,
	quotaUnitsPerWindow: 15000,
	quotaWindowMs: 60_000,
	rateLimitStatus: 429,
	concurrency: 25,
	acceptBase64Padding: true,
	dailyCaps: { gmail: 500, workspace: 2000, 'workspace-trial': 500 },
	maxRecipients: 100,
	deliverLocally: true,
	retryAfterOnRateLimit: true,
	searchLagMs: 2000,
	labelListingLag: false,
	fromPolicy: 'rewrite',
	senderLimitNotice: true,
	searchDateZone: 'pacific',
};

/** Merges a partial settings object over a base, rejecting unknown keys and wrong types. */
export function mergeSettings(base: SandboxSettings, patch: Record<string, unknown>): SandboxSettings {
	const out: SandboxSettings = { ...base, dailyCaps: { ...base.dailyCaps } };
	for (const [key, value] of Object.entries(patch)) {
		if (!(key in DEFAULT_SETTINGS)) throw new Error(`unknown setting: ${key}`);
		const current = (DEFAULT_SETTINGS as unknown as Record<string, unknown>)[key];
		if (key === 'dailyCaps') {
			if (typeof value !== 'object' || value === null) throw new Error('dailyCaps must be an object');
			Object.assign(out.dailyCaps, value);
			continue;
		}
		if (typeof value !== typeof current) throw new Error(`setting ${key} must be a ${typeof current}`);
		if (key === 'rateLimitStatus' && value !== 403 && value !== 429) throw new Error('rateLimitStatus must be 403 or 429');
		if (key === 'fromPolicy' && value !== 'rewrite' && value !== 'reject') throw new Error("fromPolicy must be 'rewrite' or 'reject'");
		if (key === 'searchDateZone' && value !== 'pacific' && value !== 'mailbox') throw new Error("searchDateZone must be 'pacific' or 'mailbox'");
		if (key === 'searchLagMs' && !((value as number) >= 0)) throw new Error('searchLagMs must be 0 or more');
		(out as unknown as Record<string, unknown>)[key] = value;
	}
	return out;
}
