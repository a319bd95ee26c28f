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
import { draftTemplateLoader } from './draft';
import { LabelBatcher } from './labels';
import { readItemParams, readRunSettings, type RunSettings } from './params';
import { prepareLead, type Lead } from './prepare';

/** How long to wait before retrying a lead deferred for a transient failure or an unresolved outcome. */
const TRANSIENT_RETRY_MS = 15 * 60_000;
/** Per-minute quota windows reopen after a minute. */
const QUOTA_RETRY_MS = 60_000;

/** Stops the run: everything not yet decided leaves on Deferred (cap/quota) or Failed (fatal). */
class StopRun extends Error {
	override name = 'StopRun' as const;
	constructor(
		readonly kind: 'deferred' | 'failed',
		readonly reason: string,
		readonly retryAt: Date | undefined,
		readonly cause: GmailError,
		readonly itemIndex: number,
	) {
		super(cause.message);
	}
}

function isFatal(error: unknown): error is GmailError {
	return error instanceof AuthError || error instanceof ScopeError || error instanceof PermissionError;
}

/** Turns a lookup/send error into a run stop, or rethrows what is not Gmail's. */
function stopFor(error: unknown, itemIndex: number): StopRun {
	if (error instanceof DailyCapError) return new StopRun('deferred', 'daily_cap', error.retryAt, error, itemIndex);
	if (error instanceof RateLimitError || error instanceof ConcurrencyError) {
		return new StopRun('deferred', 'quota', new Date(Date.now() + QUOTA_RETRY_MS), error, itemIndex);
	}
	if (isFatal(error)) return new StopRun('failed', error instanceof AuthError ? 'auth' : 'permission', undefined, error, itemIndex);
	if (error instanceof GmailError) {
		return new StopRun('deferred', 'transient', new Date(Date.now() + TRANSIENT_RETRY_MS), error, itemIndex);
	}
	throw error;
}

/** The Send node's execution: validate every item, check the mailbox per batch, send, label, account for every item. */
export async function executeSend(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const outcomes = new Outcomes(items.length);
	if (!items.length) return outcomes.toOutputs();
	const run = readRunSettings(this);
	const client = await gmailClient(this, { budgetMs: run.budgetMs });
	const base = (i: number): IDataObject => ({ ...(items[i].json ?? {}) });
	const binaryOf = (i: number) => items[i].binary;

	let mailbox: Promise<string> | undefined;
	const pc = {
		ctx: this,
		mailbox: () => (mailbox ??= client.getProfile().then((p) => p.emailAddress ?? '')),
		draftTemplate: draftTemplateLoader(client),
	};

	const fail = (i: number, reason: string, error: string, extra: IDataObject = {}) =>
		outcomes.add('failed', i, { ...base(i), status: 'failed', reason, error, ...extra }, binaryOf(i));
	const skip = (i: number, reason: string, extra: IDataObject = {}) =>
		outcomes.add('skipped', i, { ...base(i), status: 'skipped', reason, ...extra }, binaryOf(i));
	const defer = (i: number, reason: string, retryAt: Date | undefined, extra: IDataObject = {}) =>
		outcomes.add(
			'deferred',
			i,
			{ ...base(i), status: 'deferred', reason, ...(retryAt ? { retryAt: retryAt.toISOString() } : {}), ...extra },
			binaryOf(i),
		);

	const labels = new LabelBatcher(client);
	try {
		// Phase 1: every row is validated and rendered before anything is sent.
		const leads: Lead[] = [];
		const dedupe = new RunDeduper();
		for (let i = 0; i < items.length; i++) {
			let prepared;
			try {
				prepared = await prepareLead(pc, i, items[i].json ?? {}, readItemParams(this, i));
			} catch (error) {
				if (error instanceof GmailError) throw stopFor(error, i);
				if (!this.continueOnFail()) throw error;
				fail(i, 'error', (error as Error).message);
				continue;
			}
			if ('kind' in prepared) {
				if (prepared.kind === 'skipped') skip(i, prepared.reason, prepared.extra);
				else fail(i, prepared.reason, prepared.error ?? prepared.reason, prepared.extra);
				continue;
			}
			const first = dedupe.claim(prepared.address, i);
			if (first !== undefined) {
				skip(i, 'duplicate_in_run', { duplicateOf: first, to: prepared.to.address });
				continue;
			}
			leads.push(prepared);
		}

		// Phase 2: per batch, read the mailbox's evidence, then send what is still due.
		const needsSuppression = leads.some((l) => l.checkMailbox);
		const suppressionLabels = needsSuppression ? await suppressionLabelIds(client).catch((e) => { throw stopFor(e, leads[0].itemIndex); }) : new Map();
		let sentCount = 0;
		for (const batch of chunk(leads, LOOKUP_BATCH)) {
			let sent: Map<string, MessageEvidence>;
			let suppressed = new Map<string, string>();
			try {
				sent = await sentByKey(client, batch.map((l) => l.to.address));
				if (suppressionLabels.size) {
					const check = batch.filter((l) => l.checkMailbox).map((l) => l.to.address);
					suppressed = await mailboxSuppressed(client, suppressionLabels, check);
				}
			} catch (error) {
				if (!(error instanceof GmailError)) throw error;
				if (isFatal(error) || error instanceof RateLimitError || error instanceof ConcurrencyError) throw stopFor(error, batch[0].itemIndex);
				// Without the mailbox's evidence a send could double: these leads wait for a later run.
				for (const lead of batch) defer(lead.itemIndex, 'lookup_failed', new Date(Date.now() + TRANSIENT_RETRY_MS), { error: error.message });
				continue;
			}
			for (const lead of batch) {
				const existing = sent.get(lead.composed.key);
				if (existing) {
					skip(lead.itemIndex, 'already_sent', {
						...identity(lead),
						...evidenceIds(existing),
					});
					if (run.mode === 'send') await labels.add(lead.labels, existing.id, existing.labelIds);
					continue;
				}
				const label = suppressed.get(lead.address);
				if (label) {
					skip(lead.itemIndex, 'suppressed', { suppression: `mailbox has a message labelled ${label}`, to: lead.to.address });
					continue;
				}
				if (run.mode === 'send' && run.pacing === 'delay' && sentCount > 0) await sleep(pace(run));
				const done = await sendOne(client, run, lead, outcomes, base(lead.itemIndex), binaryOf(lead.itemIndex));
				if (done?.id) {
					sentCount++;
					await labels.add(lead.labels, done.id);
				}
			}
		}
		await labels.flush();
	} catch (error) {
		if (!(error instanceof StopRun)) throw error;
		await labels.flush().catch(() => undefined);
		if (error.kind === 'failed' && !this.continueOnFail()) {
			throw new NodeOperationError(this.getNode(), error.cause, {
				itemIndex: error.itemIndex,
				description: 'Nothing more was sent. Fix the credential, then re-run: leads already mailed are recognised and skipped.',
			});
		}
		for (let i = 0; i < items.length; i++) {
			if (outcomes.has(i)) continue;
			if (error.kind === 'deferred') defer(i, error.reason, error.retryAt, { error: error.cause.message });
			else fail(i, error.reason, error.cause.message);
		}
	}
	if (labels.warning) this.logger.warn(`Gmail Outreach Send: ${labels.warning}`);
	return outcomes.toOutputs();
}

/** Random pause for the "delay with jitter" pacing. */
function pace(run: RunSettings): number {
	return run.delayMs + Math.floor(Math.random() * (run.jitterMs + 1));
}

function identity(lead: Lead): IDataObject {
	return { to: lead.to.address, campaign: lead.campaign, step: lead.step, outreachKey: lead.composed.key };
}

function evidenceIds(e: MessageEvidence): IDataObject {
	const rfc822MessageId = Object.entries(e.headers).find(([k]) => k.toLowerCase() === 'message-id')?.[1];
	return { messageId: e.id, threadId: e.threadId, ...(rfc822MessageId ? { rfc822MessageId } : {}) };
}

/** Builds, sends (or previews) one lead and records its outcome; returns the Gmail id when a message went out. */
async function sendOne(
	client: GmailClient,
	run: RunSettings,
	lead: Lead,
	outcomes: Outcomes,
	row: IDataObject,
	binary: INodeExecutionData['binary'],
): Promise<{ id: string } | undefined> {
	const i = lead.itemIndex;
	let raw: string;
	let size: number;
	try {
		({ raw, size } = await buildRaw(lead.composed.spec));
	} catch (error) {
		if (!(error instanceof MimeError)) throw error;
		outcomes.add('failed', i, { ...row, status: 'failed', reason: 'invalid_row', error: `Row ${i + 1}, field "${error.field}": ${error.message}`, field: error.field }, binary);
		return undefined;
	}
	if (run.mode === 'preview') {
		outcomes.add(
			'sent',
			i,
			{
				...row,
				status: 'preview',
				...identity(lead),
				subject: lead.composed.subject,
				text: lead.composed.text,
				...(lead.composed.html !== undefined ? { html: lead.composed.html } : {}),
				mimeSize: size,
				raw,
			},
			binary,
		);
		return undefined;
	}
	let message;
	let recovered = false;
	try {
		message = await client.sendMessage(raw);
	} catch (error) {
		if (!(error instanceof UnknownOutcomeError)) return sendFailed(error, lead, outcomes, row, binary);
		// The mail may have gone: look for its key before sending again (once).
		try {
			const found = await findSentKey(client, lead.composed.key, lead.to.address);
			if (found) {
				recovered = true;
				message = { id: found.id, threadId: found.threadId, found };
			} else {
				message = await client.sendMessage(raw);
			}
		} catch (second) {
			if (!(second instanceof UnknownOutcomeError)) return sendFailed(second, lead, outcomes, row, binary);
			const found = await findSentKey(client, lead.composed.key, lead.to.address).catch(() => undefined);
			if (!found) {
				outcomes.add('deferred', i, { ...row, status: 'deferred', reason: 'unknown_outcome', retryAt: new Date(Date.now() + TRANSIENT_RETRY_MS).toISOString(), error: second.message, ...identity(lead) }, binary);
				return undefined;
			}
			recovered = true;
			message = { id: found.id, threadId: found.threadId, found };
		}
	}
	const id = message.id ?? '';
	let rfc822MessageId: string | undefined;
	let warning: string | undefined;
	const found = 'found' in message ? (message.found as MessageEvidence) : undefined;
	if (found) rfc822MessageId = evidenceIds(found).rfc822MessageId as string | undefined;
	if (!rfc822MessageId) {
		try {
			const meta = await client.getMessage(id, { format: 'metadata', metadataHeaders: ['Message-ID'] });
			rfc822MessageId = meta.payload?.headers?.find((h) => (h.name ?? '').toLowerCase() === 'message-id')?.value ?? undefined;
		} catch (error) {
			if (!(error instanceof GmailError)) throw error;
			warning = `Sent, but the Message-ID could not be read back: ${error.message}`;
		}
	}
	outcomes.add(
		'sent',
		i,
		{
			...row,
			status: 'sent',
			messageId: id,
			threadId: message.threadId ?? '',
			...(rfc822MessageId ? { rfc822MessageId } : {}),
			sentAt: new Date().toISOString(),
			...identity(lead),
			...(recovered ? { recoveredAfter: 'unknown_outcome' } : {}),
			...(warning ? { warning } : {}),
		},
		binary,
	);
	return { id };
}

/** Records a definite send failure, or stops the run for cap, quota and credential problems. */
function sendFailed(
	error: unknown,
	lead: Lead,
	outcomes: Outcomes,
	row: IDataObject,
	binary: INodeExecutionData['binary'],
): undefined {
	const i = lead.itemIndex;
	if (error instanceof InvalidRequestError) {
		const field = error.field ?? 'raw';
		outcomes.add('failed', i, { ...row, status: 'failed', reason: 'rejected', field, error: `Row ${i + 1}, field "${field}": Gmail rejected the message: ${error.message}`, ...identity(lead) }, binary);
		return undefined;
	}
	if (error instanceof DailyCapError || error instanceof RateLimitError || error instanceof ConcurrencyError || isFatal(error)) {
		throw stopFor(error, i);
	}
	if (error instanceof GmailError) {
		// Transient after retries (5xx, network before the request went out): nothing was sent; try again later.
		outcomes.add('deferred', i, { ...row, status: 'deferred', reason: 'transient', retryAt: new Date(Date.now() + TRANSIENT_RETRY_MS).toISOString(), error: error.message, ...identity(lead) }, binary);
		return undefined;
	}
	throw error;
}
