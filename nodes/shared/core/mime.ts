import { randomUUID } from 'node:crypto';
import { domainToASCII } from 'node:url';
import MailComposer from 'nodemailer/lib/mail-composer';
import mimeFuncs from 'nodemailer/lib/mime-funcs';
import qp from 'nodemailer/lib/qp';
import { AddressError, asciiAddress, parseAddress, parseAddressList, type ParsedAddress } from './address';
import { htmlToText } from './template';
import { parseMessageIds } from './threading';

/** Gmail's API accepts at most 100 recipients (To+Cc+Bcc) per message. */
export const MAX_RECIPIENTS = 100;

/** Gmail's API accepts messages of at most 35 MB (36,700,160 bytes) for messages.send and drafts. */
export const MAX_MESSAGE_BYTES = 36_700_160;

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
	/** `cid`: an inline part (e.g. a signature logo the HTML shows as `cid:<cid>`): kept inline in a multipart/related part. */
	attachments?: { filename: string; contentType?: string; content: Buffer; cid?: string }[];
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

// RFC 2047 §5 forbids encoded words in an addr-spec, yet lenient readers (Python's email package among them)
// decode one there anyway: '=?utf-8?b?eA0KQmNjOi…?=@x.test' would reach them as an address holding CR LF.
const ENCODED_WORD = /=\?.*\?=/;

/** True when the local part of an address looks like an RFC 2047 encoded word ('=?…?='), which readers may decode. */
export function encodedWordLocalPart(address: string): boolean {
	return address.includes('=?') && ENCODED_WORD.test(address.slice(0, address.lastIndexOf('@')));
}

/** A validated address with its wire form (domain in punycode), so it is parsed once per build. */
interface WireAddress {
	name?: string;
	address: string;
	wire: string;
}

// The sender's domain (and a campaign's few lead domains) repeat on every message.
const ASCII_DOMAINS = new Map<string, string>();

/**
 * asciiAddress for an address parseAddress already validated: the same lower-cased punycode domain,
 * without parsing and validating the address a second and third time.
 */
function wireAddress(address: string): string {
	const at = address.lastIndexOf('@');
	const domain = address.slice(at + 1);
	let ascii = ASCII_DOMAINS.get(domain);
	if (ascii === undefined) {
		ascii = domainToASCII(domain.toLowerCase());
		if (ASCII_DOMAINS.size >= 1024) ASCII_DOMAINS.clear();
		ASCII_DOMAINS.set(domain, ascii);
	}
	return `${address.slice(0, at)}@${ascii}`;
}

/** The wire form of a validated address; refuses a local part a reader could decode into other text. */
function toWire(a: ParsedAddress): WireAddress {
	if (encodedWordLocalPart(a.address)) throw new AddressError(a.address, 'the local part looks like an RFC 2047 encoded word ("=?…?=")');
	return { ...a, wire: wireAddress(a.address) };
}

/** Parses one address field into validated addresses (domain in punycode for the wire). */
function addresses(field: string, value: Addresses | undefined): WireAddress[] {
	if (value === undefined || value === null || value === '') return [];
	const list = Array.isArray(value) ? value : [value];
	const result = attempt(() =>
		list.flatMap((v): WireAddress[] => {
			if (typeof v === 'string') return parseAddressList(v).map(toWire);
			if (!v || typeof v.address !== 'string') throw new AddressError(String(v), 'not an address');
			const parsed = parseAddress(v.address);
			if (parsed.name !== undefined) throw new AddressError(v.address, 'address field contains a display name');
			return [toWire({ name: v.name, address: parsed.address })];
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
function formatAddresses(list: WireAddress[]): string {
	let out = '';
	for (const a of list) {
		const name = a.name ? encodeName(a.name) : '';
		out += (out ? ', ' : '') + (name ? `${name} <${a.wire}>` : a.wire);
	}
	return out;
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
	const { head, body } = await buildParts(spec);
	return Buffer.concat([head, ...body]);
}

/** The message as the address header lines we write and the rest nodemailer writes, not yet joined. */
async function buildParts(spec: MessageSpec): Promise<{ head: Buffer; body: Buffer[] }> {
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
	const fromDomain = from[0].wire.slice(from[0].wire.lastIndexOf('@') + 1);
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
		if (a.cid === undefined) return { filename, contentType, content: a.content };
		const cid = a.cid.trim().replace(/^<|>$/g, '');
		// RFC 2392: a Content-ID is an addr-spec-like token; anything that could break the header line is refused.
		if (!/^[\x21-\x3b\x3d\x3f-\x7e]{1,200}$/.test(cid)) throw new MimeError(field, `${field}: invalid Content-ID "${sanitizeHeaderText(cid)}"`);
		return { filename, contentType, content: a.content, cid, contentDisposition: 'inline' as const };
	});

	// base64 makes every 3 attachment bytes 4, so attachments alone may already exceed Gmail's limit: fail before encoding them.
	const attachmentBytes = attachments.reduce((n, a) => n + Math.ceil(a.content.length / 3) * 4, 0);
	if (attachmentBytes > MAX_MESSAGE_BYTES) throw tooLarge(attachmentBytes, 'at least ');

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
	const tree = composer.compile();
	const body = mimeTreeChunks(tree as unknown as TreeNode) ?? [await tree.build()];
	const head = Buffer.from(addressLines.join(''), 'ascii');
	const size = body.reduce((n, b) => n + b.length, head.length);
	// Gmail refuses a larger message whatever the retry, so it fails here, naming what made it large.
	if (size > MAX_MESSAGE_BYTES) throw tooLarge(size, '', attachments.length ? 'attachments' : html ? 'html' : 'text');
	return { head, body };
}

/** The MimeError for a message over Gmail's size limit. */
function tooLarge(bytes: number, prefix: string, field = 'attachments'): MimeError {
	const mb = (n: number) => (n / 1024 / 1024).toFixed(1);
	return new MimeError(
		field,
		`${field}: the message is ${prefix}${bytes.toLocaleString('en-US')} bytes (${mb(bytes)} MB) once encoded; Gmail accepts at most ${MAX_MESSAGE_BYTES.toLocaleString('en-US')} bytes (35 MB) per message`,
	);
}

/** What MimeNode.stream() reads of a node (fields its published typings leave out). */
export interface TreeNode {
	buildHeaders(): string;
	getTransferEncoding(): string | false;
	content?: unknown;
	multipart?: string | false;
	boundary?: string | false;
	childNodes: TreeNode[];
	_raw?: unknown;
	_transforms: unknown[];
	_processFuncs: unknown[];
	newline?: unknown;
}

/**
 * The bytes MimeNode.build() streams for a compiled MailComposer tree, written synchronously: nodemailer
 * still decides the tree, every header and each part's encoding, and encodes with its own functions, but
 * without a PassThrough, an encoder stream and several setImmediate turns per part (most of a small
 * message's build time). Undefined when the tree holds something only the streams handle (raw parts,
 * streamed, file or URL content, transforms); the caller then uses build().
 */
export function writeMimeTree(root: TreeNode): Buffer | undefined {
	const chunks = mimeTreeChunks(root);
	return chunks && Buffer.concat(chunks);
}

/** writeMimeTree's bytes, not yet joined: an attachment's encoded lines stay one shared chunk, never copied per message. */
function mimeTreeChunks(root: TreeNode): Buffer[] | undefined {
	if (root._transforms.length || root._processFuncs.length || root.newline) return undefined;
	const chunks: Array<string | Buffer> = [];
	if (!writeNode(root, chunks)) return undefined;
	const bytes = chunks.map((c) => (typeof c === 'string' ? Buffer.from(c, 'utf8') : c));
	// nodemailer's LastNewline transform: the message ends with a line break.
	let end = -1;
	for (let i = bytes.length - 1; i >= 0 && end < 0; i--) if (bytes[i].length) end = bytes[i][bytes[i].length - 1];
	if (end !== 0x0a) bytes.push(Buffer.from(end === 0x0d ? '\n' : '\r\n'));
	return bytes;
}

/** One node as MimeNode.stream() writes it: headers, content in its transfer encoding, then the child parts. */
function writeNode(node: TreeNode, out: Array<string | Buffer>): boolean {
	if (node._raw) return false;
	const encoding = node.getTransferEncoding();
	out.push(node.buildHeaders() + '\r\n\r\n');
	const content = node.content;
	if (content) {
		if (typeof content !== 'string' && !(Buffer.isBuffer(content) && !(content as { _resolve?: unknown })._resolve)) return false;
		const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
		if (encoding === 'base64') out.push(typeof content === 'string' ? base64Lines(bytes) : sharedBase64Lines(bytes));
		else if (encoding === 'quoted-printable') out.push(qp.wrap(qp.encode(bytes), 76));
		else out.push(bytes);
	}
	if (node.multipart) {
		for (const [i, child] of node.childNodes.entries()) {
			out.push(`${i > 0 ? '\r\n' : ''}--${node.boundary}\r\n`);
			if (!writeNode(child, out)) return false;
		}
		out.push(`\r\n--${node.boundary}--\r\n`);
	}
	return true;
}

/** Encoded attachments by their content Buffer: one brochure sent to 500 leads is encoded once, not 500 times. */
const ENCODED = new WeakMap<Buffer, Buffer>();

/** base64Lines of an attachment, shared while its Buffer lives (attachment Buffers are never written to after loading). */
function sharedBase64Lines(content: Buffer): Buffer {
	if (content.length < 64 * 1024) return base64Lines(content);
	let lines = ENCODED.get(content);
	if (!lines) ENCODED.set(content, (lines = base64Lines(content)));
	return lines;
}

/**
 * What nodemailer's base64 Encoder emits for content written in one chunk: its base64.wrap of the whole
 * 3-byte groups (no break when they fit one line, else CRLF after every full 76 characters), then the
 * last 1–2 bytes' group added to the last line. Copied line by line: the wrap's regex was most of the
 * time spent on a message with a 1 MB attachment.
 */
function base64Lines(content: Buffer): Buffer {
	const rest = content.length % 3;
	const whole = Buffer.from(content.subarray(0, content.length - rest).toString('base64'), 'latin1');
	const tail = rest ? content.subarray(content.length - rest).toString('base64') : '';
	const lines = whole.length > 76 ? Math.floor(whole.length / 76) : 0;
	const out = Buffer.allocUnsafe(whole.length + lines * 2 + tail.length);
	let at = 0;
	for (let k = 0; k < lines; k++) {
		at += whole.copy(out, at, k * 76, k * 76 + 76);
		out[at++] = 0x0d;
		out[at++] = 0x0a;
	}
	at += whole.copy(out, at, lines * 76);
	out.write(tail, at, 'latin1');
	return out;
}

/** base64url without padding: what Gmail's messages.send expects in raw. */
export function toBase64Url(buf: Buffer): string {
	return buf.toString('base64url');
}

/** A built message: its size in bytes, its first bytes, and the base64url text Gmail takes (encoded when first read). */
export interface BuiltRaw {
	readonly size: number;
	readonly raw: string;
	/** The message's first `bytes` bytes (its headers, for a preview), without encoding the whole of it. */
	start(bytes: number): Buffer;
}

/** The message for messages.send / drafts (base64url, no padding), and its size in bytes. */
export async function buildRaw(spec: MessageSpec): Promise<BuiltRaw> {
	const { head, body } = await buildParts(spec);
	const parts = [head, ...body];
	let raw: string | undefined;
	return {
		size: parts.reduce((n, b) => n + b.length, 0),
		// A preview that shows only the start never pays for the whole text (1.4× the message, per lead), nor for
		// the joined bytes: a shared attachment stays one chunk until a send needs it.
		get raw() {
			return (raw ??= toBase64Url(Buffer.concat(parts)));
		},
		start(bytes) {
			const first: Buffer[] = [];
			for (let n = 0, k = 0; n < bytes && k < parts.length; n += parts[k++].length) first.push(parts[k].subarray(0, bytes - n));
			return Buffer.concat(first);
		},
	};
}
