// Bounces as real mail servers word them when they send no (or a useless) RFC 3464 report: Exchange / Office 365,
// qmail, Postfix, Exim, Sendmail, Gmail, Yahoo, Outlook.com, Lotus Domino, GroupWise, Mimecast, MDaemon and the like.
// The failed recipient is often only in the prose; the status code in a diagnostic line.
import { emailsIn, localPart } from './addresses';
import type { Delivery, DeliveryAction } from './dsn';
import { bounceSeverity, enhancedCode, smtpCode } from './status';
import { normalize, phrases } from './text';

/** What the prose of a delivery notice says. */
export interface ProseReport {
	outcome?: DeliveryAction;
	deliveries: Delivery[];
	/** Which software's wording it matched (for the reason). */
	format: string;
}

const DELAY = phrases([
	'delivery status notification \\(delay\\)', 'has not yet been delivered', 'have not yet been delivered', 'not been delivered yet', 'still (?:trying|being retried|attempting|in the queue)', 'will (?:continue to )?(?:retry|try again|keep trying|be retried|attempt)',
	'delivery attempts will continue', 'this is a warning (?:message )?only', 'warning only', 'you do not need to resend', 'delivery (?:has been |is |was )?delayed', 'delayed mail', 'message delayed', 'delayed delivery', 'delivery incomplete',
	'could not (?:be )?(?:send|sent|deliver|delivered) (?:the )?(?:message )?for (?:the )?past', 'warning: message .{0,80}? delayed', 'delayed (?:for )?(?:more than )?\\d+ (?:hours?|minutes?|days?)', 'temporary problem delivering',
	'zustellung (?:verzögert|verspätet)', 'noch nicht zugestellt', 'remise (?:diff[ée]r[ée]e|retard[ée]e)', 'entrega (?:retrasada|demorada|atrasada)', 'consegna ritardata', 'bezorging vertraagd', 'dostarczenie op[óo][źz]nione', 'leverans(?:en)? (?:är )?försenad', 'levering(?:en)? (?:er )?forsinket',
]);

const SUCCESS = phrases([
	'delivery status notification \\(success\\)', 'your message (?:has been|was) (?:successfully )?(?:delivered|relayed)', 'successfully delivered', 'delivery to (?:the following|these) recipients? (?:or groups )?(?:was )?(?:complete|succeeded|successful)',
	'delivered: ', 'relayed: ', 'relay(?:ed)? to non-dsn-aware mailer', 'zugestellt: ', 'remis : ', 'entregado: ',
]);

const FAILURE = phrases([
	'address not found', 'message not delivered', "wasn't delivered", 'was not delivered', "couldn't be delivered", 'could not be delivered', 'cannot be delivered', 'undeliverable', 'undelivered mail', 'delivery (?:has )?failed', 'failed permanently', 'permanent (?:fatal )?errors?',
	'permanent failure', 'delivery to the following recipients? failed', 'returned mail', 'failure notice', 'mail delivery failed', 'unable to deliver', 'not be delivered', 'could not deliver', 'delivery failure', 'non-?delivery', 'nondeliverable', "wasn't able to deliver",
	'retry timeout exceeded', 'giving up', 'gave up', 'address(?:es)? failed', 'the following addresses had', 'message blocked', 'recipient inbox full', 'rejected', 'unzustellbar', 'konnte nicht zugestellt werden', 'nicht zugestellt', 'non remis', "n'a pas pu [êe]tre (?:remis|distribu[ée])",
	'no se (?:pudo|ha podido) entregar', 'no entregado', 'n[ãa]o (?:foi poss[íi]vel entregar|p[ôo]de ser entregue)', 'n[ãa]o entregue', 'non recapitabile', 'impossibile recapitare', 'onbestelbaar', 'kan niet worden (?:bezorgd|afgeleverd)', 'niedostarczon[aey]', 'nie mo[żz]na dostarczy[ćc]',
	'kunde inte levereras', 'ej levererat', 'kunne ikke leveres', 'ikke leveret',
]);

const FORMATS: Array<[string, RegExp]> = [
	['qmail', /this is the qmail-send program/i],
	['Postfix', /this is the mail system at host/i],
	['Exim', /this message was created automatically by mail delivery software/i],
	['Sendmail', /the following addresses had permanent fatal errors|transcript of session follows/i],
	['Exchange/Office 365', /delivery has failed to these recipients or groups|diagnostic information for administrators|remote server returned '|your message to .{1,120}? couldn't be delivered|the following recipient\(s\) cannot be reached|resolver\.adr\./i],
	['Gmail', /address not found|wasn't delivered to|delivery to the following recipient failed permanently|the response from the remote server was|google tried to deliver your message/i],
	['Yahoo', /sorry, we were unable to deliver your message to the following address/i],
	['Lotus Domino', /domino directory|was not delivered to:[\s\S]{0,200}because:/i],
	['GroupWise', /the message that you sent was undeliverable to the following/i],
	['Mimecast', /mimecast/i],
	['MDaemon', /permanent fatal delivery errors|mdaemon/i],
	['Barracuda', /barracuda/i],
];

// Where the returned original begins in a notice that inlines it: past here it is our own text, not the server's.
const ORIGINAL_START = /^(?:-{2,}.{0,20}(?:this is a copy of|below this line is a copy|original message|returned message|original message headers|undelivered message|message headers follow|rfc822 headers|the header of the original)|original message headers:|possibly truncated original message follows|------ this is a copy|return-path:\s*<|received:\s+from\s)/im;

/** The notice's own text (before any inlined copy of the original message). */
export function noticeOnly(text: string): string {
	const t = text.length > 64_000 ? text.slice(0, 64_000) : text;
	const m = ORIGINAL_START.exec(t);
	return m && m.index > 0 ? t.slice(0, m.index) : t;
}

// A line that begins with the failed address: '<a@b>: host … said: 550 …', 'a@b', '  a@b (user not found)', 'a@b<mailto:a@b>'.
const ADDRESS_LINE = /^\s*[<'"]?([^\s<>'"():,;]+@[^\s<>'"():,;]+?)[>'"]?(?:\s*(?:<mailto:[^>]*>|\([^)]*@[^)]*\)))?\s*(?::\s*(.*)|\(([^)]*)\)\s*|\s*)$/;
// Inline mentions: 'wasn't delivered to a@b', 'Your message to a@b couldn't be delivered', 'RCPT TO:<a@b>'.
const INLINE = /(?:delivered to|delivery to|deliver (?:your message |it |this message )?to|your message to|message to|undeliverable to|not delivered to:?|failed to deliver to|failed recipient:?|recipient address:?|recipient:|rcpt to:?|original-recipient:\s*rfc822;|final-recipient:\s*rfc822;|following (?:address|recipient)(?:es|s)?(?: or groups)?:?)\s*:?\s*[<'"(]?([^\s<>'"():,;]+@[^\s<>'"():,;]*[^\s<>'"():,;.])[>'")]?(?=[\s.,;:]|$)/gi;

/** Reads a delivery notice's prose: the outcome it states and each failed (or delayed) recipient with its diagnostic. */
export function readProse(text: string, subject: string, exclude: Set<string>, failedHeader: string[] = []): ProseReport {
	const notice = noticeOnly(text);
	const norm = normalize(`${subject}\n${notice.slice(0, 20_000)}`);
	const format = FORMATS.find(([, re]) => re.test(notice))?.[0] ?? 'generic';
	let outcome: DeliveryAction | undefined;
	if (DELAY.test(norm)) outcome = 'delayed';
	else if (FAILURE.test(norm)) outcome = 'failed';
	else if (SUCCESS.test(norm)) outcome = 'delivered';
	else if (failedHeader.length) outcome = 'failed';
	const keep = (a: string) => !exclude.has(a) && !/^(?:mailer-daemon|postmaster|mail-daemon|maildaemon|noreply|no-reply|abuse)$/.test(localPart(a)) && !/\.(?:png|jpe?g|gif)$/i.test(a);
	const deliveries: Delivery[] = [];
	const byRecipient = new Map<string, Delivery>();
	const add = (recipient: string, diagnostic: string) => {
		const r = emailsIn(recipient, 1)[0];
		if (!r || !keep(r)) return;
		const known = byRecipient.get(r);
		// A notice may name the address twice (Exchange: the summary, then the diagnostics); keep the one with a code.
		if (known && (known.status || !(enhancedCode(diagnostic) || smtpCode(diagnostic)))) return;
		const d = delivery(r, outcome ?? 'failed', diagnostic, notice);
		if (known) deliveries[deliveries.indexOf(known)] = d;
		else deliveries.push(d);
		byRecipient.set(r, d);
	};
	const lines = notice.replace(/\r\n?/g, '\n').split('\n').slice(0, 2000);
	for (let i = 0; i < lines.length; i++) {
		const line = lines[i].length > 500 ? lines[i].slice(0, 500) : lines[i];
		const m = ADDRESS_LINE.exec(line);
		if (!m) continue;
		// The diagnostic: the rest of the line and the indented/following lines up to a blank line or the next address.
		const diag = [m[2] ?? m[3] ?? ''];
		for (let j = i + 1; j < Math.min(lines.length, i + 8); j++) {
			const sofar = diag.join(' ').trim();
			// 'because:' (Domino) introduces the reason in the next paragraph.
			if (lines[j].trim() === '' && sofar !== '' && !/:$/.test(sofar)) break;
			if (ADDRESS_LINE.test(lines[j])) break;
			diag.push(lines[j].trim());
		}
		add(m[1], diag.join(' ').trim());
	}
	for (const m of notice.slice(0, 20_000).matchAll(INLINE)) add(m[1], sentenceAround(notice, m.index ?? 0));
	for (const r of failedHeader) add(r, '');
	return { ...(outcome ? { outcome } : {}), deliveries, format };
}

function sentenceAround(text: string, at: number): string {
	const start = Math.max(0, text.lastIndexOf('\n\n', at));
	const end = text.indexOf('\n\n', at + 1);
	return text.slice(start, end < 0 ? Math.min(text.length, at + 600) : Math.min(end, at + 600)).replace(/\s+/g, ' ').trim();
}

/** One recipient's delivery from prose: the code in its own diagnostic, else in the notice; hard/soft from both. */
function delivery(recipient: string, action: DeliveryAction, diagnostic: string, notice: string): Delivery {
	const head = notice.slice(0, 6000);
	const status = enhancedCode(diagnostic) ?? enhancedCode(head);
	const smtp = smtpCode(diagnostic) ?? smtpCode(head);
	const d: Delivery = { recipient, action };
	if (status) d.status = status;
	if (smtp) d.smtp = smtp;
	if (diagnostic) d.diagnostic = diagnostic.slice(0, 500);
	if (action === 'failed') Object.assign(d, severity(status, smtp, diagnostic, head));
	return d;
}

/** Hard/soft from a recipient's own diagnostic; the notice's wording decides only when the diagnostic gives nothing. */
export function severity(status: string | undefined, smtp: string | undefined, diagnostic: string, notice: string): { hard: boolean; why: string } {
	if (diagnostic.trim()) {
		const own = bounceSeverity(status, smtp, diagnostic);
		if (own.hard || enhancedCode(diagnostic) || smtpCode(diagnostic)) return own;
	}
	return bounceSeverity(status, smtp, `${diagnostic}\n${notice}`);
}
