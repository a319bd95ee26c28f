// A draft a person edited in Gmail goes out as edited. Only headers the edit may have dropped and that the sequence
// depends on are put back — the outreach key (re-runs and later steps recognise the step by it) and the threading
// headers (the lead's mail client threads by them) — so the words, recipients and subject stay the person's.
import { OUTREACH_HEADER } from '../shared/core/idempotency';

/** What the sent message must carry, whoever edited the draft. */
export interface Expected {
	key: string;
	inReplyTo?: string;
	references?: string[];
}

/** The top-level header names of an RFC 5322 message, lower-cased. */
export function topHeaders(raw: string): Set<string> {
	const end = /\r?\n\r?\n/.exec(raw);
	const head = end ? raw.slice(0, end.index) : raw;
	const names = new Set<string>();
	for (const line of head.split(/\r?\n/)) {
		if (/^[ \t]/.test(line)) continue;
		const i = line.indexOf(':');
		if (i > 0) names.add(line.slice(0, i).trim().toLowerCase());
	}
	return names;
}

// RFC 5322 lines stay short: a long References list is folded between ids.
function fold(name: string, ids: string[]): string {
	const lines: string[] = [];
	let line = `${name}:`;
	for (const id of ids) {
		if (line.length + id.length + 1 > 76 && line !== `${name}:`) {
			lines.push(line);
			line = '';
		}
		line += ` ${id}`;
	}
	lines.push(line);
	return lines.join('\r\n');
}

/** The headers missing from the draft's message, as lines to add; empty when the draft kept them all. */
export function missingHeaders(raw: string, want: Expected): string[] {
	const have = topHeaders(raw);
	const out: string[] = [];
	if (!have.has(OUTREACH_HEADER.toLowerCase())) out.push(`${OUTREACH_HEADER}: ${want.key}`);
	if (want.inReplyTo && !have.has('in-reply-to')) out.push(`In-Reply-To: ${want.inReplyTo}`);
	if (want.references?.length && !have.has('references')) out.push(fold('References', want.references));
	return out;
}

/** The message with the missing headers put back at the top; the body and every other header untouched. */
export function withHeaders(raw: string, lines: string[]): string {
	if (!lines.length) return raw;
	const eol = raw.includes('\r\n') ? '\r\n' : '\n';
	return lines.map((l) => l.replace(/\r\n/g, eol)).join(eol) + eol + raw;
}

/** Names of the headers a set of added lines restores (for the output). */
export function restoredNames(lines: string[]): string[] {
	return lines.map((l) => l.slice(0, l.indexOf(':')));
}
