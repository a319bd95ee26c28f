import { sleep } from 'n8n-workflow';
import { claimNote } from '../core/idempotency';
import { NotFoundError, UnknownOutcomeError, type GmailClient } from '../transport';
import { attempt } from './attempt';
import type { KeyedMessage, KeyLedger } from './ledger';

/** A claim draft older than this (against our own claim's time, the server's clock) is a crashed run's leftover. */
export const CLAIM_TTL_MS = 10 * 60_000;
/** Sends go under a claim only while it is younger than this (the mailbox's clock), well inside CLAIM_TTL_MS. */
export const CLAIM_USE_MS = CLAIM_TTL_MS / 2;
/** Most keys one claim draft holds. */
export const CLAIM_GROUP_MAX = 50;
/** A claim holds only the sends due within this span, so pacing never keeps leads claimed for long. */
export const CLAIM_SPAN_MS = 2 * 60_000;
/** How long a lead waits for another execution's claim on it to resolve before it is deferred as in progress. */
export const BUSY_WAIT_MS = 20_000;
const POLL_MS = 1_000;

/** What a claim says about one key: ours to send, already sent, or held by another execution. */
export type ClaimResult = { kind: 'won' } | { kind: 'sent'; message: KeyedMessage } | { kind: 'busy'; holder: KeyedMessage };

/** What sending a claimed key gave: the sent message, or no definite answer after looking again. */
export type ClaimedSend = { kind: 'sent'; id: string; threadId: string; recovered: boolean } | { kind: 'unknown'; error: UnknownOutcomeError };

/** One claim draft and what it decided for each of its keys. */
interface Group {
	draftId: string;
	messageId: string;
	/** The mailbox's clock just before the draft was saved (never later than the draft's own time). */
	startedAt: number;
	results: Map<string, ClaimResult>;
	/** Keys an earlier live claim holds: waited for together, once, when the first of them is due. */
	lost: Map<string, KeyedMessage>;
	waited?: Promise<void>;
	/** A send without a definite answer: the draft stays as the claim until it goes stale. */
	keep: boolean;
}

/**
 * Exactly-once sends across overlapping executions, with state only in the mailbox: the keys of the sends due next
 * are first saved in one draft (the claim), history (lag-free) shows every claim on a key in the order Gmail
 * recorded them, the oldest live claim wins each key and the others wait for its sent copy; the winner sends, then
 * deletes its claim once the group is done.
 */
export class Claims {
	private group?: Group;

	constructor(
		private readonly client: GmailClient,
		private readonly ledger: KeyLedger,
		/** Sent messages the mailbox later reported as not delivered (Gmail's own limit notice). */
		private readonly undelivered: (m: KeyedMessage) => boolean = () => false,
	) {}

	/** The oldest sent message with this key that counts, as the ledger knows it now. */
	sent(key: string): KeyedMessage | undefined {
		return this.ledger.sent(key, this.undelivered);
	}

	/** What the current claim decided for the key; undefined when no claim young enough to send under covers it. */
	async result(key: string): Promise<ClaimResult | undefined> {
		const g = this.group;
		if (!g || this.client.now() - g.startedAt >= CLAIM_USE_MS) return undefined;
		if (g.lost.has(key)) await (g.waited ??= this.waitFor(g));
		const r = g.results.get(key);
		const sent = r?.kind === 'won' ? this.sent(key) : undefined;
		return sent ? { kind: 'sent', message: sent } : r;
	}

	/**
	 * Claims the keys with one draft (the previous claim is taken back once this one stands, so a key carried over
	 * is never unclaimed): each key is ours unless it is sent already or an older live claim holds it.
	 */
	async claim(keys: string[]): Promise<void> {
		const results = new Map<string, ClaimResult>();
		for (const k of keys) {
			const sent = this.sent(k);
			if (sent) results.set(k, { kind: 'sent', message: sent });
		}
		const open = [...new Set(keys.filter((k) => !results.has(k)))];
		await this.ledger.open();
		const startedAt = this.client.now();
		const draft = open.length ? await this.client.createDraft(claimNote(open, new Date(startedAt), this.ledger.mailbox)) : {};
		const next: Group = { draftId: draft.id ?? '', messageId: draft.message?.id ?? '', startedAt, results, lost: new Map(), keep: false };
		if (next.messageId) this.ledger.noteOwn(next.messageId);
		await this.release();
		this.group = next;
		if (!open.length) return;
		await this.ledger.refresh();
		let ownTime: Promise<number> | undefined;
		for (const k of open) {
			const sent = this.sent(k);
			if (sent) {
				results.set(k, { kind: 'sent', message: sent });
				continue;
			}
			const rivals = await this.liveRivals(k, next.messageId, () => (ownTime ??= this.draftTime(next.messageId)));
			if (rivals.length) next.lost.set(k, rivals[0]);
			else results.set(k, { kind: 'won' });
		}
	}

	/**
	 * Sends a key the current claim won; the claim stands for the whole send, so an overlapping execution sees either
	 * the claim or the sent copy, never neither. Without a definite answer it looks again (lag-free) for a while
	 * instead of sending again.
	 */
	async send(key: string, raw: string, threadId: string | undefined, budgetMs: number): Promise<ClaimedSend> {
		const result = await attempt(() => this.client.sendMessage(raw, threadId));
		if (result.ok) {
			this.ledger.noteOwn(result.value.id ?? '');
			return { kind: 'sent', id: result.value.id ?? '', threadId: result.value.threadId ?? '', recovered: false };
		}
		// Nothing went out: the lead is free again once the claim is taken back at the run's end.
		if (!(result.error instanceof UnknownOutcomeError)) throw result.error;
		// We held the only live claim, so a sent message with the key is ours, committed late.
		const found = await this.ledger.lookForSent(key, budgetMs);
		if (found) return { kind: 'sent', id: found.id, threadId: found.threadId, recovered: true };
		// The draft stays as the claim: a later run finds the send if it landed, or the stale claim if not.
		if (this.group) this.group.keep = true;
		return { kind: 'unknown', error: result.error };
	}

	/** Takes the current claim back (best effort: a leftover goes stale), unless a send without an answer needs it. */
	async release(): Promise<void> {
		const g = this.group;
		this.group = undefined;
		if (!g?.draftId || g.keep) return;
		await attempt(() => this.withdraw(g.draftId, g.messageId));
	}

	/** Other claims on the key that came first and are not a crashed run's leftovers. */
	private async liveRivals(key: string, ours: string, ownTime: () => Promise<number>): Promise<KeyedMessage[]> {
		const mine = this.ledger.orderOf(ours);
		// An earlier claim that history shows deleted may be one being sent right now (the draft goes before the
		// sent copy appears): it still blocks until its sent message shows up, or the wait runs out.
		const earlier = this.ledger.drafts(key, true).filter((d) => d.id !== ours && !this.ledger.isOwn(d.id) && d.order < mine);
		if (!earlier.length) return [];
		const now = await ownTime();
		const live = earlier.filter((d) => d.internalDate >= now - CLAIM_TTL_MS);
		for (const stale of earlier.filter((d) => !live.includes(d))) await attempt(() => this.removeStale(stale));
		return live;
	}

	/** Our draft's time is the server's "now": no comparison with this machine's clock. */
	private async draftTime(messageId: string): Promise<number> {
		const own = await this.client.getMessage(messageId, { format: 'minimal' });
		return Number(own.internalDate ?? Date.now());
	}

	/**
	 * Polls history until each lost key's message is sent (by its holder, or whoever won); busy after a while. A
	 * holder that vanished without a sent copy cannot be told from one being sent, so it is waited for, never overtaken.
	 */
	private async waitFor(g: Group): Promise<void> {
		const deadline = Date.now() + BUSY_WAIT_MS;
		const settle = () => {
			for (const k of g.lost.keys()) {
				const sent = this.sent(k);
				if (sent) g.results.set(k, { kind: 'sent', message: sent });
			}
		};
		while (Date.now() < deadline && [...g.lost.keys()].some((k) => !g.results.has(k))) {
			await sleep(POLL_MS);
			await this.ledger.refresh();
			settle();
		}
		for (const [k, holder] of g.lost) if (!g.results.has(k)) g.results.set(k, { kind: 'busy', holder });
	}

	/** Deletes our claim draft (gone already is fine). */
	private async withdraw(draftId: string, messageId: string): Promise<void> {
		this.ledger.dropDraft(messageId);
		const r = await attempt(() => this.client.deleteDraft(draftId));
		if (!r.ok && !(r.error instanceof NotFoundError)) throw r.error;
	}

	/** Best effort: deletes a leftover claim draft, found by its Message-ID (old enough to be in the search index). */
	private async removeStale(stale: KeyedMessage): Promise<void> {
		this.ledger.dropDraft(stale.id);
		if (!stale.rfc822MessageId) return;
		const found = await this.client.listDrafts({ q: `rfc822msgid:${stale.rfc822MessageId.replace(/^<|>$/g, '')}`, maxResults: 5 });
		const draft = (found.drafts ?? []).find((d) => d.message?.id === stale.id);
		if (draft?.id) await this.client.deleteDraft(draft.id);
	}
}
