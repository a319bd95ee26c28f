import { NodeOperationError, type IDataObject, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';
import { normalizeAddress, parseAddress, formatAddress, type ParsedAddress } from '../shared/core/address';
import { sentLabelName } from '../shared/core/campaign';
import { composeMessage, FieldError, senderAddress, type Composed } from '../shared/core/compose';
import {
	decideFollowup,
	FollowupError,
	quoteHtml,
	quoteText,
	threadLead,
	type FollowupDecision,
	type ThreadMessage,
} from '../shared/core/followup';
import { OUTREACH_HEADER, outreachKey } from '../shared/core/idempotency';
import { buildRaw, MimeError, type MessageSpec } from '../shared/core/mime';
import { escapeHtml, htmlToText, lookupField, renderTemplate } from '../shared/core/template';
import { attempt } from '../shared/node/attempt';
import { Outcomes } from '../shared/node/outcomes';
import {
	AuthError,
	ConcurrencyError,
	DailyCapError,
	GmailError,
	gmailClient,
	InvalidRequestError,
	PermissionError,
	RateLimitError,
	ScopeError,
	UnknownOutcomeError,
	type GmailClient,
} from '../shared/transport';
import { bodyParts, readThread, threadOfLead, threadOfMessage } from './thread';

interface Params {
	mode: 'send' | 'preview';
	campaign: string;
	step: number;
	threadBy: 'threadId' | 'messageId' | 'lead';
	threadId: string;
	messageId: string;
	emailField: string;
	campaignOnly: boolean;
	replyMode: 'sender' | 'all';
	from: string;
	senderName: string;
	bodyType: 'text' | 'html' | 'both';
	text: string;
	html: string;
	strict: boolean;
	stopIfEngaged: boolean;
	options: IDataObject;
}

/** Per-run state: the client, our addresses, the cap stop, and the sent messages still to label. */
interface Run {
	client: GmailClient;
	ourAddresses: string[];
	mailbox: string;
	/** Set once the cap or the quota is hit: every remaining item is deferred, nothing more is sent. */
	stop?: { reason: string; retryAt: Date; error: string };
	toLabel: { itemIndex: number; id: string; labels: string[]; json: IDataObject }[];
	labelIds: Map<string, string>;
}

/** Like the Send node: transient failures and unresolved outcomes retry in 15 minutes, quota windows reopen in one. */
const TRANSIENT_RETRY_MS = 15 * 60_000;
const QUOTA_RETRY_MS = 60_000;

function str(v: unknown): string {
	return v === undefined || v === null ? '' : String(v);
}

function list(v: unknown): string[] {
	return str(v)
		.split(/[,\n]/)
		.map((s) => s.trim())
		.filter(Boolean);
}

function params(ctx: IExecuteFunctions, i: number): Params {
	const get = <T>(name: string, fallback: T): T => ctx.getNodeParameter(name, i, fallback) as T;
	const threadBy = get<Params['threadBy']>('threadBy', 'threadId');
	const bodyType = get<Params['bodyType']>('bodyType', 'text');
	return {
		mode: get('mode', 'send'),
		campaign: str(get('campaign', 'campaign')).trim() || 'campaign',
		step: Number(get('step', 1)),
		threadBy,
		threadId: threadBy === 'threadId' ? str(get('threadId', '')).trim() : '',
		messageId: threadBy === 'messageId' ? str(get('messageId', '')).trim() : '',
		emailField: str(get('emailField', 'email')).trim() || 'email',
		campaignOnly: threadBy === 'lead' ? get('campaignOnly', true) : false,
		replyMode: get('replyMode', 'sender'),
		from: str(get('from', '')).trim(),
		senderName: str(get('senderName', '')),
		bodyType,
		text: bodyType === 'html' ? '' : str(get('text', '')),
		html: bodyType === 'text' ? '' : str(get('html', '')),
		strict: get('strict', true),
		stopIfEngaged: get('stopIfEngaged', true),
		options: get<IDataObject>('options', {}),
	};
}

/** The Threaded Reply node's item loop: find the thread, read it once, decide, compose, send, label. */
export async function executeThreadedReply(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const outcomes = new Outcomes(items.length);
	if (items.length === 0) return outcomes.toOutputs();

	let run: Run;
	try {
		run = await startRun(this);
	} catch (error) {
		const fatal = !(error instanceof GmailError) || error instanceof AuthError || error instanceof ScopeError || error instanceof PermissionError;
		if (fatal && !this.continueOnFail()) throw new NodeOperationError(this.getNode(), error as Error, { itemIndex: 0 });
		items.forEach((item, i) =>
			fatal
				? outcomes.add('failed', i, failed(item.json, error, 'auth'), item.binary)
				: outcomes.add('deferred', i, deferred(item.json, 'transient', new Date(Date.now() + TRANSIENT_RETRY_MS), (error as Error).message), item.binary),
		);
		return outcomes.toOutputs();
	}

	for (let i = 0; i < items.length; i++) {
		const binary = items[i].binary;
		if (run.stop) {
			outcomes.add('deferred', i, deferred(items[i].json, run.stop.reason, run.stop.retryAt, run.stop.error), binary);
			continue;
		}
		try {
			await handleItem(this, run, outcomes, items[i], i);
		} catch (error) {
			if (error instanceof AuthError || error instanceof ScopeError || error instanceof PermissionError) {
				if (!this.continueOnFail()) {
					await applyLabels(run);
					throw new NodeOperationError(this.getNode(), error, {
						itemIndex: i,
						description: 'Nothing more was sent. Fix the credential, then re-run: replies already sent are recognised and skipped.',
					});
				}
				for (let j = i; j < items.length; j++) outcomes.add('failed', j, failed(items[j].json, error, 'auth'), items[j].binary);
				break;
			}
			if (error instanceof DailyCapError) {
				run.stop = { reason: 'daily_cap', retryAt: error.retryAt, error: error.message };
			} else if (error instanceof RateLimitError || error instanceof ConcurrencyError) {
				run.stop = { reason: 'quota', retryAt: new Date(Date.now() + QUOTA_RETRY_MS), error: error.message };
			}
			if (run.stop) {
				outcomes.add('deferred', i, deferred(items[i].json, run.stop.reason, run.stop.retryAt, run.stop.error), binary);
			} else if (error instanceof InvalidRequestError) {
				const e = new FieldError(i + 1, error.field, `Gmail rejected the message: ${error.message}`, 'invalid_row');
				outcomes.add('failed', i, { ...failed(items[i].json, e, 'rejected'), reason: 'rejected' }, binary);
			} else if (error instanceof UnknownOutcomeError) {
				outcomes.add('deferred', i, deferred(items[i].json, 'unknown_outcome', new Date(Date.now() + TRANSIENT_RETRY_MS), error.message), binary);
			} else if (error instanceof GmailError) {
				// Transient after the transport's retries: nothing was sent; a later run tries again.
				outcomes.add('deferred', i, deferred(items[i].json, 'transient', new Date(Date.now() + TRANSIENT_RETRY_MS), error.message), binary);
			} else if (error instanceof FieldError) {
				outcomes.add('failed', i, failed(items[i].json, error, error.reason), binary);
			} else {
				if (!this.continueOnFail()) throw new NodeOperationError(this.getNode(), error as Error, { itemIndex: i });
				outcomes.add('failed', i, failed(items[i].json, error, 'error'), binary);
			}
		}
	}

	if (run.toLabel.length) await applyLabels(run);
	return outcomes.toOutputs();
}

async function startRun(ctx: IExecuteFunctions): Promise<Run> {
	const budget = Number((ctx.getNodeParameter('options', 0, {}) as IDataObject).retryBudgetSeconds ?? 60);
	const client = await gmailClient(ctx, { budgetMs: Math.max(0, budget) * 1000 });
	const profile = await client.getProfile();
	const mailbox = str(profile.emailAddress);
	const ourAddresses = [mailbox];
	const aliases = await attempt(() => client.listSendAs());
	if (aliases.ok) {
		for (const alias of aliases.value) if (alias.sendAsEmail) ourAddresses.push(alias.sendAsEmail);
	} else if (aliases.error instanceof AuthError) {
		throw aliases.error;
	}
	// Otherwise (no settings scope) the aliases stay unknown; the mailbox address and the SENT label still identify us.
	return { client, ourAddresses, mailbox, toLabel: [], labelIds: new Map() };
}

async function handleItem(
	ctx: IExecuteFunctions,
	run: Run,
	outcomes: Outcomes,
	item: INodeExecutionData,
	i: number,
): Promise<void> {
	const row = i + 1;
	const p = params(ctx, i);
	const json = item.json;
	const base = (): IDataObject => ({ ...json, campaign: p.campaign, step: p.step });
	const add = (kind: 'sent' | 'skipped', out: IDataObject) => outcomes.add(kind, i, out, item.binary);

	if (!Number.isInteger(p.step) || p.step < 1) {
		throw new FieldError(row, 'step', `must be a whole number ≥ 1 (got ${p.step})`, 'invalid_row');
	}
	const statusField = str(p.options.statusField ?? 'status').trim();
	const status = statusField ? str(lookupField(json, statusField)).trim().toLowerCase().replace(/[\s-]+/g, '_') : '';
	const suppressing = list(p.options.suppressStatuses ?? 'unsubscribed, bounced, replied, do_not_contact').map((s) =>
		s.toLowerCase().replace(/[\s-]+/g, '_'),
	);
	if (status && suppressing.includes(status)) {
		const reason = ['replied', 'bounced', 'unsubscribed'].includes(status) ? status : 'suppressed';
		add('skipped', { ...base(), status: 'skipped', reason, detail: `${statusField} is "${status}"` });
		return;
	}

	// Which thread.
	const { client } = run;
	let threadId: string | undefined;
	let leadFromItem: ParsedAddress | undefined;
	const itemEmail = str(lookupField(json, p.emailField)).trim();
	if (p.threadBy === 'lead' || itemEmail) {
		const parsed = await attempt(() => parseAddress(itemEmail));
		if (parsed.ok) leadFromItem = parsed.value;
		else if (p.threadBy === 'lead') {
			throw new FieldError(row, p.emailField, itemEmail ? (parsed.error as Error).message : 'missing or empty', 'invalid_address');
		}
	}
	if (p.threadBy === 'threadId') {
		if (!p.threadId) throw new FieldError(row, 'threadId', 'missing or empty', 'invalid_row');
		threadId = p.threadId;
	} else if (p.threadBy === 'messageId') {
		if (!p.messageId) throw new FieldError(row, 'messageId', 'missing or empty', 'invalid_row');
		threadId = await threadOfMessage(client, p.messageId);
	} else {
		let labelId: string | undefined;
		let labelMissing = false;
		if (p.campaignOnly) {
			labelId = await labelIdOf(run, sentLabelName(p.campaign));
			labelMissing = !labelId;
		}
		if (!labelMissing) threadId = await threadOfLead(client, leadFromItem!.address, labelId);
	}
	const messages = threadId ? await readThread(client, threadId) : undefined;
	if (!threadId || !messages?.length) {
		add('skipped', {
			...base(),
			status: 'skipped',
			reason: 'thread_not_found',
			detail: threadNotFoundDetail(p, leadFromItem),
		});
		return;
	}

	// Decide from the thread alone: the mailbox is the source of truth.
	const lead = threadLead(messages, run.ourAddresses) ?? leadFromItem;
	const decided = await attempt(() =>
		decideFollowup({
			messages,
			ourAddresses: run.ourAddresses,
			step: p.step,
			stepKey: lead ? outreachKey(p.campaign, p.step, lead.address) : undefined,
			stopIfEngaged: p.stopIfEngaged,
			replyAll: p.replyMode === 'all',
		}),
	);
	if (!decided.ok) {
		const e = decided.error as Error;
		const field = decided.error instanceof FollowupError ? decided.error.field : 'threadId';
		throw new FieldError(row, field, `cannot reply in this thread: ${e.message}`, 'invalid_row', { cause: e });
	}
	const decision: FollowupDecision = decided.value;
	if (decision.action === 'skip') {
		const ev = decision.evidence;
		add('skipped', {
			...base(),
			status: decision.reason === 'already_sent' ? 'already_sent' : 'skipped',
			reason: decision.reason,
			detail: decision.detail,
			threadId,
			...(decision.reason === 'already_sent' && ev
				? { messageId: ev.id, rfc822MessageId: ev.headers['message-id'] ?? '' }
				: { evidenceMessageId: ev?.id ?? '' }),
		});
		return;
	}

	// Compose into the thread.
	const composed = await compose(ctx, run, p, decision, item, i, lead);
	if (p.strict && composed.missing.length) {
		throw new FieldError(row, composed.missing.join(', '), `missing or empty fields: ${composed.missing.join(', ')}`, 'missing_fields');
	}
	const built = await attempt(() => buildRaw(composed.spec));
	if (!built.ok) {
		if (built.error instanceof MimeError) {
			throw new FieldError(row, built.error.field, built.error.message, 'invalid_row', { cause: built.error });
		}
		throw built.error;
	}
	const raw = built.value;
	const templateSubject = str(p.options.subject).trim()
		? renderTemplate(str(p.options.subject), json, { seed: normalizeAddress((lead ?? decision.recipients.to[0]).address) })
		: undefined;
	const common: IDataObject = {
		...base(),
		to: recipientsOf(composed.spec).join(', '),
		cc: typeof composed.spec.cc === 'string' ? composed.spec.cc : '',
		subject: composed.subject,
		inReplyTo: decision.inReplyTo ?? '',
		references: (decision.references ?? []).join(' '),
		outreachKey: composed.key,
		...(templateSubject !== undefined ? { templateSubject } : {}),
	};
	if (p.mode === 'preview') {
		add('sent', {
			...common,
			status: 'preview',
			threadId,
			text: composed.text,
			html: composed.html ?? '',
			mimeSize: raw.size,
			raw: raw.raw,
		});
		return;
	}

	// Send; an unknown outcome is resolved from the thread before a single resend.
	const { sent, recovered } = await sendResolved(client, raw.raw, threadId, composed.key);

	let rfc822MessageId = '';
	try {
		const meta = await client.getMessage(sent.id, { format: 'metadata', metadataHeaders: ['Message-ID'] });
		rfc822MessageId = str(meta.payload?.headers?.find((h) => h.name?.toLowerCase() === 'message-id')?.value);
	} catch {
		// The mail went; a missing read-back only means the next step reads the Message-ID from the thread itself.
	}
	const out: IDataObject = {
		...common,
		status: 'sent',
		messageId: sent.id,
		threadId: sent.threadId,
		rfc822MessageId,
		sentAt: new Date().toISOString(),
		threaded: sent.threadId === threadId,
		...(recovered ? { recoveredAfter: 'unknown_outcome' } : {}),
	};
	add('sent', out);
	const labels = [
		...(p.options.applySentLabel === false ? [] : [sentLabelName(p.campaign)]),
		...list(p.options.labels),
	];
	if (labels.length) run.toLabel.push({ itemIndex: i, id: sent.id, labels, json: out });
}

/** Sends; after an unknown outcome, looks for the key in the thread and sends again only if it is not there. */
async function sendResolved(
	client: GmailClient,
	raw: string,
	threadId: string,
	key: string,
): Promise<{ sent: { id: string; threadId: string }; recovered: boolean }> {
	const first = await attempt(() => sendOnce(client, raw, threadId));
	if (first.ok) return { sent: first.value, recovered: false };
	if (!(first.error instanceof UnknownOutcomeError)) throw first.error;
	const found = await findOurs(client, threadId, key);
	if (found) return { sent: found, recovered: true };
	const second = await attempt(() => sendOnce(client, raw, threadId));
	if (second.ok) return { sent: second.value, recovered: false };
	if (!(second.error instanceof UnknownOutcomeError)) throw second.error;
	const again = await attempt(() => findOurs(client, threadId, key));
	if (again.ok && again.value) return { sent: again.value, recovered: true };
	throw second.error;
}

async function sendOnce(client: GmailClient, raw: string, threadId: string): Promise<{ id: string; threadId: string }> {
	const m = await client.sendMessage(raw, threadId);
	return { id: str(m.id), threadId: str(m.threadId) };
}

/** After an ambiguous send: our message with this step's key already in the thread means it went. */
async function findOurs(client: GmailClient, threadId: string, key: string): Promise<{ id: string; threadId: string } | undefined> {
	const messages = (await readThread(client, threadId)) ?? [];
	const m = messages.find((x: ThreadMessage) => x.headers[OUTREACH_HEADER.toLowerCase()]?.trim() === key);
	return m ? { id: m.id, threadId } : undefined;
}

async function compose(
	ctx: IExecuteFunctions,
	run: Run,
	p: Params,
	decision: FollowupDecision,
	item: INodeExecutionData,
	i: number,
	lead: ParsedAddress | undefined,
): Promise<Composed> {
	const row = i + 1;
	if (!p.text.trim() && !p.html.trim()) throw new FieldError(row, p.bodyType === 'html' ? 'html' : 'text', 'the body template is empty', 'invalid_row');
	const to = decision.recipients.to;
	if (!to.length) {
		throw new FieldError(row, 'replyMode', 'no recipient left in the thread once this mailbox is excluded', 'invalid_row');
	}
	const sender = await attempt(() => senderAddress(p.from || run.mailbox, p.senderName));
	if (!sender.ok) throw new FieldError(row, 'from', (sender.error as Error).message, 'invalid_address', { cause: sender.error });
	const from: ParsedAddress = sender.value;
	const cc = [...decision.recipients.cc.map(formatAddress), ...list(p.options.cc)].join(', ');
	const composed = composeMessage(
		item.json,
		{ subject: '', text: p.text, html: p.html },
		{
			from,
			// The key and the spintax seed follow the thread's lead, so re-runs find and render the same thing.
			to: lead ?? to[0],
			campaign: p.campaign,
			step: p.step,
			replyTo: str(p.options.replyTo),
			cc,
			bcc: str(p.options.bcc),
			unsubscribe: {
				mailto: str(p.options.unsubscribeMailto),
				url: str(p.options.unsubscribeUrl),
				footer: str(p.options.footer),
				postalAddress: str(p.options.postalAddress),
			},
			attachments: await attachments(ctx, item, i, list(p.options.attachments)),
			subjectOverride: decision.subject,
			inReplyTo: decision.inReplyTo,
			references: decision.references,
		},
	);
	composed.spec.to = to;
	// The quote goes in after merging, so merge tags or spintax inside the previous message are never expanded.
	if (p.options.quote === true && decision.parent) {
		const parent = await run.client.getMessage(decision.parent.id, { format: 'full' });
		const parts = bodyParts(parent);
		const meta = { date: decision.parent.headers['date'], from: decision.parent.headers['from'] };
		const previous = parts.text ?? (parts.html ? htmlToText(parts.html) : '');
		composed.text = `${composed.text.replace(/\s+$/, '')}\n\n${quoteText(previous, meta)}\n`;
		composed.spec.text = composed.text;
		if (composed.html !== undefined) {
			const quoted = parts.html ?? `<div>${escapeHtml(previous).replace(/\n/g, '<br>')}</div>`;
			composed.html = insertBeforeBodyEnd(composed.html, quoteHtml(quoted, meta));
			composed.spec.html = composed.html;
		}
	}
	return composed;
}

function insertBeforeBodyEnd(html: string, addition: string): string {
	const at = html.search(/<\/body\s*>/i);
	return at < 0 ? `${html}\n${addition}` : `${html.slice(0, at)}${addition}\n${html.slice(at)}`;
}

async function attachments(
	ctx: IExecuteFunctions,
	item: INodeExecutionData,
	i: number,
	names: string[],
): Promise<MessageSpec['attachments']> {
	const out: NonNullable<MessageSpec['attachments']> = [];
	for (const name of names) {
		const meta = item.binary?.[name];
		if (!meta) throw new FieldError(i + 1, 'attachments', `the item has no binary property "${name}"`, 'invalid_row');
		const content = await ctx.helpers.getBinaryDataBuffer(i, name);
		out.push({ filename: meta.fileName ?? name, contentType: meta.mimeType, content });
	}
	return out;
}

function recipientsOf(spec: MessageSpec): string[] {
	const to = Array.isArray(spec.to) ? spec.to : [spec.to];
	return to.map((a) => (typeof a === 'string' ? a : a.address));
}

async function labelIdOf(run: Run, name: string): Promise<string | undefined> {
	const key = name.toLowerCase();
	if (!run.labelIds.has(key)) {
		for (const l of await run.client.listLabels()) if (l.name && l.id) run.labelIds.set(l.name.toLowerCase(), l.id);
	}
	return run.labelIds.get(key);
}

/** Creates missing labels once and applies them with one batchModify per label set and 50 messages. */
async function applyLabels(run: Run): Promise<void> {
	try {
		const names = [...new Set(run.toLabel.flatMap((t) => t.labels))];
		const ids = await run.client.ensureLabels(names);
		const byName = new Map(Object.entries(ids).map(([k, v]) => [k.toLowerCase(), v]));
		const groups = new Map<string, typeof run.toLabel>();
		for (const t of run.toLabel) {
			const key = t.labels.map((n) => byName.get(n.toLowerCase()) ?? '').sort().join(',');
			groups.set(key, [...(groups.get(key) ?? []), t]);
		}
		for (const [key, group] of groups) {
			const labelIds = key.split(',').filter(Boolean);
			for (let s = 0; s < group.length; s += 50) {
				const chunk = group.slice(s, s + 50);
				await run.client.batchModify(
					chunk.map((t) => t.id),
					labelIds,
					[],
				);
				for (const t of chunk) t.json.labels = t.labels.join(', ');
			}
		}
	} catch (error) {
		// The replies went out; a labelling failure is reported on them, never turned into a resend.
		for (const t of run.toLabel) if (t.json.labels === undefined) t.json.labelError = (error as Error).message;
	}
}

function threadNotFoundDetail(p: Params, lead: ParsedAddress | undefined): string {
	if (p.threadBy === 'threadId') return `No thread with id "${p.threadId}" in this mailbox`;
	if (p.threadBy === 'messageId') return `No message with id "${p.messageId}" in this mailbox`;
	const scope = p.campaignOnly ? ` labelled ${sentLabelName(p.campaign)}` : '';
	return `No sent message to ${lead?.address ?? 'the lead'}${scope} in this mailbox`;
}

function deferred(json: IDataObject, reason: string, retryAt: Date, error?: string): IDataObject {
	return { ...json, status: 'deferred', reason, retryAt: retryAt.toISOString(), ...(error ? { error } : {}) };
}

function failed(json: IDataObject, error: unknown, fallbackReason: string): IDataObject {
	const e = error as Error;
	const reason = error instanceof FieldError ? error.reason : fallbackReason;
	const out: IDataObject = { ...json, status: 'failed', reason, error: e?.message ?? String(error) };
	if (error instanceof FieldError) out.field = error.field;
	else if (error instanceof InvalidRequestError) out.field = error.field;
	return out;
}
