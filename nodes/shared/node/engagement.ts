import type { gmail_v1 } from 'googleapis';
import { normalizeAddress } from '../core/address';
import { bareMessageId, chunk, LOOKUP_BATCH } from '../core/campaign';
import { classifyMessage, classifyMetadata, type MessageClass } from '../core/classify';
import { backOn, decideEngagement, type EngagementEvent, type EngagementOptions, type LeadEngagement } from '../core/engagement';
import { addressesOf, conversation, isOurs, type ThreadMessage } from '../core/followup';
import { decodeEntities } from '../core/template';
import { NotFoundError, unitsFor, type GmailClient } from '../transport';
import { searchAll } from './evidence';
import { RECENT_WINDOW_MS } from './ledger';
import { headerMap } from './payload';

/** Headers read (metadata format) to classify inbound mail without downloading it. */
export const ENGAGEMENT_HEADERS = [
	'From', 'To', 'Cc', 'Reply-To', 'Subject', 'Date', 'Message-ID', 'In-Reply-To', 'References',
	'Auto-Submitted', 'X-Autoreply', 'X-Autorespond', 'X-Auto-Response-Suppress', 'Precedence', 'Content-Type',
	'Return-Path', 'X-Failed-Recipients', 'Delivered-To', 'X-Original-To', 'List-Id', 'Feedback-Type', 'X-Outreach-Key',
	'X-MS-Exchange-Generated-Message-Source', 'X-MS-Exchange-Inbox-Rules-Loop',
];

/** A lead as the engagement check sees it: the address, and what ties mail to it (its threads, our keys and Message-IDs). */
export interface EngagementLead {
	address: string;
	threadIds?: string[];
	/** Outreach keys of our messages to the lead (any step), found in returned originals of DSNs and complaints. */
	keys?: string[];
	/** RFC 822 Message-IDs of our messages to the lead. */
	messageIds?: string[];
}

/** What the batched look-up needs besides the leads. */
export interface EngagementContext {
	/** The mailbox and every send-as address: mail from these is ours. */
	ours: string[];
	/** List-Unsubscribe mailto addresses of our messages: mail to them is an opt-out. */
	unsubscribeAddresses?: string[];
}

/** A message as read for classification: Gmail's ids, date, snippet, and its class. */
export interface ReadMessage {
	id: string;
	threadId: string;
	at: number;
	snippet: string;
	from?: string;
	cls: MessageClass;
}

/**
 * Every inbound message about a batch of leads, classified: one search per 25 leads (from them, or naming them —
 * DSNs and complaints name the address in the body), one batched metadata read, full reads only where the
 * headers and snippet cannot decide (reports, auto-replies). Messages already read (e.g. from a thread) are passed in.
 */
export async function inboundFor(client: GmailClient, leads: EngagementLead[], ctx: EngagementContext, known: ReadMessage[] = []): Promise<Map<string, EngagementEvent[]>> {
	const byAddress = new Map<string, EngagementEvent[]>();
	const read = new Map(known.map((m) => [m.id, m]));
	for (const batch of chunk(leads, LOOKUP_BATCH)) {
		const addresses = batch.map((l) => l.address);
		const found = await searchAll(client, addresses, (a) => ({ q: inboundSearchQuery(a) }));
		const fresh = found.ids.filter((id) => !read.has(id));
		for (const m of await readMessages(client, fresh, ctx)) read.set(m.id, m);
		for (const lead of batch) {
			const events = matchLead(lead, [...read.values()]);
			const key = normalizeAddress(lead.address);
			byAddress.set(key, [...(byAddress.get(key) ?? []), ...events]);
		}
	}
	return byAddress;
}

/** The engagement of each lead: the inbound look-up and the one rule (decideEngagement). */
export async function checkEngagement(
	client: GmailClient,
	leads: Array<EngagementLead & { options?: EngagementOptions }>,
	ctx: EngagementContext,
	known: ReadMessage[] = [],
): Promise<Map<string, LeadEngagement>> {
	const events = await inboundFor(client, leads, ctx, known);
	const out = new Map<string, LeadEngagement>();
	for (const lead of leads) {
		const key = normalizeAddress(lead.address);
		out.set(key, decideEngagement(events.get(key) ?? [], lead.options));
	}
	return out;
}

/** Most inbound messages the lag-free look-back reads. */
const RECENT_INBOUND_MAX = 300;

/**
 * The newest inbound mail, read lag-free (an INBOX listing, no search) down to RECENT_WINDOW_MS before the newest:
 * an opt-out or reply that arrived moments before the run is not in Gmail's search index yet.
 */
export async function recentInbound(client: GmailClient, ctx: EngagementContext): Promise<ReadMessage[]> {
	const out: ReadMessage[] = [];
	let pageToken: string | undefined;
	let newest: number | undefined;
	while (out.length < RECENT_INBOUND_MAX) {
		const page = await client.listMessages({ labelIds: ['INBOX'], maxResults: 100, pageToken });
		const ids = (page.messages ?? []).map((m) => m.id).filter((id): id is string => !!id);
		if (!ids.length) break;
		const read = await readMessages(client, ids, ctx);
		out.push(...read);
		for (const m of read) newest = Math.max(newest ?? m.at, m.at);
		pageToken = page.nextPageToken ?? undefined;
		const oldest = Math.min(...read.map((m) => m.at));
		if (!pageToken || (newest !== undefined && oldest < newest - RECENT_WINDOW_MS)) break;
	}
	return out;
}

/** Inbound mail from or naming any of the addresses (never our own sent mail or drafts). */
export function inboundSearchQuery(addresses: string[]): string {
	const terms: string[] = [];
	for (const a of new Set(addresses.map((x) => x.trim()).concat(addresses.map(normalizeAddress)))) {
		const v = /^[\x21-\x7e]+$/.test(a) && !/["(){}]/.test(a) ? a : `"${a.replace(/"/g, '')}"`;
		terms.push(`from:${v}`, v);
	}
	return `-in:sent -in:drafts {${terms.join(' ')}}`;
}

/** Reads and classifies messages: metadata for all (batched), the raw message only where metadata cannot decide. */
export async function readMessages(client: GmailClient, ids: string[], ctx: EngagementContext): Promise<ReadMessage[]> {
	if (!ids.length) return [];
	const settled = await client.batchGetMessagesSettled(ids, { format: 'metadata', metadataHeaders: ENGAGEMENT_HEADERS });
	const metas: Array<{ id: string; threadId: string; at: number; snippet: string; labelIds: string[]; headers: Record<string, string> }> = [];
	for (const s of settled) {
		if (s.error) {
			if (s.error instanceof NotFoundError) continue;
			throw s.error;
		}
		const m = s.message as gmail_v1.Schema$Message;
		metas.push({ id: s.id, threadId: m.threadId ?? '', at: Number(m.internalDate ?? 0), snippet: m.snippet ?? '', labelIds: m.labelIds ?? [], headers: headerMap(m, true) });
	}
	return await classifyAll(client, metas, ctx);
}

/** A thread's messages from the other side (already read as metadata), classified; full reads only where needed. */
export async function classifyThread(client: GmailClient, threadId: string, messages: ThreadMessage[], ctx: EngagementContext): Promise<ReadMessage[]> {
	const metas = conversation(messages)
		.filter((m) => !isOurs(m, ctx.ours))
		.map((m) => ({ id: m.id, threadId, at: Number(m.internalDate ?? 0), snippet: m.snippet ?? '', labelIds: m.labelIds ?? [], headers: m.headers as Record<string, string> }));
	return await classifyAll(client, metas, ctx);
}

async function classifyAll(
	client: GmailClient,
	metas: Array<{ id: string; threadId: string; at: number; snippet: string; labelIds: string[]; headers: Record<string, string> }>,
	ctx: EngagementContext,
): Promise<ReadMessage[]> {
	const context = { ourAddresses: ctx.ours, unsubscribeAddresses: ctx.unsubscribeAddresses ?? [] };
	const out: ReadMessage[] = [];
	const full: ReadMessage[] = [];
	for (const m of metas) {
		if (m.labelIds.includes('SENT') || m.labelIds.includes('DRAFT')) continue;
		const meta = classifyMetadata(m.headers, m.snippet, context);
		const from = addressesOf(m.headers['from'])[0]?.address;
		const one: ReadMessage = { id: m.id, threadId: m.threadId, at: m.at, snippet: m.snippet, ...(from ? { from: normalizeAddress(from) } : {}), cls: meta };
		out.push(one);
		if (meta.needsFull) full.push(one);
	}
	if (full.length) {
		const raws = await client.batchGetMessagesSettled(full.map((m) => m.id), { format: 'raw' });
		for (const [i, r] of raws.entries()) {
			if (r.error || !r.message?.raw) continue;
			full[i].cls = classifyMessage(Buffer.from(r.message.raw, 'base64url'), context);
		}
	}
	return out;
}

/** The messages that concern a lead, and how each is tied to it. */
export function matchLead(lead: EngagementLead, messages: ReadMessage[]): EngagementEvent[] {
	const address = normalizeAddress(lead.address);
	const threads = new Set(lead.threadIds ?? []);
	const keys = new Set(lead.keys ?? []);
	const ids = new Set((lead.messageIds ?? []).map(bareMessageId));
	const events: EngagementEvent[] = [];
	for (const m of messages) {
		if (m.cls.kind === 'ours') continue;
		const c = m.cls;
		let match: EngagementEvent['match'] | undefined;
		const automatic = c.kind === 'bounce' || c.kind === 'delivery_delay' || c.kind === 'delivery_success' || c.kind === 'feedback_report' || c.kind === 'sender_limit';
		if (automatic) {
			if ((c.recipients ?? []).some((r) => normalizeAddress(r) === address)) match = 'recipient';
			else if ((c.outreachKey && keys.has(c.outreachKey)) || (c.originalMessageId && ids.has(bareMessageId(c.originalMessageId)))) match = 'key';
			else if (threads.has(m.threadId) && !(c.recipients ?? []).length) match = 'thread';
		} else if (m.from === address) match = 'address';
		// In the lead's own thread every person counts (a colleague, or the lead from another address).
		else if (threads.has(m.threadId) && m.from) match = 'thread';
		if (match) events.push({ id: m.id, threadId: m.threadId, at: m.at, cls: c, match, ...(m.from ? { from: m.from } : {}), snippet: m.snippet });
	}
	return events;
}


// ——— Wide look-ups: what came in since a time, for any number of leads (the Reply Detector and its trigger) ———

/** Gmail search for every inbound message (never our sent mail or drafts) since a time, in exact epoch seconds (date forms are Pacific time). */
export function inboundSinceQuery(afterMs: number): string {
	return `-in:sent -in:drafts after:${Math.max(0, Math.floor(afterMs / 1000))}`;
}

/** Inbound message ids a wide search found, newest first, and whether the cap cut off the oldest. */
export interface InboundIds {
	ids: string[];
	truncated: boolean;
}

/** Every inbound message since `afterMs`: one `messages.list` page (5 units) per 500 ids, up to `max` — never one search per lead. */
export async function inboundSince(client: GmailClient, afterMs: number, max = 10_000): Promise<InboundIds> {
	const found = await client.listAllMessages({ q: inboundSinceQuery(afterMs), max: max + 1 });
	const ids = found.map((m) => m.id).filter((id): id is string => !!id);
	return { ids: ids.slice(0, max), truncated: ids.length > max };
}

/** An inbound message read once in raw form: classified, with its top-level headers (lower-case names) and labels. */
export interface InboundMessage extends ReadMessage {
	labelIds: string[];
	headers: Record<string, string>;
}

/**
 * Reads and classifies messages with one `messages.get` each (format raw, 5 units, batched): the whole message,
 * so DSNs, complaints and auto-replies need no second read and a reply's own words (quote stripped) come along.
 * Our own sends and drafts are dropped; a message deleted meanwhile is skipped.
 */
export async function readInbound(client: GmailClient, ids: string[], ctx: EngagementContext): Promise<InboundMessage[]> {
	if (!ids.length) return [];
	const context = { ourAddresses: ctx.ours, unsubscribeAddresses: ctx.unsubscribeAddresses ?? [] };
	const out: InboundMessage[] = [];
	for (const s of await client.batchGetMessagesSettled(ids, { format: 'raw' })) {
		if (s.error) {
			if (s.error instanceof NotFoundError) continue;
			throw s.error;
		}
		const m = s.message as gmail_v1.Schema$Message;
		const labelIds = m.labelIds ?? [];
		if (labelIds.includes('SENT') || labelIds.includes('DRAFT') || !m.raw) continue;
		const raw = Buffer.from(m.raw, 'base64url');
		const headers = topHeaders(raw);
		const from = firstAddress(headers['from']);
		out.push({
			id: s.id,
			threadId: m.threadId ?? '',
			at: Number(m.internalDate ?? 0),
			snippet: m.snippet ?? '',
			...(from ? { from } : {}),
			cls: classifyMessage(raw, context),
			labelIds,
			headers,
		});
	}
	return out;
}

/** The normalised first address of an address header, or undefined (inbound headers may be malformed). */
export function firstAddress(header: string | undefined): string | undefined {
	const a = addressesOf(header)[0]?.address;
	if (!a) return undefined;
	try {
		return normalizeAddress(a);
	} catch {
		return undefined;
	}
}

/** The top-level header block of a raw message, unfolded, names lower-cased, first occurrence kept. */
export function topHeaders(raw: Buffer): Record<string, string> {
	const text = raw.subarray(0, Math.min(raw.length, 256 * 1024)).toString('latin1');
	const end = /\r?\n\r?\n/.exec(text);
	const head = end ? text.slice(0, end.index) : text;
	const out: Record<string, string> = {};
	// The header a continuation line belongs to; undefined while inside a repeat of a header already kept.
	let current: string | undefined;
	for (const line of head.split(/\r?\n/)) {
		if (/^[ \t]/.test(line)) {
			if (current !== undefined) out[current] += ` ${line.trim()}`;
			continue;
		}
		const colon = line.indexOf(':');
		if (colon <= 0) {
			current = undefined;
			continue;
		}
		const name = line.slice(0, colon).trim().toLowerCase();
		current = name in out ? undefined : name;
		if (current !== undefined) out[current] = line.slice(colon + 1).trim();
	}
	return out;
}

/** Classified messages indexed by everything that can tie one to a lead, so each lead looks at its own few. */
export class MessageIndex {
	private readonly byAddress = new Map<string, ReadMessage[]>();
	private readonly byThread = new Map<string, ReadMessage[]>();
	private readonly byKey = new Map<string, ReadMessage[]>();
	private readonly byOriginal = new Map<string, ReadMessage[]>();

	constructor(messages: ReadMessage[]) {
		for (const m of messages) {
			if (m.cls.kind === 'ours') continue;
			if (m.from) push(this.byAddress, m.from, m);
			for (const r of m.cls.recipients ?? []) {
				const a = firstAddress(r);
				if (a && a !== m.from) push(this.byAddress, a, m);
			}
			push(this.byThread, m.threadId, m);
			if (m.cls.outreachKey) push(this.byKey, m.cls.outreachKey, m);
			if (m.cls.originalMessageId) push(this.byOriginal, bareMessageId(m.cls.originalMessageId), m);
		}
	}

	/** The messages that may concern the lead (matchLead decides which do, and how). */
	candidates(lead: EngagementLead): ReadMessage[] {
		const out = new Set<ReadMessage>();
		const add = (list: ReadMessage[] | undefined) => list?.forEach((m) => out.add(m));
		const address = firstAddress(lead.address);
		if (address) add(this.byAddress.get(address));
		for (const t of lead.threadIds ?? []) add(this.byThread.get(t));
		for (const k of lead.keys ?? []) add(this.byKey.get(k));
		for (const id of lead.messageIds ?? []) add(this.byOriginal.get(bareMessageId(id)));
		return [...out];
	}
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
	const list = map.get(key);
	if (list) list.push(value);
	else map.set(key, [value]);
}

/** A lead's state for the sheet (never named `status`, so a Sheets update cannot overwrite the row's own status column). */
export type ReplyStatus =
	| 'replied'
	| 'auto_reply'
	| 'out_of_office'
	| 'left_company'
	| 'bounced_hard'
	| 'bounced_soft'
	| 'unsubscribed'
	| 'complained'
	| 'no_reply';

/** Every reply status, in the order the nodes list them. */
export const REPLY_STATUSES: ReplyStatus[] = ['replied', 'unsubscribed', 'complained', 'bounced_hard', 'bounced_soft', 'left_company', 'out_of_office', 'auto_reply', 'no_reply'];

/** What a workflow does next with the lead: stop the sequence, wait until `retryAt`, or continue. */
export type ReplyAction = 'stop' | 'wait' | 'continue';

/** The one rule's answer (decideEngagement) as the Reply Detector reports it. */
export interface ReplyReport {
	replyStatus: ReplyStatus;
	action: ReplyAction;
	/** The message behind the status (the stop's, the out-of-office, or the newest one that mattered). */
	event?: EngagementEvent;
	/** The newest message that concerns the lead, whatever it is. */
	last?: EngagementEvent;
	detail?: string;
	retryAt?: Date;
	returnDate?: string;
	alternateContact?: string;
}

/**
 * Maps the engagement of a lead to a reply status and the next action: a stop is Stop; an out-of-office with a
 * return date still ahead is Wait until that morning; anything else (no reply, other automatic answers, a soft
 * bounce the user lets pass) is Continue. Mail before `firstSentAt` belongs to an older conversation.
 */
export function replyReport(eng: LeadEngagement, opts: { firstSentAt?: number; zone: string; now?: Date }): ReplyReport {
	const base = eng.last ? { last: eng.last } : {};
	if (eng.stop) {
		const e = eng.stop.event;
		const status: ReplyStatus = eng.stop.reason === 'bounced' ? (e.cls.hard ? 'bounced_hard' : 'bounced_soft') : eng.stop.reason;
		return {
			...base,
			replyStatus: status,
			action: 'stop',
			event: e,
			detail: eng.stop.detail,
			...(e.cls.alternateContact ? { alternateContact: e.cls.alternateContact } : {}),
		};
	}
	if (eng.away) {
		const e = eng.away.event;
		const retryAt = backOn(eng.away.returnDate, opts.zone, opts.now);
		return {
			...base,
			replyStatus: 'out_of_office',
			action: retryAt ? 'wait' : 'continue',
			event: e,
			...(eng.away.returnDate ? { returnDate: eng.away.returnDate } : {}),
			...(retryAt ? { retryAt } : {}),
		};
	}
	const last = eng.last;
	const counts = last && opts.firstSentAt !== undefined && last.at >= opts.firstSentAt;
	if (last && counts && last.cls.kind === 'auto_reply') return { ...base, replyStatus: 'auto_reply', action: 'continue', event: last };
	if (last && counts && last.cls.kind === 'bounce') return { ...base, replyStatus: last.cls.hard ? 'bounced_hard' : 'bounced_soft', action: 'continue', event: last };
	return { ...base, replyStatus: 'no_reply', action: 'continue' };
}

/** Labels the Reply Detector puts on its evidence; the sending nodes read Outreach/Unsubscribed and Outreach/Bounced as suppression. */
export const EVIDENCE_LABELS = {
	replied: 'Outreach/Replied',
	bounced: 'Outreach/Bounced',
	unsubscribed: 'Outreach/Unsubscribed',
	away: 'Outreach/Away',
} as const;

/**
 * The evidence label of a status: opt-outs and complaints → Unsubscribed, hard bounces and left-the-company →
 * Bounced (the address is gone for every campaign, as the rule says), replies → Replied, out of office → Away.
 * A soft bounce gets none: it ends one campaign, and Outreach/Bounced would suppress the address for all.
 */
export function evidenceLabelFor(status: ReplyStatus): string | undefined {
	switch (status) {
		case 'replied':
			return EVIDENCE_LABELS.replied;
		case 'unsubscribed':
		case 'complained':
			return EVIDENCE_LABELS.unsubscribed;
		case 'bounced_hard':
		case 'left_company':
			return EVIDENCE_LABELS.bounced;
		case 'out_of_office':
			return EVIDENCE_LABELS.away;
		default:
			return undefined;
	}
}

/** What labelling did to one message: the labels it got, or why not (the classification stands either way). */
export interface LabelOutcome {
	labels?: string;
	labelError?: string;
}

/**
 * Labels evidence messages (labels created if missing) and optionally marks them read: per label one `batchModify`
 * (50 units, up to 1,000 ids), or one `modify` per message (5 units) when that is cheaper, whatever the number of leads. Failures are reported per message, never thrown.
 */
export async function applyEvidenceLabels(
	client: GmailClient,
	entries: Array<{ id: string; label?: string }>,
	markRead: boolean,
): Promise<Map<string, LabelOutcome>> {
	const out = new Map<string, LabelOutcome>();
	const groups = new Map<string, Set<string>>();
	for (const e of entries) {
		if (!e.label && !markRead) continue;
		const key = e.label ?? '';
		if (!groups.has(key)) groups.set(key, new Set());
		groups.get(key)!.add(e.id);
	}
	if (!groups.size) return out;
	let labelIds: Record<string, string> = {};
	const names = [...groups.keys()].filter(Boolean);
	let labelFailure: string | undefined;
	if (names.length) {
		try {
			labelIds = await client.ensureLabels(names);
		} catch (error) {
			labelFailure = `labels ${names.join(', ')} could not be created: ${(error as Error).message}`;
		}
	}
	for (const [name, ids] of groups) {
		const labelId = name ? labelIds[name] : undefined;
		const add = labelId ? [labelId] : [];
		const remove = markRead ? ['UNREAD'] : [];
		const problem = name && !labelId ? (labelFailure ?? `label ${name} could not be created`) : undefined;
		if (add.length || remove.length) {
			try {
				// batchModify costs 50 units whatever the count; under ten messages one modify each (5 units) is cheaper.
				if (ids.size * unitsFor('messages.modify') < unitsFor('messages.batchModify')) {
					for (const id of ids) await client.modifyMessage(id, add, remove);
				} else await client.batchModify([...ids], add, remove);
			} catch (error) {
				for (const id of ids) out.set(id, { labelError: `${name || 'mark as read'}: ${(error as Error).message}` });
				continue;
			}
		}
		for (const id of ids) out.set(id, { ...(add.length ? { labels: name } : {}), ...(problem ? { labelError: problem } : {}) });
	}
	return out;
}

/**
 * The writer's own words (quote and signature stripped by the classifier) for the few messages that decide a
 * status but were read as metadata only: one raw read each (batched), and only for what people wrote.
 */
export async function ownWords(client: GmailClient, events: EngagementEvent[], ctx: EngagementContext): Promise<Map<string, string>> {
	const out = new Map<string, string>();
	const wanted = [...new Set(events.filter((e) => e.cls.text === undefined && (e.cls.kind === 'human' || e.cls.kind === 'unsubscribe')).map((e) => e.id))];
	if (!wanted.length) return out;
	const context = { ourAddresses: ctx.ours, unsubscribeAddresses: ctx.unsubscribeAddresses ?? [] };
	for (const r of await client.batchGetMessagesSettled(wanted, { format: 'raw' })) {
		if (r.error || !r.message?.raw) continue;
		const text = classifyMessage(Buffer.from(r.message.raw, 'base64url'), context).text;
		if (text !== undefined) out.set(r.id, text);
	}
	return out;
}

/** What a report shows of a message: the classifier's text where it read the body, else Gmail's snippet (HTML entities decoded), one line, capped. */
export function snippetOf(e: { cls: MessageClass; snippet?: string } | undefined, words?: string, max = 500): string {
	const text = (words ?? e?.cls.text ?? decodeEntities(e?.snippet ?? '')).replace(/\s+/g, ' ').trim();
	return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
