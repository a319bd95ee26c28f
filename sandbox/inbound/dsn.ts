// Delivery notices as the common mail servers write them: most are not threaded on the original, name the failed address
// only in an RFC 3464 report or in prose, and carry no X-Failed-Recipients (Exim and Gmail's own are the exceptions).
import { encodeWord } from '../builders';
import { badRequest } from '../errors';
import type { StoredMessage } from '../store';
import { boundary, domainOf, leadOf, mailDate, messageIdAt, originalCopy, originalHeaders, threadLines } from './common';

/** Writers of delivery notices the sandbox can imitate. */
export const DSN_FORMATS = ['postfix', 'exim', 'sendmail', 'qmail', 'exchange', 'gmail', 'yahoo', 'outlook'] as const;

/** Enhanced status codes a simulated failure may carry. */
export const DSN_STATUSES = ['5.1.1', '5.1.10', '5.2.2', '5.7.1', '4.4.7'] as const;

type Format = (typeof DSN_FORMATS)[number];

interface Failure {
	sent: StoredMessage;
	mailbox: string;
	failed: string;
	status: string;
	/** The SMTP reply as the remote server gave it. */
	smtp: string;
	/** The server's one-line human wording. */
	human: string;
	now: number;
	threaded: boolean;
	delay: boolean;
}

// What the remote server said, per status (the words the big providers use; the status decides hard or soft).
const REPLIES: Record<string, (a: string) => { smtp: string; human: string }> = {
	'5.1.1': (a) => ({ smtp: `550 5.1.1 <${a}>: Recipient address rejected: User unknown in virtual mailbox table`, human: 'user unknown' }),
	'5.1.10': (a) => ({ smtp: `550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient ${a} not found by SMTP address lookup`, human: 'recipient not found' }),
	'5.2.2': (a) => ({ smtp: `552 5.2.2 <${a}>: Mailbox full - user is over quota`, human: 'mailbox full' }),
	'5.7.1': () => ({ smtp: '550 5.7.1 Service unavailable; client host blocked using a reputation list', human: 'rejected by policy' }),
	'4.4.7': () => ({ smtp: '451 4.4.7 Message expired: retry timeout exceeded', human: 'delivery time expired' }),
};

/** Builds a delivery notice for the lead of `sent`: failed (status) or, with `delay`, a warning that delivery is still tried. */
export function buildDsn(sent: StoredMessage, mailbox: string, now: number, o: { format?: string; status?: string; threaded?: boolean; delay?: boolean }): string {
	const format = (o.format ?? 'postfix') as Format;
	if (!DSN_FORMATS.includes(format)) throw badRequest(`format must be one of ${DSN_FORMATS.join(', ')}`);
	const delay = o.delay === true;
	const status = delay ? '4.4.1' : (o.status ?? '5.1.1');
	if (!delay && !(DSN_STATUSES as readonly string[]).includes(status)) throw badRequest(`status must be one of ${DSN_STATUSES.join(', ')}`);
	if (delay && (format === 'qmail' || format === 'yahoo')) throw badRequest(`${format} sends no delay warnings`);
	const failed = leadOf(sent).address;
	const reply = delay
		? { smtp: `451 4.4.1 Connection timed out while talking to mx.${domainOf(failed)}`, human: 'connection timed out' }
		: REPLIES[status](failed);
	const f: Failure = { sent, mailbox, failed, status, ...reply, now, threaded: o.threaded ?? format === 'gmail', delay };
	return WRITERS[format](f);
}

const WRITERS: Record<Format, (f: Failure) => string> = {
	postfix: (f) => {
		const host = `mail.${domainOf(f.failed)}`;
		const queue = messageIdAt(host).slice(1, 11);
		const words = f.delay
			? ['####################################################################', '# THIS IS A WARNING ONLY.  YOU DO NOT NEED TO RESEND YOUR MESSAGE. #', '####################################################################', '', 'Your message could not be delivered for more than 4 hour(s).', 'It will be retried until it is 5 day(s) old.']
			: ["I'm sorry to have to inform you that your message could not", 'be delivered to one or more recipients. It\'s attached below.'];
		return report(f, {
			from: `MAILER-DAEMON@${host} (Mail Delivery System)`,
			subject: f.delay ? 'Delayed Mail (still being retried)' : 'Undelivered Mail Returned to Sender',
			messageId: `<${queue}@${host}>`,
			human: [`This is the mail system at host ${host}.`, '', ...words, '', '                   The mail system', '', `<${f.failed}>: host mx.${domainOf(f.failed)} said: ${f.smtp}`].join('\r\n'),
			mta: host,
			extra: [`X-Postfix-Queue-ID: ${queue}`, `X-Postfix-Sender: rfc822; ${f.mailbox}`],
			original: f.delay ? 'headers' : 'full',
		});
	},
	sendmail: (f) => {
		const host = `relay.${domainOf(f.failed)}`;
		const human = f.delay
			? ['**********************************************', '**      THIS IS A WARNING MESSAGE ONLY      **', '**  YOU DO NOT NEED TO RESEND YOUR MESSAGE  **', '**********************************************', '', 'The original message was received and is still queued.', '', '   ----- Transcript of session follows -----', `<${f.failed}>... Deferred: Connection timed out with mx.${domainOf(f.failed)}.`, 'Warning: message still undelivered after 4 hours', 'Will keep trying until message is 5 days old']
			: ['The original message was received and could not be delivered.', '', '   ----- The following addresses had permanent fatal errors -----', `<${f.failed}>`, `    (reason: ${f.smtp})`, '', '   ----- Transcript of session follows -----', `... while talking to mx.${domainOf(f.failed)}.:`, `>>> RCPT To:<${f.failed}>`, `<<< ${f.smtp}`, `550 ${f.status} <${f.failed}>... ${f.human}`];
		return report(f, {
			from: `Mail Delivery Subsystem <MAILER-DAEMON@${host}>`,
			subject: f.delay ? 'Warning: could not send message for past 4 hours' : 'Returned mail: see transcript for details',
			messageId: messageIdAt(host),
			human: human.join('\r\n'),
			mta: host,
			original: f.delay ? 'headers' : 'full',
		});
	},
	exchange: (f) => exchangeLike(f, `postmaster@${domainOf(f.failed)}`, `mail.${domainOf(f.failed)}`),
	outlook: (f) => exchangeLike(f, 'postmaster@outlook.com', 'DB8EUR05HT123.eop-eur05.prod.protection.outlook.com'),
	gmail: (f) =>
		report(f, {
			from: 'Mail Delivery Subsystem <mailer-daemon@googlemail.com>',
			subject: f.delay ? 'Delivery Status Notification (Delay)' : 'Delivery Status Notification (Failure)',
			messageId: messageIdAt('mx.google.com'),
			human: f.delay
				? ['** Delivery incomplete **', '', `There was a temporary problem delivering your message to ${f.failed}. Gmail will retry for 47 more hours. You'll be notified if the delivery fails permanently.`, '', 'The response was:', '', f.smtp].join('\r\n')
				: [f.status.startsWith('5.1.') ? '** Address not found **' : '** Message not delivered **', '', `Your message wasn't delivered to ${f.failed} because of: ${f.human}.`, '', 'The response from the remote server was:', f.smtp].join('\r\n'),
			mta: 'googlemail.com',
			headers: f.delay ? [] : [`X-Failed-Recipients: ${f.failed}`],
			original: 'headers',
		}),
	exim: (f) => {
		const host = `server.${domainOf(f.mailbox)}`;
		const lines = f.delay
			? ['This message was created automatically by mail delivery software.', 'A message that you sent has not yet been delivered to one or more of its', 'recipients after more than 24 hours on the queue on ' + host + '.', '', 'The message identifier is:     1abcDE-000Fg-2H', '', 'The address to which the message has not yet been delivered is:', '', `  ${f.failed}`, `    host mx.${domainOf(f.failed)}: ${f.smtp}`, '', 'No action is required on your part. Delivery attempts will continue for', 'some time, and this warning may be repeated at intervals if the message', 'remains undelivered. Eventually the mail delivery software will give up,', 'and when that happens, the message will be returned to you.']
			: ['This message was created automatically by mail delivery software.', '', 'A message that you sent could not be delivered to one or more of its', 'recipients. This is a permanent error. The following address(es) failed:', '', `  ${f.failed}`, `    host mx.${domainOf(f.failed)}`, `    SMTP error from remote mail server after RCPT TO:<${f.failed}>:`, `    ${f.smtp}`, '', '------ This is a copy of the message, including all the headers. ------', '', originalCopy(f.sent)];
		return plain(f, {
			from: `Mail Delivery System <Mailer-Daemon@${host}>`,
			subject: f.delay ? `Warning: message 1abcDE-000Fg-2H delayed 24 hours` : 'Mail delivery failed: returning message to sender',
			messageId: messageIdAt(host),
			headers: f.delay ? [] : [`X-Failed-Recipients: ${f.failed}`],
			body: lines.join('\r\n'),
		});
	},
	qmail: (f) => {
		const host = `mail.${domainOf(f.failed)}`;
		const code = f.status;
		return plain(f, {
			from: `MAILER-DAEMON@${host}`,
			subject: 'failure notice',
			messageId: messageIdAt(host),
			body: [`Hi. This is the qmail-send program at ${host}.`, "I'm afraid I wasn't able to deliver your message to the following addresses.", "This is a permanent error; I've given up. Sorry it didn't work out.", '', `<${f.failed}>:`, `Sorry, ${f.human}. (#${code})`, '', '--- Below this line is a copy of the message.', '', originalCopy(f.sent)].join('\r\n'),
		});
	},
	yahoo: (f) =>
		plain(f, {
			from: 'MAILER-DAEMON@yahoo.com',
			subject: 'Failure Notice',
			messageId: messageIdAt('mta1042.mail.gq1.yahoo.com'),
			body: ['Sorry, we were unable to deliver your message to the following address.', '', `<${f.failed}>:`, `Remote host said: ${f.smtp} [RCPT_TO]`, '', '--- Below this line is a copy of the message.', '', originalCopy(f.sent)].join('\r\n'),
		}),
};

function exchangeLike(f: Failure, from: string, mta: string): string {
	const subject = f.sent.parsed.subject;
	const human = f.delay
		? ['Delivery is delayed to these recipients or groups:', '', f.failed, '', 'Subject: ' + subject, '', "This message hasn't been delivered yet. Delivery will continue to be attempted.", '', 'The server will keep trying to deliver this message for the next 1 days, 19 hours and 52 minutes.']
		: ['Delivery has failed to these recipients or groups:', '', f.failed, `The email address you entered couldn't be found or the recipient's mailbox can't take messages (${f.human}).`, '', 'Diagnostic information for administrators:', '', `Generating server: ${mta}`, '', f.failed, `Remote Server returned '${f.smtp}'`];
	return report(f, {
		from: `Microsoft Outlook <${from}>`,
		subject: `${f.delay ? 'Delivery delayed' : 'Undeliverable'}: ${subject}`,
		messageId: messageIdAt(mta),
		human: human.join('\r\n'),
		mta,
		headers: ['X-MS-Exchange-Message-Is-Ndr:', 'Content-Language: en-US'],
		original: f.delay ? 'headers' : 'full',
	});
}

interface ReportParts {
	from: string;
	subject: string;
	messageId: string;
	human: string;
	mta: string;
	headers?: string[];
	extra?: string[];
	original: 'headers' | 'full';
}

/** An RFC 3464 multipart/report: the server's words, the machine-readable status, the original (headers or whole). */
function report(f: Failure, p: ReportParts): string {
	const b = boundary('dsn-');
	const action = f.delay ? 'delayed' : 'failed';
	return [
		...top(f, p.from, p.subject, p.messageId, p.headers),
		`Content-Type: multipart/report; report-type=delivery-status; boundary="${b}"`,
		'',
		'This is a MIME-encapsulated message.',
		'',
		`--${b}`,
		'Content-Description: Notification',
		'Content-Type: text/plain; charset=us-ascii',
		'',
		p.human,
		'',
		`--${b}`,
		'Content-Description: Delivery report',
		'Content-Type: message/delivery-status',
		'',
		`Reporting-MTA: dns; ${p.mta}`,
		...(p.extra ?? []),
		`Arrival-Date: ${mailDate(f.sent.internalDate)}`,
		'',
		`Final-Recipient: rfc822; ${f.failed}`,
		`Original-Recipient: rfc822;${f.failed}`,
		`Action: ${action}`,
		`Status: ${f.status}`,
		`Remote-MTA: dns; mx.${domainOf(f.failed)}`,
		`Diagnostic-Code: smtp; ${f.smtp}`,
		...(f.delay ? [`Will-Retry-Until: ${mailDate(f.now + 4 * 86400_000)}`] : []),
		'',
		`--${b}`,
		...(p.original === 'full'
			? ['Content-Description: Undelivered Message', 'Content-Type: message/rfc822', '', originalCopy(f.sent)]
			: ['Content-Description: Undelivered Message Headers', 'Content-Type: text/rfc822-headers', '', originalHeaders(f.sent)]),
		'',
		`--${b}--`,
		'',
	].join('\r\n');
}

/** A plain-text notice (Exim, qmail, Yahoo): the failure in prose, then a copy of the original. */
function plain(f: Failure, p: { from: string; subject: string; messageId: string; headers?: string[]; body: string }): string {
	return [...top(f, p.from, p.subject, p.messageId, p.headers), 'Content-Type: text/plain; charset=us-ascii', '', p.body, ''].join('\r\n');
}

function top(f: Failure, from: string, subject: string, messageId: string, headers: string[] = []): string[] {
	return [
		'Return-Path: <>',
		`From: ${from}`,
		`To: ${f.mailbox}`,
		`Subject: ${encodeWord(subject)}`,
		`Date: ${mailDate(f.now)}`,
		`Message-ID: ${messageId}`,
		...(f.threaded ? threadLines(f.sent) : []),
		...headers,
		'Auto-Submitted: auto-replied',
		'MIME-Version: 1.0',
	];
}
