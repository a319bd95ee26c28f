import { normalizeAddress, parseAddress, parseAddressList, type ParsedAddress } from './address';
import { classifyMetadata, type InboundHeaders } from './classify';
import { bareMessageId } from './campaign';
import { decideEngagement, type EngagementEvent, type EngagementStop, type LeadEngagement } from './engagement';
import { appendHtml } from './compose';
import { OUTREACH_HEADER } from './idempotency';
import { escapeHtml, htmlToText } from './template';
import { replyHeaders } from './threading';

/** One message of a thread as `threads.get` (format=metadata) gives it, headers keyed by lower-case name. */
export interface ThreadMessage {
	id: string;
	labelIds?: string[];
	internalDate?: string | number;
	snippet?: string;
	headers: InboundHeaders;
	/** The footer lines of a message of ours, when the thread was read with its bodies. */
	footer?: string[];
}

/** Why a follow-up is not sent. */
export type FollowupSkipReason = EngagementStop | 'already_sent';

/** Who a follow-up goes to. */
export interface FollowupRecipients {
	to: ParsedAddress[];
	cc: ParsedAddress[];
}

/** What the Threaded Reply node needs to know about this step. */
export interface FollowupInput {
	messages: ThreadMessage[];
	/** The mailbox and its send-as aliases: mail from these is "ours". */
	ourAddresses: string[];
	/** This step's idempotency key (idempotency.outreachKey); a message of ours carrying it means the step went out. */
	stepKey?: string;
	/** The sequence step being sent (2 = first follow-up). */
	step?: number;
	/** Keys of the campaign's earlier steps: the oldest of them in the thread is when the campaign began. */
	campaignKeys?: string[];
	/** When false, a human reply does not stop the send (templated answers to inbound mail). Default true. */
	stopIfEngaged?: boolean;
	/** The mailbox-wide engagement of the lead (the node's batched check); without it, the thread alone decides. */
	engagement?: LeadEngagement;
	/** Bare Message-IDs of our messages Gmail reported as never sent (its limit notice): they are not steps. */
	undelivered?: Set<string>;
	/** Reply to everyone on the thread instead of only the other side. Default false. */
	replyAll?: boolean;
}

/** The follow-up decision: send (with threading headers and recipients) or skip with a reason and the evidence. */
export interface FollowupDecision {
	action: 'send' | 'skip';
	reason?: FollowupSkipReason;
	/** Human-readable why, e.g. 'a@x.com replied on 2026-11-22T10:00:00.000Z'. */
	detail: string;
	/** The message that decided a skip (the reply, the bounce, our earlier send of this step). */
	evidence?: ThreadMessage;
	/** The engagement event behind a skip, or the lead's out-of-office (the node may wait until the lead is back). */
	event?: EngagementEvent;
	/** The engagement stop behind a skip (reason, scope, evidence). */
	stop?: LeadEngagement['stop'];
	away?: LeadEngagement['away'];
	/** The last message of the thread: the reply's parent. */
	parent?: ThreadMessage;
	inReplyTo?: string;
	references?: string[];
	subject?: string;
	recipients: FollowupRecipients;
	ourMessages: number;
}

/** Thrown when the thread gives nothing to reply to (no usable message, or the last one has no Message-ID). */
export class FollowupError extends Error {
	override name = 'FollowupError' as const;
	field: string;
	constructor(field: string, message: string) {
		super(message);
		this.field = field;
	}
}

// Drafts, trash and spam are in threads.get's answer but are not part of the conversation.
const IGNORED_LABELS = new Set(['DRAFT', 'TRASH', 'SPAM']);

/** Sorts a thread's conversation messages oldest first (Gmail's order; internalDate breaks nothing when missing). */
export function conversation(messages: ThreadMessage[]): ThreadMessage[] {
	return messages
		.map((m, i) => ({ m, i }))
		.filter(({ m }) => !(m.labelIds ?? []).some((l) => IGNORED_LABELS.has(l)))
		.sort((a, b) => Number(a.m.internalDate ?? 0) - Number(b.m.internalDate ?? 0) || a.i - b.i)
		.map(({ m }) => m);
}

/** Parses an address header leniently: unparseable entries of inbound mail are dropped, not fatal. */
export function addressesOf(header: string | undefined): ParsedAddress[] {
	if (!header || !header.trim()) return [];
	try {
		return parseAddressList(header);
	} catch {
		const out: ParsedAddress[] = [];
		for (const part of header.split(/[,;](?=(?:[^"]*"[^"]*")*[^"]*$)/)) {
			try {
				if (part.trim()) out.push(parseAddress(part));
			} catch {
				// A malformed entry in someone else's header must not stop the follow-up.
			}
		}
		return out;
	}
}

/** Whether a message was written by us: From is one of our addresses, or Gmail filed it as SENT. */
export function isOurs(message: ThreadMessage, ourAddresses: string[]): boolean {
	const ours = new Set(ourAddresses.map(normalizeAddress));
	const from = addressesOf(message.headers['from'])[0];
	if (from) return ours.has(normalizeAddress(from.address));
	return (message.labelIds ?? []).includes('SENT');
}

/** Whether a message from the other side was written by a person (not a bounce, report or automatic answer). */
export function isPersonal(message: ThreadMessage, ourAddresses: string[] = []): boolean {
	const kind = classifyMetadata(message.headers, message.snippet ?? '', { ourAddresses }).kind;
	return kind === 'human' || kind === 'unsubscribe';
}

/** The thread's messages from the other side as engagement events, classified from their headers and snippet. */
export function threadEvents(messages: ThreadMessage[], ourAddresses: string[], threadId = ''): EngagementEvent[] {
	const events: EngagementEvent[] = [];
	for (const m of conversation(messages)) {
		if (isOurs(m, ourAddresses)) continue;
		const from = addressesOf(m.headers['from'])[0]?.address;
		const cls = classifyMetadata(m.headers, m.snippet ?? '', { ourAddresses });
		events.push({ id: m.id, threadId, at: Number(m.internalDate ?? 0), cls, match: 'thread', ...(from ? { from: normalizeAddress(from) } : {}), snippet: m.snippet ?? '' });
	}
	return events;
}

/** When the campaign began in this thread: its oldest keyed message of ours, else our oldest message. */
export function campaignStart(messages: ThreadMessage[], ourAddresses: string[], campaignKeys: string[] = []): number | undefined {
	const ours = conversation(messages).filter((m) => isOurs(m, ourAddresses));
	const keyed = ours.filter((m) => campaignKeys.includes(m.headers[OUTREACH_HEADER.toLowerCase()]?.trim() ?? ''));
	const first = keyed[0] ?? ours[0];
	return first ? Number(first.internalDate ?? 0) : undefined;
}

/**
 * Decides whether step N may go into this thread, and with which parent, headers and recipients. Whether the
 * lead may be mailed at all is the engagement rule's (decideEngagement); only keyed evidence makes a step sent.
 */
export function decideFollowup(input: FollowupInput): FollowupDecision {
	const thread = conversation(input.messages);
	const ours = thread.filter((m) => isOurs(m, input.ourAddresses));
	const base = { recipients: { to: [], cc: [] }, ourMessages: ours.length };
	const parent = thread[thread.length - 1];
	if (!parent && input.messages.length) throw new FollowupError('threadId', 'The thread has no message to reply to: all of its messages are in Trash or Spam, or are drafts (restore the first email to follow up)');
	if (!parent) throw new FollowupError('threadId', 'The thread has no message to reply to');

	const skip = (reason: FollowupSkipReason, detail: string, evidence?: ThreadMessage, event?: EngagementEvent): FollowupDecision => ({
		action: 'skip',
		reason,
		detail,
		evidence,
		...(event ? { event } : {}),
		parent,
		...base,
	});

	const delivered = ours.filter((m) => !input.undelivered?.has(bareMessageId(m.headers['message-id'] ?? '')));
	const keyed = input.stepKey ? messageWithKey(delivered, input.stepKey) : undefined;
	if (keyed) return skip('already_sent', `This step's message is already in the thread (${keyed.id})`, keyed);

	const engagement =
		input.engagement ??
		decideEngagement(threadEvents(thread, input.ourAddresses), {
			firstSentAt: campaignStart(thread, input.ourAddresses, input.campaignKeys),
			replyStops: input.stopIfEngaged !== false,
		});
	if (engagement.stop) {
		const ev = engagement.stop.event;
		return { ...skip(engagement.stop.reason, engagement.stop.detail, thread.find((m) => m.id === ev.id) ?? { id: ev.id, headers: {} }, ev), stop: engagement.stop };
	}

	const messageId = parent.headers['message-id']?.trim();
	if (!messageId) throw new FollowupError('threadId', `The thread's last message (${parent.id}) has no Message-ID to reply to`);
	// The subject is the thread's (its first message's): an auto-reply's "Automatic reply: …" must not leak into ours.
	const headers = replyHeaders({
		messageId,
		references: parent.headers['references'],
		inReplyTo: parent.headers['in-reply-to'],
		subject: thread[0].headers['subject'] ?? parent.headers['subject'] ?? '',
	});
	return {
		action: 'send',
		detail: 'No reply, bounce or opt-out since the campaign began',
		parent,
		inReplyTo: headers.inReplyTo,
		references: headers.references,
		subject: headers.subject,
		recipients: replyRecipients(thread, input.ourAddresses, input.replyAll ?? false),
		ourMessages: ours.length,
		...(engagement.away ? { away: engagement.away } : {}),
	};
}

/**
 * Recipients of a reply. They come from the last message that is ours or a person's, so an
 * out-of-office from a no-reply address never becomes the recipient; never ourselves, no duplicates.
 */
export function replyRecipients(thread: ThreadMessage[], ourAddresses: string[], replyAll: boolean): FollowupRecipients {
	const conv = conversation(thread);
	const source =
		[...conv].reverse().find((m) => isOurs(m, ourAddresses) || isPersonal(m, ourAddresses)) ??
		conv[conv.length - 1];
	if (!source) return { to: [], cc: [] };
	const h = source.headers;
	let to: ParsedAddress[];
	let cc: ParsedAddress[] = [];
	if (isOurs(source, ourAddresses)) {
		to = addressesOf(h['to']);
		if (replyAll) cc = addressesOf(h['cc']);
	} else {
		const replyTo = addressesOf(h['reply-to']);
		to = replyTo.length ? replyTo : addressesOf(h['from']);
		if (replyAll) {
			to = [...to, ...addressesOf(h['to'])];
			cc = addressesOf(h['cc']);
		}
	}
	const seen = new Set(ourAddresses.map(normalizeAddress));
	const keep = (list: ParsedAddress[]) =>
		list.filter((a) => {
			const k = normalizeAddress(a.address);
			if (seen.has(k)) return false;
			seen.add(k);
			return true;
		});
	to = keep(to);
	cc = keep(cc);
	return { to, cc };
}

/** The message of a thread carrying an outreach key (a step that went out), if any. */
export function messageWithKey(messages: ThreadMessage[], key: string): ThreadMessage | undefined {
	return messages.find((m) => m.headers[OUTREACH_HEADER.toLowerCase()]?.trim() === key);
}

/** Adds a quote of the previous message under a rendered reply (text always, HTML when the reply has HTML). */
export function quoteBelow(
	reply: { text: string; html?: string },
	previous: { text?: string; html?: string },
	meta: { date?: string; from?: string },
): { text: string; html?: string } {
	const previousText = previous.text ?? (previous.html ? htmlToText(previous.html) : '');
	const text = `${reply.text.replace(/\s+$/, '')}\n\n${quoteText(previousText, meta)}\n`;
	if (reply.html === undefined) return { text };
	const quoted = previous.html ?? `<div>${escapeHtml(previousText).replace(/\n/g, '<br>')}</div>`;
	return { text, html: appendHtml(reply.html, quoteHtml(quoted, meta)) };
}

/** Quotes the previous message as plain text: "On <date>, <from> wrote:" then '> ' lines. */
export function quoteText(text: string, meta: { date?: string; from?: string }): string {
	const lines = text.replace(/\r\n?/g, '\n').replace(/\n+$/, '').split('\n');
	const who = meta.from?.trim() || 'someone';
	const intro = meta.date?.trim() ? `On ${meta.date.trim()}, ${who} wrote:` : `${who} wrote:`;
	return `${intro}\n${lines.map((l) => (l.startsWith('>') ? `>${l}` : `> ${l}`)).join('\n')}`;
}

/** Quotes the previous message for an HTML body, as mail clients do (a blockquote under the intro line). */
export function quoteHtml(html: string, meta: { date?: string; from?: string }): string {
	const who = escapeHtml(meta.from?.trim() || 'someone');
	const intro = meta.date?.trim() ? `On ${escapeHtml(meta.date.trim())}, ${who} wrote:` : `${who} wrote:`;
	return (
		`<div class="gmail_quote"><div class="gmail_attr">${intro}</div>` +
		`<blockquote class="gmail_quote" style="margin:0 0 0 .8ex;border-left:1px solid #ccc;padding-left:1ex">${html}</blockquote></div>`
	);
}


/** The From address of our newest message in the thread (the alias that carries the conversation), if any. */
export function ourLastFrom(messages: ThreadMessage[], ourAddresses: string[]): string | undefined {
	const ours = conversation(messages).filter((m) => isOurs(m, ourAddresses));
	return addressesOf(ours[ours.length - 1]?.headers['from'])[0]?.address;
}

/** The lead of a thread: the first recipient of our earliest message (the outreach's To), if any. */
export function threadLead(messages: ThreadMessage[], ourAddresses: string[]): ParsedAddress | undefined {
	const ours = new Set(ourAddresses.map(normalizeAddress));
	for (const m of conversation(messages)) {
		if (!isOurs(m, ourAddresses)) continue;
		const lead = addressesOf(m.headers['to']).find((a) => !ours.has(normalizeAddress(a.address)));
		if (lead) return lead;
	}
	return undefined;
}
