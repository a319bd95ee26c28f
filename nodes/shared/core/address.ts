import { domainToASCII, domainToUnicode } from 'node:url';

/** An email address with an optional display name. */
export interface ParsedAddress {
	name?: string;
	address: string;
}

/** Thrown when an address cannot be parsed or is not a valid mailbox. */
export class AddressError extends Error {
	override name = 'AddressError' as const;
	input: string;
	constructor(input: string, problem: string, options?: { cause?: unknown }) {
		super(`Invalid email address "${printable(input)}": ${problem}`, options);
		this.input = input;
	}
}

/** C0, DEL, C1 controls and the Unicode line/paragraph separators: never allowed in a header. */
export const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
const CONTROL_CHARS_G = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

/** Shows control characters as escapes so error messages stay on one line. */
function printable(s: string): string {
	return s.replace(CONTROL_CHARS_G, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}

// RFC 5322 dot-atom text for the local part (ASCII only; SMTPUTF8 local parts are not supported by Gmail's API sends).
const LOCAL_ATOM = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+$/;
const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** Validates a bare address and returns it trimmed (domain kept as given, for display). */
function validateAddress(raw: string, input: string): string {
	const address = raw.trim();
	if (CONTROL_CHARS.test(address)) throw new AddressError(input, 'contains control characters');
	if (address === '') throw new AddressError(input, 'empty address');
	if (/\s/.test(address)) throw new AddressError(input, 'contains whitespace');
	const at = address.lastIndexOf('@');
	if (at < 0) throw new AddressError(input, 'missing @');
	const local = address.slice(0, at);
	const domain = address.slice(at + 1);
	if (local === '') throw new AddressError(input, 'missing local part before @');
	if (domain === '') throw new AddressError(input, 'missing domain');
	if (local.length > 64) throw new AddressError(input, 'local part longer than 64 characters');
	if (local.split('.').some((atom) => !LOCAL_ATOM.test(atom))) {
		throw new AddressError(input, `invalid local part "${local}"`);
	}
	asciiDomain(domain, input);
	return address;
}

/** Converts a domain to lower-case ASCII (punycode), validating every label. */
function asciiDomain(domain: string, input: string): string {
	if (domain.startsWith('[')) throw new AddressError(input, 'IP address literals are not supported');
	const ascii = domainToASCII(domain.toLowerCase());
	if (ascii === '') throw new AddressError(input, `invalid domain "${domain}"`);
	const labels = ascii.split('.');
	if (labels.length < 2) throw new AddressError(input, `domain "${domain}" has no top-level domain`);
	if (labels.some((l) => !LABEL.test(l))) throw new AddressError(input, `invalid domain "${domain}"`);
	if (/^[0-9]+$/.test(labels[labels.length - 1])) throw new AddressError(input, `invalid domain "${domain}"`);
	if (ascii.length > 253) throw new AddressError(input, 'domain longer than 253 characters');
	return ascii;
}

/** Removes RFC 5322 quoting from a display name. */
function unquoteName(name: string): string {
	const t = name.trim();
	if (t.length >= 2 && t.startsWith('"') && t.endsWith('"')) {
		return t.slice(1, -1).replace(/\\(.)/g, '$1');
	}
	return t;
}

/** Parses 'Name <a@b>', '"Last, First" <a@b>', '<a@b>' or 'a@b' into a validated address. */
export function parseAddress(input: string): ParsedAddress {
	if (typeof input !== 'string') throw new AddressError(String(input), 'not a string');
	if (CONTROL_CHARS.test(input)) throw new AddressError(input, 'contains control characters');
	const s = input.trim();
	if (s === '') throw new AddressError(input, 'empty address');
	const open = s.lastIndexOf('<');
	if (open >= 0 || s.endsWith('>')) {
		if (open < 0 || !s.endsWith('>')) throw new AddressError(input, 'unbalanced angle brackets');
		const inner = s.slice(open + 1, -1);
		if (inner.includes('<') || inner.includes('>')) throw new AddressError(input, 'unbalanced angle brackets');
		const address = validateAddress(inner, input);
		const rawName = s.slice(0, open);
		if (/[<>]/.test(rawName)) throw new AddressError(input, 'unbalanced angle brackets');
		if (rawName.trim().startsWith('"') && !/^\s*"(?:[^"\\]|\\.)*"\s*$/.test(rawName)) {
			throw new AddressError(input, 'unterminated quoted display name');
		}
		const name = unquoteName(rawName);
		return name ? { name, address } : { address };
	}
	return { address: validateAddress(s, input) };
}

/** Splits on commas/semicolons outside quotes and angle brackets. */
function splitList(s: string): string[] {
	const out: string[] = [];
	let cur = '';
	let quoted = false;
	let angle = false;
	for (let i = 0; i < s.length; i++) {
		const c = s[i];
		if (quoted && c === '\\' && i + 1 < s.length) {
			cur += c + s[++i];
			continue;
		}
		if (c === '"') quoted = !quoted;
		else if (!quoted && c === '<') angle = true;
		else if (!quoted && c === '>') angle = false;
		else if (!quoted && !angle && (c === ',' || c === ';')) {
			out.push(cur);
			cur = '';
			continue;
		}
		cur += c;
	}
	out.push(cur);
	return out.map((p) => p.trim()).filter((p) => p !== '');
}

/** Parses a comma- or semicolon-separated list (or an array of such lists) of addresses. */
export function parseAddressList(input: string | string[]): ParsedAddress[] {
	const parts = (Array.isArray(input) ? input : [input]).flatMap((s) => {
		if (typeof s !== 'string') throw new AddressError(String(s), 'not a string');
		if (CONTROL_CHARS.test(s)) throw new AddressError(s, 'contains control characters');
		return splitList(s);
	});
	return parts.map(parseAddress);
}

/**
 * Canonical comparison/dedupe key: trimmed, whole address lower-cased, domain in punycode.
 * The local part is lower-cased too because Gmail and practically every provider treat it
 * case-insensitively; dots and +tags are kept (they are not equivalent outside gmail.com).
 * Throws AddressError for an invalid address.
 */
export function normalizeAddress(address: string): string {
	const a = parseAddress(address).address;
	const at = a.lastIndexOf('@');
	return `${a.slice(0, at).toLowerCase()}@${asciiDomain(a.slice(at + 1), address)}`;
}

/** The address with its domain in ASCII (punycode), local part untouched: what goes on the wire. */
export function asciiAddress(address: string): string {
	const a = parseAddress(address).address;
	const at = a.lastIndexOf('@');
	return `${a.slice(0, at)}@${asciiDomain(a.slice(at + 1), address)}`;
}

/** The address with its domain in Unicode, for display. */
export function displayAddress(address: string): string {
	const a = parseAddress(address).address;
	const at = a.lastIndexOf('@');
	return `${a.slice(0, at)}@${domainToUnicode(asciiDomain(a.slice(at + 1), address))}`;
}

/** True when both strings name the same mailbox (see normalizeAddress). */
export function sameAddress(a: string, b: string): boolean {
	return normalizeAddress(a) === normalizeAddress(b);
}

/** Formats as 'Name <a@b>' (name quoted when needed) or the bare address. */
export function formatAddress(a: ParsedAddress): string {
	const name = (a.name ?? '').replace(CONTROL_CHARS_G, ' ').trim();
	if (!name) return a.address;
	const quoted = /^[\p{L}\p{N} !#$%&'*+/=?^_`{|}~-]+$/u.test(name) ? name : `"${name.replace(/(["\\])/g, '\\$1')}"`;
	return `${quoted} <${a.address}>`;
}

/** The normalised (lower-case ASCII) domain of an address. */
export function domainOf(address: string): string {
	const n = normalizeAddress(address);
	return n.slice(n.lastIndexOf('@') + 1);
}
