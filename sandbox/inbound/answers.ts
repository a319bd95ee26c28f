// Simulated answers to a message the mailbox sent (POST /sandbox/deliver with replyTo + kind): what leads, their
// colleagues, their mail servers and the mailbox owner send back, in the shapes real mail takes.
import { buildSimple, encodeWord } from '../builders';
import { badRequest } from '../errors';
import { headerOf } from '../mime';
import { serverMessageId } from '../outgoing';
import type { Mailbox, StoredMessage } from '../store';
import { buildAuto } from './auto';
import { boundary, domainOf, leadOf, mailDate, messageIdAt, originalCopy, ourFrom, quote, threading, type AnswerOptions } from './common';
import { buildDsn } from './dsn';

/** Kinds of simulated answers. */
export const ANSWER_KINDS = [
	'reply',
	'reply-new-thread',
	'colleague-reply',
	'owner-reply',
	'auto-reply',
	'out-of-office',
	'left-company',
	'bounce',
	'dsn',
	'delay',
	'unsubscribe',
	'unsubscribe-mailto',
	'unsubscribe-new-thread',
	'complaint',
] as const;

/** One kind of simulated answer. */
export type AnswerKind = (typeof ANSWER_KINDS)[number];

/** A built answer: its text, and for the owner's own answer the thread it is sent in (it is stored as SENT). */
export interface Answer {
	raw: string;
	sentIn?: string;
}

/** Builds an answer of `kind` to message `to` (a message the mailbox sent; for owner-reply any message, usually the lead's reply). */
export function buildAnswer(mb: Mailbox, to: StoredMessage, kind: string, o: AnswerOptions, now: number): Answer {
	if (!(ANSWER_KINDS as readonly string[]).includes(kind)) throw badRequest(`kind must be one of ${ANSWER_KINDS.join(', ')}`);
	const k = kind as AnswerKind;
	if (k === 'owner-reply') return { raw: ownerReply(mb, to, o.text, now), sentIn: to.threadId };
	const lead = leadOf(to);
	const us = ourFrom(to, mb.email);
	const subject = to.parsed.subject;
	const re = /^re:/i.test(subject.trim()) ? subject : `Re: ${subject}`;
	switch (k) {
		case 'reply':
		case 'unsubscribe': {
			const body = o.text ?? (k === 'reply' ? 'Thanks for reaching out. Sounds interesting, can we talk on Tuesday?' : 'Please remove me from your mailing list and do not contact me again.');
			return { raw: buildSimple({ to: us, from: lead.display, subject: re, text: body + quote(to, us, to.internalDate), ...threading(to) }, now) };
		}
		case 'reply-new-thread':
			// Outlook in German writes "AW:"; with no In-Reply-To/References Gmail files it in a thread of its own.
			return { raw: buildSimple({ to: us, from: lead.display, subject: `AW: ${subject}`, text: (o.text ?? 'Yes, interested. Tell me more.') + quote(to, us, to.internalDate) }, now) };
		case 'colleague-reply': {
			const from = o.from ?? `colleague@${domainOf(lead.address)}`;
			const text = o.text ?? `I look after this for ${lead.name || lead.address}. Please write to me directly from now on.`;
			return { raw: buildSimple({ to: us, from, subject: re, text: text + quote(to, us, to.internalDate), ...threading(to), headers: { Cc: lead.address } }, now) };
		}
		case 'unsubscribe-new-thread':
			return { raw: buildSimple({ to: us, from: lead.display, subject: 'Unsubscribe', text: o.text ?? 'Please take me off your list. Do not email me again.' }, now) };
		case 'unsubscribe-mailto':
			return { raw: mailtoUnsubscribe(mb, to, lead.display, now) };
		case 'auto-reply':
			return {
				raw: buildSimple(
					{
						to: us,
						from: lead.display,
						subject: `Automatic reply: ${subject}`,
						text: o.text ?? 'I am out of the office until next Monday with limited access to email. I will reply when I am back.',
						...threading(to),
						headers: { 'Auto-Submitted': 'auto-replied', 'X-Autoreply': 'yes', Precedence: 'auto_reply' },
					},
					now,
				),
			};
		case 'out-of-office':
		case 'left-company':
			return { raw: buildAuto(to, mb.email, k, o, now) };
		case 'bounce':
			return { raw: buildDsn(to, mb.email, now, { format: 'gmail', status: o.status, threaded: o.threaded ?? true }) };
		case 'dsn':
			return { raw: buildDsn(to, mb.email, now, o) };
		case 'delay':
			return { raw: buildDsn(to, mb.email, now, { ...o, delay: true }) };
		case 'complaint':
			return { raw: complaint(to, mb.email, lead.address, now) };
	}
	throw badRequest(`kind ${kind} is not built`);
}

/** The owner's own answer by hand from the Gmail web interface: from the mailbox, threaded on the message answered. */
function ownerReply(mb: Mailbox, to: StoredMessage, text: string | undefined, now: number): string {
	const from = to.parsed.from?.address.toLowerCase();
	const addressee = from && from !== mb.email && !mb.aliases.includes(from) ? from : leadOf(to).address;
	const subject = /^re:/i.test(to.parsed.subject.trim()) ? to.parsed.subject : `Re: ${to.parsed.subject}`;
	const raw = buildSimple({ to: addressee, from: mb.email, subject, text: (text ?? 'Thanks! Let us talk.') + quote(to, addressee, to.internalDate), ...threading(to) }, now);
	// Gmail gives a message sent in its web interface its own Message-ID.
	return raw.replace(/^Message-ID: .*$/m, `Message-ID: ${serverMessageId()}`);
}

/** What a mail client sends for the List-Unsubscribe mailto of a message (RFC 2369 / RFC 6068): to, subject and body of the URI. */
function mailtoUnsubscribe(mb: Mailbox, sent: StoredMessage, from: string, now: number): string {
	const header = headerOf(sent.parsed, 'list-unsubscribe') ?? '';
	const uri = /<\s*(mailto:[^>]+)>/i.exec(header)?.[1];
	if (!uri) throw badRequest(`message ${sent.id} has no List-Unsubscribe mailto`);
	const url = new URL(uri.replace(/\s+/g, ''));
	const target = decodeURIComponent(url.pathname).toLowerCase();
	if (!reaches(mb, target)) throw badRequest(`the List-Unsubscribe mailto ${target} does not reach ${mb.email} (not its address, a send-as alias or a +tag of it)`);
	const subject = url.searchParams.get('subject') ?? 'unsubscribe';
	const body = url.searchParams.get('body') ?? 'This message was sent automatically to unsubscribe.';
	return buildSimple({ to: target, from, subject, text: body }, now);
}

/** Whether mail to an address lands in this mailbox: its address, an alias, or either with a +tag. */
function reaches(mb: Mailbox, address: string): boolean {
	const plain = address.replace(/\+[^@]*@/, '@');
	return [mb.email, ...mb.aliases].includes(plain);
}

/** A spam complaint from a mailbox provider's feedback loop (ARF, RFC 5965): unthreaded, the original attached. */
function complaint(sent: StoredMessage, mailbox: string, lead: string, now: number): string {
	const b = boundary('arf-');
	const host = 'feedback.mail-provider.test';
	return [
		`From: Feedback Loop <fbl@${host}>`,
		`To: ${mailbox}`,
		`Subject: ${encodeWord(`Complaint about message from ${domainOf(mailbox)}`)}`,
		`Date: ${mailDate(now)}`,
		`Message-ID: ${messageIdAt(host)}`,
		'MIME-Version: 1.0',
		`Content-Type: multipart/report; report-type=feedback-report; boundary="${b}"`,
		'',
		`--${b}`,
		'Content-Type: text/plain; charset=us-ascii',
		'',
		'This is an email abuse report for an email message received from your domain.',
		'',
		`--${b}`,
		'Content-Type: message/feedback-report',
		'',
		'Feedback-Type: abuse',
		'User-Agent: SandboxFBL/1.0',
		'Version: 1',
		`Original-Mail-From: <${mailbox}>`,
		`Original-Rcpt-To: <${lead}>`,
		`Arrival-Date: ${mailDate(sent.internalDate)}`,
		`Reported-Domain: ${domainOf(mailbox)}`,
		'',
		`--${b}`,
		'Content-Type: message/rfc822',
		'',
		originalCopy(sent),
		'',
		`--${b}--`,
		'',
	].join('\r\n');
}
