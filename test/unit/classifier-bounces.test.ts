import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyMessage, type MessageClass } from '../../nodes/shared/core/classify';
import { bounceSeverity, enhancedCode, smtpCode } from '../../nodes/shared/core/classifier/status';

const OURS = { ourAddresses: ['olivia@ours.test'] };
const ORIGINAL_HEADERS = ['From: Olivia <olivia@ours.test>', 'To: ann@acme.test', 'Subject: Quick question', 'Message-ID: <m1@ours.test>', 'X-Outreach-Key: go-k1'].join('\r\n');

/** A message from header lines and a body (LF in the source, CRLF on the wire). */
function mail(headers: string[], body: string): string {
	return [...headers, '', body].join('\r\n').replace(/\r?\n/g, '\r\n');
}

/** An RFC 3464 report: human text, per-recipient fields, the returned original's headers. */
function dsn(text: string, recipients: string[], opts: { from?: string; subject?: string; extra?: string[]; type?: string; original?: string } = {}): string {
	const b = 'dsn-boundary';
	return mail(
		[
			`From: ${opts.from ?? 'Mail Delivery Subsystem <mailer-daemon@googlemail.com>'}`, 'To: olivia@ours.test', `Subject: ${opts.subject ?? 'Delivery Status Notification (Failure)'}`,
			'Date: Mon, 05 Jan 2026 10:00:00 +0000', ...(opts.extra ?? []), 'MIME-Version: 1.0', `Content-Type: multipart/report; report-type=delivery-status; boundary="${b}"`,
		],
		[
			`--${b}`, 'Content-Type: text/plain; charset=utf-8', '', text, '', `--${b}`, `Content-Type: ${opts.type ?? 'message/delivery-status'}`, '', 'Reporting-MTA: dns; mx.example.test', '',
			recipients.join('\n\n'), '', `--${b}`, 'Content-Type: text/rfc822-headers', '', opts.original ?? ORIGINAL_HEADERS, '', `--${b}--`, '',
		].join('\n'),
	);
}

function rcpt(address: string, action: string, status: string, diagnostic?: string): string {
	return [`Final-Recipient: rfc822; ${address}`, `Action: ${action}`, `Status: ${status}`, ...(diagnostic ? [`Diagnostic-Code: smtp; ${diagnostic}`] : [])].join('\n');
}

/** A bounce whose only content is prose, as non-DSN MTAs send it. */
function prose(from: string, subject: string, text: string, extra: string[] = []): string {
	return mail([`From: ${from}`, 'To: olivia@ours.test', `Subject: ${subject}`, 'Date: Mon, 05 Jan 2026 10:00:00 +0000', ...extra, 'Content-Type: text/plain; charset=us-ascii'], text);
}

interface Case {
	name: string;
	raw: string;
	kind: MessageClass['kind'];
	hard?: boolean;
	status?: string | null;
	recipients?: string[];
	reason?: RegExp;
	originalMessageId?: string;
	outreachKey?: string;
}

const cases: Case[] = [
	{
		name: 'Gmail DSN, 5.1.1, returned headers with our key',
		raw: dsn("** Address not found **\n\nYour message wasn't delivered to ann@acme.test because the address couldn't be found.", [rcpt('Ann@Acme.test', 'failed', '5.1.1', '550 5.1.1 The email account that you tried to reach does not exist.')]),
		kind: 'bounce', hard: true, status: '5.1.1', recipients: ['ann@acme.test'], reason: /RFC 3464 DSN, Action: failed, Status: 5\.1\.1/, originalMessageId: '<m1@ours.test>', outreachKey: 'go-k1',
	},
	{
		name: 'DSN listing two unknown recipients',
		raw: dsn('Delivery failed.', [rcpt('ann@acme.test', 'failed', '5.1.1', '550 5.1.1 user unknown'), rcpt('bob@acme.test', 'failed', '5.1.1', '550 5.1.1 user unknown')]),
		kind: 'bounce', hard: true, status: '5.1.1', recipients: ['ann@acme.test', 'bob@acme.test'],
	},
	{
		name: 'DSN whose recipients disagree (unknown and full) is soft for all',
		raw: dsn('Delivery failed.', [rcpt('ann@acme.test', 'failed', '5.1.1', '550 5.1.1 user unknown'), rcpt('bob@acme.test', 'failed', '5.2.2', '552 5.2.2 mailbox full')]),
		kind: 'bounce', hard: false, recipients: ['ann@acme.test', 'bob@acme.test'], reason: /some hard, some soft/,
	},
	{
		name: 'DSN with Status 5.0.0 and a specific code in the diagnostic',
		raw: dsn('failed', [rcpt('ann@acme.test', 'failed', '5.0.0', '550 5.1.1 <ann@acme.test>: Recipient address rejected: User unknown in virtual mailbox table')]),
		kind: 'bounce', hard: true, status: '5.1.1', recipients: ['ann@acme.test'],
	},
	{
		name: 'DSN without blank lines between recipients',
		raw: dsn('failed', [[rcpt('ann@acme.test', 'failed', '5.1.1'), rcpt('bob@acme.test', 'failed', '5.1.1')].join('\n')]),
		kind: 'bounce', hard: true, recipients: ['ann@acme.test', 'bob@acme.test'],
	},
	{
		name: 'DSN, mailbox full (5.2.2) is soft',
		raw: dsn('failed', [rcpt('ann@acme.test', 'failed', '5.2.2', '552 5.2.2 The email account that you tried to reach is over quota.')]),
		kind: 'bounce', hard: false, status: '5.2.2', recipients: ['ann@acme.test'],
	},
	{
		name: 'DSN, 550 5.7.1 policy block is soft',
		raw: dsn('failed', [rcpt('ann@acme.test', 'failed', '5.7.1', '550 5.7.1 Message rejected due to content restrictions (spam)')]),
		kind: 'bounce', hard: false, status: '5.7.1',
	},
	{
		name: 'DSN, expired after retries (4.4.7 in a failed record) is soft',
		raw: dsn('failed', [rcpt('ann@acme.test', 'failed', '4.4.7', 'smtp; 421 Connection timed out')]),
		kind: 'bounce', hard: false, status: '4.4.7',
	},
	{
		name: 'DSN, message too large (5.3.4) is soft',
		raw: dsn('failed', [rcpt('ann@acme.test', 'failed', '5.3.4', '552 5.3.4 Message size exceeds fixed maximum message size')]),
		kind: 'bounce', hard: false, status: '5.3.4',
	},
	{
		name: 'DSN, account disabled (5.2.1 with "disabled") is hard',
		raw: dsn('failed', [rcpt('ann@acme.test', 'failed', '5.2.1', '550 5.2.1 The email account that you tried to reach is disabled.')]),
		kind: 'bounce', hard: true, status: '5.2.1',
	},
	{
		name: 'DSN, account suspended (5.2.1) is soft',
		raw: dsn('failed', [rcpt('ann@acme.test', 'failed', '5.2.1', '550 5.2.1 Mailbox temporarily suspended')]),
		kind: 'bounce', hard: false, status: '5.2.1',
	},
	{
		name: 'DSN, moved (5.1.6) is hard',
		raw: dsn('failed', [rcpt('ann@acme.test', 'failed', '5.1.6', '551 5.1.6 Recipient has moved; no forwarding address')]),
		kind: 'bounce', hard: true, status: '5.1.6',
	},
	{
		name: 'DSN, Office 365 directory-based edge blocking (5.4.1 Access denied) is hard',
		raw: dsn('failed', [rcpt('ann@acme.test', 'failed', '5.4.1', '550 5.4.1 Recipient address rejected: Access denied. AS(201806281)')], { from: 'postmaster@outlook.com' }),
		kind: 'bounce', hard: true, status: '5.4.1',
	},
	{
		name: 'RFC 6533 global DSN with a UTF-8 address',
		raw: dsn('failed', [rcpt('jürgen@bäckerei.test', 'failed', '5.1.1', '550 5.1.1 unknown user')], { type: 'message/global-delivery-status' }),
		kind: 'bounce', hard: true, status: '5.1.1', recipients: ['jürgen@xn--bckerei-5wa.test'],
	},
	{
		name: 'DSN delay (Action: delayed) is never a bounce',
		raw: dsn('Delivery incomplete. Gmail will retry for 46 more hours.', [rcpt('ann@acme.test', 'delayed', '4.4.7', '421 4.4.7 Try again later')], { subject: 'Delivery Status Notification (Delay)' }),
		kind: 'delivery_delay', status: '4.4.7', recipients: ['ann@acme.test'], reason: /Action: delayed/,
	},
	{
		name: 'DSN success (Action: delivered)',
		raw: dsn('Your message was delivered.', [rcpt('ann@acme.test', 'delivered', '2.0.0', '250 2.0.0 OK')], { subject: 'Delivery Status Notification (Success)' }),
		kind: 'delivery_success', recipients: ['ann@acme.test'],
	},
	{
		name: 'DSN relayed counts as success',
		raw: dsn('relayed', [rcpt('ann@acme.test', 'relayed', '2.0.0')]),
		kind: 'delivery_success',
	},
	{
		name: 'Exchange Online NDR in prose (5.1.10 RecipientNotFound)',
		raw: prose('Microsoft Outlook <MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@acme.test>', 'Undeliverable: Quick question',
			"Your message to ann@acme.test couldn't be delivered.\nann wasn't found at acme.test.\n\nDelivery has failed to these recipients or groups:\n\nann@acme.test (ann@acme.test)\nThe email address you entered couldn't be found.\n\nDiagnostic information for administrators:\n\nGenerating server: AM0PR01MB1234.eurprd01.prod.exchangelabs.com\n\nann@acme.test\nRemote Server returned '550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup'\n\nOriginal message headers:\n\nMessage-ID: <m1@ours.test>\nX-Outreach-Key: go-k1\n"),
		kind: 'bounce', hard: true, status: '5.1.10', recipients: ['ann@acme.test'], originalMessageId: '<m1@ours.test>', outreachKey: 'go-k1', reason: /Exchange/,
	},
	{
		name: "Exchange on-premises NDR: Remote Server returned '550 5.1.1'",
		raw: prose('postmaster@acme.test', 'Undeliverable: Quick question',
			"Delivery has failed to these recipients or groups:\n\nAnn Lee\nThe e-mail address you entered couldn't be found.\n\nann@acme.test\nmx.acme.test #550 5.1.1 RESOLVER.ADR.RecipNotFound; not found ##\n\nOriginal message headers:\nTo: ann@acme.test\n"),
		kind: 'bounce', hard: true, status: '5.1.1', recipients: ['ann@acme.test'],
	},
	{
		name: 'qmail failure notice',
		raw: prose('MAILER-DAEMON@mail.acme.test', 'failure notice',
			"Hi. This is the qmail-send program at mail.acme.test.\nI'm afraid I wasn't able to deliver your message to the following addresses.\nThis is a permanent error; I've given up. Sorry it didn't work out.\n\n<ann@acme.test>:\nSorry, no mailbox here by that name. (#5.1.1)\n\n--- Below this line is a copy of the message.\n\nReturn-Path: <olivia@ours.test>\nMessage-ID: <m1@ours.test>\nX-Outreach-Key: go-k1\nTo: ann@acme.test\n\nHi Ann, unsubscribe here\n"),
		kind: 'bounce', hard: true, status: '5.1.1', recipients: ['ann@acme.test'], originalMessageId: '<m1@ours.test>', outreachKey: 'go-k1', reason: /qmail/,
	},
	{
		name: 'Postfix, remote user unknown',
		raw: prose('MAILER-DAEMON@mx.ours.test (Mail Delivery System)', 'Undelivered Mail Returned to Sender',
			"This is the mail system at host mx.ours.test.\n\nI'm sorry to have to inform you that your message could not\nbe delivered to one or more recipients.\n\n<ann@acme.test>: host mx.acme.test[192.0.2.1] said: 550 5.1.1\n    <ann@acme.test>: Recipient address rejected: User unknown in virtual mailbox\n    table (in reply to RCPT TO command)\n"),
		kind: 'bounce', hard: true, status: '5.1.1', recipients: ['ann@acme.test'], reason: /Postfix/,
	},
	{
		name: 'Postfix, host not found is hard',
		raw: prose('MAILER-DAEMON@mx.ours.test', 'Undelivered Mail Returned to Sender',
			'This is the mail system at host mx.ours.test.\n\n<ann@acme-typo.test>: Host or domain name not found. Name service error for\n    name=acme-typo.test type=A: Host not found\n'),
		kind: 'bounce', hard: true, recipients: ['ann@acme-typo.test'],
	},
	{
		name: 'Postfix, temporary DNS failure ("try again") is soft',
		raw: prose('MAILER-DAEMON@mx.ours.test', 'Undelivered Mail Returned to Sender',
			'This is the mail system at host mx.ours.test.\n\n<ann@acme.test>: Host or domain name not found. Name service error for\n    name=acme.test type=MX: Host not found, try again\n'),
		kind: 'bounce', hard: false, recipients: ['ann@acme.test'],
	},
	{
		name: 'Exim, SMTP error after RCPT TO, X-Failed-Recipients',
		raw: prose('Mail Delivery System <Mailer-Daemon@mail.ours.test>', 'Mail delivery failed: returning message to sender',
			'This message was created automatically by mail delivery software.\n\nA message that you sent could not be delivered to one or more of its\nrecipients. This is a permanent error. The following address(es) failed:\n\n  ann@acme.test\n    host mx.acme.test [192.0.2.1]\n    SMTP error from remote mail server after RCPT TO:<ann@acme.test>:\n    550 5.1.1 <ann@acme.test>... User unknown\n\n------ This is a copy of the message, including all the headers. ------\n\nMessage-ID: <m1@ours.test>\n',
			['X-Failed-Recipients: ann@acme.test']),
		kind: 'bounce', hard: true, status: '5.1.1', recipients: ['ann@acme.test'], originalMessageId: '<m1@ours.test>', reason: /Exim/,
	},
	{
		name: 'Exim, mailbox full: retry timeout exceeded is soft',
		raw: prose('Mail Delivery System <Mailer-Daemon@mail.ours.test>', 'Mail delivery failed: returning message to sender',
			'This message was created automatically by mail delivery software.\n\nA message that you sent could not be delivered to one or more of its\nrecipients. This is a permanent error. The following address(es) failed:\n\n  ann@acme.test\n    mailbox is full: retry timeout exceeded\n',
			['X-Failed-Recipients: ann@acme.test']),
		kind: 'bounce', hard: false, recipients: ['ann@acme.test'],
	},
	{
		name: 'Exim, unrouteable address is hard',
		raw: prose('Mail Delivery System <Mailer-Daemon@mail.ours.test>', 'Mail delivery failed: returning message to sender',
			'This message was created automatically by mail delivery software.\n\nA message that you sent could not be delivered to one or more of its\nrecipients. This is a permanent error. The following address(es) failed:\n\n  ann@nowhere.test\n    Unrouteable address\n'),
		kind: 'bounce', hard: true, recipients: ['ann@nowhere.test'],
	},
	{
		name: 'Sendmail, permanent fatal errors',
		raw: prose('Mail Delivery Subsystem <MAILER-DAEMON@mail.acme.test>', 'Returned mail: see transcript for details',
			'The original message was received at Mon, 5 Jan 2026 10:00:00 +0000\nfrom mail.ours.test [192.0.2.9]\n\n   ----- The following addresses had permanent fatal errors -----\n<ann@acme.test>\n    (reason: 550 5.1.1 <ann@acme.test>... User unknown)\n\n   ----- Transcript of session follows -----\n... while talking to mx.acme.test.:\n>>> RCPT To:<ann@acme.test>\n<<< 550 5.1.1 <ann@acme.test>... User unknown\n'),
		kind: 'bounce', hard: true, status: '5.1.1', recipients: ['ann@acme.test'], reason: /Sendmail/,
	},
	{
		name: "Gmail's own text: Address not found",
		raw: prose('Mail Delivery Subsystem <mailer-daemon@googlemail.com>', 'Delivery Status Notification (Failure)',
			"** Address not found **\n\nYour message wasn't delivered to ann@acme.test because the address couldn't be found, or is unable to receive mail.\n\nThe response from the remote server was:\n550 5.1.1 The email account that you tried to reach does not exist.\n"),
		kind: 'bounce', hard: true, status: '5.1.1', recipients: ['ann@acme.test'], reason: /Gmail/,
	},
	{
		name: "Gmail's old text: Delivery to the following recipient failed permanently",
		raw: prose('Mail Delivery Subsystem <mailer-daemon@googlemail.com>', 'Delivery Status Notification (Failure)',
			'Delivery to the following recipient failed permanently:\n\n     ann@acme.test\n\nTechnical details of permanent failure:\nThe email account that you tried to reach does not exist.\n'),
		kind: 'bounce', hard: true, recipients: ['ann@acme.test'],
	},
	{
		name: 'Gmail, recipient inbox full is soft',
		raw: prose('Mail Delivery Subsystem <mailer-daemon@googlemail.com>', 'Delivery Status Notification (Failure)',
			"** Recipient inbox full **\n\nYour message couldn't be delivered to ann@acme.test. Their inbox is full, or it's getting too much mail right now.\n\n452 4.2.2 The recipient's inbox is out of storage space.\n"),
		kind: 'bounce', hard: false, status: '4.2.2', recipients: ['ann@acme.test'],
	},
	{
		name: 'Gmail, message blocked is soft',
		raw: prose('Mail Delivery Subsystem <mailer-daemon@googlemail.com>', 'Delivery Status Notification (Failure)',
			'** Message blocked **\n\nYour message to ann@acme.test has been blocked. See technical details below for more information.\n\n550 5.7.1 Message rejected as spam by Content Filtering.\n'),
		kind: 'bounce', hard: false, status: '5.7.1', recipients: ['ann@acme.test'],
	},
	{
		name: 'Yahoo: dd This user doesn\'t have a yahoo.com account (basic code only)',
		raw: prose('MAILER-DAEMON@yahoo.com', 'Failure Notice',
			"Sorry, we were unable to deliver your message to the following address.\n\n<ann@yahoo.com>:\n554: delivery error: dd This user doesn't have a yahoo.com account (ann@yahoo.com) [0] - mta1234.mail.bf1.yahoo.com\n"),
		kind: 'bounce', hard: true, status: null, recipients: ['ann@yahoo.com'], reason: /Yahoo/,
	},
	{
		name: 'Yahoo: mailbox is disabled is hard',
		raw: prose('MAILER-DAEMON@yahoo.com', 'Failure Notice',
			'Sorry, we were unable to deliver your message to the following address.\n\n<ann@yahoo.com>:\nRemote host said: 554 delivery error: dd Sorry your message to ann@yahoo.com cannot be delivered. This mailbox is disabled (554.30). - mta1.mail.yahoo.com [BODY]\n'),
		kind: 'bounce', hard: true, recipients: ['ann@yahoo.com'],
	},
	{
		name: 'Outlook.com: 550 5.5.0 mailbox unavailable is hard',
		raw: prose('postmaster@outlook.com', 'Undeliverable: Quick question',
			"Delivery has failed to these recipients or groups:\n\nann@outlook.com\nThe email address you entered couldn't be found.\n\nRemote Server returned '550 5.5.0 Requested action not taken: mailbox unavailable (S2017062302)'\n"),
		kind: 'bounce', hard: true, status: '5.5.0', recipients: ['ann@outlook.com'],
	},
	{
		name: 'Lotus Domino: not listed in Domino Directory',
		raw: prose('Postmaster@notes.acme.test', 'DELIVERY FAILURE: User ann (ann@acme.test) not listed in Domino Directory',
			'Your message\n\n  Subject: Quick question\n\nwas not delivered to:\n\n  ann@acme.test\n\nbecause:\n\n  User ann (ann@acme.test) not listed in Domino Directory\n', ['Auto-Submitted: auto-generated']),
		kind: 'bounce', hard: true, status: null, recipients: ['ann@acme.test'], reason: /Domino/,
	},
	{
		name: 'GroupWise: undeliverable to the following (user not found)',
		raw: prose('Mail Administrator <postmaster@gw.acme.test>', 'Undeliverable mail',
			'The message that you sent was undeliverable to the following:\n\tann@acme.test (user not found)\n\nPossibly truncated original message follows:\n'),
		kind: 'bounce', hard: true, recipients: ['ann@acme.test'], reason: /GroupWise/,
	},
	{
		name: 'Mimecast: invalid recipient is hard',
		raw: prose('Mimecast <postmaster@mimecast.test>', 'Message undeliverable',
			"Your message couldn't be delivered to the recipients shown below.\n\nann@acme.test\n550 Invalid Recipient - https://community.mimecast.com/docs/DOC-1369#550\n"),
		kind: 'bounce', hard: true, recipients: ['ann@acme.test'],
	},
	{
		name: 'Mimecast: anti-spoofing policy is soft',
		raw: prose('Mimecast <postmaster@mimecast.test>', 'Message undeliverable',
			"Your message couldn't be delivered to the recipients shown below.\n\nann@acme.test\n550 Rejected by header based Anti-Spoofing policy\n"),
		kind: 'bounce', hard: false, recipients: ['ann@acme.test'],
	},
	{
		name: 'Barracuda-style filter notice (auto-submitted, no daemon sender) is a soft bounce',
		raw: prose('Email Security <noreply@filter.test>', 'Message you sent blocked by our bulk email filter',
			'Your message to: ann@acme.test\nwas blocked by our Spam Firewall.\n\nReason: 554 5.7.1 Message blocked by the recipient\'s bulk email filter.\n', ['Auto-Submitted: auto-replied']),
		kind: 'bounce', hard: false, status: '5.7.1', recipients: ['ann@acme.test'],
	},
	{
		name: 'a notice naming nobody takes the recipient from the returned original',
		raw: mail(['From: postmaster@acme.test', 'To: olivia@ours.test', 'Subject: Undeliverable', 'Content-Type: multipart/mixed; boundary=x'],
			'--x\nContent-Type: text/plain\n\nYour message could not be delivered. 550 5.1.1 user unknown\n--x\nContent-Type: message/rfc822\n\n' + ORIGINAL_HEADERS + '\n\nHi\n--x--\n'),
		kind: 'bounce', hard: true, status: '5.1.1', recipients: ['ann@acme.test'], originalMessageId: '<m1@ours.test>', reason: /returned original/,
	},
	// Delays: warnings, never bounces, whatever code they quote.
	{
		name: 'Gmail delay prose (temporary problem, will retry)',
		raw: prose('Mail Delivery Subsystem <mailer-daemon@googlemail.com>', 'Delivery Status Notification (Delay)',
			"** Message delayed **\n\nThere was a temporary problem delivering your message to ann@acme.test. Gmail will retry for 46 more hours. You'll be notified if the delivery fails permanently.\n\n421 4.4.7 Timeout\n"),
		kind: 'delivery_delay', status: '4.4.7', recipients: ['ann@acme.test'],
	},
	{
		name: 'Postfix warning (still being retried)',
		raw: prose('MAILER-DAEMON@mx.ours.test', 'Delayed Mail (still being retried)',
			'This is the mail system at host mx.ours.test.\n\n####################################################################\n# THIS IS A WARNING ONLY.  YOU DO NOT NEED TO RESEND YOUR MESSAGE. #\n####################################################################\n\nYour message could not be delivered for more than 4 hour(s).\nIt will be retried until it is 5 day(s) old.\n\n<ann@acme.test>: connect to mx.acme.test[192.0.2.1]:25: Connection timed out\n'),
		kind: 'delivery_delay', recipients: ['ann@acme.test'],
	},
	{
		name: 'Exim warning (has not yet been delivered)',
		raw: prose('Mail Delivery System <Mailer-Daemon@mail.ours.test>', 'Warning: message 1abc-000123-XY delayed 24 hours',
			'This message was created automatically by mail delivery software.\nA message that you sent has not yet been delivered to one or more of its\nrecipients after more than 24 hours on the queue on mail.ours.test.\n\nThe address to which the message has not yet been delivered is:\n\n  ann@acme.test\n    Delay reason: SMTP error from remote mail server after RCPT TO:<ann@acme.test>:\n    451 4.7.1 Greylisted, please try again later\n\nNo action is required on your part. Delivery attempts will continue for\nsome time, and this warning may be repeated at intervals if the message\nremains undelivered. Eventually the mail delivery software will give up,\n'),
		kind: 'delivery_delay', status: '4.7.1', recipients: ['ann@acme.test'],
	},
	{
		name: 'Sendmail warning (could not send message for past 4 hours)',
		raw: prose('Mail Delivery Subsystem <MAILER-DAEMON@mail.acme.test>', 'Warning: could not send message for past 4 hours',
			'    **********************************************\n    **      THIS IS A WARNING MESSAGE ONLY      **\n    **  YOU DO NOT NEED TO RESEND YOUR MESSAGE  **\n    **********************************************\n\nThe original message was received at Mon, 5 Jan 2026 10:00:00 +0000\n\n   ----- Transcript of session follows -----\n<ann@acme.test>... Deferred: Connection timed out with mx.acme.test.\nWarning: message still undelivered after 4 hours\nWill keep trying until message is 5 days old\n'),
		kind: 'delivery_delay',
	},
	{
		name: 'Exchange delay (Delivery is delayed to these recipients)',
		raw: prose('postmaster@acme.test', 'Delivery delayed:Quick question',
			'Delivery is delayed to these recipients or groups:\n\nann@acme.test\n\nThis message hasn\'t been delivered yet. Delivery will continue to be attempted.\nThe server will keep trying to deliver this message for the next 1 days, 19 hours and 53 minutes.\n'),
		kind: 'delivery_delay', recipients: ['ann@acme.test'],
	},
	// Success receipts.
	{
		name: 'Exchange "Delivered:" receipt',
		raw: prose('Microsoft Outlook <postmaster@acme.test>', 'Delivered: Quick question', 'Your message has been delivered to the following recipients:\n\nann@acme.test\n\nSubject: Quick question\n'),
		kind: 'delivery_success', recipients: ['ann@acme.test'],
	},
	// The sending mailbox's own limit: our failure, never the lead's bounce.
	{
		name: "Gmail's sending-limit notice as a DSN (5.4.5), the sandbox's shape",
		raw: dsn('** Message not delivered **\n\nYou have reached a limit for sending mail. Your message was not sent.\n\nThe response was:\n\n550 5.4.5 Daily user sending limit exceeded.',
			[rcpt('ann@acme.test', 'failed', '5.4.5', '550 5.4.5 Daily user sending limit exceeded.')], { extra: ['X-Failed-Recipients: ann@acme.test', 'In-Reply-To: <m1@ours.test>', 'Auto-Submitted: auto-replied'] }),
		kind: 'sender_limit', status: '5.4.5', recipients: ['ann@acme.test'], originalMessageId: '<m1@ours.test>', outreachKey: 'go-k1', reason: /limit/,
	},
	{
		name: "Gmail's old plain-text limit notice",
		raw: prose('Mail Delivery Subsystem <mailer-daemon@googlemail.com>', 'Delivery Status Notification (Failure)',
			'Message not delivered\n\nYou have reached a limit for sending mail. Your message was not sent.\n\n----- Original message -----\n\nMessage-ID: <m1@ours.test>\nTo: ann@acme.test\nX-Outreach-Key: go-k1\n', ['X-Failed-Recipients: ann@acme.test']),
		kind: 'sender_limit', recipients: ['ann@acme.test'], originalMessageId: '<m1@ours.test>', outreachKey: 'go-k1',
	},
	{
		name: 'Daily sending quota exceeded (5.4.5 without the modern wording)',
		raw: dsn('Delivery to the following recipient failed permanently', [rcpt('ann@acme.test', 'failed', '5.4.5', '550 5.4.5 Daily sending quota exceeded.')]),
		kind: 'sender_limit', status: '5.4.5', recipients: ['ann@acme.test'],
	},
	{
		name: 'a bare 5.4.5 from Google\'s mailer-daemon is the limit too',
		raw: dsn('failed', [rcpt('ann@acme.test', 'failed', '5.4.5')]),
		kind: 'sender_limit', status: '5.4.5',
	},
	// A person is never a bounce.
	{
		name: 'a person forwarding a bounce is human',
		raw: mail(['From: Ann <ann@acme.test>', 'To: olivia@ours.test', 'Subject: Fwd: Undeliverable: Quick question', 'In-Reply-To: <x@acme.test>', 'Content-Type: text/plain'],
			'FYI, this bounced from my old address.\n\n---------- Forwarded message ---------\nFrom: postmaster@acme.test\nDelivery has failed to these recipients or groups: ann@old.test\n'),
		kind: 'human',
	},
	{
		name: 'a reply saying the first email bounced is human',
		raw: mail(['From: Ann <ann@acme.test>', 'To: olivia@ours.test', 'Subject: Re: Quick question', 'In-Reply-To: <m1@ours.test>', 'Content-Type: text/plain'],
			'Your first email bounced from my old address (undeliverable, user unknown). Use this one.\n\nOn Mon, 5 Jan 2026 at 09:00, Olivia <olivia@ours.test> wrote:\n> Hi Ann\n'),
		kind: 'human',
	},
];

for (const c of cases) {
	test(`bounce formats: ${c.name}`, () => {
		const r = classifyMessage(c.raw, OURS);
		assert.equal(r.kind, c.kind, JSON.stringify(r));
		if (c.hard !== undefined) assert.equal(r.hard, c.hard, r.reason);
		if (c.status === null) assert.equal(r.status, undefined, r.reason);
		else if (c.status !== undefined) assert.equal(r.status, c.status, r.reason);
		if (c.recipients) assert.deepEqual([...(r.recipients ?? [])].sort(), [...c.recipients].sort(), r.reason);
		if (c.reason) assert.match(r.reason, c.reason);
		if (c.originalMessageId) assert.equal(r.originalMessageId, c.originalMessageId);
		if (c.outreachKey) assert.equal(r.outreachKey, c.outreachKey);
		if (r.kind !== 'bounce') assert.equal(r.hard, undefined, 'hard is for bounces only');
	});
}

test('delivery delays and sender limits are never bounces, whatever code they quote', () => {
	for (const c of cases.filter((x) => x.kind === 'delivery_delay' || x.kind === 'sender_limit')) {
		assert.notEqual(classifyMessage(c.raw, OURS).kind, 'bounce', c.name);
	}
});

const severities: Array<[string | undefined, string | undefined, string, boolean]> = [
	['5.1.1', '550', 'user unknown', true],
	['5.1.2', '550', 'bad destination system', true],
	['5.1.3', '501', 'bad address syntax', true],
	['5.1.6', '551', 'moved', true],
	['5.1.10', '550', 'RecipientNotFound', true],
	['5.1.0', '550', 'Address rejected', false],
	['5.1.0', '550', 'Unknown address error', true],
	['5.2.1', '550', 'The email account that you tried to reach is disabled', true],
	['5.2.1', '550', 'Mailbox inactive, try again later', false],
	['5.2.2', '552', 'Mailbox full', false],
	['4.2.2', '452', 'over quota', false],
	['5.3.4', '552', 'Message too large', false],
	['5.7.1', '550', 'Service unavailable; client host blocked using Spamhaus', false],
	['5.7.1', '550', 'Delivery not authorized, message refused', false],
	['5.7.1', '550', 'Recipient address rejected: user does not exist', true],
	['5.4.7', '550', 'delivery expired', false],
	['4.4.7', '421', 'expired', false],
	['5.0.0', '550', 'No Such User Here', true],
	[undefined, '550', 'Requested action not taken: mailbox unavailable', true],
	[undefined, '550', 'mailbox unavailable, our system has detected an unusual rate of unsolicited mail', false],
	[undefined, '552', 'Requested mail action aborted: exceeded storage allocation', false],
	[undefined, '554', 'Rejected', false],
	[undefined, '450', 'user unknown', false],
	[undefined, undefined, 'Host or domain name not found. Name service error for name=x.test type=A: Host not found', true],
	[undefined, undefined, 'Host not found, try again', false],
	[undefined, undefined, '', false],
];
for (const [status, smtp, text, hard] of severities) {
	test(`hard/soft: ${status ?? '-'} ${smtp ?? '-'} "${text}" is ${hard ? 'hard' : 'soft'}`, () => {
		assert.equal(bounceSeverity(status, smtp, text).hard, hard);
	});
}

test('status codes are read as stated, never from IP addresses or versions', () => {
	assert.equal(enhancedCode('550 5.1.1 <a@b>: User unknown'), '5.1.1');
	assert.equal(enhancedCode('Sorry, no mailbox here by that name. (#5.1.1)'), '5.1.1');
	assert.equal(enhancedCode('#550 5.1.10 RESOLVER.ADR.RecipientNotFound'), '5.1.10');
	assert.equal(enhancedCode('host 192.0.2.1 said: 550 user unknown'), undefined);
	assert.equal(enhancedCode('Release 5.1.1.2 of the server'), undefined);
	assert.equal(smtpCode('smtp; 550 Requested action not taken'), '550');
	assert.equal(smtpCode("Remote Server returned '554 5.4.14 Hop count exceeded'"), '554');
	assert.equal(smtpCode('554: delivery error: dd'), '554');
});
