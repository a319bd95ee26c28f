import { AddressError, domainOf, normalizeAddress, parseAddressList } from './address';
import { OUTREACH_HEADER } from './idempotency';

/** Item status values that mean "never mail this lead again" (compared case-insensitively, spaces/dashes as '_'). */
export const SUPPRESSING_STATUSES = ['unsubscribed', 'bounced', 'replied', 'do_not_contact'];

/** Mailbox labels whose messages name leads that must not be mailed. */
export const SUPPRESSION_LABELS = ['Outreach/Unsubscribed', 'Outreach/Bounced'];

/** Headers of a labelled message that can name the suppressed lead (DSNs name it in X-Failed-Recipients). */
export const SUPPRESSION_HEADERS = ['From', 'To', 'Cc', 'Reply-To', 'X-Failed-Recipients'];

/** Leads per idempotency/suppression search: keeps each `q` short and each metadata batch small. */
export const LOOKUP_BATCH = 25;

/** The label every message of a campaign gets after sending: `Outreach/<campaign>/Sent`. */
export function sentLabelName(campaign: string): string {
	return `Outreach/${labelSegment(campaign)}/Sent`;
}

/** Whether two label names are the same label: Gmail compares label names case-insensitively. */
export function sameLabelName(a: string, b: string): boolean {
	return a.toLowerCase() === b.toLowerCase();
}

/** A campaign name as one label segment: '/' would nest, control characters are never valid. */
export function labelSegment(name: string): string {
	const s = name
		.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ')
		.replace(/\//g, '-')
		.replace(/\s+/g, ' ')
		.trim();
	return s || 'campaign';
}

/** Thrown for a suppression list entry that is neither an address nor a domain. */
export class SuppressionListError extends Error {
	override name = 'SuppressionListError' as const;
	entry: string;
	constructor(entry: string, options?: { cause?: unknown }) {
		super(`Suppression list: "${entry}" is neither an email address nor a domain`, options);
		this.entry = entry;
	}
}

/** Addresses and whole domains never to mail, normalised for comparison. */
export interface SuppressionList {
	addresses: Set<string>;
	domains: Set<string>;
}

/** Parses 'a@x.com, @spam.com; example.org\n*@other.net' (comma, semicolon, whitespace or newline separated). */
export function parseSuppressionList(input: string | string[] | undefined): SuppressionList {
	const list: SuppressionList = { addresses: new Set(), domains: new Set() };
	const entries = (Array.isArray(input) ? input : [input ?? ''])
		.flatMap((s) => String(s).split(/[\s,;]+/))
		.map((s) => s.trim())
		.filter((s) => s !== '');
	for (const entry of entries) {
		const domain = entry.replace(/^\*?@/, '');
		let failure: unknown;
		try {
			if (domain.includes('@')) list.addresses.add(normalizeAddress(entry));
			else list.domains.add(domainOf(`x@${domain}`));
		} catch (error) {
			failure = error;
		}
		if (failure !== undefined) throw new SuppressionListError(entry, { cause: failure });
	}
	return list;
}

/** Why a lead is suppressed (e.g. 'address listed', 'domain example.com listed', 'status "bounced"'), or undefined. */
export function suppressionReason(
	address: string,
	opts: { list?: SuppressionList; status?: unknown; statuses?: string[]; mailbox?: Map<string, string> },
): string | undefined {
	const key = normalizeAddress(address);
	if (opts.list?.addresses.has(key)) return 'address is on the suppression list';
	const domain = domainOf(address);
	if (opts.list?.domains.has(domain)) return `domain ${domain} is on the suppression list`;
	const status = statusKey(opts.status);
	if (status && (opts.statuses ?? SUPPRESSING_STATUSES).map(statusKey).includes(status)) {
		return `status is "${String(opts.status).trim()}"`;
	}
	const label = opts.mailbox?.get(key);
	if (label) return `mailbox has a message labelled ${label}`;
	return undefined;
}

/** Why a status skips a lead: the engagement it records, or plain suppression. */
export type StatusSkipReason = 'replied' | 'bounced' | 'unsubscribed' | 'suppressed';

/** The normalised status and skip reason when the row's status is one of the suppressing statuses, else undefined. */
export function statusSuppression(status: unknown, statuses: string[] = SUPPRESSING_STATUSES): { status: string; reason: StatusSkipReason } | undefined {
	const key = statusKey(status);
	if (!key || !statuses.map(statusKey).includes(key)) return undefined;
	const reason = key === 'replied' || key === 'bounced' || key === 'unsubscribed' ? key : 'suppressed';
	return { status: key, reason };
}

/** 'Do Not Contact' → 'do_not_contact'. */
function statusKey(value: unknown): string {
	if (value === undefined || value === null) return '';
	return String(value)
		.trim()
		.toLowerCase()
		.replace(/[\s-]+/g, '_');
}

/** A Gmail search group matching any of the addresses in To/Cc/Bcc: 'in:sent {to:a@x to:b@y}'. */
export function sentSearchQuery(addresses: string[]): string {
	return `in:sent {${searchTerms(addresses, ['to']).join(' ')}}`;
}

/** A Gmail search group matching messages from, to, or mentioning any of the addresses. */
export function mentionSearchQuery(addresses: string[]): string {
	return `{${searchTerms(addresses, ['from', 'to', '']).join(' ')}}`;
}

/** Search terms for each address (Unicode and punycode forms when they differ), quoted when needed. */
function searchTerms(addresses: string[], operators: string[]): string[] {
	const forms = new Set<string>();
	for (const a of addresses) {
		forms.add(a.trim());
		forms.add(normalizeAddress(a));
	}
	const terms: string[] = [];
	for (const form of forms) {
		const value = /^[\x21-\x7e]+$/.test(form) && !/["(){}]/.test(form) ? form : `"${form.replace(/"/g, '')}"`;
		for (const op of operators) terms.push(op ? `${op}:${value}` : value);
	}
	return terms;
}

/** The subset of a Gmail message a decision needs: ids and the headers asked for in metadata format. */
export interface MessageEvidence {
	id: string;
	threadId: string;
	labelIds?: string[];
	/** When Gmail filed it (epoch ms), where known. */
	internalDate?: number;
	headers: Record<string, string | undefined>;
}

/** The address of a List-Unsubscribe mailto target ('mailto:a@x?subject=…', '<mailto:…>' or a bare address), lower-cased. */
export function mailtoAddress(value: string | undefined): string | undefined {
	const m = /(?:mailto:)?([^<>\s?,;:]+@[^<>\s?,;]+)/i.exec(value ?? '');
	if (!m) return undefined;
	try {
		return decodeURIComponent(m[1]).toLowerCase();
	} catch {
		return m[1].toLowerCase();
	}
}

/** The mailto addresses a List-Unsubscribe header names (a header may list a URL and a mailto). */
export function listUnsubscribeMailtos(header: string | undefined): string[] {
	return [...(header ?? '').matchAll(/<\s*mailto:([^>]+)>/gi)].map((m) => mailtoAddress(m[1])).filter((a): a is string => !!a);
}

/** The RFC 822 Message-ID without its angle brackets, lower-cased, for comparing ids from different headers. */
export function bareMessageId(id: string): string {
	return id.trim().replace(/^<|>$/g, '').toLowerCase();
}

/** Looks a header up case-insensitively in evidence headers. */
export function evidenceHeader(e: MessageEvidence, name: string): string | undefined {
	const want = name.toLowerCase();
	for (const [k, v] of Object.entries(e.headers)) if (k.toLowerCase() === want) return v;
	return undefined;
}

/** Indexes sent messages by the outreach key they carry; the first (oldest given first) wins. */
export function evidenceByKey(messages: MessageEvidence[]): Map<string, MessageEvidence> {
	const byKey = new Map<string, MessageEvidence>();
	for (const m of messages) {
		const key = evidenceHeader(m, OUTREACH_HEADER)?.trim();
		if (key && !byKey.has(key)) byKey.set(key, m);
	}
	return byKey;
}

/** Every candidate address named by a message in the suppression headers, mapped to the label that suppresses it. */
export function suppressedByMailbox(
	messages: MessageEvidence[],
	candidates: string[],
	labelOf: (m: MessageEvidence) => string,
): Map<string, string> {
	const wanted = new Set(candidates.map((a) => normalizeAddress(a)));
	const found = new Map<string, string>();
	for (const m of messages) {
		for (const header of SUPPRESSION_HEADERS) {
			for (const address of addressesIn(evidenceHeader(m, header))) {
				if (wanted.has(address) && !found.has(address)) found.set(address, labelOf(m));
			}
		}
	}
	return found;
}

/** Normalised addresses in a header value; unparseable entries are ignored (evidence, not input). */
function addressesIn(value: string | undefined): string[] {
	if (!value) return [];
	const out: string[] = [];
	for (const part of value.split(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/)) {
		let failure: unknown;
		try {
			for (const a of parseAddressList(part)) out.push(normalizeAddress(a.address));
		} catch (error) {
			failure = error;
		}
		// Malformed evidence is ignored; anything else is a bug and surfaces.
		if (failure !== undefined && !(failure instanceof AddressError)) throw failure;
	}
	return out;
}

/** First item index per normalised address: later items with the same address are duplicates within the run. */
export class RunDeduper {
	private readonly first = new Map<string, number>();

	/** Records the lead and returns the item index that already claimed its address, if any. */
	claim(address: string, itemIndex: number): number | undefined {
		const key = normalizeAddress(address);
		const prior = this.first.get(key);
		if (prior !== undefined) return prior;
		this.first.set(key, itemIndex);
		return undefined;
	}
}

/** Splits a list into consecutive chunks of at most `size`. */
export function chunk<T>(list: T[], size: number): T[][] {
	const out: T[][] = [];
	for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
	return out;
}
