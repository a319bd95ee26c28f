import { randomBytes } from 'node:crypto';
import { headerOf } from './mime';
import type { StoredMessage } from './store';

/** Fields of a simple inbound message for POST /sandbox/deliver. */
export interface SimpleMail {
	to: string;
	from: string;
	subject: string;
	text: string;
	inReplyTo?: string;
	references?: string;
	headers?: Record<string, string>;
}

/** A sandbox-made Message-ID for inbound mail from a domain. */
export function inboundMessageId(from: string): string {
	const domain = /@([^>\s]+)/.exec(from)?.[1] ?? 'sandbox.invalid';
	return `<${randomBytes(12).toString('hex')}@${domain}>`;
}

function encodeWord(value: string): string {
	// RFC 2047: non-ASCII header text goes as a UTF-8 base64 encoded-word.
	return /^[\x20-\x7e]*$/.test(value) ? value : `=?UTF-8?B?${Buffer.from(value).toString('base64')}?=`;
}

function bracket(id: string): string {
	return id.startsWith('<') ? id : `<${id}>`;
}

/** Builds RFC 5322 text for a simple text/plain message (the sandbox's own tiny builder; never the package's). */
export function buildSimple(m: SimpleMail, date: number): string {
	const lines = [
		`From: ${m.from}`,
		`To: ${m.to}`,
		`Subject: ${encodeWord(m.subject)}`,
		`Date: ${new Date(date).toUTCString().replace('GMT', '+0000')}`,
		`Message-ID: ${inboundMessageId(m.from)}`,
	];
	if (m.inReplyTo) lines.push(`In-Reply-To: ${bracket(m.inReplyTo)}`);
	if (m.references) lines.push(`References: ${m.references.split(/\s+/).filter(Boolean).map(bracket).join(' ')}`);
	for (const [k, v] of Object.entries(m.headers ?? {})) lines.push(`${k}: ${encodeWord(v)}`);
	lines.push('MIME-Version: 1.0', 'Content-Type: text/plain; charset=UTF-8', 'Content-Transfer-Encoding: base64', '');
	const body = Buffer.from(m.text.replace(/\r?\n/g, '\r\n')).toString('base64').replace(/.{76}/g, '$&\r\n');
	return lines.join('\r\n') + '\r\n' + body + '\r\n';
}

/** Kinds of simulated answers to a sent message. */
export type ReplyKind = 'reply' | 'auto-reply' | 'bounce' | 'unsubscribe';

function threading(sent: StoredMessage): { inReplyTo: string; references: string } {
	const id = sent.parsed.messageId ?? '';
	return { inReplyTo: id, references: [...sent.parsed.references, id].filter(Boolean).join(' ') };
}

function quote(sent: StoredMessage, who: string, date: number): string {
	const body = (sent.parsed.text || '').split(/\r?\n/).map((l) => `> ${l}`).join('\n');
	return `\n\nOn ${new Date(date).toUTCString()}, ${who} wrote:\n${body}`;
}

/** Builds the raw text of a reply / out-of-office / bounce / unsubscribe answer to a message the mailbox sent. */
export function buildAnswer(sent: StoredMessage, mailbox: string, kind: ReplyKind, text: string | undefined, now: number): string {
	const lead = sent.parsed.to[0] ?? sent.parsed.cc[0] ?? sent.parsed.bcc[0];
	const leadAddr = lead ? (lead.name ? `"${lead.name.replace(/"/g, '')}" <${lead.address}>` : lead.address) : 'someone@example.com';
	const subject = sent.parsed.subject;
	const re = /^re:/i.test(subject.trim()) ? subject : `Re: ${subject}`;
	const t = threading(sent);
	const from = headerOf(sent.parsed, 'from') ?? mailbox;
	if (kind === 'reply' || kind === 'unsubscribe') {
		const body = text ?? (kind === 'reply' ? 'Thanks for reaching out. Sounds interesting, can we talk on Tuesday?' : 'Please remove me from your mailing list and do not contact me again.');
		return buildSimple({ to: from, from: leadAddr, subject: re, text: body + quote(sent, from, sent.internalDate), ...t }, now);
	}
	if (kind === 'auto-reply') {
		return buildSimple(
			{
				to: from,
				from: leadAddr,
				subject: `Automatic reply: ${subject}`,
				text: text ?? 'I am out of the office until next Monday with limited access to email. I will reply when I am back.',
				...t,
				headers: { 'Auto-Submitted': 'auto-replied', 'X-Autoreply': 'yes', Precedence: 'auto_reply' },
			},
			now,
		);
	}
	return buildBounce(sent, mailbox, lead?.address ?? 'someone@example.com', text, now);
}

function buildBounce(sent: StoredMessage, mailbox: string, failed: string, text: string | undefined, now: number): string {
	const boundary = `sandbox-dsn-${randomBytes(8).toString('hex')}`;
	const domain = failed.split('@')[1] ?? 'example.com';
	const t = threading(sent);
	const originalHeaders = sent.parsed.headers.map((h) => `${h.name}: ${h.value}`).join('\r\n');
	const human =
		text ??
		`Address not found\r\n\r\nYour message wasn't delivered to ${failed} because the address couldn't be found, or is unable to receive mail.`;
	return [
		'From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>',
		`To: ${mailbox}`,
		'Subject: Delivery Status Notification (Failure)',
		`Date: ${new Date(now).toUTCString().replace('GMT', '+0000')}`,
		`Message-ID: ${inboundMessageId('mailer-daemon@googlemail.com')}`,
		`In-Reply-To: ${bracket(t.inReplyTo)}`,
		`References: ${t.references.split(' ').map(bracket).join(' ')}`,
		`X-Failed-Recipients: ${failed}`,
		'Auto-Submitted: auto-replied',
		'MIME-Version: 1.0',
		`Content-Type: multipart/report; report-type=delivery-status; boundary="${boundary}"`,
		'',
		`--${boundary}`,
		'Content-Type: text/plain; charset=UTF-8',
		'',
		human,
		'',
		`--${boundary}`,
		'Content-Type: message/delivery-status',
		'',
		'Reporting-MTA: dns; googlemail.com',
		`Arrival-Date: ${new Date(sent.internalDate).toUTCString()}`,
		'',
		`Final-Recipient: rfc822; ${failed}`,
		'Action: failed',
		'Status: 5.1.1',
		`Remote-MTA: dns; mx.${domain}`,
		`Diagnostic-Code: smtp; 550 5.1.1 The email account that you tried to reach does not exist.`,
		`Last-Attempt-Date: ${new Date(now).toUTCString()}`,
		'',
		`--${boundary}`,
		'Content-Type: text/rfc822-headers',
		'',
		originalHeaders,
		'',
		`--${boundary}--`,
		'',
	].join('\r\n');
}
