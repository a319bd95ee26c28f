import type { gmail_v1 } from 'googleapis';
import { CLAIM_HEADER, claimedKeys, OUTREACH_HEADER } from '../core/idempotency';
import { GmailError, NotFoundError, type GmailClient } from '../transport';
import { attempt } from './attempt';
import { headerMap } from './payload';

/**
 * How far back the recent listings read when the ledger opens. Gmail's search index lags behind writes
 * (seconds as reported, minutes at worst); anything older than this is left to the batched search.
 */
export const RECENT_WINDOW_MS = 10 * 60_000;

/** Most messages one recent listing reads (newest first) before it stops. */
const RECENT_MAX = 1000;
/** Pauses before each look for a send that ended without a definite answer (a late commit lands within seconds). */
const LOOK_WAITS_MS = [1_000, 2_000, 3_000, 4_000, 5_000];
/** Most history passes one refresh makes while messages it read about vanish before they are read. */
const MAX_PASSES = 5;

/** Headers the ledger reads from our sent messages and claim drafts. */
const LEDGER_HEADERS = [OUTREACH_HEADER, CLAIM_HEADER, 'Message-ID', 'To'];

/** A message of ours carrying an outreach key, as the ledger saw it. */
export interface KeyedMessage {
	id: string;
	threadId: string;
	key: string;
	/** A draft (a claim, or a scheduled draft) rather than a sent message. */
	draft: boolean;
	/** The history record that added it; -1 when it predates the ledger's cursor (found by listing). */
	order: number;
	internalDate: number;
	labelIds: string[];
	rfc822MessageId?: string;
}

/**
 * What the mailbox shows right now about outreach keys, read only through lag-free views: the newest SENT
 * and DRAFT messages when it opens, then `history.list` from the cursor it took (2 units a page).
 * The batched search covers the bulk of older mail; this covers what the search index has not caught up with.
 */
export class KeyLedger {
	private cursor = '';
	private readonly byKey = new Map<string, KeyedMessage[]>();
	/** Message ids already read or deliberately skipped. */
	private readonly seen = new Set<string>();
	/** Message ids history reported deleted (a draft that was sent or withdrawn). */
	private readonly gone = new Set<string>();
	/** History order of our own writes (claim drafts), which we never need to read back. */
	private readonly ownOrder = new Map<string, number>();
	private opened = false;
	/** The mailbox's own address, as its profile gives it. */
	mailbox = '';

	constructor(private readonly client: GmailClient) {}

	/** Takes the history cursor, then reads the recent SENT and DRAFT messages (so nothing is between the views). */
	async open(): Promise<void> {
		if (this.opened) return;
		const { profile, serverTime } = await this.client.getProfileAndClock();
		this.cursor = String(profile.historyId ?? '');
		this.mailbox = profile.emailAddress ?? '';
		for (const label of ['SENT', 'DRAFT']) await this.readRecent(label, serverTime);
		this.opened = true;
	}

	/**
	 * Reads every change since the cursor: new sent messages and drafts by key, deletions. A claim draft that is
	 * gone before it could be read may have been the claim on any key; its owner sent before withdrawing it, so
	 * reading on from the cursor finds that sent copy (a few passes while overlapping runs keep claiming).
	 */
	async refresh(): Promise<void> {
		if (!this.opened) await this.open();
		for (let pass = 0; pass < MAX_PASSES; pass++) if (!(await this.readHistory())) return;
	}

	/** One pass over history from the cursor; true when a message it added was gone before it could be read. */
	private async readHistory(): Promise<boolean> {
		const added: Array<{ id: string; order: number }> = [];
		let pageToken: string | undefined;
		let latest = this.cursor;
		do {
			const page = await this.client.listHistory(this.cursor, { historyTypes: ['messageAdded', 'messageDeleted'], pageToken, maxResults: 500 });
			for (const record of page.history ?? []) {
				const order = Number(record.id ?? 0);
				for (const a of record.messagesAdded ?? []) {
					const m = a.message;
					if (!m?.id) continue;
					if (this.ownOrder.has(m.id)) this.ownOrder.set(m.id, order);
					if (this.seen.has(m.id)) continue;
					const labels = m.labelIds ?? [];
					// Inbound mail is the engagement check's business; only our own copies carry keys.
					if (labels.includes('SENT') || labels.includes('DRAFT')) added.push({ id: m.id, order });
					else this.seen.add(m.id);
				}
				for (const d of record.messagesDeleted ?? []) if (d.message?.id) this.gone.add(d.message.id);
			}
			pageToken = page.nextPageToken ?? undefined;
			if (page.historyId) latest = String(page.historyId);
		} while (pageToken);
		this.cursor = latest;
		return (await this.readMetadata(added)).vanished > 0;
	}

	/** Marks a message as written by this run (a claim draft or a sent message), so it is never read back. */
	noteOwn(messageId: string): void {
		this.seen.add(messageId);
		if (!this.ownOrder.has(messageId)) this.ownOrder.set(messageId, Number.MAX_SAFE_INTEGER);
	}

	/** Records a message this run sent, so later look-ups in the run see it without reading it back. */
	noteSent(key: string, message: Omit<KeyedMessage, 'key' | 'draft' | 'order' | 'labelIds'> & { labelIds?: string[] }): void {
		this.noteOwn(message.id);
		this.add({ ...message, key, draft: false, order: Number.MAX_SAFE_INTEGER, labelIds: message.labelIds ?? ['SENT'] });
	}

	/** The history order of one of our own writes (MAX_SAFE_INTEGER until history has shown it). */
	orderOf(messageId: string): number {
		return this.ownOrder.get(messageId) ?? Number.MAX_SAFE_INTEGER;
	}

	/** After a send without a definite answer: looks (lag-free) for the key's sent message a few times within the budget; never sends. */
	async lookForSent(key: string, budgetMs: number): Promise<KeyedMessage | undefined> {
		const deadline = Date.now() + Math.max(budgetMs, LOOK_WAITS_MS[0]);
		for (const wait of LOOK_WAITS_MS) {
			if (Date.now() + wait > deadline) break;
			await new Promise<void>((r) => setTimeout(r, wait));
			const looked = await attempt(() => this.refresh());
			if (!looked.ok) {
				// A look that failed is only a look: the next one may work.
				if (looked.error instanceof GmailError) continue;
				throw looked.error;
			}
			const found = this.sent(key);
			if (found) return found;
		}
		return undefined;
	}

	/** The oldest sent message carrying the key, excluding any the caller knows did not go out. */
	sent(key: string, undelivered?: (m: KeyedMessage) => boolean): KeyedMessage | undefined {
		return (this.byKey.get(key) ?? []).filter((m) => !m.draft && !(undelivered?.(m) ?? false)).sort(byAge)[0];
	}

	/** Drafts carrying the key, oldest claim first: those that still exist, or (includeGone) every one history showed. */
	drafts(key: string, includeGone = false): KeyedMessage[] {
		return (this.byKey.get(key) ?? []).filter((m) => m.draft && (includeGone || !this.gone.has(m.id))).sort(byOrder);
	}

	/** Whether history reported the message deleted. */
	isGone(messageId: string): boolean {
		return this.gone.has(messageId);
	}

	/** Whether this run wrote the message (one of our claim drafts or sends). */
	isOwn(messageId: string): boolean {
		return this.ownOrder.has(messageId);
	}

	/** Forgets a draft (we deleted it). */
	dropDraft(messageId: string): void {
		this.gone.add(messageId);
	}

	private add(m: KeyedMessage): void {
		const list = this.byKey.get(m.key) ?? [];
		if (!list.some((x) => x.id === m.id)) list.push(m);
		this.byKey.set(m.key, list);
	}

	/**
	 * Newest first, in pages, down to the window before Gmail's "now" (its Date header; without one, before the
	 * newest message): older mail is in the search index. The newest is read alone first, so a mailbox that sent
	 * nothing lately costs one read, not a page.
	 */
	private async readRecent(label: string, serverNow?: number): Promise<void> {
		let pageToken: string | undefined;
		let floor = serverNow === undefined ? undefined : serverNow - RECENT_WINDOW_MS;
		let read = 0;
		while (read < RECENT_MAX) {
			const page = await this.client.listMessages({ labelIds: [label], maxResults: 100, pageToken, includeSpamTrash: true });
			const ids = (page.messages ?? []).map((m) => m.id).filter((id): id is string => !!id);
			read += ids.length;
			const unread = ids.filter((id) => !this.seen.has(id)).map((id) => ({ id, order: -1 }));
			const dates = read === ids.length && unread.length > 1 ? (await this.readMetadata(unread.splice(0, 1))).dates : [];
			if (floor !== undefined && dates.length && dates[0] < floor) return;
			dates.push(...(await this.readMetadata(unread)).dates);
			floor ??= dates.length ? Math.max(...dates) - RECENT_WINDOW_MS : undefined;
			pageToken = page.nextPageToken ?? undefined;
			if (!pageToken || (floor !== undefined && Math.min(...dates) < floor)) return;
		}
	}

	/** Reads the keys of messages (batched metadata); deleted ones are counted as vanished, not errors. */
	private async readMetadata(list: Array<{ id: string; order: number }>): Promise<{ dates: number[]; vanished: number }> {
		if (!list.length) return { dates: [], vanished: 0 };
		const order = new Map(list.map((x) => [x.id, x.order]));
		const settled = await this.client.batchGetMessagesSettled([...order.keys()], { format: 'metadata', metadataHeaders: LEDGER_HEADERS });
		const dates: number[] = [];
		let vanished = 0;
		for (const s of settled) {
			this.seen.add(s.id);
			if (s.error) {
				if (!(s.error instanceof NotFoundError)) throw s.error;
				vanished++;
				continue;
			}
			const m = s.message as gmail_v1.Schema$Message;
			const internalDate = Number(m.internalDate ?? 0);
			dates.push(internalDate);
			const headers = headerMap(m, true);
			const labelIds = m.labelIds ?? [];
			const draft = labelIds.includes('DRAFT') && !labelIds.includes('SENT');
			const single = headers[OUTREACH_HEADER.toLowerCase()]?.trim();
			// A claim draft lists a group of keys; a sent message (or a scheduled draft) carries its one key.
			const group = draft ? claimedKeys(headers[CLAIM_HEADER.toLowerCase()] ?? '') : [];
			for (const key of single ? [single, ...group] : group) {
				this.add({
					id: s.id,
					threadId: m.threadId ?? '',
					key,
					draft,
					order: order.get(s.id) ?? -1,
					internalDate,
					labelIds,
					...(headers['message-id'] ? { rfc822MessageId: headers['message-id'] } : {}),
				});
			}
		}
		return { dates, vanished };
	}
}

function byAge(a: KeyedMessage, b: KeyedMessage): number {
	return a.internalDate - b.internalDate || byOrder(a, b);
}

function byOrder(a: KeyedMessage, b: KeyedMessage): number {
	return a.order - b.order || a.internalDate - b.internalDate || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}
