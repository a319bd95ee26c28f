/** The parent message facts a reply needs. */
export interface ParentMessage {
	messageId: string;
	references?: string;
	/** Used when the parent has no References (RFC 5322 §3.6.4: then its In-Reply-To, if it names one parent). */
	inReplyTo?: string;
	subject: string;
}

/** The parent cannot be replied to (e.g. no usable Message-ID). */
export class ThreadingError extends Error {
	override name = 'ThreadingError' as const;
	field: string;
	constructor(field: string, message: string, options?: { cause?: unknown }) {
		super(message, options);
		this.field = field;
	}
}

const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;

// Reply/forward prefixes in the languages mail clients commonly produce, with optional counters ('Re[2]:', 'Re(2):').
const PREFIX =
	/^\s*(?:re|fwd?|fw|aw|sv|vs|antw|wg|tr|rv|enc|odp|ynt|réf|ref|r[ée]p|答复|回复|转发|回覆|轉寄)\s*(?:\[\d+\]|\(\d+\))?\s*[:：]\s*/iu;

/** The subject without any run of Re:/Fwd:/AW:/SV:/Antw:/Réf:… prefixes (case-insensitive, 'Re[2]:' too). */
export function baseSubject(subject: string): string {
	// Only controls are replaced; inner spacing is kept so the reply subject matches the parent's exactly.
	let s = (subject ?? '').replace(CONTROLS, ' ').trim();
	for (let prev = ''; prev !== s; ) {
		prev = s;
		s = s.replace(PREFIX, '');
	}
	return s.trim();
}

/** 'Re: ' + the base subject: never 'Re: Re:'. */
export function replySubject(subject: string): string {
	const base = baseSubject(subject);
	return base ? `Re: ${base}` : 'Re:';
}

/** '<a@b> <c@d>' → ['<a@b>', '<c@d>']; tolerant of commas, folding, missing brackets; deduplicated. */
export function parseMessageIds(header: string | undefined): string[] {
	if (!header) return [];
	const s = header.replace(CONTROLS, ' ');
	let ids: string[];
	if (s.includes('<')) {
		ids = [...s.matchAll(/<([^<>]*)>/g)].map((m) => m[1].replace(/\s+/g, '')).filter((id) => id !== '');
	} else {
		ids = s.split(/[\s,]+/).filter((t) => t.includes('@'));
	}
	const out: string[] = [];
	for (const id of ids) {
		const wrapped = `<${id.replace(/[<>"]/g, '')}>`;
		if (wrapped.length > 2 && !out.includes(wrapped)) out.push(wrapped);
	}
	return out;
}

/** In-Reply-To, References (parent's References + its Message-ID, trimmed to maxReferences keeping the first and the newest) and Re: subject. */
export function replyHeaders(
	parent: ParentMessage,
	opts: { maxReferences?: number } = {},
): { inReplyTo: string; references: string[]; subject: string } {
	const [inReplyTo] = parseMessageIds(parent.messageId);
	if (!inReplyTo) throw new ThreadingError('messageId', `Parent message has no usable Message-ID ("${parent.messageId}")`);
	const max = Math.max(2, opts.maxReferences ?? 20);
	// Outlook replies and auto-replies often carry In-Reply-To without References: RFC 5322 §3.6.4 then takes In-Reply-To.
	const parentRefs = parseMessageIds(parent.references);
	const fallback = parentRefs.length ? [] : parseMessageIds(parent.inReplyTo);
	let references = (parentRefs.length ? parentRefs : fallback.length === 1 ? fallback : []).filter((id) => id !== inReplyTo);
	references.push(inReplyTo);
	if (references.length > max) references = [references[0], ...references.slice(references.length - (max - 1))];
	return { inReplyTo, references, subject: replySubject(parent.subject) };
}
