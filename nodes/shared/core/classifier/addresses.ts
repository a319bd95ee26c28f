// Email addresses as they appear in headers and prose (bounces name them in every shape: <a@b>, a@b:, "a@b" (a@b), RCPT TO:<a@b>).
import { domainToASCII } from 'node:url';
import { normalizeAddress } from '../address';

// Local part: RFC 5322 atext (no quoted strings); domain: labels with letters, digits, hyphens, or non-ASCII (IDN/EAI).
const ATEXT = "A-Za-z0-9!#$%&'*+/=?^_`{|}~\\u00c0-\\uffff-";
const LABEL = '[A-Za-z0-9\\u00c0-\\uffff](?:[A-Za-z0-9\\u00c0-\\uffff-]{0,61}[A-Za-z0-9\\u00c0-\\uffff])?';
// Bounded quantifiers: a long run of letters without '@' must not cost quadratic backtracking.
const EMAIL = new RegExp(`[${ATEXT}]{1,64}(?:\\.[${ATEXT}]{1,64}){0,8}@(?:${LABEL}\\.){1,8}[A-Za-z\\u00c0-\\uffff][A-Za-z0-9\\u00c0-\\uffff-]{0,62}`, 'g');

/** An address lower-cased and normalised (punycode domain); one the sending side rejects is still lower-cased, its domain in punycode. */
export function canonical(address: string): string {
	const a = address.trim().replace(/^[<"'(]+|[>"'),;:.]+$/g, '');
	try {
		return normalizeAddress(a);
	} catch {
		// An internationalised local part (RFC 6531) is not valid for the sending side, but it is still an address.
		const at = a.lastIndexOf('@');
		if (at <= 0) return a.toLowerCase();
		const domain = a.slice(at + 1).toLowerCase();
		return `${a.slice(0, at).toLowerCase()}@${domainToASCII(domain) || domain}`;
	}
}

/** Every distinct address in a text, in order of appearance, canonical. */
export function emailsIn(text: string, limit = 200): string[] {
	const out: string[] = [];
	for (const m of text.matchAll(EMAIL)) {
		const a = canonical(m[0].replace(/^['`{|}~=-]+/, ''));
		if (a.includes('@') && !out.includes(a)) out.push(a);
		if (out.length >= limit) break;
	}
	return out;
}

/** The first address of an address header ('Name <a@b>', 'a@b', '"x@y" <a@b>'): the angle-bracketed one wins. */
export function firstAddress(header: string): string | undefined {
	const angle = /<([^<>\s]+@[^<>\s]+)>/.exec(header);
	if (angle) return canonical(angle[1]);
	return emailsIn(header, 1)[0];
}

/** Every address of an address header. */
export function addressList(header: string): string[] {
	const out: string[] = [];
	for (const m of header.matchAll(/<([^<>\s]+@[^<>\s]+)>/g)) {
		const a = canonical(m[1]);
		if (!out.includes(a)) out.push(a);
	}
	const rest = header.replace(/<[^<>]*>/g, ' ').replace(/"(?:[^"\\]|\\.)*"/g, ' ');
	for (const a of emailsIn(rest)) if (!out.includes(a)) out.push(a);
	return out;
}

/** The local part of an address, lower-cased. */
export function localPart(address: string): string {
	const at = address.lastIndexOf('@');
	return (at < 0 ? address : address.slice(0, at)).toLowerCase();
}

/** The domain of an address, lower-cased. */
export function domainPart(address: string): string {
	const at = address.lastIndexOf('@');
	return at < 0 ? '' : address.slice(at + 1).toLowerCase();
}
