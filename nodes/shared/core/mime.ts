import { randomUUID } from 'node:crypto';
import MailComposer from 'nodemailer/lib/mail-composer';
import mimeFuncs from 'nodemailer/lib/mime-funcs';
import { AddressError, asciiAddress, parseAddress, parseAddressList, type ParsedAddress } from './address';
import { htmlToText } from './template';
import { parseMessageIds } from './threading';

/** Gmail's API accepts at most 100 recipients (To+Cc+Bcc) per message. */
export const MAX_RECIPIENTS = 100;

/** A message cannot be built; field names the offending MessageSpec field. */
export class MimeError extends Error {
	override name = 'MimeError' as const;
	field: string;
	constructor(field: string, message: string, options?: { cause?: unknown }) {
		super(message, options);
		this.field = field;
	}
}

type Addresses = string | string[] | ParsedAddress[] | ParsedAddress;

/** Everything needed to build one outgoing message. */
export interface MessageSpec {
	from: string | ParsedAddress;
	to: Addresses;
	cc?: Addresses;
	bcc?: Addresses;
	replyTo?: Addresses;
	subject: string;
	text?: string;
	html?: string;
	attachments?: { filename: string; contentType?: string; content: Buffer }[];
	headers?: Record<string, string>;
	listUnsubscribe?: { mailto?: string; url?: string };
	inReplyTo?: string;
	references?: string | string[];
	messageId?: string;
	date?: Date;
}

// C0 (incl. CR, LF, TAB, NUL), DEL, C1 (incl. NEL U+0085) and U+2028/U+2029: none may reach a header.
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;
const HAS_CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

// Headers the builder owns; a custom header may not replace or duplicate them.
const RESERVED = new Set(
	[
		'from', 'sender', 'to', 'cc', 'bcc', 'reply-to', 'subject', 'date', 'message-id', 'in-reply-to', 'references',
		'mime-version', 'content-type', 'content-transfer-encoding', 'content-disposition', 'content-id',
		'list-unsubscribe', 'list-unsubscribe-post', 'return-path', 'received', 'dkim-signature',
	],
);

/** Replaces every control character run with one space: the single place header text is made safe. */
export function sanitizeHeaderText(value: string): string {
	return String(value ?? '').replace(CONTROLS, ' ');
}

/**
 * Encodes unstructured header text (RFC 2047). Besides non-ASCII, text that looks like an
 * encoded word ('=?…?=') is itself encoded, so a reader decodes it once to the literal text and
 * can never turn smuggled '=0D=0A' into a line break; words too long to fold are encoded so
 * they can be split (RFC 5322 lines stay under 998 octets).
 */
function encodeText(value: string): string {
	const text = sanitizeHeaderText(value).trim();
	const needs = /[^\x20-\x7e]/.test(text) || /=\?/.test(text) || /\S{70,}/.test(text);
	if (!needs) return text;
	const latin = (text.match(/[a-z]/gi) ?? []).length;
	const other = (text.match(/[^\x20-\x7e]/g) ?? []).length;
	return mimeFuncs.encodeWord(text, other < latin ? 'Q' : 'B', 52);
}

/** Encodes a display name: atom as is, printable ASCII quoted, anything else as encoded words. */
function encodeName(name: string): string {
	const text = sanitizeHeaderText(name).replace(/\s+/g, ' ').trim();
	if (/^[A-Za-z0-9 ]{0,69}$/.test(text)) return text;
	if (/^[\x20-\x7e]*$/.test(text) && !/=\?/.test(text) && text.length < 70) return `"${text.replace(/(["\\])/g, '\\$1')}"`;
	return encodeText(text);
}

/** Parses one address field into validated addresses (domain in punycode for the wire). */
function addresses(field: string, value: Addresses | undefined): ParsedAddress[] {
	if (value === undefined || value === null || value === '') return [];
	const list = Array.isArray(value) ? value : [value];
	const result = attempt(() =>
		list.flatMap((v): ParsedAddress[] => {
			if (typeof v === 'string') return parseAddressList(v);
			if (!v || typeof v.address !== 'string') throw new AddressError(String(v), 'not an address');
			const parsed = parseAddress(v.address);
			if (parsed.name !== undefined) throw new AddressError(v.address, 'address field contains a display name');
			return [{ name: v.name, address: parsed.address }];
		}),
	);
	if (result instanceof Error) throw new MimeError(field, `${field}: ${result.message}`, { cause: result });
	return result;
}

/** Runs fn and returns its error instead of throwing, so callers can wrap it in a MimeError. */
function attempt<T>(fn: () => T): T | Error {
	try {
		return fn();
	} catch (e) {
		return e instanceof Error ? e : new Error(String(e));
	}
}

/** Formats validated addresses as one header value. */
function formatAddresses(list: ParsedAddress[]): string {
	return list
		.map((a) => {
			const name = a.name ? encodeName(a.name) : '';
			return name ? `${name} <${asciiAddress(a.address)}>` : asciiAddress(a.address);
		})
		.join(', ');
}

/** One Message-ID from input, or a MimeError. */
function messageIdOf(field: string, value: string): string {
	const [id] = parseMessageIds(sanitizeHeaderText(value));
	if (!id || !/^<[\x21-\x7e]+>$/.test(id)) throw new MimeError(field, `${field}: not a valid Message-ID`);
	return id;
}

/** The List-Unsubscribe value: '<https://…>, <mailto:…>' (RFC 2369, RFC 8058). */
function listUnsubscribe(spec: NonNullable<MessageSpec['listUnsubscribe']>): { value: string; oneClick: boolean } | undefined {
	const parts: string[] = [];
	let oneClick = false;
	if (spec.url) {
		if (HAS_CONTROL.test(spec.url)) throw new MimeError('listUnsubscribe.url', 'listUnsubscribe.url: contains control characters');
		const url = attempt(() => new URL(spec.url!.trim()));
		if (url instanceof Error) {
			throw new MimeError('listUnsubscribe.url', `listUnsubscribe.url: not a valid URL "${spec.url}"`, { cause: url });
		}
		if (url.href.length > 900) throw new MimeError('listUnsubscribe.url', 'listUnsubscribe.url: longer than 900 characters');
		if (url.protocol !== 'https:') throw new MimeError('listUnsubscribe.url', 'listUnsubscribe.url: must be an https:// URL');
		// URL.href percent-encodes spaces and quotes; '<', '>' and ',' would end the list entry.
		parts.push(`<${url.href.replace(/[<>,]/g, (c) => encodeURIComponent(c))}>`);
		oneClick = true;
	}
	if (spec.mailto) {
		const raw = spec.mailto.trim().replace(/^mailto:/i, '');
		if (HAS_CONTROL.test(raw)) throw new MimeError('listUnsubscribe.mailto', 'listUnsubscribe.mailto: contains control characters');
		const q = raw.indexOf('?');
		const addr = q < 0 ? raw : raw.slice(0, q);
		const query = q < 0 ? '' : raw.slice(q);
		const address = attempt(() => asciiAddress(addr));
		if (address instanceof Error) {
			throw new MimeError('listUnsubscribe.mailto', `listUnsubscribe.mailto: ${address.message}`, { cause: address });
		}
		if (/[\s<>,"]/.test(query)) throw new MimeError('listUnsubscribe.mailto', 'listUnsubscribe.mailto: query must be URL-encoded');
		if (query.length > 900) throw new MimeError('listUnsubscribe.mailto', 'listUnsubscribe.mailto: longer than 900 characters');
		parts.push(`<mailto:${address}${query}>`);
	}
	return parts.length ? { value: parts.join(', '), oneClick } : undefined;
}

/** Header names: RFC 5322 printable ASCII without ':'; no builder-owned names. */
function customHeaders(headers: Record<string, string> | undefined): { key: string; value: string }[] {
	const out: { key: string; value: string }[] = [];
	for (const [key, value] of Object.entries(headers ?? {})) {
		// Stricter than RFC 5322 ftext on purpose: real header names are letters, digits and dashes.
		if (!/^[A-Za-z0-9-]{1,76}$/.test(key)) throw new MimeError('headers', `headers: invalid header name "${sanitizeHeaderText(key)}"`);
		if (RESERVED.has(key.toLowerCase())) throw new MimeError('headers', `headers: "${key}" is set by the message builder, not as a custom header`);
		out.push({ key, value: encodeText(String(value ?? '')) });
	}
	return out;
}

/**
 * A filename safe in Content-Type/Content-Disposition parameters: no controls, no characters
 * that are invalid in common file systems ('?' also rules out encoded-word look-alikes), at most
 * 150 characters with the extension kept.
 */
function safeFilename(name: string | undefined, index: number): string {
	const clean = sanitizeHeaderText(name ?? '')
		.replace(/[\\/:*?"<>|]/g, '_')
		.replace(/\s+/g, ' ')
		.trim();
	if (!clean) return `attachment-${index + 1}`;
	if (clean.length <= 150) return clean;
	const ext = /\.[A-Za-z0-9]{1,10}$/.exec(clean)?.[0] ?? '';
	return clean.slice(0, 150 - ext.length) + ext;
}

/** Body text with CRLF line ends (RFC 5322 §2.3: bare CR and LF are not allowed). */
function crlf(text: string): string {
	return text.replace(/\r\n|\r|\n/g, '\r\n');
}

/** RFC 5322 message bytes; text+html → multipart/alternative, attachments → multipart/mixed; every header sanitised and encoded here. */
export async function buildMime(spec: MessageSpec): Promise<Buffer> {
	const from = addresses('from', spec.from);
	if (from.length !== 1) throw new MimeError('from', 'from: exactly one sender address is required');
	const to = addresses('to', spec.to);
	const cc = addresses('cc', spec.cc);
	const bcc = addresses('bcc', spec.bcc);
	const replyTo = addresses('replyTo', spec.replyTo);
	const total = to.length + cc.length + bcc.length;
	if (total === 0) throw new MimeError('to', 'At least one recipient (To, Cc or Bcc) is required');
	if (total > MAX_RECIPIENTS) {
		throw new MimeError('to', `More than ${MAX_RECIPIENTS} recipients (To+Cc+Bcc = ${total})`);
	}
	if (typeof spec.subject !== 'string') throw new MimeError('subject', 'subject: must be a string');

	// Address headers are written here, not by nodemailer, so names are encoded by encodeName
	// (nodemailer would put encoded-word look-alikes into a quoted string, which readers still decode).
	const addressLines = [
		['From', formatAddresses(from)],
		['To', formatAddresses(to)],
		['Cc', formatAddresses(cc)],
		// Gmail's messages.send reads Bcc from the raw message and removes it before delivery.
		['Bcc', formatAddresses(bcc)],
		['Reply-To', formatAddresses(replyTo)],
	]
		.filter(([, value]) => value)
		.map(([key, value]) => mimeFuncs.foldLines(`${key}: ${value}`, 76) + '\r\n');

	const headers: { key: string; value: string }[] = [];
	const add = (key: string, value: string) => {
		if (value) headers.push({ key, value });
	};
	add('Subject', encodeText(spec.subject));
	const fromDomain = asciiAddress(from[0].address).split('@')[1];
	add('Message-ID', spec.messageId ? messageIdOf('messageId', spec.messageId) : `<${randomUUID()}@${fromDomain}>`);
	if (spec.inReplyTo) add('In-Reply-To', messageIdOf('inReplyTo', spec.inReplyTo));
	const references = [spec.references ?? []]
		.flat()
		.flatMap((r) => parseMessageIds(sanitizeHeaderText(String(r))))
		.filter((id) => /^<[\x21-\x7e]+>$/.test(id) && id.length < 900)
		.join(' ');
	const unsub = spec.listUnsubscribe ? listUnsubscribe(spec.listUnsubscribe) : undefined;
	if (unsub) {
		add('List-Unsubscribe', unsub.value);
		if (unsub.oneClick) add('List-Unsubscribe-Post', 'List-Unsubscribe=One-Click');
	}
	headers.push(...customHeaders(spec.headers));
	const date = spec.date ?? new Date();
	if (Number.isNaN(date.getTime())) throw new MimeError('date', 'date: invalid date');

	const attachments = (spec.attachments ?? []).map((a, i) => {
		const field = `attachments[${i}]`;
		if (!Buffer.isBuffer(a.content)) throw new MimeError(field, `${field}: content must be a Buffer`);
		const filename = safeFilename(a.filename, i);
		const contentType = (a.contentType ?? 'application/octet-stream').trim().toLowerCase();
		if (!/^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/.test(contentType)) {
			throw new MimeError(field, `${field}: invalid content type "${sanitizeHeaderText(contentType)}"`);
		}
		return { filename, contentType, content: a.content };
	});

	const html = spec.html ? crlf(spec.html) : undefined;
	const text = crlf(spec.text || (spec.html ? htmlToText(spec.html) : ''));
	const composer = new MailComposer({
		text,
		html,
		attachments,
		date,
		// Already sanitised ids without whitespace; nodemailer's References formatting only splits and folds them.
		references: references || undefined,
		// Every value above is already sanitised and encoded: nodemailer only folds it.
		headers: headers.map(({ key, value }) => ({ key, value: { prepared: true, foldLines: true, value } })) as never,
	});
	const body = await composer.compile().build();
	return Buffer.concat([Buffer.from(addressLines.join(''), 'ascii'), body]);
}

/** base64url without padding: what Gmail's messages.send expects in raw. */
export function toBase64Url(buf: Buffer): string {
	return buf.toString('base64url');
}

/** The message as base64url (no padding) for messages.send / drafts, and its size in bytes. */
export async function buildRaw(spec: MessageSpec): Promise<{ raw: string; size: number }> {
	const buf = await buildMime(spec);
	return { raw: toBase64Url(buf), size: buf.length };
}
