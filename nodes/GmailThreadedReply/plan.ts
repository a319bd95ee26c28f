import type { gmail_v1 } from 'googleapis';
import type { IDataObject } from 'n8n-workflow';
import { normalizeAddress, parseAddress, type ParsedAddress } from '../shared/core/address';
import { listUnsubscribeMailtos, mailtoAddress, sentLabelName, statusSuppression, suppressionReason } from '../shared/core/campaign';
import { FieldError } from '../shared/core/compose';
import type { LeadEngagement } from '../shared/core/engagement';
import { campaignStart, conversation, decideFollowup, FollowupError, isOurs, threadLead, type FollowupDecision, type ThreadMessage } from '../shared/core/followup';
import { outreachKey } from '../shared/core/idempotency';
import { lookupField } from '../shared/core/template';
import { checkEngagement, classifyThread, type EngagementContext, type EngagementLead, type ReadMessage } from '../shared/node/engagement';
import { checkSequence, suppressionListParameter, type Rejection } from '../shared/node/inputs';
import { str } from '../shared/node/params';
import type { Senders } from '../shared/node/senders';
import type { GmailClient } from '../shared/transport';
import type { ReplyParams } from './params';
import { labelIdOf, readThread, threadOfLead, threadOfMessage } from './thread';
import { itemRow, rowLabel } from '../shared/node/rows';
import { attempt } from '../shared/node/attempt';
import type { SendingRun, Stop } from '../shared/node/sending';

/** An item whose thread was found and read, waiting for the batch's engagement check. */
export interface Found {
	itemIndex: number;
	p: ReplyParams;
	threadId: string;
	messages: ThreadMessage[];
	lead?: ParsedAddress;
}

/** The lead named by the item, when it names one; required (and checked) only when the thread is found by lead. */
function itemLead(json: IDataObject, p: ReplyParams, row: string): ParsedAddress | undefined {
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
async function findThread(
	client: GmailClient,
	mailboxLabels: gmail_v1.Schema$Label[],
	p: ReplyParams,
	lead: ParsedAddress | undefined,
	row: string,
	recentThread?: (key: string) => string | undefined,
): Promise<string | undefined> {
	if (p.threadBy === 'threadId') {
		if (!p.threadId) throw new FieldError(row, 'threadId', 'missing or empty', 'invalid_row');
		return p.threadId;
	}
	if (p.threadBy === 'messageId') {
		if (!p.messageId) throw new FieldError(row, 'messageId', 'missing or empty', 'invalid_row');
		return await threadOfMessage(client, p.messageId);
	}
	// What this campaign sent moments ago is not in the search index yet: the run's lag-free view knows it by key.
	for (let step = p.step - 1; step >= 1; step--) {
		const recent = recentThread?.(outreachKey(p.campaign, step, lead!.address));
		if (recent) return recent;
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

/** Why the suppression list or another row's status stops this lead, if it does. */
function listedOrSuppressedElsewhere(p: ReplyParams, lead: ParsedAddress, row: string, suppressedRows: SuppressedRows, itemIndex: number): Rejection | undefined {
	const list = suppressionListParameter(row, p.suppressionList);
	const reason = suppressionReason(lead.address, { list });
	if (reason) return { kind: 'skipped', reason: 'suppressed', extra: { suppression: reason, to: lead.address } };
	const other = suppressedRows.get(normalizeAddress(lead.address));
	if (other !== undefined && other.item !== itemIndex) {
		return { kind: 'skipped', reason: 'suppressed', extra: { suppression: `another row with this address (${other.row}) is suppressed`, duplicateOfItem: other.item, to: lead.address } };
	}
	return undefined;
}

/** The rules that need no mailbox (sequence, status, list, another row's status); throws on a bad row or parameter. */
function beforeMailbox(json: IDataObject, itemIndex: number, p: ReplyParams, suppressedRows: SuppressedRows): { row: string; rejection?: Rejection; leadFromItem?: ParsedAddress } {
	const row = rowLabel(json, itemIndex);
	checkSequence(row, p);
	const byStatus = p.statusField ? statusSuppression(lookupField(json, p.statusField), p.suppressStatuses) : undefined;
	if (byStatus) return { row, rejection: { kind: 'skipped', reason: byStatus.reason, extra: { detail: `${p.statusField} is "${byStatus.status}"` } } };
	const leadFromItem = itemLead(json, p, row);
	const rejection = leadFromItem && listedOrSuppressedElsewhere(p, leadFromItem, row, suppressedRows, itemIndex);
	return { row, ...(rejection ? { rejection } : {}), ...(leadFromItem ? { leadFromItem } : {}) };
}

/** Whether findOne will read the item's thread: no rule that needs no mailbox stops it first (a bad row: no). */
export function needsThread(json: IDataObject, itemIndex: number, p: ReplyParams, suppressedRows: SuppressedRows): boolean {
	try {
		return !beforeMailbox(json, itemIndex, p, suppressedRows).rejection;
	} catch {
		return false;
	}
}

/** Finds and reads the item's thread once; rules that need no mailbox (status, list) come first. */
export async function findOne(
	client: GmailClient,
	us: Senders,
	mailboxLabels: gmail_v1.Schema$Label[],
	suppressedRows: SuppressedRows,
	json: IDataObject,
	itemIndex: number,
	p: ReplyParams,
	recentThread?: (key: string) => string | undefined,
	/** Threads the batch read at once (readThreads). */
	threads?: Map<string, ThreadMessage[] | undefined>,
): Promise<Found | Rejection> {
	const { row, rejection, leadFromItem } = beforeMailbox(json, itemIndex, p, suppressedRows);
	if (rejection) return rejection;
	const threadId = await findThread(client, mailboxLabels, p, leadFromItem, row, recentThread);
	const messages = !threadId ? undefined : threads?.has(threadId) ? threads.get(threadId) : await readThread(client, threadId);
	if (!threadId || !messages?.length) return { kind: 'skipped', reason: 'thread_not_found', extra: { detail: threadNotFoundDetail(p, leadFromItem) } };
	const lead = threadLead(messages, us.ours) ?? leadFromItem;
	if (lead && lead !== leadFromItem) {
		const stopped = listedOrSuppressedElsewhere(p, lead, row, suppressedRows, itemIndex);
		if (stopped) return stopped;
	}
	return { itemIndex, p, threadId, messages, ...(lead ? { lead } : {}) };
}

/** The rows a status stops, by normalised address: the first such item and how errors name it. */
export type SuppressedRows = Map<string, { item: number; row: string }>;

/** Addresses of the rows a status stops: every other row with that address stops too. */
export function statusSuppressedRows(items: Array<{ json: IDataObject }>, params: (i: number) => ReplyParams | undefined): SuppressedRows {
	const out: SuppressedRows = new Map();
	items.forEach((item, i) => {
		const p = params(i);
		if (!p?.statusField || !statusSuppression(lookupField(item.json, p.statusField), p.suppressStatuses)) return;
		const email = str(lookupField(item.json, p.emailField)).trim();
		try {
			const key = normalizeAddress(parseAddress(email).address);
			if (!out.has(key)) out.set(key, { item: i, row: itemRow(items, i) });
		} catch {
			// A row without a usable address cannot stop another row.
		}
	});
	return out;
}

/** Keys of the campaign's steps up to this one for the lead: they tie DSNs and complaints to it. */
export function campaignKeys(f: Found): string[] {
	if (!f.lead) return [];
	return Array.from({ length: f.p.step }, (_v, k) => outreachKey(f.p.campaign, k + 1, f.lead!.address));
}

/** The batch's engagement: its threads classified (full reads only where needed) plus one mailbox search per 25 leads. */
export async function engagementOf(client: GmailClient, us: Senders, found: Found[], recent: (ctx: EngagementContext) => Promise<ReadMessage[]> = async () => []): Promise<Map<string, LeadEngagement>> {
	const known: ReadMessage[] = [];
	const mailtos = new Set<string>();
	for (const f of found) {
		const m = mailtoAddress(f.p.unsubscribeMailto);
		if (m) mailtos.add(m);
		for (const ours of conversation(f.messages).filter((x) => isOurs(x, us.ours))) for (const a of listUnsubscribeMailtos(ours.headers['list-unsubscribe'])) mailtos.add(a);
	}
	const ctx = { ours: us.ours, unsubscribeAddresses: [...mailtos] };
	for (const f of found) known.push(...(await classifyThread(client, f.threadId, f.messages, ctx)));
	known.push(...(await recent(ctx)));
	const leads: Array<EngagementLead & { options: object }> = [];
	for (const f of found) {
		if (!f.lead) continue;
		const keys = campaignKeys(f);
		const ours = conversation(f.messages).filter((x) => isOurs(x, us.ours));
		const firstSentAt = campaignStart(f.messages, us.ours, keys);
		leads.push({
			address: f.lead.address,
			threadIds: [f.threadId],
			keys,
			messageIds: ours.map((m) => m.headers['message-id'] ?? '').filter(Boolean),
			options: { ...(firstSentAt !== undefined ? { firstSentAt } : {}), replyStops: f.p.stopIfEngaged, softBounceStops: f.p.softBounceStops },
		});
	}
	return await checkEngagement(client, leads, ctx, known);
}

/**
 * The follow-up decision for a found thread (Threaded Reply and Draft Scheduler): Gmail's undelivered notices first,
 * then decideFollowup; a thread that cannot take a reply fails the item, naming the field ("cannot <verb> in this thread").
 */
export async function decideInThread(
	run: SendingRun,
	ours: string[],
	f: Found,
	stepKey: string | undefined,
	engagement: LeadEngagement | undefined,
	base: IDataObject,
	verb: string,
): Promise<{ decision: FollowupDecision } | { stop: Stop | undefined }> {
	for (const id of engagement?.undelivered ?? []) run.undelivered.add(id.replace(/^<|>$/g, '').toLowerCase());
	const decided = await attempt(() =>
		decideFollowup({
			messages: f.messages,
			ourAddresses: ours,
			step: f.p.step,
			stepKey,
			campaignKeys: campaignKeys(f),
			stopIfEngaged: f.p.stopIfEngaged,
			replyAll: f.p.replyAll,
			undelivered: run.undelivered,
			...(engagement ? { engagement } : {}),
		}),
	);
	if (decided.ok) return { decision: decided.value };
	const e = decided.error;
	const error = new FieldError(itemRow(run.items, f.itemIndex), e instanceof FollowupError ? e.field : 'threadId', `cannot ${verb} in this thread: ${(e as Error).message}`, 'invalid_row', { cause: e });
	return { stop: run.itemError(error, f.itemIndex, base) };
}
