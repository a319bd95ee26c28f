import PostalMime from 'postal-mime';
import { badRequest } from './errors';

/** One address, flattened out of any group. */
export interface Addr {
	name: string;
	address: string;
}

/** What the sandbox needs to know about a message, parsed by postal-mime (never by our own MIME builder). */
export interface ParsedMessage {
	headers: Array<{ name: string; value: string }>;
	from?: Addr;
	to: Addr[];
	cc: Addr[];
	bcc: Addr[];
	subject: string;
	messageId?: string;
	inReplyTo: string[];
	references: string[];
	text: string;
	html: string;
	attachments: Array<{ filename: string; mimeType: string; size: number }>;
	date?: string;
}

/** Gmail's message part resource. */
export interface MessagePart {
	partId: string;
	mimeType: string;
	filename: string;
	headers: Array<{ name: string; value: string }>;
	body: { size: number; data?: string; attachmentId?: string };
	parts?: MessagePart[];
}

/** Most bytes Gmail accepts for one message (35 MB). */
export const MAX_MESSAGE_BYTES = 36_700_160;

/** Decodes a `raw` field as Gmail does: base64url only; '+' or '/' fail with Gmail's wording. */
export function decodeRaw(raw: unknown, acceptPadding: boolean, field = 'message.raw'): string {
	if (typeof raw !== 'string' || raw.length === 0) {
		throw badRequest("'raw' RFC822 payload message string or uploading message via /upload/* URL required");
	}
	const body = acceptPadding ? raw.replace(/={1,2}$/, '') : raw;
	if (!/^[A-Za-z0-9_-]*$/.test(body) || body.length % 4 === 1) {
		const shown = raw.length > 80 ? `${raw.slice(0, 80)}…` : raw;
		throw badRequest(`Invalid value at '${field}' (TYPE_BYTES), Base64 decoding failed for "${shown}"`);
	}
	const bytes = Buffer.from(body, 'base64url');
	if (bytes.length > MAX_MESSAGE_BYTES) throw badRequest('Request payload size exceeds the limit: 36700160 bytes.');
	return bytes.toString('utf8');
}

/** base64url of a string's UTF-8 bytes, without padding (Gmail's output form). */
export function encodeRaw(text: string | Buffer): string {
	return Buffer.from(text).toString('base64url');
}

/** Strips angle brackets and spaces from a Message-ID so ids compare equal however they were written. */
export function msgIdKey(id: string): string {
	return id.trim().replace(/^<|>$/g, '').trim();
}

/** All `<...>` ids in a References / In-Reply-To value. */
export function idList(value: string | undefined): string[] {
	if (!value) return [];
	const found = value.match(/<[^<>]+>/g);
	if (found) return found.map(msgIdKey);
	return value.split(/\s+/).filter(Boolean).map(msgIdKey);
}

function flatten(list: PostalMime.Address[] | undefined): Addr[] {
	const out: Addr[] = [];
	for (const a of list ?? []) {
		if (a.group) out.push(...a.group.map((m) => ({ name: m.name, address: m.address })));
		else if (a.address) out.push({ name: a.name, address: a.address });
	}
	return out;
}

/** Parses RFC 5322 text with postal-mime into the fields the sandbox uses. */
export async function parseMessage(raw: string): Promise<ParsedMessage> {
	const email = await PostalMime.parse(raw, { attachmentEncoding: 'arraybuffer' });
	const from = flatten(email.from ? [email.from] : [])[0];
	return {
		headers: email.headers.map((h) => ({ name: h.originalKey, value: decodeHeader(h.value) })),
		from,
		to: flatten(email.to),
		cc: flatten(email.cc),
		bcc: flatten(email.bcc),
		subject: email.subject ?? '',
		messageId: email.messageId ? msgIdKey(email.messageId) : undefined,
		inReplyTo: idList(email.inReplyTo),
		references: idList(email.references),
		text: email.text ?? '',
		html: email.html ?? '',
		attachments: email.attachments
			.filter((a) => a.disposition !== 'inline' || a.filename)
			.map((a) => ({
				filename: a.filename ?? '',
				mimeType: a.mimeType,
				size: typeof a.content === 'string' ? a.content.length : a.content.byteLength,
			})),
		date: email.date,
	};
}

function decodeHeader(value: string): string {
	try {
		return PostalMime.decodeWords(value);
	} catch {
		return value;
	}
}

/** First header of that name (case-insensitive). */
export function headerOf(p: ParsedMessage, name: string): string | undefined {
	const n = name.toLowerCase();
	return p.headers.find((h) => h.name.toLowerCase() === n)?.value;
}

/** The subject without Re:/Fwd: prefixes, lower-cased and with runs of spaces collapsed: what threading compares. */
export function baseSubject(subject: string): string {
	let s = subject.trim();
	for (;;) {
		const next = s.replace(/^\s*(re|fwd?|aw|wg)\s*(\[\d+\])?\s*:\s*/i, '');
		if (next === s) break;
		s = next;
	}
	return s.replace(/\s+/g, ' ').trim().toLowerCase();
}

function eolOf(raw: string): string {
	return raw.includes('\r\n') ? '\r\n' : '\n';
}

function splitHead(raw: string): { head: string; sep: string; body: string } {
	const m = /\r?\n\r?\n/.exec(raw);
	if (!m) return { head: raw, sep: '', body: '' };
	return { head: raw.slice(0, m.index), sep: m[0], body: raw.slice(m.index + m[0].length) };
}

/** Removes every occurrence of a top-level header, folded lines included. */
export function removeHeader(raw: string, name: string): string {
	const eol = eolOf(raw);
	const { head, sep, body } = splitHead(raw);
	const kept: string[] = [];
	let skipping = false;
	for (const line of head.split(/\r?\n/)) {
		if (/^[ \t]/.test(line) && skipping) continue;
		skipping = line.toLowerCase().startsWith(`${name.toLowerCase()}:`);
		if (!skipping) kept.push(line);
	}
	return kept.join(eol) + (sep || eol + eol) + body;
}

/** Sets a top-level header: removes every occurrence and appends one at the end of the header block. */
export function setHeader(raw: string, name: string, value: string): string {
	const eol = eolOf(raw);
	const { head, sep, body } = splitHead(removeHeader(raw, name));
	return (head ? head + eol : '') + `${name}: ${value}` + (sep || eol + eol) + body;
}

interface RawPart {
	headers: Array<{ name: string; value: string }>;
	body: string;
}

function parseRawPart(text: string): RawPart {
	const { head, body } = splitHead(text);
	const headers: Array<{ name: string; value: string }> = [];
	for (const line of head.split(/\r?\n/)) {
		if (/^[ \t]/.test(line) && headers.length) headers[headers.length - 1].value += ' ' + line.trim();
		else {
			const i = line.indexOf(':');
			if (i > 0) headers.push({ name: line.slice(0, i).trim(), value: line.slice(i + 1).trim() });
		}
	}
	return { headers, body };
}

/** Parses `type/sub; a=b; c="d"` into the lower-cased type and its parameters. */
export function contentType(value: string | undefined): { type: string; params: Record<string, string> } {
	const [type, ...rest] = (value ?? 'text/plain').split(';');
	const params: Record<string, string> = {};
	for (const p of rest) {
		const i = p.indexOf('=');
		if (i < 0) continue;
		params[p.slice(0, i).trim().toLowerCase()] = p.slice(i + 1).trim().replace(/^"|"$/g, '');
	}
	return { type: type.trim().toLowerCase() || 'text/plain', params };
}

function decodeQP(text: string): Buffer {
	const bytes: number[] = [];
	const s = text.replace(/=\r?\n/g, '');
	for (let i = 0; i < s.length; i++) {
		if (s[i] === '=' && /^[0-9A-Fa-f]{2}$/.test(s.slice(i + 1, i + 3))) {
			bytes.push(parseInt(s.slice(i + 1, i + 3), 16));
			i += 2;
		} else bytes.push(...Buffer.from(s[i], 'utf8'));
	}
	return Buffer.from(bytes);
}

function decodeBody(body: string, encoding: string | undefined): Buffer {
	const e = (encoding ?? '').toLowerCase().trim();
	if (e === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64');
	if (e === 'quoted-printable') return decodeQP(body);
	return Buffer.from(body, 'utf8');
}

function hdr(part: RawPart, name: string): string | undefined {
	return part.headers.find((h) => h.name.toLowerCase() === name)?.value;
}

function childTexts(part: RawPart, boundary: string): string[] {
	const b = boundary.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
	const chunks = part.body.split(new RegExp(`^--${b}(?:--)?[ \\t]*\\r?$\\n?`, 'm'));
	// chunks[0] is the preamble; after a closing boundary the last chunk is the epilogue.
	const inner = chunks.slice(1, part.body.includes(`--${boundary}--`) ? -1 : undefined);
	return inner.map((c) => c.replace(/\r?\n$/, ''));
}

/** Gmail's `payload` tree for a message: structure split here, header values decoded by postal-mime. */
export function buildPayload(raw: string, messageId: string): MessagePart {
	const walk = (text: string, partId: string): MessagePart => {
		const part = parseRawPart(text);
		const ct = contentType(hdr(part, 'content-type'));
		const disposition = contentType(hdr(part, 'content-disposition'));
		const filename = disposition.params.filename ?? ct.params.name ?? '';
		const headers = part.headers.map((h) => ({ name: h.name, value: decodeHeader(h.value) }));
		const out: MessagePart = { partId, mimeType: ct.type, filename: decodeHeader(filename), headers, body: { size: 0 } };
		if (ct.type.startsWith('multipart/') && ct.params.boundary) {
			out.parts = childTexts(part, ct.params.boundary).map((c, i) => walk(c, partId === '' ? String(i) : `${partId}.${i}`));
			return out;
		}
		const data = decodeBody(part.body, hdr(part, 'content-transfer-encoding'));
		if (filename || disposition.type === 'attachment') {
			out.body = { size: data.length, attachmentId: Buffer.from(`${messageId}:${partId}`).toString('base64url') };
		} else {
			out.body = { size: data.length, data: data.toString('base64url') };
		}
		return out;
	};
	return walk(raw, '');
}

/** The bytes of one attachment, found by the attachmentId buildPayload gave it. */
export function attachmentData(raw: string, messageId: string, attachmentId: string): Buffer | undefined {
	const [mid, partId] = Buffer.from(attachmentId, 'base64url').toString('utf8').split(':');
	if (mid !== messageId || !partId) return undefined;
	let part = parseRawPart(raw);
	for (const idx of partId.split('.').map(Number)) {
		const boundary = contentType(hdr(part, 'content-type')).params.boundary;
		const child = boundary ? childTexts(part, boundary)[idx] : undefined;
		if (child === undefined) return undefined;
		part = parseRawPart(child);
	}
	return decodeBody(part.body, hdr(part, 'content-transfer-encoding'));
}

/** Gmail-style snippet: the start of the text body, whitespace collapsed, HTML-escaped. */
export function snippetOf(p: ParsedMessage): string {
	const source = p.text || p.html.replace(/<style[\s\S]*?<\/style>|<[^>]+>/gi, ' ');
	const s = source.replace(/\s+/g, ' ').trim().slice(0, 160);
	return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}
