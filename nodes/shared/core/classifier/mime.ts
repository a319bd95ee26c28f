// A small, forgiving MIME reader for inbound mail (RFC 5322, 2045–2047, 2231, 3464, 6532/6533). It never throws:
// bounces, auto-replies and spam complaints come from every kind of software, and a broken one must still be read.
// Bytes are kept as 'binary' (latin1) strings, one char per octet, until a charset is known.
import { decodeBytes } from './charset';
import { htmlToPlain } from './html';

/** One header field: lower-case name and its unfolded, still undecoded value. */
export interface RawHeader {
	name: string;
	value: string;
}

/** One MIME entity: headers, media type and parameters, transfer-encoded body, children (multipart parts or the embedded message). */
export interface MimePart {
	headers: RawHeader[];
	/** Lower-case media type, e.g. 'text/plain'. */
	type: string;
	params: Record<string, string>;
	/** The body as octets in a binary string, still transfer-encoded. */
	body: string;
	parts: MimePart[];
}

// Caps keep a hostile or huge message cheap: what decides a class sits in the first few hundred KB.
const MAX_RAW = 2_000_000;
const MAX_DEPTH = 8;
const MAX_PARTS = 200;
const MAX_TEXT = 300_000;

/** Octets of the input as a binary string (a JS string with chars above U+00FF is taken as already decoded text, re-encoded as UTF-8). */
export function toBinary(raw: string | Uint8Array): string {
	if (typeof raw === 'string') {
		const s = raw.length > MAX_RAW ? raw.slice(0, MAX_RAW) : raw;
		return /[^\x00-\xff]/.test(s) ? Buffer.from(s, 'utf8').toString('latin1') : s;
	}
	const bytes = raw.byteLength > MAX_RAW ? raw.subarray(0, MAX_RAW) : raw;
	return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}

/** Parses a whole message (or an embedded one) into its MIME tree. */
export function parseMessage(raw: string | Uint8Array): MimePart {
	const counter = { parts: 0 };
	return parseEntity(toBinary(raw), 0, counter);
}

const HEADER_LINE = /^([!-9;-~]+)[ \t]*:[ \t]*(.*)$/;

/** Splits header block and body; a text that does not start with a header is all body. */
function splitHead(bin: string): { headers: RawHeader[]; body: string } {
	let start = 0;
	// An mbox 'From ' line or stray leading blank lines are not headers.
	if (bin.startsWith('From ')) start = bin.indexOf('\n') + 1 || bin.length;
	const headers: RawHeader[] = [];
	let pos = start;
	let current: RawHeader | undefined;
	while (pos < bin.length) {
		let end = bin.indexOf('\n', pos);
		if (end < 0) end = bin.length;
		const line = bin.slice(pos, end).replace(/\r$/, '');
		if (line === '') {
			return { headers, body: bin.slice(end + 1) };
		}
		if ((line[0] === ' ' || line[0] === '\t') && current) {
			current.value += ' ' + line.trim();
		} else {
			const m = HEADER_LINE.exec(line.length > 20_000 ? line.slice(0, 20_000) : line);
			if (!m) {
				// Not a header: the first line means there are no headers; later, a missing blank line before the body.
				if (!headers.length) return { headers: [], body: bin.slice(start) };
				return { headers, body: bin.slice(pos) };
			}
			current = { name: m[1].toLowerCase(), value: m[2] };
			headers.push(current);
		}
		pos = end + 1;
	}
	return { headers, body: '' };
}

/** A header's parameters and media type: 'text/plain; charset="utf-8"' → { type, params } (RFC 2231 continuations and charsets too). */
export function parseContentType(value: string | undefined): { type: string; params: Record<string, string> } {
	const v = value ?? '';
	const semi = v.indexOf(';');
	const type = (semi < 0 ? v : v.slice(0, semi)).trim().toLowerCase().replace(/\s+/g, '');
	return { type, params: semi < 0 ? {} : parseParams(v.slice(semi + 1)) };
}

function parseParams(s: string): Record<string, string> {
	const raw: Record<string, string> = {};
	const re = /\s*([^=;\s]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"?|([^;]*))\s*;?/gy;
	let m: RegExpExecArray | null;
	let guard = 0;
	while (re.lastIndex < s.length && guard++ < 100) {
		const at = re.lastIndex;
		m = re.exec(s);
		if (!m) {
			// Skip a malformed chunk up to the next ';'.
			const next = s.indexOf(';', at);
			if (next < 0) break;
			re.lastIndex = next + 1;
			continue;
		}
		const name = m[1].toLowerCase();
		const val = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : (m[3] ?? '').trim();
		if (!(name in raw)) raw[name] = val;
	}
	// RFC 2231: name*0, name*1*, name* (charset'lang'percent-encoded).
	const out: Record<string, string> = {};
	const continued = new Map<string, Array<{ n: number; v: string; enc: boolean }>>();
	for (const [k, v] of Object.entries(raw)) {
		const c = /^(.+?)\*(\d+)(\*?)$/.exec(k);
		if (c) {
			const list = continued.get(c[1]) ?? [];
			list.push({ n: Number(c[2]), v, enc: c[3] === '*' });
			continued.set(c[1], list);
		} else if (k.endsWith('*')) out[k.slice(0, -1)] = decode2231(v, true);
		else if (!(k in out)) out[k] = v;
	}
	for (const [k, list] of continued) {
		list.sort((a, b) => a.n - b.n);
		const enc = list[0]?.enc ?? false;
		out[k] = decode2231(list.map((x) => x.v).join(''), enc);
	}
	return out;
}

function decode2231(v: string, encoded: boolean): string {
	if (!encoded) return v;
	const m = /^([^']*)'[^']*'(.*)$/.exec(v);
	const charset = m ? m[1] : 'utf-8';
	const text = m ? m[2] : v;
	const bin = text.replace(/%([0-9a-f]{2})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
	return decodeBytes(Buffer.from(bin, 'latin1'), charset || 'utf-8');
}

function parseEntity(bin: string, depth: number, counter: { parts: number }): MimePart {
	counter.parts++;
	const { headers, body } = splitHead(bin);
	const ctHeader = headers.find((h) => h.name === 'content-type')?.value;
	let { type, params } = parseContentType(ctHeader);
	if (!/^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/.test(type)) type = 'text/plain';
	const part: MimePart = { headers, type, params, body, parts: [] };
	if (depth >= MAX_DEPTH || counter.parts >= MAX_PARTS) return part;
	if (type.startsWith('multipart/')) {
		for (const chunk of splitMultipart(body, params.boundary)) {
			if (counter.parts >= MAX_PARTS) break;
			part.parts.push(parseEntity(chunk, depth + 1, counter));
		}
	} else if (EMBEDDED.has(type)) {
		const inner = transferDecode(body, headerValue(part, 'content-transfer-encoding'));
		part.parts.push(parseEntity(type.endsWith('headers') ? headerOnly(inner) : inner, depth + 1, counter));
	}
	return part;
}

// Parts that carry a message (or its header block): the original a DSN or complaint returns.
const EMBEDDED = new Set(['message/rfc822', 'message/global', 'text/rfc822-headers', 'message/global-headers', 'message/rfc822-headers']);

// A header block without a blank line after it: add one so the reader does not take the last header for body.
function headerOnly(s: string): string {
	return /\r?\n\r?\n/.test(s) ? s : s.replace(/\s*$/, '\r\n\r\n');
}

/** The chunks of a multipart body between its boundary lines (the preamble and epilogue dropped; a missing close tolerated). */
function splitMultipart(body: string, boundary: string | undefined): string[] {
	let b = boundary;
	if (!b) {
		// A lost boundary parameter: guess it from the first delimiter-looking line.
		const m = /^--([^\r\n\s]{1,200})\s*$/m.exec(body.slice(0, 20_000));
		if (!m) return [];
		b = m[1];
	}
	const delim = '--' + b;
	const chunks: string[] = [];
	let pos = findDelimiter(body, delim, 0);
	while (pos >= 0 && chunks.length < MAX_PARTS) {
		let lineEnd = body.indexOf('\n', pos);
		if (lineEnd < 0) lineEnd = body.length;
		const line = body.slice(pos + delim.length, lineEnd);
		if (line.startsWith('--')) break;
		const next = findDelimiter(body, delim, lineEnd);
		const end = next < 0 ? body.length : next;
		chunks.push(body.slice(lineEnd + 1, end).replace(/\r?\n$/, ''));
		pos = next;
	}
	return chunks;
}

// A delimiter counts only at the start of a line.
function findDelimiter(body: string, delim: string, from: number): number {
	let i = body.indexOf(delim, from);
	while (i > 0 && body[i - 1] !== '\n') i = body.indexOf(delim, i + 1);
	return i;
}

/** Undoes base64 or quoted-printable (binary in, binary out); anything else is passed through. */
export function transferDecode(body: string, encoding: string | undefined): string {
	const enc = (encoding ?? '').trim().toLowerCase();
	if (enc === 'base64') return Buffer.from(body.replace(/[^A-Za-z0-9+/]/g, ''), 'base64').toString('latin1');
	if (enc === 'quoted-printable') return decodeQuotedPrintable(body);
	return body;
}

/** Quoted-printable (RFC 2045 §6.7), lenient: a broken '=' sequence is kept as is. */
export function decodeQuotedPrintable(s: string): string {
	return s.replace(/[ \t]+(?=\r?\n)/g, '').replace(/=\r?\n/g, '').replace(/=([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
}

/** The first value of a header, undecoded (binary). */
export function headerValue(part: MimePart, name: string): string | undefined {
	return part.headers.find((h) => h.name === name)?.value;
}

/** The first value of a header as text: raw UTF-8 (RFC 6532) and encoded words (RFC 2047) decoded. */
export function header(part: MimePart, name: string): string {
	const v = headerValue(part, name);
	return v === undefined ? '' : decodeHeaderText(v);
}

/** Every value of a header as text. */
export function headers(part: MimePart, name: string): string[] {
	return part.headers.filter((h) => h.name === name).map((h) => decodeHeaderText(h.value));
}

/** Header text (binary) → string: 8-bit octets as UTF-8 (else Windows-1252), then RFC 2047 encoded words. */
export function decodeHeaderText(value: string): string {
	const v = value.length > 20_000 ? value.slice(0, 20_000) : value;
	const text = /[\x80-\xff]/.test(v) ? decodeBytes(Buffer.from(v, 'latin1'), 'utf-8') : v;
	return decodeEncodedWords(text);
}

const ENCODED_WORD = /=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=/g;

/** Decodes RFC 2047 encoded words; adjacent words of one charset are joined before decoding (a character may span two). */
export function decodeEncodedWords(text: string): string {
	if (!text.includes('=?')) return text;
	const out: string[] = [];
	let last = 0;
	let pending: { charset: string; bytes: Buffer[] } | undefined;
	const flush = () => {
		if (pending) out.push(decodeBytes(Buffer.concat(pending.bytes), pending.charset));
		pending = undefined;
	};
	for (const m of text.matchAll(ENCODED_WORD)) {
		const between = text.slice(last, m.index);
		const charset = m[1].replace(/\*.*$/, '').toLowerCase();
		const bytes = m[2].toLowerCase() === 'b'
			? Buffer.from(m[3].replace(/[^A-Za-z0-9+/]/g, ''), 'base64')
			: Buffer.from(m[3].replace(/_/g, ' ').replace(/=([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1');
		// Whitespace between two encoded words is not part of the text (RFC 2047 §6.2).
		if (pending && /^\s*$/.test(between)) {
			if (pending.charset === charset) pending.bytes.push(bytes);
			else {
				flush();
				pending = { charset, bytes: [bytes] };
			}
		} else {
			flush();
			out.push(between);
			pending = { charset, bytes: [bytes] };
		}
		last = (m.index ?? 0) + m[0].length;
	}
	flush();
	out.push(text.slice(last));
	return out.join('');
}

/** Every part of the tree, depth first (the root included). */
export function* walk(part: MimePart): Generator<MimePart> {
	yield part;
	for (const p of part.parts) yield* walk(p);
}

/** A leaf part's body as text: transfer encoding and charset undone; HTML kept as HTML. */
export function bodyText(part: MimePart): string {
	const bin = transferDecode(part.body.length > MAX_TEXT * 2 ? part.body.slice(0, MAX_TEXT * 2) : part.body, headerValue(part, 'content-transfer-encoding'));
	const text = decodeBytes(Buffer.from(bin.length > MAX_TEXT ? bin.slice(0, MAX_TEXT) : bin, 'latin1'), part.params.charset ?? 'utf-8');
	return text;
}

/** Whether a part is an attachment rather than message text. */
function isAttachment(part: MimePart): boolean {
	return /^\s*attachment/i.test(headerValue(part, 'content-disposition') ?? '');
}

/** The readable body of a message: its first text/plain and first text/html (embedded messages are not entered). */
export function mainBody(root: MimePart): { plain?: string; html?: string } {
	const plain = firstText(root, 'text/plain');
	const html = plain !== undefined && plain.trim() !== '' ? undefined : firstText(root, 'text/html');
	return { ...(plain !== undefined ? { plain } : {}), ...(html !== undefined ? { html } : {}) };
}

/** The text of a body as plain text (HTML converted), optionally without the quoted history HTML marks. */
export function plainOf(body: { plain?: string; html?: string }, stripQuotes = false): string {
	if (body.plain !== undefined && body.plain.trim() !== '') return body.plain;
	if (body.html !== undefined) return htmlToPlain(body.html, { stripQuotes });
	return body.plain ?? '';
}

/** Every text leaf of the tree (embedded messages included) as plain text, joined; capped. */
export function allText(root: MimePart, cap = 300_000): string {
	const out: string[] = [];
	let size = 0;
	for (const p of walk(root)) {
		if (!p.type.startsWith('text/') || p.parts.length) continue;
		const t = p.type === 'text/html' ? htmlToPlain(bodyText(p)) : bodyText(p);
		out.push(t);
		size += t.length;
		if (size > cap) break;
	}
	return out.join('\n');
}

function firstText(part: MimePart, type: string): string | undefined {
	if (part.type === type && !isAttachment(part)) return bodyText(part);
	if (!part.type.startsWith('multipart/')) return undefined;
	for (const p of part.parts) {
		const t = firstText(p, type);
		if (t !== undefined) return t;
	}
	return undefined;
}
