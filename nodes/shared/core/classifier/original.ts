// The message a report or answer is about: the returned original of a DSN or complaint (message/rfc822,
// text/rfc822-headers, RFC 6533 message/global-headers) or its headers inlined in the notice's text.
import { OUTREACH_HEADER } from '../idempotency';
import { parseMessageIds } from '../threading';
import { addressList, firstAddress } from './addresses';
import { header, walk, type MimePart } from './mime';

/** What identifies the original: its Message-ID, our outreach key, its recipients and sender. */
export interface OriginalInfo {
	messageId?: string;
	outreachKey?: string;
	to: string[];
	from?: string;
}

const KEY = OUTREACH_HEADER.toLowerCase();
const EMBEDDED = new Set(['message/rfc822', 'message/global', 'text/rfc822-headers', 'message/global-headers', 'message/rfc822-headers']);

/** The embedded original of a report (the first message/rfc822 or headers part below the root). */
export function embeddedOriginal(root: MimePart): MimePart | undefined {
	for (const p of walk(root)) if (p !== root && EMBEDDED.has(p.type) && p.parts[0]) return p.parts[0];
	return undefined;
}

/** The original's identifiers, from an embedded part or else from header lines inlined in the notice text. */
export function originalInfo(root: MimePart, noticeText: string): OriginalInfo {
	const embedded = embeddedOriginal(root);
	if (embedded && embedded.headers.length) {
		const info: OriginalInfo = { to: [...addressList(header(embedded, 'to')), ...addressList(header(embedded, 'cc'))] };
		const id = parseMessageIds(header(embedded, 'message-id'))[0];
		if (id) info.messageId = id;
		const key = header(embedded, KEY).trim();
		if (key) info.outreachKey = key;
		const from = firstAddress(header(embedded, 'from'));
		if (from) info.from = from;
		if (info.messageId || info.outreachKey) return info;
		return { ...info, ...inlineInfo(noticeText, info.to) };
	}
	return inlineInfo(noticeText, []);
}

// Inlined originals (qmail "--- Below this line is a copy of the message.", Exim, Exchange "Original message headers:").
function inlineInfo(text: string, to: string[]): OriginalInfo {
	const t = text.length > 200_000 ? text.slice(0, 200_000) : text;
	const info: OriginalInfo = { to };
	const id = /^[ \t]*message-id[ \t]*:[ \t]*(?:\r?\n[ \t]+)?(<[^<>\s]+>)/im.exec(t);
	if (id) info.messageId = id[1];
	const key = new RegExp(`^[ \\t]*${KEY}[ \\t]*:[ \\t]*(\\S+)`, 'im').exec(t);
	if (key) info.outreachKey = key[1];
	if (!to.length) {
		const toLine = /^[ \t]*to[ \t]*:[ \t]*(.+)$/im.exec(t);
		if (toLine && (id || key)) info.to = addressList(toLine[1]);
	}
	const from = /^[ \t]*from[ \t]*:[ \t]*(.+)$/im.exec(t);
	if (from && (id || key)) {
		const a = firstAddress(from[1]);
		if (a) info.from = a;
	}
	return info;
}
