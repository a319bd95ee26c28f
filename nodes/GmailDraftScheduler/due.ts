// Send due: what happens to each scheduled draft whose time has come — sent, cancelled (and why), deferred, or failed.
import { NodeOperationError, type IDataObject, type IExecuteFunctions } from 'n8n-workflow';
import { normalizeAddress } from '../shared/core/address';
import { evidenceHeader, labelSegment, listUnsubscribeMailtos, sentLabelName } from '../shared/core/campaign';
import { LEGACY_CAMPAIGN_HEADER } from '../shared/core/compose';
import { backOn, type LeadEngagement } from '../shared/core/engagement';
import { campaignStart, conversation, decideFollowup, FollowupError, isOurs, type FollowupDecision, type ThreadMessage } from '../shared/core/followup';
import { OUTREACH_HEADER, outreachKey } from '../shared/core/idempotency';
import { entryZone, scheduleTime } from '../shared/core/schedule';
import { isOpen, nextOpening } from '../shared/core/window';
import { attempt } from '../shared/node/attempt';
import { checkEngagement, classifyThread, type EngagementLead, type ReadMessage } from '../shared/node/engagement';
import { sentEvidence } from '../shared/node/evidence';
import { LabelBatcher } from '../shared/node/labels';
import { prefetch } from '../shared/node/prefetch';
import type { KeyLedger } from '../shared/node/ledger';
import { headerOf } from '../shared/node/payload';
import { stopFor, type Stop } from '../shared/node/sending';
import type { Senders } from '../shared/node/senders';
import { DailyCapError, GmailError, InvalidRequestError, NotFoundError, UnknownOutcomeError, type GmailClient } from '../shared/transport';
import { readThread, readThreads } from '../GmailThreadedReply/thread';
import { DraftOutputs } from './outputs';
import type { DueSettings } from './params';
import { removeFromSchedule, reschedule, type Scheduled } from './registry';
import { missingHeaders, restoredNames, withHeaders } from './restore';

/** Send due's outputs, in output-index order. */
export const DUE_OUT = { sent: 0, cancelled: 1, deferred: 2, failed: 3 } as const;

/** A draft deferred for a passing failure comes back this much later. */
const TRANSIENT_RETRY_MS = 15 * 60_000;

/** A due draft once its thread is read. */
export interface Due {
	s: Scheduled;
	/** The campaign's real name (the label holds it as a label segment). */
	campaign: string;
	key: string;
	identity: IDataObject;
	threadId?: string;
	messages?: ThreadMessage[];
	decision?: FollowupDecision;
}

/** Keys of the campaign's steps up to this one for the lead: they tie DSNs and complaints to the lead. */
function keysOf(d: Due): string[] {
	if (outreachKey(d.campaign, d.s.step, d.s.lead) === d.key) return Array.from({ length: d.s.step }, (_v, k) => outreachKey(d.campaign, k + 1, d.s.lead));
	// A name the label cannot hold exactly: the earlier steps are the keys our own messages in the thread carry.
	const inThread = (d.messages ?? []).map((m) => m.headers[OUTREACH_HEADER.toLowerCase()]?.trim() ?? '').filter(Boolean);
	return [...new Set([...inThread, d.key])];
}

/** The campaign's name: the label's segment, or the real name older versions wrote in our messages (or the draft). */
function campaignOf(s: Scheduled, messages: ThreadMessage[]): string {
	for (const m of messages) {
		const c = m.headers[LEGACY_CAMPAIGN_HEADER.toLowerCase()]?.trim();
		if (c && labelSegment(c).toLowerCase() === s.campaign.toLowerCase()) return c;
	}
	return s.campaign;
}

/** The step's key: the label's own, else recomputed from the campaign's name. */
function keyOf(s: Scheduled, campaign: string): string {
	return s.key ?? outreachKey(campaign, s.step, s.lead);
}

/** A batch's drafts (their thread id; undefined: gone) and threads, read at once. */
export interface Prefetched {
	drafts: Map<string, string | undefined>;
	threads: Map<string, ThreadMessage[] | undefined>;
}

/** One Send-due execution over the mailbox's due drafts. */
export class DueRun {
	readonly out = new DraftOutputs(4);
	readonly labels: LabelBatcher;

	constructor(
		readonly ctx: IExecuteFunctions,
		readonly client: GmailClient,
		readonly ledger: KeyLedger,
		readonly us: Senders,
		readonly now: number,
		readonly settings: DueSettings,
		readonly budgetMs: number,
		/** The input item the outputs pair with (the one that named this mailbox). */
		readonly item = 0,
	) {
		this.labels = new LabelBatcher(client);
	}

	/** What every output of a due draft carries. */
	static identity(s: Scheduled, campaign: string): IDataObject {
		return {
			campaign,
			step: s.step,
			email: s.lead,
			draftId: s.draftId,
			sendAt: s.sendAt.toISOString(),
			sendAtLocal: scheduleTime(s.sendAt, entryZone(s)),
			label: s.labelName,
		};
	}

	/** Records the draft's one outcome. */
	emit(index: number, d: Due, json: IDataObject): void {
		this.out.add(index, { ...d.identity, ...json }, this.item, d.s.draftId);
	}

	/** The draft waits (nothing was sent or changed) until retryAt. */
	defer(d: Due, reason: string, retryAt: Date, detail: string): void {
		this.emit(DUE_OUT.deferred, d, { status: 'deferred', reason, retryAt: retryAt.toISOString(), detail });
	}

	/** A Gmail error for one draft: a stop for the run (cap, quota, credential), or this draft waits / fails. */
	failDraft(d: Due, error: unknown): Stop | undefined {
		if (!(error instanceof GmailError)) throw new NodeOperationError(this.ctx.getNode(), error as Error);
		if (error instanceof InvalidRequestError) {
			this.emit(DUE_OUT.failed, d, { status: 'failed', reason: 'rejected', error: `Gmail refused draft ${d.s.draftId}: ${error.message}` });
			return undefined;
		}
		if (error instanceof UnknownOutcomeError) {
			this.emit(DUE_OUT.deferred, d, { status: 'deferred', reason: 'unknown_outcome', retryAt: new Date(this.now + TRANSIENT_RETRY_MS).toISOString(), error: error.message });
			return undefined;
		}
		const stop = stopFor(error, 0, this.now);
		if (stop.reason !== 'transient') return stop;
		this.emit(DUE_OUT.deferred, d, { status: 'deferred', reason: 'transient', retryAt: (stop.retryAt ?? new Date(this.now + TRANSIENT_RETRY_MS)).toISOString(), error: error.message });
		return undefined;
	}

	/** After a stop, every draft not yet decided leaves on Deferred (cap, quota, transient) or Failed (credential). */
	stopRest(stop: Stop, rest: Due[]): void {
		for (const d of rest) {
			if (this.out.has(d.s.draftId)) continue;
			// The first Due of a draft is the one read (it names the real campaign); later copies are skipped above.
			const json: IDataObject = { status: stop.kind, reason: stop.reason, error: stop.error.message };
			if (stop.retryAt) json.retryAt = stop.retryAt.toISOString();
			this.emit(stop.kind === 'failed' ? DUE_OUT.failed : DUE_OUT.deferred, d, json);
		}
	}

	/** Unschedules a draft that is done with (sent, cancelled, gone); a failure only leaves a stale label, reported. */
	async unschedule(d: Due): Promise<string | undefined> {
		const r = await attempt(() => removeFromSchedule(this.client, d.s));
		if (r.ok) return undefined;
		if (!(r.error instanceof GmailError)) throw r.error;
		return `the schedule label "${d.s.labelName}" could not be removed (${r.error.message}); the next run recognises the draft as done`;
	}

	/**
	 * Reads a batch's drafts, then their threads, in one batch request each (a read that failed is left out, and
	 * read again alone by `read`, which reports it).
	 */
	async prefetch(batch: Scheduled[]): Promise<Prefetched> {
		const drafts = await prefetch(batch.map((s) => s.draftId), (ids) => this.client.batchGetDraftsSettled(ids, 'minimal'), (r) => (r.draft ? (r.draft.message?.threadId ?? '') : undefined), undefined as string | undefined);
		return { drafts, threads: await readThreads(this.client, [...drafts.values()].filter((t): t is string => !!t)) };
	}

	/** Reads one due draft and its thread (from the batch's prefetch when there); a draft no longer there is resolved from the mailbox's sent mail. */
	async read(s: Scheduled, pre?: Prefetched): Promise<{ due: Due; gone: boolean }> {
		const base: Due = { s, campaign: s.campaign, key: keyOf(s, s.campaign), identity: DueRun.identity(s, s.campaign) };
		let threadId: string;
		if (pre?.drafts.has(s.draftId)) {
			const known = pre.drafts.get(s.draftId);
			if (known === undefined) return { due: base, gone: true };
			threadId = known;
		} else {
			const got = await attempt(() => this.client.getDraft(s.draftId, 'minimal'));
			if (!got.ok) {
				if (got.error instanceof NotFoundError) return { due: base, gone: true };
				throw got.error;
			}
			threadId = got.value.message?.threadId ?? '';
		}
		const messages = !threadId ? [] : ((pre?.threads.has(threadId) ? pre.threads.get(threadId) : await readThread(this.client, threadId)) ?? []);
		const campaign = campaignOf(s, messages);
		return { due: { s, campaign, key: keyOf(s, campaign), identity: { ...DueRun.identity(s, campaign), threadId }, threadId, messages }, gone: false };
	}

	/** Drafts no longer in the mailbox: sent already (the key is in Sent) or deleted by the person. */
	async resolveGone(gone: Due[]): Promise<void> {
		if (!gone.length) return;
		await this.ledger.refresh();
		const unsettled = gone.filter((d) => !this.ledger.sent(d.key));
		const evidence = unsettled.length ? await sentEvidence(this.client, [...new Set(unsettled.map((d) => d.s.lead))]) : undefined;
		for (const d of gone) {
			const recent = this.ledger.sent(d.key);
			const older = recent ? undefined : evidence?.all.find((m) => evidenceHeader(m, OUTREACH_HEADER)?.trim() === d.key);
			const found = recent
				? { id: recent.id, threadId: recent.threadId, rfc822MessageId: recent.rfc822MessageId }
				: older && { id: older.id, threadId: older.threadId, rfc822MessageId: evidenceHeader(older, 'Message-ID') };
			const warning = await this.unschedule(d);
			if (found) {
				const rfc822MessageId = found.rfc822MessageId;
				this.emit(DUE_OUT.sent, d, {
					status: 'already_sent',
					messageId: found.id,
					threadId: found.threadId,
					...(rfc822MessageId ? { rfc822MessageId } : {}),
					detail: 'This scheduled draft was already sent (an earlier or overlapping run); nothing was sent again',
					...(warning ? { warning } : {}),
				});
			} else {
				this.emit(DUE_OUT.cancelled, d, {
					status: 'cancelled',
					reason: 'draft_deleted',
					detail: 'The draft is no longer in the mailbox (deleted in Gmail, or sent by hand); nothing was sent by this node',
					...(warning ? { warning } : {}),
				});
			}
		}
	}

	/** The batch's engagement: its threads classified plus one mailbox search per 25 leads (the one shared rule). */
	async engagement(batch: Due[]): Promise<Map<string, LeadEngagement>> {
		const mailtos = new Set<string>();
		for (const d of batch) for (const m of conversation(d.messages ?? []).filter((x) => isOurs(x, this.us.ours))) for (const a of listUnsubscribeMailtos(m.headers['list-unsubscribe'])) mailtos.add(a);
		const ctx = { ours: this.us.ours, unsubscribeAddresses: [...mailtos] };
		const known: ReadMessage[] = [];
		for (const d of batch) known.push(...(await classifyThread(this.client, d.threadId ?? '', d.messages ?? [], ctx)));
		const leads: Array<EngagementLead & { options: object }> = batch.map((d) => {
			const keys = keysOf(d);
			const ours = conversation(d.messages ?? []).filter((x) => isOurs(x, this.us.ours));
			const firstSentAt = campaignStart(d.messages ?? [], this.us.ours, keys);
			return {
				address: d.s.lead,
				threadIds: d.threadId ? [d.threadId] : [],
				keys,
				messageIds: ours.map((m) => m.headers['message-id'] ?? '').filter(Boolean),
				options: { ...(firstSentAt !== undefined ? { firstSentAt } : {}) },
			};
		});
		return await checkEngagement(this.client, leads, ctx, known);
	}

	/** Deletes our draft (a 404 means it went meanwhile: another run sent it, or the person deleted it). */
	private async deleteDraft(d: Due): Promise<'deleted' | 'gone'> {
		const r = await attempt(() => this.client.deleteDraft(d.s.draftId));
		if (r.ok) return 'deleted';
		if (r.error instanceof NotFoundError) return 'gone';
		throw r.error;
	}

	/** Decides one read draft: cancelled (engaged, already sent), moved (away), deferred (window), or ready to send. */
	async decide(d: Due, engagement: LeadEngagement | undefined): Promise<'send' | undefined> {
		const decided = await attempt(() =>
			decideFollowup({
				messages: d.messages ?? [],
				ourAddresses: this.us.ours,
				step: d.s.step,
				stepKey: d.key,
				campaignKeys: keysOf(d),
				...(engagement ? { engagement } : {}),
			}),
		);
		if (!decided.ok) {
			const e = decided.error;
			if (!(e instanceof FollowupError)) throw e;
			this.emit(DUE_OUT.failed, d, { status: 'failed', reason: 'invalid_thread', error: `Draft ${d.s.draftId}: ${e.message}` });
			return undefined;
		}
		const decision = (d.decision = decided.value);
		if (decision.action === 'skip') {
			const gone = (await this.deleteDraft(d)) === 'gone';
			if (gone) {
				// Sent meanwhile by an overlapping run: the step is in the thread and this draft was it.
				await this.resolveGone([d]);
				return undefined;
			}
			const warning = await this.unschedule(d);
			const stop = decision.stop;
			const c = stop?.event.cls;
			this.emit(DUE_OUT.cancelled, d, {
				status: 'cancelled',
				reason: decision.reason ?? 'stopped',
				detail: decision.detail,
				...(decision.evidence?.id ? { evidenceMessageId: decision.evidence.id } : {}),
				...(stop?.scope === 'all' ? { suppressedFor: 'all campaigns' } : {}),
				...(c?.alternateContact ? { alternateContact: c.alternateContact } : {}),
				...(c?.kind === 'bounce' ? { bounce: c.hard ? 'hard' : 'soft' } : {}),
				...(warning ? { warning } : {}),
			});
			return undefined;
		}
		const back = decision.away && this.settings.waitUntilBack ? backOn(decision.away.returnDate, entryZone(d.s), new Date(this.now)) : undefined;
		if (back) {
			const moved = await reschedule(this.client, d.s, back, entryZone(d.s));
			this.emit(DUE_OUT.deferred, d, {
				status: 'deferred',
				reason: 'out_of_office',
				retryAt: back.toISOString(),
				returnDate: decision.away?.returnDate ?? '',
				label: moved.labelName,
				detail: `The lead is out of the office until ${decision.away?.returnDate}; the draft now waits until ${scheduleTime(back, entryZone(d.s))}`,
			});
			return undefined;
		}
		const w = this.settings.window;
		if (w && !isOpen(w, entryZone(d.s), this.now)) {
			this.defer(d, 'outside_window', new Date(nextOpening(w, entryZone(d.s), this.now)), 'Outside the send window in the lead’s local time');
			return undefined;
		}
		return 'send';
	}

	/** Sends one draft as it is in the mailbox (the person's edit included), putting back only the headers an edit dropped. */
	async send(d: Due): Promise<Stop | undefined> {
		const got = await attempt(() => this.client.getDraft(d.s.draftId, 'raw'));
		if (!got.ok) {
			if (got.error instanceof NotFoundError) {
				await this.resolveGone([d]);
				return undefined;
			}
			return this.failDraft(d, got.error);
		}
		const raw = Buffer.from(got.value.message?.raw ?? '', 'base64url').toString('utf8');
		const lines = missingHeaders(raw, { key: d.key, inReplyTo: d.decision?.inReplyTo, references: d.decision?.references });
		const threadId = got.value.message?.threadId ?? d.threadId;
		const sent = await attempt(() =>
			lines.length ? this.client.sendDraft(d.s.draftId, Buffer.from(withHeaders(raw, lines)).toString('base64url'), threadId ?? undefined) : this.client.sendDraft(d.s.draftId),
		);
		const restored = lines.length ? { restoredHeaders: restoredNames(lines) } : {};
		if (!sent.ok) {
			if (sent.error instanceof NotFoundError) {
				// Another execution sent it first (a draft is sent once), or the person deleted it just now.
				await this.resolveGone([d]);
				return undefined;
			}
			if (sent.error instanceof UnknownOutcomeError && (await this.lookAgain(d, restored))) return undefined;
			if (sent.error instanceof DailyCapError) return stopFor(sent.error, 0);
			return this.failDraft(d, sent.error);
		}
		await this.recordSent(d, { id: sent.value.id ?? '', threadId: sent.value.threadId ?? '' }, restored, false);
		return undefined;
	}

	/** A send without a definite answer: looks (lag-free) for the key in Sent a few times; never sends again. */
	private async lookAgain(d: Due, restored: IDataObject): Promise<boolean> {
		const found = await this.ledger.lookForSent(d.key, this.budgetMs);
		if (found) await this.recordSent(d, { id: found.id, threadId: found.threadId }, restored, true);
		return !!found;
	}

	/** Sent: unschedules, reads back the real Message-ID and time, queues the campaign's Sent label. */
	private async recordSent(d: Due, sent: { id: string; threadId: string }, restored: IDataObject, recovered: boolean): Promise<void> {
		this.ledger.noteSent(d.key, { id: sent.id, threadId: sent.threadId, internalDate: this.now });
		const warning = await this.unschedule(d);
		const meta = await attempt(() => this.client.getMessage(sent.id, { format: 'metadata', metadataHeaders: ['Message-ID'] }));
		const rfc822MessageId = meta.ok ? headerOf(meta.value, 'Message-ID') : undefined;
		const sentAt = meta.ok && meta.value.internalDate ? new Date(Number(meta.value.internalDate)) : new Date(this.now);
		const json: IDataObject = {
			status: 'sent',
			messageId: sent.id,
			threadId: sent.threadId,
			...(rfc822MessageId ? { rfc822MessageId } : {}),
			sentAt: sentAt.toISOString(),
			threaded: !!d.threadId && sent.threadId === d.threadId,
			edited: 'restoredHeaders' in restored,
			...restored,
			...(recovered ? { recoveredAfter: 'unknown_outcome' } : {}),
			...(warning ? { warning } : {}),
		};
		this.emit(DUE_OUT.sent, d, json);
		if (this.settings.applySentLabel) await this.labels.add([sentLabelName(d.campaign)], sent.id, undefined, json);
	}
}

/** Splits due drafts into batches of at most `size` with each lead once, so one lead's engagement is decided once per batch. */
export function leadBatches<T extends { lead: string }>(list: T[], size: number): T[][] {
	const batches: T[][] = [];
	for (const x of list) {
		const lead = normalizeAddress(x.lead);
		const fits = batches.find((b) => b.length < size && !b.some((y) => normalizeAddress(y.lead) === lead));
		if (fits) fits.push(x);
		else batches.push([x]);
	}
	return batches;
}
