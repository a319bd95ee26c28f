import { hash } from 'node:crypto';

/** html: escape merge values (HTML bodies); seed: spintax choice per lead (e.g. the lead's address). */
export interface RenderOptions {
	html?: boolean;
	seed?: string;
}

/** A row lacks fields a template needs; lists every one of them. */
export class TemplateError extends Error {
	override name = 'TemplateError' as const;
	fields: string[];
	row?: number;
	constructor(fields: string[], row?: number, options?: { cause?: unknown }) {
		super(`${row === undefined ? '' : `Row ${row}: `}missing or empty fields: ${fields.join(', ')}`, options);
		this.fields = fields;
		this.row = row;
	}
}

// {{ field }} or {{ field | "fallback" }} / 'fallback' / bare fallback.
const MERGE_TAG = /\{\{\s*([^{}|]*?)\s*(?:\|\s*("(?:[^"]*)"|'(?:[^']*)'|[^{}]*?))?\s*\}\}/g;

interface Tag {
	field: string;
	fallback?: string;
}

/** A bounded memo: templates and column names repeat for every lead, so each is parsed once per run, not per lead. */
class Memo<V> {
	private readonly map = new Map<string, V>();
	constructor(
		private readonly max: number,
		private readonly maxKeyLength: number,
	) {}
	get(key: string, make: (key: string) => V): V {
		if (key.length > this.maxKeyLength) return make(key);
		let value = this.map.get(key);
		if (value === undefined) {
			// Cleared, not evicted one by one: a campaign uses a handful of templates and columns.
			if (this.map.size >= this.max) this.map.clear();
			value = make(key);
			this.map.set(key, value);
		}
		return value;
	}
}

const TAGS = new Memo<readonly Tag[]>(256, 100_000);

/** Every merge tag in a template, in order (shared, never mutate). */
function tags(template: string): readonly Tag[] {
	return TAGS.get(template, (t) => {
		const out: Tag[] = [];
		for (const m of t.matchAll(MERGE_TAG)) out.push(toTag(m));
		return out;
	});
}

function toTag(m: RegExpMatchArray): Tag {
	const raw = m[2];
	if (raw === undefined) return { field: m[1] };
	const quoted = /^(["'])(.*)\1$/s.exec(raw);
	return { field: m[1], fallback: quoted ? quoted[2] : raw };
}

const FIELD_NAMES = new Memo<string>(4096, 256);

/** 'First Name' → 'first_name': how a sheet column and a merge tag are matched loosely. */
export function normalizeFieldName(name: string): string {
	return FIELD_NAMES.get(name, normalizeName);
}

function normalizeName(name: string): string {
	return name
		.normalize('NFKD')
		.replace(/[\u0300-\u036f]/g, '')
		.toLowerCase()
		.replace(/[^a-z0-9]+/g, '_')
		.replace(/^_+|_+$/g, '');
}

/** Looks a field up by its exact column name first, then by normalised name. */
export function lookupField(row: Record<string, unknown>, field: string): unknown {
	if (Object.prototype.hasOwnProperty.call(row, field)) return row[field];
	const want = normalizeFieldName(field);
	for (const key of Object.keys(row)) {
		if (normalizeFieldName(key) === want) return row[key];
	}
	return undefined;
}

/** A value as text; undefined/null give ''. */
function asText(value: unknown): string {
	if (value === undefined || value === null) return '';
	if (typeof value === 'string') return value;
	if (value instanceof Date) return Number.isNaN(value.getTime()) ? '' : value.toISOString();
	if (typeof value === 'object') return JSON.stringify(value);
	return String(value);
}

function isEmpty(value: unknown): boolean {
	return asText(value).trim() === '';
}

/** Fields used without a fallback (required) and with one (optional), deduplicated, in order of first use. */
export function referencedFields(templates: string[]): { required: string[]; optional: string[] } {
	const required: string[] = [];
	const optional: string[] = [];
	for (const t of templates) {
		for (const tag of tags(t)) {
			if (tag.field === '') continue;
			const list = tag.fallback === undefined ? required : optional;
			if (!list.includes(tag.field)) list.push(tag.field);
		}
	}
	return { required, optional: optional.filter((f) => !required.includes(f)) };
}

/** Every required field that is missing or empty (blank after trimming) in the row. */
export function missingFields(templates: string[], row: Record<string, unknown>): string[] {
	return referencedFields(templates).required.filter((f) => isEmpty(lookupField(row, f)));
}

/** Throws a TemplateError naming the row and every missing field, if any. */
export function assertFields(templates: string[], row: Record<string, unknown>, rowNumber?: number): void {
	const missing = missingFields(templates, row);
	if (missing.length) throw new TemplateError(missing, rowNumber);
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const HTML_SPECIAL = /[&<>"']/;
const HTML_SPECIAL_G = /[&<>"']/g;
const escapeChar = (c: string): string => HTML_ESCAPES[c];

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
	return HTML_SPECIAL.test(text) ? text.replace(HTML_SPECIAL_G, escapeChar) : text;
}

/** Replaces merge tags with row values (fallback when empty); a single pass, so values are never re-interpreted. */
export function merge(template: string, row: Record<string, unknown>, opts: { html?: boolean } = {}): string {
	if (!template.includes('{{')) return template;
	return template.replace(MERGE_TAG, (...args) => {
		const tag = toTag(args as unknown as RegExpMatchArray);
		const value = lookupField(row, tag.field);
		const text = isEmpty(value) ? (tag.fallback ?? '') : asText(value);
		return opts.html ? escapeHtml(text) : text;
	});
}

/** Spintax then merge; missing fields without a fallback render '' (strict checking is missingFields' job). */
export function renderTemplate(template: string, row: Record<string, unknown>, opts: RenderOptions = {}): string {
	return merge(spin(template, opts.seed ?? ''), row, { html: opts.html });
}

type Node = string | { options: Node[][] } | { braced: Node[] };

const MAX_SPIN_DEPTH = 32;

/** End of the '{{…}}' merge tag starting at i (index after '}}'), or -1. */
function mergeTagEnd(text: string, i: number, lastClose: number): number {
	if (!text.startsWith('{{', i) || i + 2 > lastClose) return -1;
	return text.indexOf('}}', i + 2) + 2;
}

/** Parses spintax into text and groups in one linear pass; '{{…}}' merge tags, '{x}' and unbalanced braces stay literal. */
function parseSpin(text: string): Node[] {
	const lastClose = text.lastIndexOf('}}');
	// Matching '}' for every '{' that has one, found up front so an unbalanced '{' never triggers re-parsing.
	const match = new Map<number, number>();
	// Braces nested deeper than MAX_SPIN_DEPTH are kept as text (bounds recursion on hostile input).
	const literalClose = new Set<number>();
	const open: number[] = [];
	for (let i = 0; i < text.length; i++) {
		const end = mergeTagEnd(text, i, lastClose);
		if (end > 0) {
			i = end - 1;
			continue;
		}
		if (text[i] === '{') open.push(i);
		else if (text[i] === '}' && open.length) {
			const start = open.pop()!;
			if (open.length < MAX_SPIN_DEPTH) match.set(start, i);
			else literalClose.add(i);
		}
	}
	let pos = 0;
	function parseSeq(inGroup: boolean): Node[] {
		const seq: Node[] = [];
		let lit = '';
		const flush = () => {
			if (lit) seq.push(lit);
			lit = '';
		};
		while (pos < text.length) {
			const end = mergeTagEnd(text, pos, lastClose);
			if (end > 0) {
				lit += text.slice(pos, end);
				pos = end;
				continue;
			}
			const c = text[pos];
			if (inGroup && (c === '|' || (c === '}' && !literalClose.has(pos)))) break;
			if (c === '{' && match.has(pos)) {
				pos++;
				const options: Node[][] = [parseSeq(true)];
				while (text[pos] === '|') {
					pos++;
					options.push(parseSeq(true));
				}
				pos++; // the matching '}'
				flush();
				// '{x}' is not a choice: keep its braces as text (its inside may still hold groups).
				seq.push(options.length > 1 ? { options } : { braced: options[0] });
				continue;
			}
			lit += c;
			pos++;
		}
		flush();
		return seq;
	}
	return parseSeq(false);
}

const SPINTAX = new Memo<Node[]>(256, 20_000);

/** One spin: the lead's seed and how many groups were chosen so far (each choice hashes its own number). */
interface SpinState {
	seed: string;
	group: number;
}

function renderSpin(seq: Node[], state: SpinState): string {
	let out = '';
	for (const n of seq) {
		if (typeof n === 'string') out += n;
		else if ('braced' in n) out += `{${renderSpin(n.braced, state)}}`;
		else {
			const h = hash('sha256', `${state.seed}\u0000${state.group++}`, 'buffer');
			out += renderSpin(n.options[h.readUInt32BE(0) % n.options.length], state);
		}
	}
	return out;
}

/** Picks one option of every {a|b|c} group (nested allowed), deterministically per seed; '{{merge}}' tags are left alone. */
export function spin(text: string, seed: string): string {
	if (!text.includes('{')) return text;
	return renderSpin(SPINTAX.get(text, parseSpin), { seed, group: 0 });
}

const ENTITIES: Record<string, string> = {
	amp: '&',
	lt: '<',
	gt: '>',
	quot: '"',
	apos: "'",
	nbsp: ' ',
	copy: '©',
	reg: '®',
	trade: '™',
	hellip: '…',
	mdash: '—',
	ndash: '–',
	lsquo: '‘',
	rsquo: '’',
	ldquo: '“',
	rdquo: '”',
	bull: '•',
	middot: '·',
	euro: '€',
	pound: '£',
	yen: '¥',
	laquo: '«',
	raquo: '»',
};

/** Decodes named (common set) and numeric HTML entities. */
export function decodeEntities(text: string): string {
	return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, e: string) => {
		if (e[0] === '#') {
			const code = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
			return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
		}
		return ENTITIES[e.toLowerCase()] ?? whole;
	});
}

/** A readable plain-text alternative: links as 'text (url)', paragraphs and line breaks kept, entities decoded. */
export function htmlToText(html: string): string {
	let s = html
		.replace(/<!--[\s\S]*?-->/g, '')
		.replace(/<(script|style|head|title)\b[\s\S]*?<\/\1\s*>/gi, '')
		.replace(/\s+/g, ' ');
	s = s.replace(/<a\b[^>]*?\bhref\s*=\s*("([^"]*)"|'([^']*)'|([^\s>]+))[^>]*>([\s\S]*?)<\/a\s*>/gi, (...m) => {
		const href = decodeEntities((m[2] ?? m[3] ?? m[4] ?? '').trim());
		const label = decodeEntities(m[5].replace(/<[^>]+>/g, '')).trim();
		const url = href.replace(/^mailto:/i, '');
		if (!href) return label;
		if (!label || label === href || label === url) return url;
		return `${label} (${url})`;
	});
	s = s
		.replace(/<br\s*\/?>/gi, '\n')
		.replace(/<li\b[^>]*>/gi, '\n- ')
		.replace(/<\/(p|div|h[1-6]|ul|ol|table|blockquote|section|article|header|footer)\s*>/gi, '\n\n')
		.replace(/<(p|div|h[1-6]|ul|ol|table|blockquote|section|article|header|footer)\b[^>]*>/gi, '\n\n')
		.replace(/<\/tr\s*>/gi, '\n')
		.replace(/<\/t[dh]\s*>/gi, ' ')
		.replace(/<hr\b[^>]*>/gi, '\n\n---\n\n')
		.replace(/<[^>]+>/g, '');
	s = decodeEntities(s);
	return s
		.split('\n')
		.map((line) => line.replace(/[ \t\u00a0]+/g, ' ').trim())
		.join('\n')
		.replace(/\n{3,}/g, '\n\n')
		.trim();
}
