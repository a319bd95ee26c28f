import { randomBytes } from 'node:crypto';
import { badRequest, HttpError } from './errors';
import { baseSubject, decodeRaw, headerOf, parseMessage, removeHeader, setHeader, type ParsedMessage } from './mime';
import { buildLimitNotice } from './notices';
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

/** Whether the mailbox may send as this address: its own or a verified send-as alias (an unverified one is not). */
export function sendsAs(mb: Mailbox, address: string): boolean {
	const a = address.toLowerCase();
	return a === mb.email || mb.aliases.includes(a);
}

/** A top-level header's value as written (unfolded, encoded words kept), or undefined. */
export function rawHeader(raw: string, name: string): string | undefined {
	const m = /\r?\n\r?\n/.exec(raw);
	const head = m ? raw.slice(0, m.index) : raw;
	const lines = head.split(/\r?\n/);
	const start = lines.findIndex((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
	if (start < 0) return undefined;
	let value = lines[start].slice(name.length + 1);
	for (let i = start + 1; i < lines.length && /^[ \t]/.test(lines[i]); i++) value += lines[i];
	return value.trim();
}

/** The From value with its address replaced by the primary one, keeping the display name as written. */
export function rewrittenFrom(value: string | undefined, primary: string): string {
	if (value && /<[^<>]*>\s*$/.test(value)) return value.replace(/<[^<>]*>\s*$/, `<${primary}>`);
	return primary;
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
 * base64url, From (mailbox or verified alias, else rewritten or refused per `fromPolicy`), recipients (1..100, sends only),
 * Message-ID policy, thread rules.
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
	let changed = false;
	if (fromAddr && !sendsAs(mb, fromAddr)) {
		if (store.settings.fromPolicy === 'reject') {
			throw badRequest(`Invalid From header: "${headerOf(parsed, 'from') ?? fromAddr}" is neither ${mb.email} nor a verified send-as alias`);
		}
		// Gmail sends anyway, from the primary address; the display name stays as the client wrote it.
		raw = setHeader(raw, 'From', rewrittenFrom(rawHeader(raw, 'from'), mb.email));
		changed = true;
	}
	if (forSend) {
		const count = recipients(parsed).length;
		if (count === 0) throw badRequest('Recipient address required');
		if (count > store.settings.maxRecipients) {
			throw badRequest(`Too many recipients: ${count} (at most ${store.settings.maxRecipients} per message)`);
		}
	}
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

/**
 * Stores a prepared message as sent (after the daily-cap check), logs the send and delivers local copies.
 * A send the late cap let through (`capLagSends`) is stored but not delivered: Gmail's limit notice comes back instead.
 */
export async function commitSend(store: Store, mb: Mailbox, p: Prepared): Promise<StoredMessage> {
	checkDailyCap(store, mb);
	const overCap = store.sent24h(mb).length >= store.capOf(mb);
	// A late commit may find its prepared id taken meanwhile; it then gets a fresh one (and its own thread stays its own).
	const id = mb.messages.has(p.id) ? freshId(mb) : p.id;
	const threadId = p.threadId === p.id ? id : p.threadId;
	const toSelf = recipients(p.parsed).some((a) => a === mb.email || mb.aliases.includes(a));
	const now = store.clock.now();
	const msg = store.addMessage(mb, {
		id,
		threadId,
		labelIds: toSelf ? ['SENT', 'INBOX', 'UNREAD'] : ['SENT'],
		raw: p.raw,
		internalDate: now,
		sizeEstimate: Buffer.byteLength(p.raw),
		parsed: p.parsed,
	});
	mb.sendLog.push(now);
	if (overCap && store.settings.senderLimitNotice) {
		const notice = buildLimitNotice(msg, mb.email, [...new Set(recipients(p.parsed))], now);
		await deliverInbound(store, mb, notice);
		return msg;
	}
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
