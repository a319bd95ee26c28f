// Spam complaints: ARF (RFC 5965, message/feedback-report) and the common non-ARF feedback loops (Microsoft JMRP).
import { addressList, canonical, emailsIn, firstAddress } from './addresses';
import { fieldGroups } from './dsn';
import { bodyText, header, walk, type MimePart } from './mime';
import { embeddedOriginal } from './original';

/** What a complaint says: its feedback type and the complaining recipient(s). */
export interface Feedback {
	feedbackType: string;
	recipients: string[];
	format: string;
}

/** The complaint a message carries, if it is one. */
export function readFeedback(root: MimePart, subject: string, from: string | undefined): Feedback | undefined {
	const reportType = (root.params['report-type'] ?? '').toLowerCase();
	const part = [...walk(root)].find((p) => p.type === 'message/feedback-report');
	const original = embeddedOriginal(root);
	if (part || (root.type === 'multipart/report' && reportType === 'feedback-report')) {
		const fields = part ? fieldGroups(bodyText(part)).flat() : [];
		const get = (n: string) => fields.filter(([k]) => k === n).map(([, v]) => v);
		const rcpts = get('original-rcpt-to').flatMap((v) => emailsIn(v));
		const recipients = rcpts.length ? rcpts : originalRecipients(original);
		return { feedbackType: (get('feedback-type')[0] ?? 'abuse').toLowerCase().trim(), recipients, format: 'ARF (RFC 5965)' };
	}
	// Microsoft JMRP: the original attached, from staff@hotmail.com, "complaint about message from <ip>".
	const jmrp = (from && /^staff@hotmail\.com$/.test(from)) || /complaint about message from/i.test(subject);
	const hmxmr = original ? header(original, 'x-hmxmroriginalrecipient') : '';
	if (original && (jmrp || hmxmr)) {
		const recipients = hmxmr ? emailsIn(hmxmr) : originalRecipients(original);
		return { feedbackType: 'abuse', recipients, format: 'Microsoft JMRP' };
	}
	// Other feedback loops: an abuse/fbl sender with the original attached and a complaint subject.
	if (original && from && /^(?:abuse|fbl|feedback|feedbackloop|complaints?|scomp)@/.test(from) && /abuse|complaint|spam report|feedback/i.test(subject)) {
		return { feedbackType: 'abuse', recipients: originalRecipients(original), format: 'feedback loop' };
	}
	return undefined;
}

function originalRecipients(original: MimePart | undefined): string[] {
	if (!original) return [];
	const to = addressList(header(original, 'to'));
	if (to.length) return to;
	const delivered = firstAddress(header(original, 'delivered-to'));
	return delivered ? [canonical(delivered)] : [];
}
