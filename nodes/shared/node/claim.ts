import { sleep } from 'n8n-workflow';
import { NotFoundError, UnknownOutcomeError, type GmailClient } from '../transport';
import { attempt } from './attempt';
import type { KeyedMessage, KeyLedger } from './ledger';

/** A claim draft older than this (against our own claim's time, the server's clock) is a crashed run's leftover. */
export const CLAIM_TTL_MS = 10 * 60_000;
/** How long a lead waits for another execution's claim on it to resolve before it is deferred as in progress. */
export const BUSY_WAIT_MS = 20_000;
const POLL_MS = 1_000;

/** What claiming a key gave: the right to send (our draft), the key already sent, or another execution holding it. */
export type ClaimResult =
	| { kind: 'won'; draftId: string; messageId: string }
	| { kind: 'sent'; message: KeyedMessage }
	| { kind: 'busy'; holder: KeyedMessage };

/** What sending a claimed draft gave: the sent message, or no definite answer after looking again. */
export type ClaimedSend = { kind: 'sent'; id: string; threadId: string; recovered: boolean } | { kind: 'unknown'; error: UnknownOutcomeError };

/**
 * Exactly-once sends across overlapping executions, with state only in the mailbox: the message is first saved
 * as a draft (the claim), history (lag-free) shows every claim on the same key in the order Gmail recorded them,
 * the oldest live claim wins and the others withdraw and wait for its sent copy; the winner sends, then deletes
 * its claim.
 */
export class Claims {
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

	/** Claims the key with a draft of the message; loses to an older live claim, and waits a little for it to resolve. */
	async claim(key: string, raw: string, threadId?: string): Promise<ClaimResult> {
		const already = this.sent(key);
		if (already) return { kind: 'sent', message: already };
		const draft = await this.client.createDraft(raw, threadId);
		const draftId = draft.id ?? '';
		const messageId = draft.message?.id ?? '';
		this.ledger.noteOwn(messageId);
		await this.ledger.refresh();
		const sentMeanwhile = this.sent(key);
		if (sentMeanwhile) {
			await this.withdraw(draftId, messageId);
			return { kind: 'sent', message: sentMeanwhile };
		}
		const rivals = await this.liveRivals(key, messageId);
		if (!rivals.length) return { kind: 'won', draftId, messageId };
		await this.withdraw(draftId, messageId);
		return await this.waitFor(key, rivals[0]);
	}

	/**
	 * Sends the claimed message, then takes the claim draft back: the claim stands for the whole send, so an
	 * overlapping execution sees either the claim or the sent copy, never neither. Without a definite answer it
	 * looks again (lag-free) for a while instead of sending again.
	 */
	async send(claim: { draftId: string; messageId: string }, key: string, raw: string, threadId: string | undefined, budgetMs: number): Promise<ClaimedSend> {
		const result = await attempt(() => this.client.sendMessage(raw, threadId));
		if (result.ok) {
			this.ledger.noteOwn(result.value.id ?? '');
			// Best effort: a claim left behind is harmless once the sent copy exists, and goes stale in time.
			await attempt(() => this.withdraw(claim.draftId, claim.messageId));
			return { kind: 'sent', id: result.value.id ?? '', threadId: result.value.threadId ?? '', recovered: false };
		}
		if (!(result.error instanceof UnknownOutcomeError)) {
			// Nothing went out: take the claim back so the lead is free for the next run.
			await attempt(() => this.withdraw(claim.draftId, claim.messageId));
			throw result.error;
		}
		// We held the only live claim, so a sent message with the key is ours, committed late.
		const found = await this.ledger.lookForSent(key, budgetMs);
		if (found) {
			await attempt(() => this.withdraw(claim.draftId, claim.messageId));
			return { kind: 'sent', id: found.id, threadId: found.threadId, recovered: true };
		}
		// The draft stays as the claim: a later run finds the send if it landed, or the stale claim if not.
		return { kind: 'unknown', error: result.error };
	}

	/** Other claims on the key that came first and are not a crashed run's leftovers. */
	private async liveRivals(key: string, ours: string): Promise<KeyedMessage[]> {
		const mine = this.ledger.orderOf(ours);
		// An earlier claim that history shows deleted may be one being sent right now (the draft goes before the
		// sent copy appears): it still blocks until its sent message shows up, or the wait runs out.
		const earlier = this.ledger.drafts(key, true).filter((d) => d.id !== ours && !this.ledger.isOwn(d.id) && d.order < mine);
		if (!earlier.length) return [];
		// Our draft's time is the server's "now": no comparison with this machine's clock.
		const own = await this.client.getMessage(ours, { format: 'minimal' });
		const now = Number(own.internalDate ?? Date.now());
		const live = earlier.filter((d) => d.internalDate >= now - CLAIM_TTL_MS);
		for (const stale of earlier.filter((d) => !live.includes(d))) await attempt(() => this.removeStale(stale));
		return live;
	}

	/**
	 * Polls history until the key's message is sent (by the holder, or whoever won); busy after a while. A holder
	 * that vanished without a sent copy cannot be told from one being sent, so it is waited for, never overtaken.
	 */
	private async waitFor(key: string, holder: KeyedMessage): Promise<ClaimResult> {
		const deadline = Date.now() + BUSY_WAIT_MS;
		while (Date.now() < deadline) {
			await sleep(POLL_MS);
			await this.ledger.refresh();
			const sent = this.sent(key);
			if (sent) return { kind: 'sent', message: sent };
		}
		return { kind: 'busy', holder };
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
