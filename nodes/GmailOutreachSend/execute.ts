import { NodeOperationError, sleep, type IDataObject, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';
import { chunk, LOOKUP_BATCH, RunDeduper, type MessageEvidence } from '../shared/core/campaign';
import { buildRaw, MimeError } from '../shared/core/mime';
import { findSentKey, mailboxSuppressed, sentByKey, suppressionLabelIds } from '../shared/node/evidence';
import { Outcomes } from '../shared/node/outcomes';
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
} from '../shared/transport';
import { attempt } from './attempt';
import { draftTemplateLoader } from './draft';
import { LabelBatcher } from './labels';
import { readItemParams, readRunSettings, type RunSettings } from './params';
import { prepareLead, type Lead } from './prepare';

/** How long a lead deferred for a transient failure or an unresolved outcome waits. */
const TRANSIENT_RETRY_MS = 15 * 60_000;
/** Per-minute quota windows reopen within a minute. */
const QUOTA_RETRY_MS = 60_000;

/** Why the run stops early; every undecided item then leaves on Deferred (cap, quota) or Failed (credential). */
interface Stop {
	kind: 'deferred' | 'failed';
	reason: string;
	retryAt?: Date;
	error: GmailError;
	itemIndex: number;
}

function isFatal(error: unknown): error is GmailError {
	return error instanceof AuthError || error instanceof ScopeError || error instanceof PermissionError;
}

/** The stop a Gmail error calls for: the daily cap, quota exhaustion and credential problems end the run. */
function stopFor(error: GmailError, itemIndex: number): Stop {
	if (error instanceof DailyCapError) return { kind: 'deferred', reason: 'daily_cap', retryAt: error.retryAt, error, itemIndex };
	if (error instanceof RateLimitError || error instanceof ConcurrencyError) {
		return { kind: 'deferred', reason: 'quota', retryAt: new Date(Date.now() + QUOTA_RETRY_MS), error, itemIndex };
	}
	if (isFatal(error)) return { kind: 'failed', reason: error instanceof AuthError ? 'auth' : 'permission', error, itemIndex };
	return { kind: 'deferred', reason: 'transient', retryAt: new Date(Date.now() + TRANSIENT_RETRY_MS), error, itemIndex };
}

function later(ms: number): string {
	return new Date(Date.now() + ms).toISOString();
}

/** Per-run state shared by the phases. */
class SendRun {
	readonly items: INodeExecutionData[];
	readonly outcomes: Outcomes;
	readonly labels: LabelBatcher;
	private sentCount = 0;

	constructor(
		readonly ctx: IExecuteFunctions,
		readonly client: GmailClient,
		readonly settings: RunSettings,
	) {
		this.items = ctx.getInputData();
		this.outcomes = new Outcomes(this.items.length);
		this.labels = new LabelBatcher(client);
	}

	/** The item's own fields, copied so outputs never alias the input. */
	row(i: number): IDataObject {
		return { ...(this.items[i].json ?? {}) };
	}

	out(kind: 'sent' | 'skipped' | 'deferred' | 'failed', i: number, json: IDataObject): void {
		this.outcomes.add(kind, i, { ...this.row(i), ...json }, this.items[i].binary);
	}

	/** An error that is not Gmail's is a bug or an n8n problem: it fails the node, naming the item. */
	bug(error: unknown, i: number): NodeOperationError {
		return new NodeOperationError(this.ctx.getNode(), error as Error, { itemIndex: i });
	}

	/** Phase 1: validates and renders every item before anything is sent. */
	async prepare(): Promise<{ leads: Lead[]; stop?: Stop }> {
		let mailbox: Promise<string> | undefined;
		const pc = {
			ctx: this.ctx,
			mailbox: () => (mailbox ??= this.client.getProfile().then((p) => p.emailAddress ?? '')),
			draftTemplate: draftTemplateLoader(this.client),
		};
		const leads: Lead[] = [];
		const dedupe = new RunDeduper();
		for (let i = 0; i < this.items.length; i++) {
			const r = await attempt(() => prepareLead(pc, i, this.items[i].json ?? {}, readItemParams(this.ctx, i)));
			if (!r.ok) {
				if (r.error instanceof GmailError) return { leads, stop: stopFor(r.error, i) };
				if (!this.ctx.continueOnFail()) throw this.bug(r.error, i);
				this.out('failed', i, { status: 'failed', reason: 'error', error: (r.error as Error).message });
				continue;
			}
			const p = r.value;
			if ('kind' in p) {
				if (p.kind === 'skipped') this.out('skipped', i, { status: 'skipped', reason: p.reason, ...p.extra });
				else this.out('failed', i, { status: 'failed', reason: p.reason, error: p.error ?? p.reason, ...p.extra });
				continue;
			}
			const first = dedupe.claim(p.address, i);
			if (first !== undefined) {
				this.out('skipped', i, { status: 'skipped', reason: 'duplicate_in_run', duplicateOfItem: first, to: p.to.address });
				continue;
			}
			leads.push(p);
		}
		return { leads };
	}

	/** Phase 2: per batch of leads, one evidence search, then the sends that are still due. */
	async sendAll(leads: Lead[]): Promise<Stop | undefined> {
		if (!leads.length) return undefined;
		let suppressionLabels = new Map<string, string>();
		if (leads.some((l) => l.checkMailbox)) {
			const r = await attempt(() => suppressionLabelIds(this.client));
			if (!r.ok) return this.gmailStop(r.error, leads[0].itemIndex);
			suppressionLabels = r.value;
		}
		for (const batch of chunk(leads, LOOKUP_BATCH)) {
			const lookup = await attempt(async () => {
				const sent = await sentByKey(this.client, batch.map((l) => l.to.address));
				const check = batch.filter((l) => l.checkMailbox).map((l) => l.to.address);
				const suppressed = suppressionLabels.size
					? await mailboxSuppressed(this.client, suppressionLabels, check)
					: new Map<string, string>();
				return { sent, suppressed };
			});
			if (!lookup.ok) {
				const stop = this.gmailStop(lookup.error, batch[0].itemIndex);
				if (stop.reason !== 'transient') return stop;
				// Without the mailbox's evidence a send could double: this batch waits for a later run.
				for (const lead of batch) {
					this.out('deferred', lead.itemIndex, { status: 'deferred', reason: 'lookup_failed', retryAt: later(TRANSIENT_RETRY_MS), error: stop.error.message, ...identity(lead) });
				}
				continue;
			}
			const { sent, suppressed } = lookup.value;
			for (const lead of batch) {
				const existing = sent.get(lead.composed.key);
				if (existing) {
					this.out('skipped', lead.itemIndex, { status: 'skipped', reason: 'already_sent', ...identity(lead), ...evidenceIds(existing) });
					if (this.settings.mode === 'send') await this.labels.add(lead.labels, existing.id, existing.labelIds);
					continue;
				}
				const label = suppressed.get(lead.address);
				if (label) {
					this.out('skipped', lead.itemIndex, { status: 'skipped', reason: 'suppressed', suppression: `mailbox has a message labelled ${label}`, to: lead.to.address });
					continue;
				}
				const stop = await this.sendOne(lead);
				if (stop) return stop;
			}
		}
		return undefined;
	}

	/** A Gmail error as a stop; anything else is a bug. */
	private gmailStop(error: unknown, i: number): Stop {
		if (error instanceof GmailError) return stopFor(error, i);
		throw this.bug(error, i);
	}

	/** Builds and sends (or previews) one lead, recording its outcome; returns a stop when the run must end. */
	private async sendOne(lead: Lead): Promise<Stop | undefined> {
		const i = lead.itemIndex;
		const built = await attempt(() => buildRaw(lead.composed.spec));
		if (!built.ok) {
			if (!(built.error instanceof MimeError)) throw this.bug(built.error, i);
			const field = built.error.field;
			this.out('failed', i, { status: 'failed', reason: 'invalid_row', field, error: `Row ${i + 1}, field "${field}": ${built.error.message}`, ...identity(lead) });
			return undefined;
		}
		const { raw, size } = built.value;
		if (this.settings.mode === 'preview') {
			const c = lead.composed;
			this.out('sent', i, { status: 'preview', ...identity(lead), subject: c.subject, text: c.text, ...(c.html !== undefined ? { html: c.html } : {}), mimeSize: size, raw });
			return undefined;
		}
		if (this.settings.pacing === 'delay' && this.sentCount > 0) {
			await sleep(this.settings.delayMs + Math.floor(Math.random() * (this.settings.jitterMs + 1)));
		}

		let result = await attempt(() => this.client.sendMessage(raw));
		let recovered: MessageEvidence | undefined;
		for (let tries = 0; !result.ok && result.error instanceof UnknownOutcomeError && tries < 2; tries++) {
			// The mail may have gone: its key in the mailbox decides, before any resend (at most one).
			const found = await attempt(() => findSentKey(this.client, lead.composed.key, lead.to.address));
			if (!found.ok) {
				const stop = this.gmailStop(found.error, i);
				if (stop.reason !== 'transient') return stop;
				// Could not look: the lead waits as unknown_outcome; a later run's search decides.
				break;
			}
			if (found.value) {
				recovered = found.value;
				break;
			}
			if (tries === 1) break;
			result = await attempt(() => this.client.sendMessage(raw));
		}
		if (recovered) {
			this.sentCount++;
			await this.recordSent(lead, recovered.id, recovered.threadId, evidenceIds(recovered).rfc822MessageId as string | undefined, { recoveredAfter: 'unknown_outcome' });
			return undefined;
		}
		if (!result.ok) return this.sendFailed(result.error, lead);
		this.sentCount++;
		await this.recordSent(lead, result.value.id ?? '', result.value.threadId ?? '', undefined, {});
		return undefined;
	}

	/** Reads back the real Message-ID (follow-ups thread on it), records Sent and queues the labels. */
	private async recordSent(lead: Lead, id: string, threadId: string, known: string | undefined, extra: IDataObject): Promise<void> {
		let rfc822MessageId = known;
		let warning: string | undefined;
		if (!rfc822MessageId) {
			const meta = await attempt(() => this.client.getMessage(id, { format: 'metadata', metadataHeaders: ['Message-ID'] }));
			if (meta.ok) {
				rfc822MessageId = meta.value.payload?.headers?.find((h) => (h.name ?? '').toLowerCase() === 'message-id')?.value ?? undefined;
			} else if (meta.error instanceof GmailError) {
				warning = `Sent, but the Message-ID could not be read back: ${meta.error.message}`;
			} else {
				throw this.bug(meta.error, lead.itemIndex);
			}
		}
		this.out('sent', lead.itemIndex, {
			status: 'sent',
			messageId: id,
			threadId,
			...(rfc822MessageId ? { rfc822MessageId } : {}),
			sentAt: new Date().toISOString(),
			...identity(lead),
			...extra,
			...(warning ? { warning } : {}),
		});
		await this.labels.add(lead.labels, id);
	}

	/** A definite send failure: the lead fails (rejected), waits (transient), or the run stops (cap, quota, credential). */
	private sendFailed(error: unknown, lead: Lead): Stop | undefined {
		const i = lead.itemIndex;
		if (!(error instanceof GmailError)) throw this.bug(error, i);
		if (error instanceof InvalidRequestError) {
			const field = error.field ?? 'raw';
			this.out('failed', i, { status: 'failed', reason: 'rejected', field, error: `Row ${i + 1}, field "${field}": Gmail rejected the message: ${error.message}`, ...identity(lead) });
			return undefined;
		}
		if (error instanceof UnknownOutcomeError) {
			this.out('deferred', i, { status: 'deferred', reason: 'unknown_outcome', retryAt: later(TRANSIENT_RETRY_MS), error: error.message, ...identity(lead) });
			return undefined;
		}
		const stop = stopFor(error, i);
		if (stop.reason !== 'transient') return stop;
		// 5xx or network failure after the retries: nothing was sent; a later run tries again.
		this.out('deferred', i, { status: 'deferred', reason: 'transient', retryAt: stop.retryAt?.toISOString(), error: error.message, ...identity(lead) });
		return undefined;
	}

	/** Every item still without an outcome leaves on the stop's output, with its reason. */
	finish(stop: Stop): void {
		for (let i = 0; i < this.items.length; i++) {
			if (this.outcomes.has(i)) continue;
			const json: IDataObject = { status: stop.kind, reason: stop.reason, error: stop.error.message };
			if (stop.retryAt) json.retryAt = stop.retryAt.toISOString();
			this.out(stop.kind, i, json);
		}
	}
}

function identity(lead: Lead): IDataObject {
	return { to: lead.to.address, campaign: lead.campaign, step: lead.step, outreachKey: lead.composed.key };
}

function evidenceIds(e: MessageEvidence): IDataObject {
	const rfc822MessageId = Object.entries(e.headers).find(([k]) => k.toLowerCase() === 'message-id')?.[1];
	return { messageId: e.id, threadId: e.threadId, ...(rfc822MessageId ? { rfc822MessageId } : {}) };
}

/** The Send node's execution: validate every item, check the mailbox per batch, send, label, account for every item. */
export async function executeSend(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	if (!this.getInputData().length) return [[], [], [], []];
	const settings = readRunSettings(this);
	const client = await gmailClient(this, { budgetMs: settings.budgetMs, perMinuteUnits: settings.perMinuteUnits });
	const run = new SendRun(this, client, settings);
	const prepared = await run.prepare();
	const stop = prepared.stop ?? (await run.sendAll(prepared.leads));
	await run.labels.flush();
	if (run.labels.warning) this.logger.warn(`Gmail Outreach Send: ${run.labels.warning}`);
	if (stop) {
		if (stop.kind === 'failed' && !this.continueOnFail()) {
			throw new NodeOperationError(this.getNode(), stop.error, {
				itemIndex: stop.itemIndex,
				description: 'Nothing more was sent. Fix the credential, then re-run: leads already mailed are recognised and skipped.',
			});
		}
		run.finish(stop);
	}
	return run.outcomes.toOutputs();
}
