import { NodeOperationError, sleep, type IDataObject, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';
import { FieldError, type Composed } from '../core/compose';
import { buildRaw, MimeError, type MessageSpec } from '../core/mime';
import {
	AuthError,
	ConcurrencyError,
	DailyCapError,
	gmailClient,
	GmailError,
	InvalidRequestError,
	PermissionError,
	RateLimitError,
	ScopeError,
	UnknownOutcomeError,
	type GmailClient,
} from '../transport';
import { attempt } from './attempt';
import { ParameterError, type Rejection } from './inputs';
import { LabelBatcher } from './labels';
import { Outcomes, type OutcomeKind } from './outcomes';
import { readRunSettings, type RunSettings } from './params';
import { headerOf } from './payload';

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

/** The stop a Gmail error calls for: the daily cap is a hard stop until retryAt, quota waits a minute, credentials fail. */
export function stopFor(error: GmailError, itemIndex: number): Stop {
	if (error instanceof DailyCapError) return { kind: 'deferred', reason: 'daily_cap', retryAt: error.retryAt, error, itemIndex };
	if (error instanceof RateLimitError || error instanceof ConcurrencyError) {
		return { kind: 'deferred', reason: 'quota', retryAt: new Date(Date.now() + QUOTA_RETRY_MS), error, itemIndex };
	}
	if (error instanceof AuthError) return { kind: 'failed', reason: 'auth', error, itemIndex };
	if (error instanceof ScopeError || error instanceof PermissionError) return { kind: 'failed', reason: 'permission', error, itemIndex };
	return { kind: 'deferred', reason: 'transient', retryAt: new Date(Date.now() + TRANSIENT_RETRY_MS), error, itemIndex };
}

/** A message of ours in the mailbox: what a send returned, or what the search after an ambiguous send found. */
export interface SentMessage {
	id: string;
	threadId: string;
	rfc822MessageId?: string;
}

/** One rendered message ready to go, with what its outputs carry and how to find it again. */
export interface Outgoing {
	itemIndex: number;
	raw: string;
	/** The thread a reply must join; without it Gmail starts a new thread. */
	threadId?: string;
	labels: string[];
	/** Fields every output of this lead carries (to, campaign, step, outreachKey, …). */
	identity: IDataObject;
	/** Looks for this very message (its outreach key) in the mailbox after an ambiguous send. */
	find: () => Promise<SentMessage | undefined>;
}

type Delivery = { kind: 'sent'; sent: SentMessage; recovered: boolean } | { kind: 'error'; error: unknown } | { kind: 'stop'; stop: Stop };

/** One execution of a sending node: the items' outcomes, the send pipeline, labels, pacing and the stop policy. */
export class SendingRun {
	readonly items: INodeExecutionData[];
	readonly outcomes: Outcomes;
	readonly labels: LabelBatcher;
	private sentCount = 0;

	constructor(
		readonly ctx: IExecuteFunctions,
		readonly client: GmailClient,
		readonly settings: RunSettings,
		private readonly nodeLabel: string,
	) {
		this.items = ctx.getInputData();
		this.outcomes = new Outcomes(this.items.length);
		this.labels = new LabelBatcher(client);
	}

	/** Reads the run settings and opens the paced, retrying Gmail client they ask for. */
	static async open(ctx: IExecuteFunctions, nodeLabel: string): Promise<SendingRun> {
		const settings = readRunSettings(ctx);
		const client = await gmailClient(ctx, { budgetMs: settings.budgetMs, perMinuteUnits: settings.perMinuteUnits });
		return new SendingRun(ctx, client, settings, nodeLabel);
	}

	/** Records item i's outcome (its own fields first, copied) and returns the output's json. */
	out(kind: OutcomeKind, i: number, json: IDataObject): IDataObject {
		const data = { ...leadFields(this.items[i].json), ...json };
		this.outcomes.add(kind, i, data, this.items[i].binary);
		return data;
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
		if (error instanceof GmailError) return stopFor(error, i);
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
	defer(i: number, reason: string, error: Error, identity: IDataObject, retryAt = new Date(Date.now() + TRANSIENT_RETRY_MS)): void {
		this.out('deferred', i, { ...identity, status: 'deferred', reason, retryAt: retryAt.toISOString(), error: error.message });
	}

	/** Builds the MIME message; a value MIME cannot carry fails the item, naming the field. */
	async build(i: number, spec: MessageSpec, identity: IDataObject): Promise<{ raw: string; size: number } | undefined> {
		const built = await attempt(() => buildRaw(spec));
		if (built.ok) return built.value;
		if (!(built.error instanceof MimeError)) throw this.bug(built.error, i);
		const field = built.error.field;
		this.out('failed', i, { ...identity, status: 'failed', reason: 'invalid_row', field, error: `Row ${i + 1}, field "${field}": ${built.error.message}` });
		return undefined;
	}

	/** Dry run: the rendered message leaves on Sent with status preview; nothing is sent. */
	preview(i: number, composed: Composed, built: { raw: string; size: number }, identity: IDataObject): void {
		const html = composed.html !== undefined ? { html: composed.html } : {};
		this.out('sent', i, { ...identity, status: 'preview', subject: composed.subject, text: composed.text, ...html, mimeSize: built.size, raw: built.raw });
	}

	/** Paces, sends (an ambiguous send is resolved from the mailbox, never blindly resent), records the outcome, queues labels. */
	async deliver(m: Outgoing): Promise<Stop | undefined> {
		if (this.settings.pacing === 'delay' && this.sentCount > 0) {
			await sleep(this.settings.delayMs + Math.floor(Math.random() * (this.settings.jitterMs + 1)));
		}
		const d = await this.send(m);
		if (d.kind === 'stop') return d.stop;
		if (d.kind === 'error') return this.failLead(d.error, m.itemIndex, m.identity);
		this.sentCount++;
		await this.recordSent(m, d.sent, d.recovered);
		return undefined;
	}

	private async send(m: Outgoing): Promise<Delivery> {
		let result = await attempt(() => this.client.sendMessage(m.raw, m.threadId));
		for (let tries = 0; !result.ok && result.error instanceof UnknownOutcomeError && tries < 2; tries++) {
			// The mail may have gone: its key in the mailbox decides, before any resend (at most one).
			const found = await attempt(m.find);
			if (!found.ok) {
				const stop = this.stopFor(found.error, m.itemIndex);
				if (stop.reason !== 'transient') return { kind: 'stop', stop };
				// Could not look: the lead waits as unknown_outcome; a later run's search decides.
				break;
			}
			if (found.value) return { kind: 'sent', sent: found.value, recovered: true };
			if (tries === 1) break;
			result = await attempt(() => this.client.sendMessage(m.raw, m.threadId));
		}
		if (!result.ok) return { kind: 'error', error: result.error };
		return { kind: 'sent', sent: { id: result.value.id ?? '', threadId: result.value.threadId ?? '' }, recovered: false };
	}

	/** Reads back the real Message-ID (Gmail may replace ours; follow-ups thread on it), records Sent, queues the labels. */
	private async recordSent(m: Outgoing, sent: SentMessage, recovered: boolean): Promise<void> {
		let rfc822MessageId = sent.rfc822MessageId;
		let warning: string | undefined;
		if (!rfc822MessageId) {
			const meta = await attempt(() => this.client.getMessage(sent.id, { format: 'metadata', metadataHeaders: ['Message-ID'] }));
			if (meta.ok) rfc822MessageId = headerOf(meta.value, 'Message-ID');
			else if (meta.error instanceof GmailError) warning = `Sent, but the Message-ID could not be read back: ${meta.error.message}`;
			else throw this.bug(meta.error, m.itemIndex);
		}
		const json = this.out('sent', m.itemIndex, {
			status: 'sent',
			messageId: sent.id,
			threadId: sent.threadId,
			...(rfc822MessageId ? { rfc822MessageId } : {}),
			sentAt: new Date().toISOString(),
			...m.identity,
			...(m.threadId ? { threaded: sent.threadId === m.threadId } : {}),
			...(recovered ? { recoveredAfter: 'unknown_outcome' } : {}),
			...(warning ? { warning } : {}),
		});
		await this.labels.add(m.labels, sent.id, undefined, json);
	}

	/** A Gmail error for one lead: it fails (rejected), waits (transient, unknown outcome), or the run stops (cap, quota, credential). */
	failLead(error: unknown, i: number, identity: IDataObject): Stop | undefined {
		if (!(error instanceof GmailError)) throw this.bug(error, i);
		if (error instanceof InvalidRequestError) {
			const field = error.field ?? 'raw';
			this.out('failed', i, { ...identity, status: 'failed', reason: 'rejected', field, error: `Row ${i + 1}, field "${field}": Gmail rejected the message: ${error.message}` });
			return undefined;
		}
		if (error instanceof UnknownOutcomeError) {
			this.defer(i, 'unknown_outcome', error, identity);
			return undefined;
		}
		const stop = stopFor(error, i);
		if (stop.reason !== 'transient') return stop;
		// 5xx or network failure after the retries: nothing was sent; a later run tries again.
		this.defer(i, 'transient', error, identity, stop.retryAt);
		return undefined;
	}

	/** Applies the queued labels, then ends the run: a credential stop fails the node (unless continueOnFail), others defer the rest. */
	async complete(stop?: Stop): Promise<INodeExecutionData[][]> {
		await this.labels.flush();
		if (this.labels.warning) this.ctx.logger.warn(`${this.nodeLabel}: ${this.labels.warning}`);
		if (stop) {
			if (stop.kind === 'failed' && !this.ctx.continueOnFail()) {
				throw new NodeOperationError(this.ctx.getNode(), stop.error, {
					itemIndex: stop.itemIndex,
					description: 'Nothing more was sent. Fix the credential, then re-run: messages already sent are recognised and skipped.',
				});
			}
			for (let i = 0; i < this.items.length; i++) {
				if (this.outcomes.has(i)) continue;
				const json: IDataObject = { status: stop.kind, reason: stop.reason, error: stop.error.message };
				if (stop.retryAt) json.retryAt = stop.retryAt.toISOString();
				this.out(stop.kind, i, json);
			}
		}
		return this.outcomes.toOutputs();
	}
}

// Outcome fields an earlier step may have left on the item (e.g. step 2's reason on step 3's input):
// they describe that step, so carrying them into this step's output would misreport it.
const OUTCOME_FIELDS = [
	'status', 'reason', 'detail', 'error', 'field', 'retryAt', 'recoveredAfter', 'warning', 'labelError',
	'suppression', 'duplicateOfItem', 'evidence',
];

/** The lead's own fields, without the outcome fields of an earlier step. */
function leadFields(json: IDataObject | undefined): IDataObject {
	const own = { ...(json ?? {}) };
	for (const f of OUTCOME_FIELDS) delete own[f];
	return own;
}
