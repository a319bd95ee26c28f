// The sending mailbox's own limit notice (Gmail: "You have reached a limit for sending mail. Your message was not sent.",
// SMTP 550 5.4.5 "Daily user sending limit exceeded"). It is our failure, never the lead's bounce.
import { domainPart } from './addresses';
import { phrases } from './text';

const LIMIT = phrases([
	'you have reached a limit for sending mail', "you've reached a limit for sending", 'daily (?:user )?sending (?:limit|quota) exceeded', 'sending (?:limit|quota) (?:exceeded|reached)',
	'(?:user|account|mailbox|you) (?:has |have )?(?:exceeded|reached) (?:the |its |their |your )?(?:daily )?(?:sending|message sending|send) (?:limit|quota)',
	'daily smtp relay limit exceeded', 'limit for sending mail', 'message sending limit', 'exceeded the (?:daily )?limit for sending',
]);

// Gmail's and Google Workspace's own mailer-daemons.
const GOOGLE_DAEMON = /(?:^|\.)(?:googlemail\.com|google\.com|gmail\.com)$/;

/** Whether a delivery notice is the sender's own limit notice: its wording, or 5.4.5 from Google's own mailer-daemon. */
export function isSenderLimit(text: string, statuses: string[], from: string | undefined): boolean {
	if (LIMIT.test(text.length > 30_000 ? text.slice(0, 30_000) : text)) return true;
	return statuses.includes('5.4.5') && !!from && GOOGLE_DAEMON.test(domainPart(from));
}
