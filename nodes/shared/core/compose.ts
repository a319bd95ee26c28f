import { AddressError, CONTROL_CHARS, normalizeAddress, parseAddress, parseAddressList, type ParsedAddress } from './address';
import { OUTREACH_HEADER, outreachKey } from './idempotency';
import { encodedWordLocalPart, type MessageSpec } from './mime';
import { decodeEntities, escapeHtml, htmlToText, lookupField, missingFields, normalizeFieldName, renderTemplate } from './template';

/**
 * The campaign's name as versions up to 0.1.0 wrote it in every message. Read only, for their evidence: a lead can
 * read every header, so what we send carries nothing but the opaque key; what only we need stays in our labels.
 */
export const LEGACY_CAMPAIGN_HEADER = 'X-Outreach-Campaign';

/**
 * A row field that cannot be used, named so the user can fix the sheet: 'Row 7, field "email": …'. `row` is a row
 * number, or the caller's own words for where the item is (e.g. 'Row 10 (row_number)').
 */
export class FieldError extends Error {
	override name = 'FieldError' as const;
	field: string;
	row: number | string;
	reason: 'invalid_address' | 'invalid_row' | 'missing_fields';
	constructor(row: number | string, field: string, problem: string, reason: FieldError['reason'], options?: { cause?: unknown }) {
		super(`${typeof row === 'number' ? `Row ${row}` : row}, field "${field}": ${problem}`, options);
		this.row = row;
		this.field = field;
		this.reason = reason;
	}
}

/** Where the lead's address and display name come from in the row. */
export interface RecipientFields {
	emailField: string;
	/** Columns joined with a space to form the display name, e.g. ['first_name', 'last_name']. */
	nameFields?: string[];
	/** The address itself, when the caller already has it (an expression); `emailField` then only names it in errors. */
	address?: unknown;
}

/** Reads and validates the lead's address and display name; throws FieldError naming the field. */
export function leadRecipient(row: Record<string, unknown>, fields: RecipientFields, rowNumber: number | string): ParsedAddress {
	const raw = 'address' in fields ? fields.address : lookupField(row, fields.emailField);
	if (raw === undefined || raw === null || String(raw).trim() === '') {
		throw new FieldError(rowNumber, fields.emailField, 'missing or empty', 'missing_fields');
	}
	if (typeof raw !== 'string') {
		throw new FieldError(rowNumber, fields.emailField, `not text (${typeof raw})`, 'invalid_address');
	}
	let list: ParsedAddress[] = [];
	let failure: unknown;
	try {
		list = parseAddressList(raw.trim());
	} catch (error) {
		failure = error;
	}
	if (failure !== undefined || list.length !== 1) {
		const problem =
			failure === undefined
				? `invalid address "${raw.trim()}": expected one address, found ${list.length}`
				: failure instanceof AddressError
					? failure.message.replace(/^Invalid email address /, 'invalid address ')
					: String(failure);
		throw new FieldError(rowNumber, fields.emailField, problem, 'invalid_address', { cause: failure });
	}
	const parsed = list[0];
	if (encodedWordLocalPart(parsed.address)) {
		const problem = `invalid address "${raw.trim()}": the local part looks like an RFC 2047 encoded word ("=?…?=")`;
		throw new FieldError(rowNumber, fields.emailField, problem, 'invalid_address');
	}
	const nameParts: string[] = [];
	for (const field of fields.nameFields ?? []) {
		const value = lookupField(row, field);
		if (value === undefined || value === null) continue;
		// An object or array cell would otherwise become the display name '[object Object]' or 'a,b'.
		if (typeof value === 'object') throw new FieldError(rowNumber, field, `not text (${Array.isArray(value) ? 'array' : 'object'})`, 'invalid_row');
		const text = String(value).trim();
		if (CONTROL_CHARS.test(text)) {
			throw new FieldError(rowNumber, field, 'contains line breaks or control characters', 'invalid_row');
		}
		if (text) nameParts.push(text);
	}
	const name = nameParts.join(' ') || parsed.name;
	return name ? { name, address: parsed.address } : { address: parsed.address };
}

/** What the message says; subject and bodies may hold merge tags, fallbacks and spintax. */
export interface Templates {
	subject: string;
	text?: string;
	html?: string;
}

/** Opt-out: List-Unsubscribe targets (merge tags allowed, values URL-encoded) and a plain footer line. */
export interface UnsubscribeOptions {
	mailto?: string;
	url?: string;
	/** Footer line appended to text and HTML, e.g. 'Not interested? Reply "stop" or visit {{unsubscribe_url}}.' */
	footer?: string;
	/** Sender's postal address, added under the footer (CAN-SPAM). */
	postalAddress?: string;
	/** A follow-up's footer as the first email carried it (already rendered): used as is when no footer or address is set. */
	inheritedFooter?: string[];
}

/** Everything besides the row that shapes one lead's message. */
export interface ComposeOptions {
	from: ParsedAddress;
	to: ParsedAddress;
	campaign: string;
	step: number;
	replyTo?: string;
	cc?: string;
	bcc?: string;
	unsubscribe?: UnsubscribeOptions;
	attachments?: MessageSpec['attachments'];
	/** Literal subject (no merge, no spintax), e.g. a reply's 'Re: …' computed by threading.replyHeaders. */
	subjectOverride?: string;
	inReplyTo?: string;
	references?: string[];
	/** Extra headers; the outreach headers are always set by compose and win. */
	headers?: Record<string, string>;
}

/** A lead's composed message: the spec for mime.buildRaw, the idempotency key and the rendered parts. */
export interface Composed {
	spec: MessageSpec;
	key: string;
	subject: string;
	text: string;
	html?: string;
	/** Required merge fields that are missing or empty in the row (strict mode rejects the row when non-empty). */
	missing: string[];
}

/** The row plus built-in merge fields (email, unsubscribe_url) that the row does not already have. */
function mergeRow(row: Record<string, unknown>, extra: Record<string, string>): Record<string, unknown> {
	const keys = new Set(Object.keys(row).map(normalizeFieldName));
	const out: Record<string, unknown> = { ...row };
	for (const [k, v] of Object.entries(extra)) if (!keys.has(normalizeFieldName(k))) out[k] = v;
	return out;
}

// A UTF-16 surrogate without its pair: encodeURIComponent throws on one ('URI malformed').
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** encodeURIComponent that never throws: a lone surrogate becomes U+FFFD, as it does in the UTF-8 message body. */
function encodeUriValue(text: string): string {
	try {
		return encodeURIComponent(text);
	} catch {
		return encodeURIComponent(text.replace(LONE_SURROGATE, '\uFFFD'));
	}
}

/** The row with every value URL-encoded, for merge tags inside URLs and mailto targets. */
function urlEncodedRow(row: Record<string, unknown>): Record<string, unknown> {
	const out: Record<string, unknown> = {};
	for (const [k, v] of Object.entries(row)) {
		out[k] = v === undefined || v === null ? v : encodeUriValue(typeof v === 'object' ? JSON.stringify(v) : String(v));
	}
	return out;
}

/** Opens the footer paragraph of the HTML part (a follow-up finds the first email's footer by it). */
const FOOTER_HTML = '<p style="color:#666;font-size:12px">';
/** RFC 3676's signature separator before the text footer: mail clients set it apart and leave it out of quotes. */
const TEXT_FOOTER = '\n\n-- \n';

/** The footer lines of a message this composer wrote (the HTML's footer paragraph, else the text after '-- '); none if it had none. */
export function footerOf(parts: { text?: string; html?: string }): string[] {
	let block: string[] = [];
	if (parts.html?.trim()) {
		const at = parts.html.lastIndexOf(FOOTER_HTML);
		const end = at < 0 ? -1 : parts.html.indexOf('</p>', at);
		if (end > at) block = parts.html.slice(at + FOOTER_HTML.length, end).split(/<br\s*\/?>/i).map(decodeEntities);
	} else if (parts.text) {
		const text = parts.text.replace(/\r\n/g, '\n');
		const at = text.lastIndexOf(TEXT_FOOTER);
		if (at >= 0) block = text.slice(at + TEXT_FOOTER.length).split('\n');
	}
	return block.map((l) => l.trim()).filter((l) => l !== '' && !CONTROL_CHARS.test(l));
}

/** Inserts HTML before </body> when there is one, else appends it. */
export function appendHtml(html: string, addition: string): string {
	const at = html.search(/<\/body\s*>/i);
	return at < 0 ? `${html}\n${addition}` : `${html.slice(0, at)}${addition}\n${html.slice(at)}`;
}

/** Renders a lead's row into a complete MessageSpec: merge + spintax seeded by the lead, unsubscribe, footer, outreach headers. */
export function composeMessage(row: Record<string, unknown>, templates: Templates, opts: ComposeOptions): Composed {
	const address = normalizeAddress(opts.to.address);
	const key = outreachKey(opts.campaign, opts.step, opts.to.address);
	const seed = address;
	const unsub = opts.unsubscribe ?? {};
	const base = mergeRow(row, { email: opts.to.address });
	const urlTemplate = unsub.url?.trim();
	const mailtoTemplate = unsub.mailto?.trim();
	// Only rows with an unsubscribe target pay for URL-encoding every value.
	const encoded = urlTemplate || mailtoTemplate ? urlEncodedRow(base) : {};
	const url = urlTemplate ? renderTemplate(urlTemplate, encoded, { seed }) : undefined;
	const mailto = mailtoTemplate ? renderTemplate(mailtoTemplate, encoded, { seed }) : undefined;
	const merged = mergeRow(base, { unsubscribe_url: url ?? '' });

	const required = [templates.text ?? '', templates.html ?? '', unsub.url ?? '', unsub.mailto ?? '', unsub.footer ?? ''];
	if (opts.subjectOverride === undefined) required.unshift(templates.subject);
	const missing = missingFields(required, merged);

	const subject = opts.subjectOverride ?? renderTemplate(templates.subject, merged, { seed });
	let html = templates.html?.trim() ? renderTemplate(templates.html, merged, { html: true, seed }) : undefined;
	let text = templates.text?.trim() ? renderTemplate(templates.text, merged, { seed }) : html ? htmlToText(html) : '';

	const ownFooter = [
		unsub.footer?.trim() ? renderTemplate(unsub.footer.trim(), merged, { seed }) : '',
		unsub.postalAddress?.trim() ?? '',
	].filter((l) => l !== '');
	// An inherited footer the template already writes out (the same signature, say) is not added twice.
	const inherited = unsub.inheritedFooter?.filter((l) => !text.includes(l)).length ? unsub.inheritedFooter : [];
	const footerLines = ownFooter.length ? ownFooter : inherited;
	if (footerLines.length) {
		text = `${text.replace(/\s+$/, '')}${TEXT_FOOTER}${footerLines.join('\n')}\n`;
		if (html !== undefined) {
			html = appendHtml(html, `${FOOTER_HTML}${footerLines.map(escapeHtml).join('<br>')}</p>`);
		}
	}

	const headers: Record<string, string> = {
		...(opts.headers ?? {}),
		[OUTREACH_HEADER]: key,
	};
	const spec: MessageSpec = {
		from: opts.from,
		to: [opts.to],
		subject,
		text,
		headers,
	};
	if (html !== undefined) spec.html = html;
	if (opts.replyTo?.trim()) spec.replyTo = opts.replyTo.trim();
	if (opts.cc?.trim()) spec.cc = opts.cc.trim();
	if (opts.bcc?.trim()) spec.bcc = opts.bcc.trim();
	if (url || mailto) spec.listUnsubscribe = { ...(mailto ? { mailto } : {}), ...(url ? { url } : {}) };
	if (opts.attachments?.length) spec.attachments = opts.attachments;
	if (opts.inReplyTo) spec.inReplyTo = opts.inReplyTo;
	if (opts.references?.length) spec.references = opts.references;
	return { spec, key, subject, text, html, missing };
}

/** Parses a From value ('Name <a@b>' or 'a@b') and applies a display name when one is given; throws AddressError. */
export function senderAddress(from: string, displayName?: string): ParsedAddress {
	const parsed = parseAddress(from);
	const name = displayName?.trim();
	return name ? { name, address: parsed.address } : parsed;
}
