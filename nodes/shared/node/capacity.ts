// Measures what a mailbox sent in the rolling 24 h from the mailbox itself (hand-sent mail included) and applies the one capacity rule.
import { capacityOf, capacityPlan, DEFAULT_MARGIN, RECIPIENT_LIMITS, timesNeeded, WINDOW_MS, type CapacityLimit, type CapacityPlan, type WeightedLimit } from '../core/capacity';
import { addressesOf } from '../core/followup';
import { domainOf } from '../core/address';
import { headerValue, NotFoundError, type GmailClient } from '../transport';

/** Ids the window listing reads at most (40 pages): far beyond any cap, so a count that reaches it has no room anyway. */
const MAX_COUNTED = 20_000;
/** Page size of the lag-free listing that covers what the search index has not caught up with yet (a page costs 5 units whatever its size). */
const LAG_PAGE = 500;
/** Lag-free pages read at most (minutes of sending at Gmail's pace fit in one). */
const LAG_PAGES = 4;

/** Recipient limits to count too (Workspace): per rolling 24 h, and what one email adds. */
export interface RecipientLimits {
	total?: number;
	external?: number;
	/** Recipients each new email has (To + Cc + Bcc): 1 unless the send adds Cc/Bcc. */
	perEmail?: number;
}

/** One counted send's recipients, when recipients are counted. */
export interface SentRecipients {
	at: number;
	total: number;
	external: number;
}

/** The rule's answer for one mailbox, with what was measured. */
export interface MailboxPlan extends CapacityPlan {
	mailbox: string;
	/** The mailbox's clock at the measurement (Gmail's Date header), epoch ms. */
	now: number;
	windowStart: number;
	/** Recipients in the window, when counted. */
	recipients?: { total: number; external: number };
}

/** Reads one message's internalDate per id (batched, format minimal); a message deleted meanwhile counts as sent just now. */
async function sendTimes(client: GmailClient, ids: string[], now: number): Promise<number[]> {
	if (!ids.length) return [];
	const settled = await client.batchGetMessagesSettled(ids, { format: 'minimal' });
	return settled.map((s) => {
		if (s.error && !(s.error instanceof NotFoundError)) throw s.error;
		const t = Number(s.message?.internalDate);
		return Number.isFinite(t) && t > 0 ? t : now;
	});
}

/**
 * What a mailbox sent in the last 24 h by its own clock: every message under Sent (API, web, phone, other tools),
 * trashed ones too. Send times are read only when a plan needs them (`plan`), oldest first.
 */
export class SentWindow {
	private readonly times = new Map<number, number>();
	private recipientList?: SentRecipients[];

	private constructor(
		private readonly client: GmailClient,
		/** The mailbox address (the profile's). */
		readonly mailbox: string,
		/** The mailbox's clock, epoch ms. */
		readonly now: number,
		/** Counted sends, newest first. */
		readonly ids: string[],
		/** Of those, how many only the lag-free listing saw (sent moments ago, not yet searchable). */
		readonly unindexed: number,
	) {}

	/** Sends counted in the window. */
	get sent(): number {
		return this.ids.length;
	}

	/** Start of the window: 24 h before the mailbox's now. */
	get windowStart(): number {
		return this.now - WINDOW_MS;
	}

	/**
	 * Counts the window: the clock from the profile's Date header (1 unit), an `in:sent after:<epoch s>` search in pages
	 * of 500 (5 units a page), and one lag-free Sent listing (5 units) for sends the index has not caught up with.
	 */
	static async measure(client: GmailClient): Promise<SentWindow> {
		const { profile, serverTime } = await client.getProfileAndClock();
		const now = serverTime ?? Date.now();
		// Epoch seconds are exact (a date would mean midnight Pacific); flooring counts a sliver more, never less.
		const after = Math.floor((now - WINDOW_MS) / 1000);
		const indexed = (await client.listAllMessages({ q: `in:sent after:${after}`, includeSpamTrash: true, max: MAX_COUNTED }))
			.map((m) => m.id)
			.filter((id): id is string => !!id);
		const known = new Set(indexed);
		const lagging: string[] = [];
		let pageToken: string | undefined;
		for (let page = 0; page < LAG_PAGES; page++) {
			const r = await client.listMessages({ labelIds: ['SENT'], includeSpamTrash: true, maxResults: LAG_PAGE, pageToken });
			const ids = (r.messages ?? []).map((m) => m.id).filter((id): id is string => !!id);
			// Newest first: what comes before the newest searchable send is newer than it.
			const boundary = ids.findIndex((id) => known.has(id));
			if (boundary >= 0) {
				lagging.push(...ids.slice(0, boundary));
				break;
			}
			// All newer than the newest searchable send, so inside the window; with none searchable, their times decide (a binary search).
			const inWindow = known.size ? ids.length : await countSince(client, ids, now - WINDOW_MS, now);
			lagging.push(...ids.slice(0, inWindow));
			pageToken = r.nextPageToken ?? undefined;
			if (inWindow < ids.length || !pageToken) break;
		}
		return new SentWindow(client, String(profile.emailAddress ?? ''), now, [...lagging, ...indexed], lagging.length);
	}

	/** Send times of the counted sends ranked `from` to `to` (exclusive), oldest first; each read once. */
	async timesOf(from: number, to: number): Promise<number[]> {
		const ranks: number[] = [];
		for (let r = Math.max(0, from); r < Math.min(to, this.sent); r++) if (!this.times.has(r)) ranks.push(r);
		const read = await sendTimes(this.client, ranks.map((r) => this.ids[this.sent - 1 - r]), this.now);
		ranks.forEach((r, k) => this.times.set(r, read[k]));
		const out: number[] = [];
		for (let r = Math.max(0, from); r < Math.min(to, this.sent); r++) out.push(this.times.get(r) as number);
		return out;
	}

	/** Every counted send's recipients and time (batched metadata reads: 5 units per message). */
	async recipients(): Promise<SentRecipients[]> {
		if (this.recipientList) return this.recipientList;
		const domain = domainOf(this.mailbox);
		const settled = this.ids.length ? await this.client.batchGetMessagesSettled(this.ids, { format: 'metadata', metadataHeaders: ['To', 'Cc', 'Bcc'] }) : [];
		const out: SentRecipients[] = [];
		settled.forEach((s, k) => {
			if (s.error && !(s.error instanceof NotFoundError)) throw s.error;
			const m = s.message;
			const addresses = m ? ['To', 'Cc', 'Bcc'].flatMap((h) => addressesOf(headerValue(m, h))) : [];
			const at = Number(m?.internalDate);
			out.push({
				at: Number.isFinite(at) && at > 0 ? at : this.now,
				total: addresses.length,
				external: addresses.filter((a) => domainOf(a.address) !== domain).length,
			});
			this.times.set(this.sent - 1 - k, out[k].at);
		});
		this.recipientList = out;
		return out;
	}

	/** Room for more sends now by the message cap, without reading anything more. */
	capacity(limit: CapacityLimit): number {
		return capacityOf(limit, this.sent).capacity;
	}

	/** Room for more sends now: the message cap and, when counted, the recipient limits (the tightest wins). */
	async room(limit: CapacityLimit, recipients?: RecipientLimits): Promise<number> {
		const capacity = this.capacity(limit);
		if (!recipients) return capacity;
		const list = await this.recipients();
		const rooms = recipientLimits(limit, recipients, list).map((x) => Math.floor((x.allowed - x.sent.reduce((a, s) => a + s.weight, 0)) / x.perItem));
		return Math.max(0, Math.min(capacity, ...rooms));
	}

	/** The capacity rule over this window; reads only the send times the deferred items' retryAt need. */
	async plan(limit: CapacityLimit, wanted: number, opts: { plannedAt?: number[]; recipients?: RecipientLimits; noReads?: boolean } = {}): Promise<MailboxPlan> {
		let extra: WeightedLimit[] | undefined;
		let timesFrom: number;
		let sentTimes: number[];
		let counted: MailboxPlan['recipients'];
		if (opts.recipients) {
			const list = await this.recipients();
			extra = recipientLimits(limit, opts.recipients, list);
			counted = { total: list.reduce((a, r) => a + r.total, 0), external: list.reduce((a, r) => a + r.external, 0) };
			timesFrom = 0;
			sentTimes = await this.timesOf(0, this.sent);
		} else if (opts.noReads) {
			// Without times every counted send is taken as sent just now: retryAts come out late, never early.
			timesFrom = this.sent;
			sentTimes = [];
		} else {
			const need = timesNeeded(limit, this.sent, wanted);
			timesFrom = need.from;
			sentTimes = await this.timesOf(need.from, need.to);
		}
		const plan = capacityPlan({ ...limit, sent: this.sent, sentTimes, timesFrom, now: this.now, wanted, plannedAt: opts.plannedAt, extra });
		return { ...plan, mailbox: this.mailbox, now: this.now, windowStart: this.windowStart, ...(counted ? { recipients: counted } : {}) };
	}
}

/** Workspace's recipient limits as weighted limits: leads are outside the domain, so each email adds its recipients to both. */
function recipientLimits(limit: CapacityLimit, r: RecipientLimits, list: SentRecipients[]): WeightedLimit[] {
	const margin = limit.margin ?? DEFAULT_MARGIN;
	const perItem = Math.max(1, Math.floor(r.perEmail ?? 1));
	const allowed = (n: number) => Math.floor(n * margin + 1e-9);
	return [
		{ allowed: allowed(r.total ?? RECIPIENT_LIMITS.total), perItem, sent: list.map((s) => ({ at: s.at, weight: s.total })) },
		{ allowed: allowed(r.external ?? RECIPIENT_LIMITS.external), perItem, sent: list.map((s) => ({ at: s.at, weight: s.external })) },
	];
}

/** How many of `ids` (newest first) were sent at or after `since`: reads as few times as a binary search needs. */
async function countSince(client: GmailClient, ids: string[], since: number, now: number): Promise<number> {
	let lo = 0;
	let hi = ids.length;
	// The common case first: nothing sent for a day, so the newest message is already outside.
	while (lo < hi) {
		const mid = lo === 0 ? 0 : (lo + hi) >> 1;
		const [t] = await sendTimes(client, [ids[mid]], now);
		if (t >= since) lo = mid + 1;
		else hi = mid;
	}
	return lo;
}

/**
 * What a sending node calls before sending `wanted` emails from this client's mailbox: the first `sendNow`
 * may go; the others wait until their `retryAts`. One rule for Quota Guard and the sending nodes.
 */
export async function mailboxCapacity(
	client: GmailClient,
	limit: CapacityLimit,
	wanted: number,
	opts: { plannedAt?: number[]; recipients?: RecipientLimits } = {},
): Promise<MailboxPlan> {
	const window = await SentWindow.measure(client);
	return await window.plan(limit, wanted, opts);
}
