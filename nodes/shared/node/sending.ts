import { NodeOperationError, sleep, type IDataObject, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';
import { bareMessageId } from '../core/campaign';
import { FieldError, type Composed } from '../core/compose';
import type { LeadEngagement } from '../core/engagement';
import { buildRaw, MimeError, type BuiltRaw, type MessageSpec } from '../core/mime';
import {
	AuthError,
	BackendError,
	ConcurrencyError,
	DailyCapError,
	gmailClient,
	GmailError,
	InvalidRequestError,
	NotFoundError,
	PermissionError,
	RateLimitError,
	ScopeError,
	UnknownOutcomeError,
	type GmailClient,
} from '../transport';
import { attempt } from './attempt';
import { CLAIM_GROUP_MAX, CLAIM_SPAN_MS, Claims, type ClaimResult } from './claim';
import { ParameterError, type Rejection } from './inputs';
import { dailyCap } from '../core/capacity';
import { mailboxCapacity } from './capacity';
import { recentInbound, type EngagementContext, type ReadMessage } from './engagement';
import { KeyLedger, type KeyedMessage } from './ledger';
import { LabelBatcher } from './labels';
import { MessageIdReader } from './readback';
import { Outcomes, type OutcomeKind } from './outcomes';
import { credentialTypeOf, readRunSettings, type RunSettings } from './params';
import { earlierField, nested, ourFieldsOf, withOurFields } from './fields';
import { previewMime } from './preview';
import { itemRow } from './rows';

/** How long a lead deferred for a transient failure or an unresolved outcome waits. */
export const TRANSIENT_RETRY_MS = 15 * 60_000;
/** Per-minute quota windows reopen within a minute. */
const QUOTA_RETRY_MS = 60_000;

/** Why the run stops early; every undecided item then leaves on Deferred (cap, quota, transient) or Failed (credential). */
export interface Stop {
	kind: 'deferred' | 'failed';
	reason: string;
	retryAt?: Date;
	error: GmailError;
	itemIndex: number;
}

/** How long a lead waits when another execution is sending its message right now. */
export const IN_PROGRESS_RETRY_MS = 5 * 60_000;

/** The time an error says to come back at, when it says one (rate limits, the daily cap, the project's quota). */
function retryAtOf(error: GmailError): Date | undefined {
	const at = (error as { retryAt?: unknown }).retryAt;
	return at instanceof Date && !Number.isNaN(at.getTime()) ? at : undefined;
}

/** The stop a Gmail error calls for: the daily cap is a hard stop until retryAt, quota waits until Gmail says, credentials fail; `now` is the mailbox's clock. */
export function stopFor(error: GmailError, itemIndex: number, now = Date.now()): Stop {
	if (error instanceof DailyCapError) return { kind: 'deferred', reason: 'daily_cap', retryAt: error.retryAt, error, itemIndex };
	if (error.name === 'ProjectQuotaError') {
		return { kind: 'deferred', reason: 'project_quota', retryAt: retryAtOf(error) ?? new Date(now + 3600_000), error, itemIndex };
	}
	if (error instanceof RateLimitError || error instanceof ConcurrencyError) {
		const hinted = retryAtOf(error);
		const retryAt = hinted && hinted.getTime() > Date.now() ? hinted : new Date(now + QUOTA_RETRY_MS);
		return { kind: 'deferred', reason: 'quota', retryAt, error, itemIndex };
	}
	if (error instanceof AuthError) return { kind: 'failed', reason: 'auth', error, itemIndex };
	// Gmail refused the run's own request (e.g. a template draft id it rejects): waiting cannot fix it.
	if (error instanceof InvalidRequestError || error instanceof NotFoundError) return { kind: 'failed', reason: 'invalid_parameter', error, itemIndex };
	if (error instanceof ScopeError || error instanceof PermissionError) return { kind: 'failed', reason: 'permission', error, itemIndex };
	return { kind: 'deferred', reason: 'transient', retryAt: new Date(now + TRANSIENT_RETRY_MS), error, itemIndex };
}

/** A message of ours in the mailbox: what a send returned, or what the search after an ambiguous send found. */
export interface SentMessage {
	id: string;
	threadId: string;
	rfc822MessageId?: string;
}

/** One rendered message ready to go, with what its outputs carry. */
export interface Outgoing {
	itemIndex: number;
	raw: string;
	/** The thread a reply must join; without it Gmail starts a new thread. */
	threadId?: string;
	/** The step's outreach key: the claim and every look-up go by it. */
	key: string;
	labels: string[];
	/** Fields every output of this lead carries (to, campaign, step, outreachKey, …). */
	identity: IDataObject;
}

/** Which items a run sends and as whom: one mailbox's share of the input when the items name several (service account). */
export interface RunShare {
	/** The mailbox to act as (the service account's delegated user); default the credential's own. */
	mailbox?: string;
	indices?: number[];
	/** False once another share may have sent: a credential stop then fails this share's items instead of the node. */
	mayThrow?: boolean;
}

/** One execution of a sending node: the items' outcomes, the send pipeline, labels, pacing and the stop policy. */
export class SendingRun {
	readonly items: INodeExecutionData[];
	readonly outcomes: Outcomes;
	readonly labels: LabelBatcher;
	private readonly messageIds: MessageIdReader;
	/** Lag-free view of the mailbox's keyed messages (history), shared by every look-up of the run. */
	readonly ledger: KeyLedger;
	readonly claims: Claims;
	/** Our sent messages Gmail later reported as not delivered (its own limit notice), by bare RFC 822 Message-ID. */
	readonly undelivered = new Set<string>();
	private attempts = 0;
	private sentCount = 0;
	private lastProgressAt = 0;
	private recent?: Promise<ReadMessage[]>;
	/** The sends the node expects to make next, in order: what one claim draft covers. */
	private upcoming: Array<{ key: string; itemIndex: number }> = [];
	/** Sends the daily cap still allows in this run, and when each one beyond it may go (the Quota Guard rule). */
	private capacity?: { left: number; retryAts: Date[]; nextFreeAt: Date; deferred: number };

	/** The items this run sends (all; or one mailbox's share, see perMailbox). */
	readonly indices: number[];
	/** Whether our fields go under `outreach` (node version 2) or at the top level (version 1). */
	readonly nested: boolean;
	/** Whether a credential stop before anything happened may fail the node (not once another mailbox's run has sent). */
	private readonly mayThrow: boolean;

	constructor(
		readonly ctx: IExecuteFunctions,
		readonly client: GmailClient,
		readonly settings: RunSettings,
		private readonly nodeLabel: string,
		share: RunShare = {},
	) {
		this.items = ctx.getInputData();
		this.indices = share.indices ?? [...this.items.keys()];
		this.mayThrow = share.mayThrow ?? true;
		this.nested = nested(ctx);
		this.outcomes = new Outcomes(this.items.length, this.indices);
		this.labels = new LabelBatcher(client);
		this.messageIds = new MessageIdReader(client);
		this.ledger = new KeyLedger(client);
		this.claims = new Claims(client, this.ledger, (m) => !!m.rfc822MessageId && this.undelivered.has(bareMessageId(m.rfc822MessageId)));
	}

	/** Reads the run settings and opens the paced, retrying Gmail client they ask for (acting as `share.mailbox` with a service account). */
	static async open(ctx: IExecuteFunctions, nodeLabel: string, share: RunShare = {}): Promise<SendingRun> {
		const settings = readRunSettings(ctx);
		const credentialType = credentialTypeOf(ctx);
		const client = await gmailClient(ctx, { budgetMs: settings.budgetMs, perMinuteUnits: settings.perMinuteUnits, credentialType, ...(share.mailbox ? { delegatedUser: share.mailbox } : {}) });
		return new SendingRun(ctx, client, settings, nodeLabel, share);
	}

	/**
	 * Measures the mailbox's rolling 24 hours (hand-sent mail included) for up to `wanted` sends, so the run defers
	 * what would go over the cap with the minute it frees up, instead of learning it from Gmail's 429.
	 */
	async planCapacity(mailbox: string, wanted: number): Promise<void> {
		const choice = this.settings.dailyCap;
		if (choice === 'off' || this.settings.mode !== 'send' || wanted < 1) return;
		const type = choice === 'auto' ? (/@(gmail|googlemail)\.com$/i.test(mailbox) ? 'gmail' : 'workspace') : choice;
		const plan = await mailboxCapacity(this.client, { cap: dailyCap(type), margin: 1 }, wanted);
		this.capacity = { left: plan.sendNow, retryAts: plan.retryAts, nextFreeAt: plan.nextFreeAt, deferred: 0 };
	}

	/** The inbound mail of the last minutes, read once per run without the search index (which lags). */
	recentInbound(ctx: EngagementContext): Promise<ReadMessage[]> {
		return (this.recent ??= recentInbound(this.client, ctx));
	}

	/** Records item i's outcome (the row's own fields, then ours) and returns our fields of it, to complete later. */
	out(kind: OutcomeKind, i: number, json: IDataObject): IDataObject {
		const data = withOurFields(this.items[i].json, json, this.nested, OUTCOME_FIELDS);
		this.outcomes.add(kind, i, data, this.items[i].binary);
		return ourFieldsOf(data, this.nested);
	}

	/** An item that leaves before any send, on Skipped or Failed. */
	reject(i: number, r: Rejection, identity: IDataObject = {}): void {
		const status = r.kind === 'skipped' ? 'skipped' : 'failed';
		this.out(r.kind, i, { ...identity, status, reason: r.reason, ...(r.kind === 'failed' ? { error: r.error ?? r.reason } : {}), ...r.extra });
	}

	/** An error that is not Gmail's is a bug or an n8n problem: it fails the node, naming the item. */
	bug(error: unknown, i: number): NodeOperationError {
		return new NodeOperationError(this.ctx.getNode(), error as Error, { itemIndex: i });
	}

	/** A Gmail error as a stop; anything else is a bug. */
	stopFor(error: unknown, i: number): Stop {
		if (error instanceof GmailError) return stopFor(error, i, this.client.now());
		throw this.bug(error, i);
	}

	/** An error while preparing item i: bad input fails the item, a Gmail error follows the lead policy, anything else is a bug. */
	itemError(error: unknown, i: number, identity: IDataObject = {}): Stop | undefined {
		if (error instanceof FieldError) {
			this.out('failed', i, { ...identity, status: 'failed', reason: error.reason, field: error.field, error: error.message });
		} else if (error instanceof ParameterError) {
			this.out('failed', i, { ...identity, status: 'failed', reason: 'invalid_parameter', field: error.field, error: error.message });
		} else if (error instanceof GmailError) {
			return this.failLead(error, i, identity);
		} else {
			if (!this.ctx.continueOnFail()) throw this.bug(error, i);
			this.out('failed', i, { ...identity, status: 'failed', reason: 'error', error: (error as Error).message });
		}
		return undefined;
	}

	/** Defers item i to a later run (nothing was sent). */
	defer(i: number, reason: string, error: Error, identity: IDataObject, retryAt = new Date(this.client.now() + TRANSIENT_RETRY_MS)): void {
		this.out('deferred', i, { ...identity, status: 'deferred', reason, retryAt: retryAt.toISOString(), error: error.message });
	}

	/** A lead whose sequence ended (replied, opted out, bounced, complained, left): Skipped with the evidence. */
	stopped(i: number, engagement: LeadEngagement, identity: IDataObject): void {
		const stop = engagement.stop;
		if (!stop) return;
		const c = stop.event.cls;
		this.reject(i, {
			kind: 'skipped',
			reason: stop.reason,
			extra: {
				...identity,
				detail: stop.detail,
				evidenceMessageId: stop.event.id,
				evidenceThreadId: stop.event.threadId,
				...(stop.scope === 'all' ? { suppressedFor: 'all campaigns' } : {}),
				...(c.alternateContact ? { alternateContact: c.alternateContact } : {}),
				...(c.kind === 'bounce' ? { bounce: c.hard ? 'hard' : 'soft', ...(c.status ? { bounceStatus: c.status } : {}) } : {}),
			},
		});
	}

	/** An item no run can settle on its own (e.g. more mail than a look-up reads): Failed, for a person to check. */
	manualCheck(i: number, error: Error, identity: IDataObject): void {
		this.out('failed', i, { ...identity, status: 'failed', reason: 'needs_manual_check', error: error.message });
	}

	/** Builds the MIME message; a value MIME cannot carry fails the item, naming the field. */
	async build(i: number, spec: MessageSpec, identity: IDataObject): Promise<BuiltRaw | undefined> {
		const built = await attempt(() => buildRaw(spec));
		if (built.ok) return built.value;
		if (!(built.error instanceof MimeError)) throw this.bug(built.error, i);
		const field = built.error.field;
		this.out('failed', i, { ...identity, status: 'failed', reason: 'invalid_row', field, error: `${itemRow(this.items, i)}, field "${field}": ${built.error.message}` });
		return undefined;
	}

	/** Dry run: the rendered message leaves on Sent with status preview; nothing is sent. */
	preview(i: number, composed: Composed, built: BuiltRaw, identity: IDataObject): void {
		const html = composed.html !== undefined ? { html: composed.html } : {};
		this.out('sent', i, { ...identity, status: 'preview', subject: composed.subject, text: composed.text, ...html, ...previewMime(built, this.settings.previewRaw) });
	}

	/** The step's message already in the mailbox: Skipped as already_sent with its ids (labels completed on a re-run). */
	async alreadySent(i: number, identity: IDataObject, labels: string[], found: { id: string; threadId: string; labelIds?: string[]; rfc822MessageId?: string; internalDate?: number }, detail?: string): Promise<void> {
		// The same fields as a send's, so the sheet row records the step as sent (with its time when Gmail gave one).
		const sentAt = Number(found.internalDate) > 0 ? { sentAt: new Date(Number(found.internalDate)).toISOString() } : {};
		const ids = { messageId: found.id, threadId: found.threadId, ...(found.rfc822MessageId ? { rfc822MessageId: found.rfc822MessageId } : {}), ...sentAt };
		this.reject(i, { kind: 'skipped', reason: 'already_sent', extra: { ...identity, ...ids, ...(detail ? { detail } : {}) } });
		if (this.settings.mode === 'send') await this.labels.add(labels, found.id, found.labelIds);
	}

	/**
	 * Paces, claims the key with a draft (overlapping executions: the oldest claim wins), sends, and resolves a
	 * send without a definite answer from the mailbox — never by sending again.
	 */
	async deliver(m: Outgoing): Promise<Stop | undefined> {
		const cap = this.capacity;
		if (cap && cap.left <= 0) {
			const retryAt = cap.retryAts[cap.deferred++] ?? cap.nextFreeAt;
			const error = new Error(`The mailbox's rolling 24-hour sending cap is reached (counted from the mailbox); this lead may go at ${retryAt.toISOString()}.`);
			this.out('deferred', m.itemIndex, { ...m.identity, status: 'deferred', reason: 'daily_cap', retryAt: retryAt.toISOString(), error: error.message });
			return undefined;
		}
		const paceMs = this.settings.pacing === 'delay' && this.attempts > 0 ? this.settings.delayMs + Math.floor(Math.random() * (this.settings.jitterMs + 1)) : 0;
		if (await this.holdUntilSendAt(m, paceMs)) return undefined;
		this.attempts++;
		const claimed = await attempt(() => this.claimFor(m));
		if (!claimed.ok) {
			// A draft that may or may not have been saved is no send: the lead simply waits.
			if (claimed.error instanceof UnknownOutcomeError) {
				const unsure = new BackendError('drafts.create', 'Saving the claim draft got no definite answer from Gmail; nothing was sent. A later run tries again.');
				return this.failLead(unsure, m.itemIndex, m.identity);
			}
			return this.failLead(claimed.error, m.itemIndex, m.identity);
		}
		const c = claimed.value;
		if (c.kind === 'sent') {
			await this.alreadySent(m.itemIndex, m.identity, m.labels, keyedToSent(c.message), 'This step is already in the mailbox');
			return undefined;
		}
		if (c.kind === 'busy') {
			const error = new Error(`Another execution is sending this step to the lead right now (draft ${c.holder.id}); nothing was sent by this one.`);
			this.defer(m.itemIndex, 'in_progress', error, m.identity, new Date(this.client.now() + IN_PROGRESS_RETRY_MS));
			return undefined;
		}
		const sent = await attempt(() => this.claims.send(m.key, m.raw, m.threadId, this.settings.budgetMs));
		if (!sent.ok) return this.failLead(sent.error, m.itemIndex, m.identity);
		if (sent.value.kind === 'unknown') return this.failLead(sent.value.error, m.itemIndex, m.identity);
		const out = sent.value;
		if (cap) cap.left--;
		this.sentCount++;
		this.progress(false);
		this.ledger.noteSent(m.key, { id: out.id, threadId: out.threadId, internalDate: this.client.now() });
		await this.recordSent(m, { id: out.id, threadId: out.threadId }, out.recovered);
		return undefined;
	}

	/** Tells the run which sends come next (in order), so one claim draft covers those due soon, not each its own. */
	expect(sends: Array<{ key: string; itemIndex: number }>): void {
		this.upcoming = sends;
	}

	/** The claim on m's key: the current claim's decision, or a new claim for m and the sends due right after it. */
	private async claimFor(m: Outgoing): Promise<ClaimResult> {
		const known = await this.claims.result(m.key);
		if (known) return known;
		await this.claims.claim(this.groupFrom(m));
		const c = await this.claims.result(m.key);
		if (!c) throw new Error(`The claim for ${m.key} decided nothing`);
		return c;
	}

	/** m's key and the expected keys after it that are due within the claim's span, the daily cap and the group size. */
	private groupFrom(m: Outgoing): string[] {
		const at = this.upcoming.findIndex((u) => u.key === m.key);
		const keys = [m.key];
		if (at < 0) return keys;
		const most = Math.min(CLAIM_GROUP_MAX, this.capacity?.left ?? Infinity);
		const step = this.settings.pacing === 'delay' ? this.settings.delayMs + this.settings.jitterMs : 0;
		const now = this.client.now();
		for (const u of this.upcoming.slice(at + 1)) {
			if (keys.length >= most || keys.length * step > CLAIM_SPAN_MS) break;
			const due = this.sendAtOf(u.itemIndex);
			if (Number.isFinite(due) && due - now > CLAIM_SPAN_MS) break;
			if (!keys.includes(u.key)) keys.push(u.key);
		}
		return keys;
	}

	/** Quota Guard's sendAt for a Send Now item (NaN otherwise: a sheet's own sendAt column is not this send's). */
	private sendAtOf(i: number): number {
		const json = this.items[i].json ?? {};
		if (this.settings.maxWaitMs === undefined || earlierField(json, 'quotaStatus') !== 'send_now') return NaN;
		return Date.parse(String(earlierField(json, 'sendAt') ?? ''));
	}

	/**
	 * Waits the pacing delay, or until the item's sendAt (Quota Guard's spread) when that is later — by the mailbox's
	 * clock, read to the second and so never early. True when the item was deferred instead (due beyond Max Wait).
	 */
	private async holdUntilSendAt(m: Outgoing, paceMs: number): Promise<boolean> {
		const max = this.settings.maxWaitMs;
		const at = this.sendAtOf(m.itemIndex);
		let wait = 0;
		if (Number.isFinite(at) && max !== undefined) {
			if (this.client.clockOffsetMs === undefined) await this.client.getProfileAndClock();
			wait = at - this.client.now();
			if (wait > max) {
				const error = new Error(`sendAt ${new Date(at).toISOString()} is more than Max Wait (${Math.round(max / 60_000)} min) away; a later run sends it.`);
				this.defer(m.itemIndex, 'scheduled', error, m.identity, new Date(at));
				return true;
			}
		}
		const ms = Math.max(paceMs, wait);
		if (ms > 0) await sleep(ms);
		return false;
	}

	/**
	 * Tells a person watching a manual run how far it is ("sent 12 of 100, next in about 30 s"), at most every 5 s and
	 * at the end; n8n shows it in the editor's console (sendMessageToUI does nothing outside manual runs).
	 */
	private progress(final: boolean): void {
		if (this.settings.mode !== 'send' || this.ctx.getMode() !== 'manual') return;
		const now = Date.now();
		if (!final && this.sentCount > 1 && now - this.lastProgressAt < 5000) return;
		this.lastProgressAt = now;
		const pace = this.settings.pacing === 'delay' && !final ? `, next in about ${Math.round((this.settings.delayMs + this.settings.jitterMs / 2) / 1000)} s` : '';
		this.ctx.sendMessageToUI(`${this.nodeLabel}: sent ${this.sentCount} of ${this.indices.length}${final ? ' (done)' : pace}`);
	}

	/** One log line per batch of leads (batches 0: the run's end), for long runs read in n8n's log. */
	logBatch(batch: number, batches: number): void {
		const c = this.outcomes.counts();
		const where = batches ? `batch ${batch} of ${batches} done` : 'done';
		this.ctx.logger.info(`${this.nodeLabel}: ${where} — sent ${c.sent}, skipped ${c.skipped}, deferred ${c.deferred}, failed ${c.failed} of ${this.indices.length}`);
	}

	/** Preview: how long sending what the preview shows would take at the run's pacing (on each preview item). */
	private estimate(): void {
		const previews = this.outcomes.jsonOf('sent').map((json) => ourFieldsOf(json, this.nested));
		const n = previews.length;
		if (!n) return;
		const seconds =
			this.settings.pacing === 'delay'
				? ((n - 1) * (this.settings.delayMs + this.settings.jitterMs / 2)) / 1000
				: (n * 100 * 60) / this.settings.perMinuteUnits;
		const runEstimate = `sending these ${n} emails takes about ${seconds < 90 ? `${Math.ceil(seconds)} s` : `${Math.ceil(seconds / 60)} min`} at this pacing (${this.settings.pacing === 'delay' ? 'delay between sends' : 'as fast as the quota allows'})`;
		for (const json of previews) Object.assign(json, { estimatedRunSeconds: Math.ceil(seconds), runEstimate });
	}

	/** Records Sent, queues the read-back of the real Message-ID (when not known yet) and the labels. */
	private async recordSent(m: Outgoing, sent: SentMessage, recovered: boolean): Promise<void> {
		const json = this.out('sent', m.itemIndex, {
			status: 'sent',
			messageId: sent.id,
			threadId: sent.threadId,
			// Filled in by the read-back (one batch request per 50 sends), here to keep the fields' order.
			rfc822MessageId: sent.rfc822MessageId ?? '',
			sentAt: new Date(this.client.now()).toISOString(),
			...m.identity,
			...(m.threadId ? { threaded: sent.threadId === m.threadId } : {}),
			...(recovered ? { recoveredAfter: 'unknown_outcome' } : {}),
		});
		if (!sent.rfc822MessageId) await this.messageIds.add(sent.id, json);
		await this.labels.add(m.labels, sent.id, undefined, json);
	}

	/** A Gmail error for one lead: it fails (rejected), waits (transient, unknown outcome), or the run stops (cap, quota, credential). */
	failLead(error: unknown, i: number, identity: IDataObject): Stop | undefined {
		if (!(error instanceof GmailError)) throw this.bug(error, i);
		if (error instanceof InvalidRequestError) {
			const field = error.field ?? 'raw';
			this.out('failed', i, { ...identity, status: 'failed', reason: 'rejected', field, error: `${itemRow(this.items, i)}, field "${field}": Gmail rejected the message: ${error.message}` });
			return undefined;
		}
		if (error instanceof UnknownOutcomeError) {
			this.defer(i, 'unknown_outcome', error, identity);
			return undefined;
		}
		const stop = stopFor(error, i, this.client.now());
		if (stop.reason !== 'transient') return stop;
		// 5xx or network failure after the retries: nothing was sent; a later run tries again.
		this.defer(i, 'transient', error, identity, stop.retryAt);
		return undefined;
	}

	/**
	 * Applies the queued labels, then ends the run. A stop keeps what happened: items already decided stay on
	 * their outputs, the rest leave on Failed (credential) or Deferred (cap, quota, transient) with the stop's
	 * reason. The node throws only when a credential stop came before anything at all happened.
	 */
	async complete(stop?: Stop): Promise<INodeExecutionData[][]> {
		await this.claims.release();
		await this.messageIds.flush();
		await this.labels.flush();
		if (this.settings.mode === 'preview') this.estimate();
		else if (this.sentCount) this.progress(true);
		if (!stop) this.logBatch(0, 0);
		if (this.labels.warning) this.ctx.logger.warn(`${this.nodeLabel}: ${this.labels.warning}`);
		if (stop) {
			const decided = this.outcomes.counts();
			const anything = decided.sent + decided.skipped + decided.deferred + decided.failed > 0;
			const credential = stop.reason === 'auth' || stop.reason === 'permission';
			if (credential && !anything && this.mayThrow && !this.ctx.continueOnFail()) {
				throw new NodeOperationError(this.ctx.getNode(), stop.error, {
					itemIndex: stop.itemIndex,
					description: 'Nothing was sent. Fix the credential, then re-run: messages already sent are recognised and skipped.',
				});
			}
			if (anything) {
				this.ctx.logger.warn(`${this.nodeLabel}: stopped (${stop.reason}) after ${decided.sent} sent; the other items leave on ${stop.kind === 'failed' ? 'Failed' : 'Deferred'}: ${stop.error.message}`);
			}
			for (const i of this.indices) {
				if (this.outcomes.has(i)) continue;
				const json: IDataObject = { status: stop.kind, reason: stop.reason, error: stop.error.message };
				if (stop.retryAt) json.retryAt = stop.retryAt.toISOString();
				this.out(stop.kind, i, json);
			}
		}
		return this.outcomes.toOutputs();
	}
}

/** A keyed message the ledger saw, as the ids an already_sent output carries. */
function keyedToSent(m: KeyedMessage): { id: string; threadId: string; labelIds: string[]; rfc822MessageId?: string; internalDate: number } {
	return { id: m.id, threadId: m.threadId, labelIds: m.labelIds, internalDate: m.internalDate, ...(m.rfc822MessageId ? { rfc822MessageId: m.rfc822MessageId } : {}) };
}

// Version 1 only: outcome fields an earlier step may have left on the item (e.g. step 2's reason on step 3's
// input) describe that step, so carrying them into this step's output would misreport it.
const OUTCOME_FIELDS = [
	'status', 'reason', 'detail', 'error', 'field', 'retryAt', 'recoveredAfter', 'warning', 'labelError',
	'suppression', 'duplicateOfItem', 'evidence', 'evidenceMessageId', 'evidenceThreadId', 'suppressedFor',
	'alternateContact', 'bounce', 'bounceStatus', 'returnDate',
];
