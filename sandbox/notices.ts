import { randomBytes } from 'node:crypto';
import type { ParsedMessage } from './mime';

/** Gmail's own mailer-daemon, the sender of its delivery notices. */
export const MAILER_DAEMON = 'Mail Delivery Subsystem <mailer-daemon@googlemail.com>';

/** The SMTP reply Gmail gives for a send over the daily limit (RFC 3463 5.4.5). */
export const LIMIT_DIAGNOSTIC =
	'550 5.4.5 Daily user sending limit exceeded. For more information on Gmail sending limits go to https://support.google.com/a/answer/166852';

/** What a limit notice needs of the message Gmail did not send. */
export interface Unsent {
	raw: string;
	parsed: ParsedMessage;
	internalDate: number;
}

function rfc5322Date(ms: number): string {
	return new Date(ms).toUTCString().replace('GMT', '+0000');
}

/** The header block of a message exactly as written (the text/rfc822-headers part quotes it verbatim). */
export function headerBlock(raw: string): string {
	const m = /\r?\n\r?\n/.exec(raw);
	return (m ? raw.slice(0, m.index) : raw).replace(/\r?\n/g, '\r\n');
}

/**
 * Gmail's failure notice for a send its late cap accepted with 200 but never sent: from its mailer-daemon to the sender,
 * threaded on the original (In-Reply-To/References), an RFC 3464 report with Status 5.4.5 per recipient and the original's headers.
 */
export function buildLimitNotice(original: Unsent, sender: string, recipients: string[], now: number): string {
	const boundary = `000000000000${randomBytes(8).toString('hex')}`;
	const id = original.parsed.messageId;
	const refs = [...original.parsed.references, ...(id ? [id] : [])].map((r) => `<${r}>`).join(' ');
	const human = [
		'** Message not delivered **',
		'',
		'You have reached a limit for sending mail. Your message was not sent.',
		'',
		'The response was:',
		'',
		LIMIT_DIAGNOSTIC,
	].join('\r\n');
	const perRecipient = recipients.flatMap((r) => [
		`Final-Recipient: rfc822; ${r}`,
		'Action: failed',
		'Status: 5.4.5',
		`Diagnostic-Code: smtp; ${LIMIT_DIAGNOSTIC}`,
		`Last-Attempt-Date: ${rfc5322Date(now)}`,
		'',
	]);
	const lines = [
		`From: ${MAILER_DAEMON}`,
		`To: ${sender}`,
		'Subject: Delivery Status Notification (Failure)',
		`Date: ${rfc5322Date(now)}`,
		`Message-ID: <${randomBytes(14).toString('hex')}@mx.google.com>`,
		...(id ? [`In-Reply-To: <${id}>`, `References: ${refs}`] : []),
		`X-Failed-Recipients: ${recipients.join(', ')}`,
		'Auto-Submitted: auto-replied',
		'MIME-Version: 1.0',
		`Content-Type: multipart/report; report-type=delivery-status; boundary="${boundary}"`,
		'',
		`--${boundary}`,
		'Content-Type: text/plain; charset="UTF-8"',
		'',
		human,
		'',
		`--${boundary}`,
		'Content-Type: message/delivery-status',
		'',
		'Reporting-MTA: dns; googlemail.com',
		`Arrival-Date: ${rfc5322Date(original.internalDate)}`,
		'',
		...perRecipient,
		`--${boundary}`,
		'Content-Type: text/rfc822-headers',
		'',
		headerBlock(original.raw),
		'',
		`--${boundary}--`,
		'',
	];
	return lines.join('\r\n');
}
