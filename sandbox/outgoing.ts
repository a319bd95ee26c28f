import { randomBytes } from 'node:crypto';
import { badRequest, HttpError } from './errors';
import { baseSubject, decodeRaw, headerOf, parseMessage, removeHeader, setHeader, type ParsedMessage } from './mime';
import { checkDailyCap } from './quota';
import { newMessageId, type Mailbox, type StoredMessage, type Store } from './store';

/** A message ready to be stored: final RFC 5322 text, its parse, and the thread it belongs to. */
export interface Prepared {
	raw: string;
	parsed: ParsedMessage;
	threadId: string;
	id: string;
}

/** A server-made Message-ID in Gmail's style. */
export function serverMessageId(): string {
	return `<CA${randomBytes(30).toString('base64url')}@mail.gmail.com>`;
}

/** A fresh message id not yet used in this mailbox. */
export function freshId(mb: Mailbox): string {
	let id = newMessageId();
	while (mb.messages.has(id)) id = newMessageId();
	return id;
}

/** Every recipient address (To, Cc, Bcc). */
export function recipients(p: ParsedMessage): string[] {
	return [...p.to, ...p.cc, ...p.bcc].map((a) => a.address.toLowerCase());
}

/** The thread an inbound or API-sent message joins: one holding a message its headers reference, with the same base subject. */
export function threadByHeaders(
	store: Store,
	mb: Mailbox,
	parsed: ParsedMessage,
	candidates?: StoredMessage[],
	automated = false,
): string | undefined {
	const refs = new Set([...parsed.inReplyTo, ...parsed.references]);
	if (!refs.size) return undefined;
	const subject = baseSubject(parsed.subject);
	const pool = candidates ?? [...mb.messages.values()];
	const hit = pool.find((m) => m.parsed.messageId !== undefined && refs.has(m.parsed.messageId));
	if (!hit) return undefined;
	const thread = candidates ?? store.threadMessages(mb, hit.threadId);
	// Automated answers (DSNs, out-of-office) carry their own subjects; Gmail still files them by their references.
	return automated || thread.some((m) => baseSubject(m.parsed.subject) === subject) ? hit.threadId : undefined;
}

/**
 * Decodes and checks a client's message as Gmail does before sending or saving a draft:
 * base64url, From (mailbox or verified alias), recipients (1..100, sends only), Message-ID policy, thread rules.
 */
export async function prepare(
	store: Store,
	mb: Mailbox,
	raw64: unknown,
	threadId: unknown,
	forSend: boolean,
	keepMessageId = store.settings.keepClientMessageId,
): Promise<Prepared> {
	let raw = decodeRaw(raw64, store.settings.acceptBase64Padding);
	let parsed = await parseMessage(raw);
	const fromAddr = parsed.from?.address.toLowerCase();
	if (fromAddr && fromAddr !== mb.email && !mb.aliases.includes(fromAddr)) {
		throw badRequest(`Invalid From header: "${headerOf(parsed, 'from') ?? fromAddr}" is neither ${mb.email} nor a verified send-as alias`);
	}
	if (forSend) {
		const count = recipients(parsed).length;
		if (count === 0) throw badRequest('Recipient address required');
		if (count > store.settings.maxRecipients) {
			throw badRequest(`Too many recipients: ${count} (at most ${store.settings.maxRecipients} per message)`);
		}
	}
	let changed = false;
	if (!fromAddr) {
		raw = setHeader(raw, 'From', mb.email);
		changed = true;
	}
	if (!parsed.messageId || !keepMessageId) {
		raw = setHeader(raw, 'Message-ID', serverMessageId());
		changed = true;
	}
	if (!headerOf(parsed, 'date')) {
		raw = setHeader(raw, 'Date', new Date(store.clock.now()).toUTCString().replace('GMT', '+0000'));
		changed = true;
	}
	if (changed) parsed = await parseMessage(raw);
	const id = freshId(mb);
	let thread = id;
	if (threadId !== undefined && threadId !== null && threadId !== '') {
		if (typeof threadId !== 'string') throw badRequest('Invalid thread_id value');
		const members = store.threadMessages(mb, threadId);
		if (!members.length) throw badRequest('Invalid thread_id value');
		// Gmail joins the thread only if the headers point into it and the subject matches; otherwise a new thread.
		thread = threadByHeaders(store, mb, parsed, members) ?? id;
	}
	return { raw, parsed, threadId: thread, id };
}

/** Stores a prepared message as sent (after the daily-cap check), logs the send and delivers local copies. */
export async function commitSend(store: Store, mb: Mailbox, p: Prepared): Promise<StoredMessage> {
	checkDailyCap(store, mb);
	const toSelf = recipients(p.parsed).some((a) => a === mb.email || mb.aliases.includes(a));
	const now = store.clock.now();
	const msg = store.addMessage(mb, {
		id: p.id,
		threadId: p.threadId,
		labelIds: toSelf ? ['SENT', 'INBOX', 'UNREAD'] : ['SENT'],
		raw: p.raw,
		internalDate: now,
		sizeEstimate: Buffer.byteLength(p.raw),
		parsed: p.parsed,
	});
	mb.sendLog.push(now);
	if (store.settings.deliverLocally) {
		const targets = new Set(recipients(p.parsed).filter((a) => a !== mb.email && store.mailbox(a)));
		for (const addr of targets) await deliverInbound(store, store.mailbox(addr) as Mailbox, p.raw);
	}
	return msg;
}

/** Puts an inbound message into a mailbox (INBOX, UNREAD), threaded by its headers. */
export async function deliverInbound(store: Store, mb: Mailbox, raw: string, labelIds = ['INBOX', 'UNREAD']): Promise<StoredMessage> {
	if (!raw.trim()) throw new HttpError(400, 'raw must be RFC 5322 text');
	const stripped = removeHeader(raw, 'Bcc');
	const parsed = await parseMessage(stripped);
	const id = freshId(mb);
	return store.addMessage(mb, {
		id,
		threadId: threadByHeaders(store, mb, parsed, undefined, isAutomated(parsed)) ?? id,
		labelIds,
		raw: stripped,
		internalDate: store.clock.now(),
		sizeEstimate: Buffer.byteLength(stripped),
		parsed,
	});
}

/** Whether a message is machine-made: a delivery report or marked Auto-Submitted. */
export function isAutomated(p: ParsedMessage): boolean {
	const auto = (headerOf(p, 'auto-submitted') ?? 'no').toLowerCase();
	return auto !== 'no' || /multipart\/report/i.test(headerOf(p, 'content-type') ?? '');
}
