import type { gmail_v1 } from 'googleapis';
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { formatAddress, parseAddress, type ParsedAddress } from '../shared/core/address';
import { sentLabelName, statusSuppression } from '../shared/core/campaign';
import { composeMessage, FieldError, type Composed } from '../shared/core/compose';
import { decideFollowup, FollowupError, quoteBelow, threadLead, type FollowupDecision } from '../shared/core/followup';
import { outreachKey } from '../shared/core/idempotency';
import { lookupField } from '../shared/core/template';
import { attempt } from '../shared/node/attempt';
import {
	addressListParameter,
	binaryAttachments,
	checkSequence,
	ParameterError,
	senderParameter,
	strictRejection,
	type Rejection,
} from '../shared/node/inputs';
import { readMessageParams, str, type MessageParams } from '../shared/node/params';
import { payloadParts } from '../shared/node/payload';
import { SendingRun, type Stop } from '../shared/node/sending';
import { AuthError, type GmailClient } from '../shared/transport';
import { labelIdOf, readThread, threadOfLead, threadOfMessage } from './thread';

/** One item's parameters: the shared ones plus how to find the thread and whom to answer. */
interface ReplyParams extends MessageParams {
	threadBy: 'threadId' | 'messageId' | 'lead';
	threadId: string;
	messageId: string;
	emailField: string;
	campaignOnly: boolean;
	replyAll: boolean;
	stopIfEngaged: boolean;
	quote: boolean;
}

/** Who "we" are in a thread: the mailbox and its send-as aliases. */
interface Us {
	mailbox: string;
	addresses: string[];
}

/** A reply composed into its thread, ready to build and send. */
interface Reply {
	composed: Composed;
	threadId: string;
	labels: string[];
	identity: IDataObject;
}

function readReplyParams(ctx: IExecuteFunctions, i: number): ReplyParams {
	const get = <T>(name: string, fallback: T): T => ctx.getNodeParameter(name, i, fallback) as T;
	const threadBy = get<ReplyParams['threadBy']>('threadBy', 'threadId');
	return {
		...readMessageParams(ctx, i),
		threadBy,
		threadId: threadBy === 'threadId' ? str(get('threadId', '')).trim() : '',
		messageId: threadBy === 'messageId' ? str(get('messageId', '')).trim() : '',
		emailField: str(get('emailField', 'email')).trim() || 'email',
		campaignOnly: threadBy === 'lead' ? get<unknown>('campaignOnly', true) !== false : false,
		replyAll: get<unknown>('replyMode', 'sender') === 'all',
		stopIfEngaged: get<unknown>('stopIfEngaged', true) !== false,
		quote: (get<IDataObject>('options', {}).quote ?? false) === true,
	};
}

/** The mailbox and its aliases; without the settings scope the aliases stay unknown (the SENT label still marks ours). */
async function whoWeAre(client: GmailClient): Promise<Us> {
	const mailbox = str((await client.getProfile()).emailAddress);
	const addresses = [mailbox];
	const aliases = await attempt(() => client.listSendAs());
	if (!aliases.ok) {
		if (aliases.error instanceof AuthError) throw aliases.error;
		return { mailbox, addresses };
	}
	for (const alias of aliases.value) if (alias.sendAsEmail) addresses.push(alias.sendAsEmail);
	return { mailbox, addresses };
}

/** The lead named by the item, when it names one; required (and checked) only when the thread is found by lead. */
function itemLead(json: IDataObject, p: ReplyParams, row: number): ParsedAddress | undefined {
	const email = str(lookupField(json, p.emailField)).trim();
	if (p.threadBy !== 'lead' && !email) return undefined;
	let failure: unknown;
	try {
		return parseAddress(email);
	} catch (error) {
		failure = error;
	}
	if (p.threadBy !== 'lead') return undefined;
	throw new FieldError(row, p.emailField, email ? (failure as Error).message : 'missing or empty', 'invalid_address', { cause: failure });
}

/** The thread to answer, by thread id, message id or the lead's latest thread (optionally only this campaign's). */
async function findThread(client: GmailClient, mailboxLabels: gmail_v1.Schema$Label[], p: ReplyParams, lead: ParsedAddress | undefined, row: number): Promise<string | undefined> {
	if (p.threadBy === 'threadId') {
		if (!p.threadId) throw new FieldError(row, 'threadId', 'missing or empty', 'invalid_row');
		return p.threadId;
	}
	if (p.threadBy === 'messageId') {
		if (!p.messageId) throw new FieldError(row, 'messageId', 'missing or empty', 'invalid_row');
		return await threadOfMessage(client, p.messageId);
	}
	const labelId = p.campaignOnly ? await labelIdOf(client, mailboxLabels, sentLabelName(p.campaign)) : undefined;
	if (p.campaignOnly && !labelId) return undefined;
	return await threadOfLead(client, lead!.address, labelId);
}

function threadNotFoundDetail(p: ReplyParams, lead: ParsedAddress | undefined): string {
	if (p.threadBy === 'threadId') return `No thread with id "${p.threadId}" in this mailbox`;
	if (p.threadBy === 'messageId') return `No message with id "${p.messageId}" in this mailbox`;
	const scope = p.campaignOnly ? ` labelled ${sentLabelName(p.campaign)}` : '';
	return `No sent message to ${lead?.address ?? 'the lead'}${scope} in this mailbox`;
}

/** Finds the thread, reads it once, decides from it alone (the mailbox is the source of truth) and composes the reply. */
async function planReply(run: SendingRun, us: Us, mailboxLabels: gmail_v1.Schema$Label[], i: number, p: ReplyParams): Promise<Reply | Rejection> {
	const row = i + 1;
	const json = run.items[i].json;
	checkSequence(row, p);
	const byStatus = p.statusField ? statusSuppression(lookupField(json, p.statusField), p.suppressStatuses) : undefined;
	if (byStatus) return { kind: 'skipped', reason: byStatus.reason, extra: { detail: `${p.statusField} is "${byStatus.status}"` } };

	const leadFromItem = itemLead(json, p, row);
	const threadId = await findThread(run.client, mailboxLabels, p, leadFromItem, row);
	const messages = threadId ? await readThread(run.client, threadId) : undefined;
	if (!threadId || !messages?.length) return { kind: 'skipped', reason: 'thread_not_found', extra: { detail: threadNotFoundDetail(p, leadFromItem) } };

	const lead = threadLead(messages, us.addresses) ?? leadFromItem;
	const decided = await attempt(() =>
		decideFollowup({
			messages,
			ourAddresses: us.addresses,
			step: p.step,
			stepKey: lead ? outreachKey(p.campaign, p.step, lead.address) : undefined,
			stopIfEngaged: p.stopIfEngaged,
			replyAll: p.replyAll,
		}),
	);
	if (!decided.ok) {
		const e = decided.error;
		throw new FieldError(row, e instanceof FollowupError ? e.field : 'threadId', `cannot reply in this thread: ${(e as Error).message}`, 'invalid_row', { cause: e });
	}
	const decision = decided.value;
	if (decision.action === 'skip') {
		const ev = decision.evidence;
		const evidence = decision.reason === 'already_sent' && ev ? { messageId: ev.id, rfc822MessageId: ev.headers['message-id'] ?? '' } : { evidenceMessageId: ev?.id ?? '' };
		return { kind: 'skipped', reason: decision.reason ?? 'skipped', extra: { detail: decision.detail, threadId, ...evidence } };
	}

	const composed = await composeReply(run, us, p, decision, i, lead);
	const strict = strictRejection(composed, row, p.strict);
	if (strict) return strict;
	const spec = composed.spec;
	const recipients = (Array.isArray(spec.to) ? spec.to : [spec.to]).map((a) => (typeof a === 'string' ? a : a.address));
	return {
		composed,
		threadId,
		labels: [...(p.applySentLabel ? [sentLabelName(p.campaign)] : []), ...p.labels],
		identity: {
			campaign: p.campaign,
			step: p.step,
			to: recipients.join(', '),
			cc: typeof spec.cc === 'string' ? spec.cc : '',
			subject: composed.subject,
			inReplyTo: decision.inReplyTo ?? '',
			references: (decision.references ?? []).join(' '),
			outreachKey: composed.key,
		},
	};
}

/** Renders the reply into the thread: its subject and threading headers, its recipients, an optional quote of the parent. */
async function composeReply(run: SendingRun, us: Us, p: ReplyParams, decision: FollowupDecision, i: number, lead: ParsedAddress | undefined): Promise<Composed> {
	const row = i + 1;
	if (!p.text.trim() && !p.html.trim()) throw new ParameterError(row, 'text', 'the body is empty');
	const to = decision.recipients.to;
	if (!to.length) throw new ParameterError(row, 'replyMode', 'no recipient left in the thread once this mailbox is excluded');
	const cc = [...decision.recipients.cc.map(formatAddress), ...(addressListParameter(row, 'cc', p.cc) ? [p.cc.trim()] : [])].join(', ');
	const composed = composeMessage(
		run.items[i].json,
		{ subject: '', text: p.text, html: p.html },
		{
			from: senderParameter(row, p.from || us.mailbox, p.senderName),
			// The key and the spintax seed follow the thread's lead, so re-runs find and render the same thing.
			to: lead ?? to[0],
			campaign: p.campaign,
			step: p.step,
			replyTo: addressListParameter(row, 'replyTo', p.replyTo),
			cc,
			bcc: addressListParameter(row, 'bcc', p.bcc),
			unsubscribe: { mailto: p.unsubscribeMailto, url: p.unsubscribeUrl, footer: p.footer, postalAddress: p.postalAddress },
			attachments: await binaryAttachments(run.ctx, i, p.attachments),
			subjectOverride: decision.subject,
			inReplyTo: decision.inReplyTo,
			references: decision.references,
		},
	);
	composed.spec.to = to;
	// The quote goes in after merging, so merge tags or spintax inside the previous message are never expanded.
	if (p.quote && decision.parent) {
		const parent = await run.client.getMessage(decision.parent.id, { format: 'full' });
		const quoted = quoteBelow(composed, payloadParts(parent.payload), { date: decision.parent.headers['date'], from: decision.parent.headers['from'] });
		composed.text = composed.spec.text = quoted.text;
		if (quoted.html !== undefined) composed.html = composed.spec.html = quoted.html;
	}
	return composed;
}

/** One item: plan the reply, then preview it or send it through the shared pipeline. */
async function replyOne(run: SendingRun, us: Us, mailboxLabels: gmail_v1.Schema$Label[], i: number): Promise<Stop | undefined> {
	const p = await attempt(() => readReplyParams(run.ctx, i));
	if (!p.ok) return run.itemError(p.error, i);
	const base = { campaign: p.value.campaign, step: p.value.step };
	const plan = await attempt(() => planReply(run, us, mailboxLabels, i, p.value));
	if (!plan.ok) return run.itemError(plan.error, i, base);
	if ('kind' in plan.value) {
		run.reject(i, plan.value, base);
		return undefined;
	}
	const reply = plan.value;
	const built = await run.build(i, reply.composed.spec, reply.identity);
	if (!built) return undefined;
	if (run.settings.mode === 'preview') {
		run.preview(i, reply.composed, built, { ...reply.identity, threadId: reply.threadId });
		return undefined;
	}
	return await run.deliver({
		itemIndex: i,
		raw: built.raw,
		threadId: reply.threadId,
		key: reply.composed.key,
		labels: reply.labels,
		identity: reply.identity,
	});
}

/** The Threaded Reply node's execution: per item find the thread, read it once, decide, compose, send; labels once per run. */
export async function executeThreadedReply(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	if (!this.getInputData().length) return [[], [], [], []];
	const run = await SendingRun.open(this, 'Gmail Threaded Reply');
	const us = await attempt(() => whoWeAre(run.client));
	if (!us.ok) return await run.complete(run.stopFor(us.error, 0));
	if (run.settings.mode === 'send') {
		const opened = await attempt(() => run.ledger.open());
		if (!opened.ok) return await run.complete(run.stopFor(opened.error, 0));
	}
	const mailboxLabels: gmail_v1.Schema$Label[] = [];
	let stop: Stop | undefined;
	for (let i = 0; i < run.items.length && !stop; i++) stop = await replyOne(run, us.value, mailboxLabels, i);
	return await run.complete(stop);
}
