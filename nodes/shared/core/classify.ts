// What came back: one classifier for every inbound message the outreach engine reads (a person's reply, an automatic
// answer and its kind, a bounce hard or soft, a delay, a delivery receipt, a spam complaint, an opt-out, the sender's own
// limit notice). The parts live in ./classifier; this file decides the order in which they are asked.
import { DateTime } from 'luxon';
import { OUTREACH_HEADER } from './idempotency';
import { parseMessageIds } from './threading';
import { addressList, canonical, firstAddress, localPart } from './classifier/addresses';
import { readFeedback } from './classifier/arf';
import { autoHeaderMarker, autoKind, headerlessAuto } from './classifier/autoreply';
import { alternateContact } from './classifier/contact';
import { returnDate } from './classifier/dates';
import { readDeliveryStatus, type Delivery } from './classifier/dsn';
import { detectLanguage } from './classifier/language';
import { isSenderLimit } from './classifier/limit';
import { allText, decodeEncodedWords, header, mainBody, parseContentType, parseMessage, plainOf, type MimePart } from './classifier/mime';
import { originalInfo, type OriginalInfo } from './classifier/original';
import { AUTO_SUBJECT_RE, AWAY_RE, CHALLENGE_RE, LEFT_RE, RECEIVED_RE, SELF_DECLARED_RE, UNSUBSCRIBE_RE } from './classifier/patterns';
import { noticeOnly, readProse, severity } from './classifier/prose-bounces';
import { snippetWords, splitReply } from './classifier/quote';
import { enhancedCode } from './classifier/status';
import { normalize } from './classifier/text';
import { unsubscribeRequest } from './classifier/unsubscribe';

/** What an inbound message is, as far as the outreach sequence is concerned. */
export type MessageKind = 'human' | 'auto_reply' | 'bounce' | 'delivery_delay' | 'delivery_success' | 'feedback_report' | 'unsubscribe' | 'sender_limit' | 'ours';

/** Which kind of automatic answer. */
export type AutoReplyType = 'out_of_office' | 'left_company' | 'challenge' | 'other';

/** The class of one inbound message, with the details the engagement rule and the output need. */
export interface MessageClass {
	kind: MessageKind;
	/** Short human-readable why, e.g. 'RFC 3464 DSN, Action: failed, Status: 5.1.1'. */
	reason: string;
	/** Bounces only: true = the address or domain does not (or no longer) exist or accepts no mail; false = this message failed. */
	hard?: boolean;
	/** Enhanced status code as stated, e.g. '5.1.1' (bounce / delay / limit). */
	status?: string;
	/** Failed (or delayed) addresses, lower-cased; for a complaint the original recipient. */
	recipients?: string[];
	autoReplyType?: AutoReplyType;
	/** ISO date 'YYYY-MM-DD' an out-of-office states as the first day back. */
	returnDate?: string;
	/** An address an automatic answer names as the one to write to instead. */
	alternateContact?: string;
	/** 'en', 'de', 'fr', 'es', 'pt', 'it', 'nl', 'pl', 'sv' or 'da' when detected. */
	language?: string;
	/** Message-ID (with <>) of the message this report or answer is about. */
	originalMessageId?: string;
	/** The X-Outreach-Key of the returned original, or of the message itself. */
	outreachKey?: string;
	/** The sender's own words (quoted history and signature removed), at most ~2,000 characters. */
	text?: string;
}

/** Who "we" are, and where opt-outs are sent (List-Unsubscribe mailto addresses). */
export interface ClassifyContext {
	ourAddresses?: string[];
	unsubscribeAddresses?: string[];
}

/** Classifies one whole RFC 5322 message (Gmail's format=raw, decoded). Never throws: garbage gets a best-effort class. */
export function classifyMessage(raw: string | Uint8Array, context: ClassifyContext = {}): MessageClass {
	let root: MimePart | undefined;
	try {
		root = parseMessage(raw ?? '');
		return classifyParsed(root, context);
	} catch (error) {
		// A reader bug must not stop the engagement check: fall back to the headers alone.
		const why = error instanceof Error ? error.message : String(error);
		try {
			const h: Record<string, string> = {};
			for (const x of root?.headers ?? []) if (!(x.name in h)) h[x.name] = decodeEncodedWords(x.value);
			const { needsFull, ...cls } = classifyMetadata(h, '', context);
			void needsFull;
			return { ...cls, reason: `${cls.reason} (headers only: ${why})` };
		} catch {
			return { kind: 'human', reason: `unreadable message (${why})` };
		}
	}
}

/** Classifies from Gmail's metadata format (headers by lower-case name + snippet); needsFull says a raw read is needed to decide or for the details. */
export function classifyMetadata(headers: Record<string, string | undefined>, snippet: string, context: ClassifyContext = {}): MessageClass & { needsFull: boolean } {
	const h = (name: string) => decodeEncodedWords(String(headers[name] ?? ''));
	const ctx = prepare(context);
	const from = firstAddress(h('from'));
	const subject = h('subject');
	const ids = idsOf(parseMessageIds(h('in-reply-to'))[0], h(KEY).trim());
	if (from && ctx.ours.has(from)) return { kind: 'ours', reason: `From ${from} is one of our addresses`, ...ids, needsFull: false };

	const { type, params } = parseContentType(h('content-type'));
	const reportType = type === 'multipart/report' ? (params['report-type'] ?? '').toLowerCase() : undefined;
	const failed = addressList(h('x-failed-recipients'));
	const marker = autoHeaderMarker(h);
	const text = snippetWords(snippet);
	const notice = noticeReason(from, h('from'), reportType, failed, subject, !!marker, !!h('in-reply-to'));
	if (notice) {
		const body = `${subject}\n${snippet}`;
		if (isSenderLimit(body, [], from)) return { kind: 'sender_limit', reason: `${notice}; sending-limit wording`, ...ids, ...list(failed), needsFull: true };
		const exclude = new Set([...ctx.ours, ...(from ? [from] : []), ...addressList(h('to'))]);
		const prose = readProse(snippet, subject, exclude, failed);
		const recipients = prose.deliveries.map((d) => d.recipient).filter((r): r is string => !!r);
		const status = prose.deliveries[0]?.status ?? enhancedCode(snippet);
		const base = { ...ids, ...list(recipients), ...(status ? { status } : {}), needsFull: true };
		if (prose.outcome === 'delayed') return { kind: 'delivery_delay', reason: `${notice}; delay wording`, ...base };
		if (prose.outcome === 'delivered') return { kind: 'delivery_success', reason: `${notice}; delivered wording`, ...base };
		return { kind: 'bounce', reason: notice, ...base, ...(prose.deliveries[0]?.hard !== undefined ? { hard: prose.deliveries[0].hard } : {}) };
	}
	if (reportType === 'feedback-report' || h('feedback-type') || /complaint about message from/i.test(subject)) {
		return { kind: 'feedback_report', reason: 'feedback report (ARF) headers', ...ids, needsFull: true };
	}
	const unsub = unsubscribeTarget(h, ctx);
	if (unsub) return { kind: 'unsubscribe', reason: `sent to our unsubscribe address ${unsub}`, ...ids, needsFull: false };
	if (reportType !== undefined) return { kind: 'auto_reply', autoReplyType: 'other', reason: `multipart/report; report-type=${reportType || '?'}`, ...ids, needsFull: false };
	if (marker) return { kind: 'auto_reply', autoReplyType: autoKind(text, subject, from ?? ''), reason: marker, ...ids, needsFull: true };

	const request = unsubscribeRequest(text, subject);
	if (request) return { kind: 'unsubscribe', reason: `asks to be removed: ${request.why}`, ...ids, needsFull: true };
	const quoted = text.length + 20 < snippet.length;
	const auto = headerlessAuto(text, subject, { quoted, hasDate: false, hasContact: false });
	if (auto) return { kind: 'auto_reply', autoReplyType: auto.kind, reason: `${auto.why} (no automatic-reply header)`, ...ids, needsFull: true };
	// Words that the full text might turn into something else: read it rather than guess.
	const t = normalize(`${subject}\n${text}`);
	const suspicious = !snippet.trim() || [AWAY_RE, LEFT_RE, CHALLENGE_RE, RECEIVED_RE, SELF_DECLARED_RE, UNSUBSCRIBE_RE, AUTO_SUBJECT_RE].some((re) => re.test(t));
	return { kind: 'human', reason: 'no automatic-reply or bounce markers', ...ids, needsFull: suspicious };
}

/** What an inbound message is, from headers alone (three kinds: a person, an automatic answer, a delivery notice). */
export type InboundKind = 'human' | 'auto_reply' | 'bounce';

/** Inbound message headers keyed by lower-case name. */
export interface InboundHeaders {
	[lowerCaseName: string]: string | undefined;
}

/** Human reply, auto-reply (RFC 3834 and common vendor headers) or bounce (DSN, RFC 3464, and any delivery notice), from headers alone. */
export function classifyInbound(headers: InboundHeaders): { kind: InboundKind; reason: string } {
	const c = classifyMetadata(headers, '');
	const kind: InboundKind =
		c.kind === 'bounce' || c.kind === 'delivery_delay' || c.kind === 'delivery_success' || c.kind === 'sender_limit' ? 'bounce'
		: c.kind === 'auto_reply' || c.kind === 'feedback_report' ? 'auto_reply'
		: 'human';
	return { kind, reason: c.reason };
}

const KEY = OUTREACH_HEADER.toLowerCase();

interface Prepared {
	ours: Set<string>;
	unsubscribe: Set<string>;
}

function prepare(context: ClassifyContext): Prepared {
	const clean = (a: string) => canonical(String(a ?? '').replace(/^mailto:/i, '').replace(/\?.*$/, ''));
	return {
		ours: new Set((context.ourAddresses ?? []).map(clean).filter((a) => a.includes('@'))),
		unsubscribe: new Set((context.unsubscribeAddresses ?? []).map(clean).filter((a) => a.includes('@'))),
	};
}

function idsOf(originalMessageId: string | undefined, outreachKey: string | undefined): Pick<MessageClass, 'originalMessageId' | 'outreachKey'> {
	return { ...(originalMessageId ? { originalMessageId } : {}), ...(outreachKey ? { outreachKey } : {}) };
}

function list(recipients: string[]): Pick<MessageClass, 'recipients'> {
	return recipients.length ? { recipients: [...new Set(recipients)] } : {};
}

// Mail systems' own senders: MAILER-DAEMON, postmaster, Exchange's MicrosoftExchange<guid>, "Mail Delivery System".
const DAEMON_LOCAL = /^(?:mailer-daemon|mailer_daemon|mailerdaemon|mail-daemon|maildaemon|postmaster|mdaemon|microsoftexchange[0-9a-f]{32}|mail\.delivery|mail-delivery|maildelivery|bounces?|returned-mail|nondelivery)$/;
const DAEMON_NAME = /mail delivery (?:subsystem|system|service)|mailer-daemon|^\s*"?postmaster|mail administrator|delivery (?:status )?notification|mail system|microsoft outlook\b/i;
const NOTICE_SUBJECT = /message (?:you sent )?(?:was |has been )?blocked|blocked by (?:our|the)|(?:has )?not been delivered|was not delivered|undeliver|undelivered|delivery status notification|failure notice|returned mail|mail delivery failed|delivery failure|non-?delivery|could not be delivered|nondeliverable|delivery (?:has )?failed|delayed mail|delivery delayed|delivery notification|message not delivered|unzustellbar|nicht zustellbar|non remis|non distribu|no se puede entregar|no entregado|n[ãa]o entregue|non recapitabil|onbestelbaar|niet bezorgd|niedostarczon|kunde inte levereras|ej levererat|kunne ikke leveres|ikke leveret/i;

/** Why a message is a delivery notice (a DSN, a mail system's sender, X-Failed-Recipients, a notice subject), or undefined. */
function noticeReason(from: string | undefined, fromHeader: string, reportType: string | undefined, failed: string[], subject: string, marked: boolean, isReply: boolean): string | undefined {
	if (reportType === 'delivery-status' || reportType === 'global-delivery-status') return `Content-Type multipart/report; report-type=${reportType}`;
	if (from && DAEMON_LOCAL.test(localPart(from))) return `From ${from}`;
	const name = fromHeader.replace(/<[^>]*>/g, '').trim();
	if (name && DAEMON_NAME.test(name) && (!from || !/^[a-z]+\.[a-z]+$/.test(localPart(from)))) return `From "${name.slice(0, 40)}"`;
	if (failed.length) return 'X-Failed-Recipients present';
	// A notice subject alone marks a notice only on automatic mail: a person may forward one ("Fwd: Undeliverable: …").
	if (NOTICE_SUBJECT.test(subject) && !/^\s*(?:fwd?|wg|tr|rv|i|vs|fw)\s*:/i.test(subject) && (marked || !isReply)) return `notice subject "${subject.slice(0, 60)}"`;
	return undefined;
}

/** Our unsubscribe address the message was sent to (To, Cc, Delivered-To, X-Original-To), or undefined. */
function unsubscribeTarget(h: (name: string) => string, ctx: Prepared): string | undefined {
	if (!ctx.unsubscribe.size) return undefined;
	for (const name of ['to', 'cc', 'delivered-to', 'x-original-to', 'envelope-to', 'x-envelope-to']) {
		for (const a of addressList(h(name))) if (ctx.unsubscribe.has(a)) return a;
	}
	return undefined;
}

/** The message's Date as a DateTime in its own offset (now, when missing or unreadable). */
function sentAt(date: string): DateTime {
	const d = date.trim();
	if (d) {
		const rfc = DateTime.fromRFC2822(d.replace(/\s*\([^)]*\)\s*$/, ''), { setZone: true });
		if (rfc.isValid) return rfc;
		const iso = DateTime.fromISO(d, { setZone: true });
		if (iso.isValid) return iso;
		const js = new Date(d);
		if (!Number.isNaN(js.getTime())) return DateTime.fromJSDate(js, { zone: 'UTC' });
	}
	return DateTime.utc();
}

function classifyParsed(root: MimePart, context: ClassifyContext): MessageClass {
	const h = (name: string) => header(root, name);
	const ctx = prepare(context);
	const from = firstAddress(h('from'));
	const subject = h('subject');
	const inReplyTo = parseMessageIds(h('in-reply-to'))[0];
	const selfKey = h(KEY).trim();
	if (from && ctx.ours.has(from)) return { kind: 'ours', reason: `From ${from} is one of our addresses`, ...idsOf(inReplyTo, selfKey) };

	const reportType = root.type === 'multipart/report' ? (root.params['report-type'] ?? '').toLowerCase() : undefined;
	const failed = addressList(h('x-failed-recipients'));
	const marker = autoHeaderMarker(h);
	const body = mainBody(root);
	const deliveries = readDeliveryStatus(root);
	let notice = noticeReason(from, h('from'), reportType, failed, subject, !!marker, !!inReplyTo);
	if (!notice && deliveries) notice = 'message/delivery-status part';

	// Reports: the original they return tells which of our messages (and so which lead) they are about.
	let original: OriginalInfo | undefined;
	const orig = () => (original ??= originalInfo(root, allText(root)));
	const ids = () => idsOf(orig().messageId ?? inReplyTo, orig().outreachKey ?? selfKey);

	if (notice) {
		const text = plainOf(body);
		const statuses = (deliveries ?? []).map((d) => d.status).filter((s): s is string => !!s);
		const diagnostics = (deliveries ?? []).map((d) => d.diagnostic ?? '').join('\n');
		if (isSenderLimit(`${subject}\n${noticeOnly(text)}\n${diagnostics}`, statuses, from)) {
			const recipients = (deliveries ?? []).map((d) => d.recipient).filter((r): r is string => !!r);
			const status = statuses[0] ?? enhancedCode(diagnostics || text);
			return {
				kind: 'sender_limit',
				reason: `${notice}; the sending mailbox's own limit notice${status ? ` (${status})` : ''}: our message was not sent`,
				...(status ? { status } : {}),
				...list(recipients.length ? recipients : failed.length ? failed : orig().to),
				...ids(),
			};
		}
	}

	const feedback = readFeedback(root, subject, from);
	if (feedback) {
		const recipients = feedback.recipients.length ? feedback.recipients : orig().to;
		if (feedback.feedbackType === 'auth-failure' || feedback.feedbackType === 'not-spam') {
			// A DMARC failure report or a "not spam" vote is no complaint by the lead.
			return { kind: 'auto_reply', autoReplyType: 'other', reason: `${feedback.format}, Feedback-Type: ${feedback.feedbackType} (not a complaint)`, ...list(recipients), ...ids() };
		}
		return { kind: 'feedback_report', reason: `${feedback.format}, Feedback-Type: ${feedback.feedbackType}`, ...list(recipients), ...ids() };
	}

	if (notice) {
		const text = plainOf(body);
		const exclude = new Set([...ctx.ours, ...(from ? [from] : []), ...addressList(h('to')), ...(orig().from ? [orig().from as string] : [])]);
		const prose = readProse(text, subject, exclude, failed);
		const found = deliveries?.filter((d) => d.action) ?? [];
		if (found.length) return fromDeliveries(found, prose.deliveries, failed, noticeOnly(text), orig, ids(), 'RFC 3464 DSN');
		if (prose.outcome || notice.startsWith('From') || failed.length) {
			const outcome = prose.outcome ?? 'failed';
			const list2 = prose.deliveries.map((d) => ({ ...d, action: outcome }));
			const label = `${prose.format === 'generic' ? 'delivery notice' : `${prose.format} notice`} (${notice})`;
			if (!list2.length) {
				// Nothing names the recipient: the original's To is who we wrote to.
				const d: Delivery = { action: outcome };
				const status = enhancedCode(noticeOnly(text));
				if (status) d.status = status;
				if (outcome === 'failed') Object.assign(d, severity(status, undefined, '', noticeOnly(text)));
				const to = orig().to;
				return summarize(to.length ? to.map((recipient) => ({ ...d, recipient })) : [d], label + (to.length ? ', recipient from the returned original' : ''), ids());
			}
			return summarize(list2, label, ids());
		}
	}

	const unsub = unsubscribeTarget(h, ctx);
	const split = ownText(body);
	const own = split.own;
	const language = detectLanguage(own || plainOf(body).slice(0, 2000));
	const words = { ...(own ? { text: own } : {}), ...(language ? { language } : {}) };
	if (unsub) {
		const lang = language ?? unsubscribeRequest(own, subject)?.lang;
		return { kind: 'unsubscribe', reason: `sent to our unsubscribe address ${unsub}`, ...idsOf(inReplyTo, selfKey), ...words, ...(lang ? { language: lang } : {}) };
	}

	if (reportType !== undefined) {
		const why = reportType === 'disposition-notification' ? 'read receipt (RFC 8098 disposition notification)' : `multipart/report; report-type=${reportType || '?'}`;
		return { kind: 'auto_reply', autoReplyType: 'other', reason: why, ...ids(), ...words };
	}
	const date = sentAt(h('date'));
	const exclude = new Set([...ctx.ours, ...(from ? [from] : []), ...addressList(h('reply-to')), ...addressList(h('sender'))]);
	const details = (kind: AutoReplyType): Partial<MessageClass> => {
		const out: Partial<MessageClass> = { autoReplyType: kind };
		if (kind === 'out_of_office') {
			const back = returnDate(own, date, language) ?? returnDate(subject, date, language);
			if (back) out.returnDate = back;
		}
		if (kind === 'out_of_office' || kind === 'left_company') {
			const alt = alternateContact(own, exclude);
			if (alt) out.alternateContact = alt;
		}
		return out;
	};
	if (marker) {
		const kind = autoKind(own, subject, from ?? '', root.headers.map((x) => x.name));
		return { kind: 'auto_reply', reason: marker, ...details(kind), ...idsOf(inReplyTo, selfKey), ...words };
	}

	const request = unsubscribeRequest(own, subject);
	if (request) {
		const lang = language ?? request.lang;
		return { kind: 'unsubscribe', reason: `asks to be removed: ${request.why}`, ...idsOf(inReplyTo, selfKey), ...words, ...(lang ? { language: lang } : {}) };
	}

	const hasDate = returnDate(own, date, language) !== undefined;
	const hasContact = alternateContact(own, exclude) !== undefined;
	const auto = headerlessAuto(own, subject, { quoted: split.quoted, hasDate, hasContact });
	if (auto) return { kind: 'auto_reply', reason: `${auto.why} (no automatic-reply header)`, ...details(auto.kind), ...idsOf(inReplyTo, selfKey), ...words };
	return { kind: 'human', reason: inReplyTo ? 'a reply with no automatic-reply or bounce markers' : 'no automatic-reply or bounce markers', ...idsOf(inReplyTo, selfKey), ...words };
}

/** The own words of the body: plain text with its quote cut, or HTML without its quoted blocks. */
function ownText(body: { plain?: string; html?: string }): { own: string; quoted: boolean } {
	if (body.plain !== undefined && body.plain.trim() !== '') return splitReply(body.plain);
	if (body.html === undefined) return { own: '', quoted: false };
	const full = plainOf(body, false);
	const stripped = plainOf(body, true);
	const r = splitReply(stripped);
	return { own: r.own, quoted: r.quoted || stripped.length + 20 < full.length };
}

/** The class of a DSN from its per-recipient records (prose and headers fill what the fields leave out). */
function fromDeliveries(found: Delivery[], prose: Delivery[], failedHeader: string[], notice: string, orig: () => OriginalInfo, ids: Partial<MessageClass>, label: string): MessageClass {
	const withRecipients = found.map((d) => {
		if (d.recipient) return d;
		const guess = prose[0]?.recipient ?? failedHeader[0];
		return guess ? { ...d, recipient: guess } : d;
	});
	const filled = withRecipients.map((d) => {
		if (d.action !== 'failed') return d;
		// A record without a diagnostic: the notice's prose says why.
		if (!d.diagnostic) return { ...d, ...severity(d.status, d.smtp, '', notice) };
		if (!d.hard && !d.status && !d.smtp) return { ...d, ...severity(d.status, d.smtp, d.diagnostic, notice) };
		return d;
	});
	if (!filled.some((d) => d.recipient)) {
		const to = orig().to;
		if (to.length === 1) return summarize(filled.map((d) => ({ ...d, recipient: to[0] })), `${label}, recipient from the returned original`, ids);
	}
	return summarize(filled, label, ids);
}

/** One class from a list of deliveries: any failure makes a bounce, else any delay a delay, else a success. */
function summarize(deliveries: Delivery[], label: string, ids: Partial<MessageClass>): MessageClass {
	const failed = deliveries.filter((d) => d.action === 'failed');
	const delayed = deliveries.filter((d) => d.action === 'delayed');
	const pick = failed.length ? failed : delayed.length ? delayed : deliveries;
	const recipients = pick.map((d) => d.recipient).filter((r): r is string => !!r);
	const first = pick.find((d) => d.status) ?? pick[0];
	const status = first?.status;
	const base = { ...(status ? { status } : {}), ...list(recipients), ...ids };
	const code = status ? `, Status: ${status}` : first?.smtp ? `, SMTP ${first.smtp}` : '';
	if (failed.length) {
		// Several recipients that disagree: soft for all (a soft bounce still ends the campaign; a wrong hard one suppresses a good address forever).
		const hard = failed.every((d) => d.hard);
		const mixed = !hard && failed.some((d) => d.hard);
		const why = mixed ? 'recipients differ (some hard, some soft): soft' : (failed.find((d) => d.why)?.why ?? '');
		return { kind: 'bounce', reason: `${label}, Action: failed${code}${why ? ` — ${why}` : ''}`, hard, ...base };
	}
	if (delayed.length) return { kind: 'delivery_delay', reason: `${label}, Action: delayed${code}`, ...base };
	return { kind: 'delivery_success', reason: `${label}, Action: ${pick[0]?.action ?? 'delivered'}${code}`, ...base };
}
