import { DateTime } from 'luxon';
import { msgIdKey, type Addr } from './mime';
import type { Mailbox, MessageRef, StoredMessage } from './store';

/** A parsed `q` expression. */
export type Query =
	| { kind: 'and'; items: Query[] }
	| { kind: 'or'; items: Query[] }
	| { kind: 'not'; item: Query }
	| { kind: 'term'; op?: string; value: string; phrase: boolean };

type Token = { t: '(' | ')' | '{' | '}' | 'OR' | '-' } | { t: 'term'; op?: string; value: string; phrase: boolean };

/** Operators the sandbox understands; any other `x:y` is searched as a plain word, as Gmail does. */
export const OPERATORS = new Set([
	'from', 'to', 'cc', 'bcc', 'subject', 'label', 'in', 'is', 'has', 'newer_than', 'older_than', 'after', 'before',
	'newer', 'older', 'rfc822msgid', 'filename', 'category', 'larger', 'smaller', 'deliveredto',
]);

const STOP = /[\s(){}"]/;

/** Splits a query into tokens: parentheses, braces, OR, negation, terms (with operator) and quoted phrases. */
export function tokenize(q: string): Token[] {
	const out: Token[] = [];
	let i = 0;
	const readQuoted = (): string => {
		const end = q.indexOf('"', i + 1);
		const value = q.slice(i + 1, end < 0 ? q.length : end);
		i = end < 0 ? q.length : end + 1;
		return value;
	};
	while (i < q.length) {
		const c = q[i];
		if (/\s/.test(c)) {
			i++;
		} else if (c === '(' || c === ')' || c === '{' || c === '}') {
			out.push({ t: c });
			i++;
		} else if (c === '-' && i + 1 < q.length && !/\s/.test(q[i + 1])) {
			out.push({ t: '-' });
			i++;
		} else if (c === '"') {
			out.push({ t: 'term', value: readQuoted(), phrase: true });
		} else {
			let j = i;
			while (j < q.length && !STOP.test(q[j])) j++;
			const word = q.slice(i, j);
			i = j;
			if (word === 'OR' || word === '|') {
				out.push({ t: 'OR' });
				continue;
			}
			if (word === 'AND') continue;
			const colon = word.indexOf(':');
			const op = colon > 0 ? word.slice(0, colon).toLowerCase() : '';
			if (!OPERATORS.has(op)) {
				out.push({ t: 'term', value: word, phrase: false });
				continue;
			}
			const rest = word.slice(colon + 1);
			if (rest === '' && q[i] === '"') {
				out.push({ t: 'term', op, value: readQuoted(), phrase: true });
			} else if (rest === '' && q[i] === '(') {
				// op:(a b) applies the operator to every word inside.
				const end = q.indexOf(')', i);
				const inner = tokenize(q.slice(i + 1, end < 0 ? q.length : end));
				i = end < 0 ? q.length : end + 1;
				out.push({ t: '(' }, ...inner.map((tok) => (tok.t === 'term' && !tok.op ? { ...tok, op } : tok)), { t: ')' });
			} else {
				out.push({ t: 'term', op, value: rest, phrase: false });
			}
		}
	}
	return out;
}

/** Parses a query. Gmail binds OR tighter than the implicit AND: `a OR b c` = `(a OR b) c`. Unbalanced brackets are forgiven. */
export function parseQuery(q: string): Query {
	const toks = tokenize(q);
	let pos = 0;
	const peek = () => toks[pos];
	const parseAnd = (closer?: ')' | '}'): Query => {
		const items: Query[] = [];
		while (pos < toks.length) {
			const t = peek();
			if (t.t === ')' || t.t === '}') {
				if (t.t === closer || closer) break;
				pos++;
				continue;
			}
			if (t.t === 'OR') {
				pos++;
				continue;
			}
			items.push(parseOr());
		}
		return items.length === 1 ? items[0] : { kind: 'and', items };
	};
	const parseOr = (): Query => {
		const items = [parseUnary()];
		while (peek()?.t === 'OR' && pos + 1 < toks.length && toks[pos + 1].t !== ')' && toks[pos + 1].t !== '}') {
			pos++;
			items.push(parseUnary());
		}
		return items.length === 1 ? items[0] : { kind: 'or', items };
	};
	const parseUnary = (): Query => {
		const t = toks[pos++];
		if (!t) return { kind: 'and', items: [] };
		if (t.t === '-') return { kind: 'not', item: parseUnary() };
		if (t.t === '(') {
			const inner = parseAnd(')');
			if (peek()?.t === ')') pos++;
			return inner;
		}
		if (t.t === '{') {
			const items: Query[] = [];
			while (pos < toks.length && peek().t !== '}' && peek().t !== ')') {
				if (peek().t === 'OR') pos++;
				else items.push(parseUnary());
			}
			if (peek()?.t === '}') pos++;
			return { kind: 'or', items };
		}
		if (t.t === 'term') return { kind: 'term', op: t.op, value: t.value, phrase: t.phrase };
		return { kind: 'and', items: [] };
	};
	return parseAnd();
}

/** What the evaluator needs besides the message. */
export interface SearchContext {
	mailbox: Mailbox;
	now: number;
	/** IANA zone a YYYY/MM/DD date in after:/before: is midnight of. */
	dateZone: string;
}

/** The zone of search dates: Gmail's guide says midnight PST, whatever the account's zone. */
export function searchDateZone(setting: 'pacific' | 'mailbox', mb: Mailbox): string {
	return setting === 'mailbox' ? mb.timezone : 'America/Los_Angeles';
}

function escapeRe(s: string): string {
	return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Case-insensitive whole-word (or whole-phrase) match, as Gmail matches words rather than substrings. */
export function hasWords(haystack: string, needle: string): boolean {
	const words = needle.trim().split(/\s+/).filter(Boolean).map(escapeRe);
	if (!words.length) return true;
	const re = new RegExp(`(?<![\\p{L}\\p{N}])${words.join('\\s+')}(?![\\p{L}\\p{N}])`, 'iu');
	return re.test(haystack);
}

function addrText(list: Addr[]): string {
	return list.map((a) => `${a.name} <${a.address}>`).join(', ').toLowerCase();
}

function matchesAddress(list: Addr[], value: string, mb: Mailbox): boolean {
	const v = value.toLowerCase();
	if (v === 'me') return list.some((a) => a.address.toLowerCase() === mb.email || mb.aliases.includes(a.address.toLowerCase()));
	return addrText(list).includes(v);
}

/** Label names as Gmail search spells them: lower case, with '/', spaces and '-' interchangeable. */
export function labelKey(name: string): string {
	return name.toLowerCase().replace(/[\s/_-]+/g, '-');
}

const SYSTEM_BY_NAME: Record<string, string> = {
	inbox: 'INBOX', sent: 'SENT', draft: 'DRAFT', drafts: 'DRAFT', spam: 'SPAM', trash: 'TRASH', unread: 'UNREAD',
	starred: 'STARRED', important: 'IMPORTANT', chats: 'CHAT', chat: 'CHAT',
};

const CATEGORIES: Record<string, string> = {
	primary: 'CATEGORY_PERSONAL', personal: 'CATEGORY_PERSONAL', social: 'CATEGORY_SOCIAL',
	promotions: 'CATEGORY_PROMOTIONS', updates: 'CATEGORY_UPDATES', forums: 'CATEGORY_FORUMS',
};

function hasLabelNamed(m: StoredMessage, mb: Mailbox, name: string): boolean {
	const key = labelKey(name);
	const sys = SYSTEM_BY_NAME[key] ?? (key.startsWith('category-') ? key.toUpperCase().replace('-', '_') : undefined);
	if (sys && m.labelIds.includes(sys)) return true;
	return mb.labels.some((l) => labelKey(l.name) === key && m.labelIds.includes(l.id));
}

/** Epoch ms of an after:/before: value (YYYY/MM/DD, midnight in `timezone`, or epoch seconds). */
export function parseDateValue(value: string, timezone: string): number | undefined {
	if (/^\d{9,}$/.test(value)) return Number(value) * 1000;
	const m = /^(\d{4})[/-](\d{1,2})[/-](\d{1,2})$/.exec(value);
	if (!m) return undefined;
	const dt = DateTime.fromObject({ year: +m[1], month: +m[2], day: +m[3] }, { zone: timezone });
	return dt.isValid ? dt.toMillis() : undefined;
}

/** Epoch ms `value` (2d, 3m, 1y, 5h) before `now`. */
export function relativeTime(value: string, now: number): number | undefined {
	const m = /^(\d+)([hdmy])$/i.exec(value);
	if (!m) return undefined;
	const n = Number(m[1]);
	const unit = ({ h: 'hours', d: 'days', m: 'months', y: 'years' } as const)[m[2].toLowerCase() as 'h' | 'd' | 'm' | 'y'];
	return DateTime.fromMillis(now, { zone: 'UTC' }).minus({ [unit]: n }).toMillis();
}

function sizeValue(value: string): number {
	const m = /^(\d+(?:\.\d+)?)([km]?)$/i.exec(value);
	if (!m) return NaN;
	return Number(m[1]) * ({ '': 1, k: 1024, m: 1024 * 1024 } as Record<string, number>)[m[2].toLowerCase()];
}

function fullText(m: StoredMessage): string {
	const p = m.parsed;
	const body = p.text || p.html.replace(/<[^>]+>/g, ' ');
	return [p.subject, addrText(p.from ? [p.from] : []), addrText(p.to), addrText(p.cc), body, ...p.attachments.map((a) => a.filename)].join('\n');
}

function matchTerm(t: Extract<Query, { kind: 'term' }>, m: StoredMessage, ctx: SearchContext): boolean {
	const p = m.parsed;
	const v = t.value;
	const lv = v.toLowerCase();
	switch (t.op) {
		case undefined:
			return hasWords(fullText(m), v);
		case 'from':
			return matchesAddress(p.from ? [p.from] : [], v, ctx.mailbox);
		case 'to':
			return matchesAddress([...p.to, ...p.cc, ...p.bcc], v, ctx.mailbox);
		case 'cc':
			return matchesAddress(p.cc, v, ctx.mailbox);
		case 'bcc':
			return matchesAddress(p.bcc, v, ctx.mailbox);
		case 'deliveredto':
			return matchesAddress([...p.to, ...p.cc, ...p.bcc], v, ctx.mailbox);
		case 'subject':
			return hasWords(p.subject, v);
		case 'label':
			return hasLabelNamed(m, ctx.mailbox, v);
		case 'in':
			if (lv === 'anywhere') return true;
			return hasLabelNamed(m, ctx.mailbox, v);
		case 'is':
			if (lv === 'read') return !m.labelIds.includes('UNREAD');
			if (['unread', 'starred', 'important'].includes(lv)) return m.labelIds.includes(lv.toUpperCase());
			return hasLabelNamed(m, ctx.mailbox, v);
		case 'has':
			if (lv === 'attachment') return p.attachments.length > 0;
			if (lv === 'userlabels') return m.labelIds.some((l) => l.startsWith('Label_'));
			if (lv === 'nouserlabels') return !m.labelIds.some((l) => l.startsWith('Label_'));
			return false;
		case 'category':
			return CATEGORIES[lv] !== undefined && m.labelIds.includes(CATEGORIES[lv]);
		case 'newer_than':
		case 'older_than': {
			const t0 = relativeTime(v, ctx.now);
			if (t0 === undefined) return false;
			return t.op === 'newer_than' ? m.internalDate > t0 : m.internalDate <= t0;
		}
		case 'after':
		case 'newer':
		case 'before':
		case 'older': {
			const t0 = parseDateValue(v, ctx.dateZone);
			if (t0 === undefined) return false;
			return t.op === 'after' || t.op === 'newer' ? m.internalDate >= t0 : m.internalDate < t0;
		}
		case 'rfc822msgid':
			return p.messageId !== undefined && p.messageId === msgIdKey(v);
		case 'filename':
			return p.attachments.some((a) => a.filename.toLowerCase().includes(lv) || a.mimeType.endsWith(`/${lv}`));
		case 'larger':
			return m.sizeEstimate > sizeValue(v);
		case 'smaller':
			return m.sizeEstimate < sizeValue(v);
		default:
			return hasWords(fullText(m), `${t.op}:${v}`);
	}
}

/** Whether a message satisfies a query. */
export function evaluate(q: Query, m: StoredMessage, ctx: SearchContext): boolean {
	switch (q.kind) {
		case 'and':
			return q.items.every((i) => evaluate(i, m, ctx));
		case 'or':
			return q.items.some((i) => evaluate(i, m, ctx));
		case 'not':
			return !evaluate(q.item, m, ctx);
		case 'term':
			return matchTerm(q, m, ctx);
	}
}

/** Whether a query asks for spam/trash itself (in:anywhere, in:spam, in:trash), lifting the default exclusion. */
export function wantsSpamTrash(q: Query): boolean {
	switch (q.kind) {
		case 'and':
		case 'or':
			return q.items.some(wantsSpamTrash);
		case 'not':
			return false;
		case 'term':
			return (q.op === 'in' || q.op === 'label') && ['anywhere', 'spam', 'trash'].includes(q.value.toLowerCase());
	}
}

/** A write the search index has not caught up with yet: the message is not indexed, or is indexed with these older labels. */
type Unindexed = { added: true } | { added: false; labelIds: string[] };

/**
 * The mailbox as Gmail's search index sees it at `now`: a write reaches it `lagMs` (sandbox clock) after it happened.
 * Read off the history log, so no extra state is kept: the oldest write to a message still inside the lag decides —
 * a new message is not found yet, a label change is searched with the labels from before it.
 * Returns the message as indexed (a copy with the older labels), or undefined while it is not indexed at all.
 */
export function indexedView(mb: Mailbox, now: number, lagMs: number): (m: StoredMessage) => StoredMessage | undefined {
	if (lagMs <= 0) return (m) => m;
	const cutoff = now - lagMs;
	const oldest = new Map<string, Unindexed>();
	const before = (ref: MessageRef, added: string[], removed: string[]): Unindexed => ({
		added: false,
		labelIds: [...ref.labelIds.filter((l) => !added.includes(l)), ...removed.filter((l) => !ref.labelIds.includes(l))],
	});
	// Newest first, so the oldest unindexed write of each message is the one left in the map.
	for (let i = mb.history.length - 1; i >= 0 && mb.history[i].at > cutoff; i--) {
		const r = mb.history[i];
		for (const e of r.messagesAdded ?? []) oldest.set(e.message.id, { added: true });
		const changed = new Map<string, { ref: MessageRef; added: string[]; removed: string[] }>();
		for (const e of r.labelsAdded ?? []) changed.set(e.message.id, { ref: e.message, added: e.labelIds, removed: [] });
		for (const e of r.labelsRemoved ?? []) {
			const c = changed.get(e.message.id) ?? { ref: e.message, added: [], removed: [] };
			c.removed = e.labelIds;
			changed.set(e.message.id, c);
		}
		for (const [id, c] of changed) oldest.set(id, before(c.ref, c.added, c.removed));
	}
	return (m) => {
		const u = oldest.get(m.id);
		if (!u) return m;
		return u.added ? undefined : { ...m, labelIds: u.labelIds };
	};
}
