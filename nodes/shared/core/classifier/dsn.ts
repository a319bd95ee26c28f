// RFC 3464 delivery status notifications (and RFC 6533 message/global-delivery-status): one Delivery per recipient.
import { canonical, emailsIn } from './addresses';
import { bodyText, walk, type MimePart } from './mime';
import { bounceSeverity, enhancedCode, smtpCode } from './status';

/** What a report says happened to one recipient. */
export type DeliveryAction = 'failed' | 'delayed' | 'delivered' | 'relayed' | 'expanded';

/** One recipient's fate, from a DSN's fields or from a notice's prose. */
export interface Delivery {
	recipient?: string;
	action: DeliveryAction;
	/** Enhanced status code as stated (Status field or the diagnostic). */
	status?: string;
	/** Basic SMTP reply code when one is stated. */
	smtp?: string;
	diagnostic?: string;
	hard?: boolean;
	why?: string;
}

const DSN_TYPES = new Set(['message/delivery-status', 'message/global-delivery-status', 'text/delivery-status']);

/** One field block ('Name: value' lines, folded lines joined) split into groups at blank lines. */
export function fieldGroups(text: string): Array<Array<[string, string]>> {
	const groups: Array<Array<[string, string]>> = [];
	let cur: Array<[string, string]> = [];
	for (const raw of text.replace(/\r\n?/g, '\n').slice(0, 100_000).split('\n')) {
		if (raw.trim() === '') {
			if (cur.length) groups.push(cur);
			cur = [];
			continue;
		}
		if (/^[ \t]/.test(raw) && cur.length) {
			cur[cur.length - 1][1] += ' ' + raw.trim();
			continue;
		}
		const m = /^([A-Za-z0-9-]{1,60})\s*:\s*(.*)$/.exec(raw);
		if (m) cur.push([m[1].toLowerCase(), m[2].trim()]);
	}
	if (cur.length) groups.push(cur);
	return groups;
}

/** The deliveries a DSN's machine-readable part lists; undefined when the message has none. */
export function readDeliveryStatus(root: MimePart): Delivery[] | undefined {
	const parts = [...walk(root)].filter((p) => DSN_TYPES.has(p.type));
	if (!parts.length) return undefined;
	const out: Delivery[] = [];
	for (const part of parts) out.push(...deliveriesOf(bodyText(part)));
	return out.length ? out : undefined;
}

/** The per-recipient records of a delivery-status body. */
export function deliveriesOf(text: string): Delivery[] {
	const records: Array<Map<string, string>> = [];
	for (const group of fieldGroups(text)) {
		let cur: Map<string, string> | undefined;
		for (const [name, value] of group) {
			const isRecipient = name === 'final-recipient' || name === 'original-recipient' || name === 'x-actual-recipient';
			// Some MTAs leave out the blank line between recipients: a second recipient field starts a new record.
			if (isRecipient && cur && (cur.has(name) || (name === 'original-recipient' && cur.has('final-recipient')))) cur = undefined;
			if (!cur && (isRecipient || name === 'action' || name === 'status')) {
				cur = new Map();
				records.push(cur);
			}
			if (cur && !cur.has(name)) cur.set(name, value);
		}
	}
	const out: Delivery[] = [];
	for (const r of records) {
		if (!r.has('action') && !r.has('status') && !r.has('diagnostic-code')) continue;
		const recipient = addressOf(r.get('final-recipient')) ?? addressOf(r.get('original-recipient')) ?? addressOf(r.get('x-actual-recipient'));
		const diag = (r.get('diagnostic-code') ?? '').replace(/^[a-z0-9-]+\s*;\s*/i, '');
		const stated = enhancedCode(r.get('status') ?? '');
		const fromDiag = enhancedCode(diag);
		// 'Status: 5.0.0' with 'Diagnostic-Code: smtp; 550 5.1.1 …': the diagnostic is the specific one.
		const status = stated && fromDiag && /\.0\.0$/.test(stated) && fromDiag[0] === stated[0] ? fromDiag : (stated ?? fromDiag);
		const action = actionOf(r.get('action'), status);
		const d: Delivery = { action, ...(recipient ? { recipient } : {}) };
		if (status) d.status = status;
		const smtp = smtpCode(diag);
		if (smtp) d.smtp = smtp;
		if (diag) d.diagnostic = diag.slice(0, 500);
		if (action === 'failed') Object.assign(d, bounceSeverity(status, smtp, diag));
		out.push(d);
	}
	return out;
}

function actionOf(value: string | undefined, status: string | undefined): DeliveryAction {
	const a = (value ?? '').toLowerCase().trim().split(/[\s;(]/)[0];
	if (a === 'failed' || a === 'delayed' || a === 'delivered' || a === 'relayed' || a === 'expanded') return a;
	if (status?.startsWith('2')) return 'delivered';
	if (status?.startsWith('4')) return 'delayed';
	return 'failed';
}

/** The address of a recipient field ('rfc822; a@b', 'rfc822;<a@b>', 'utf-8; a@b', xtext '+2B'-escaped). */
function addressOf(value: string | undefined): string | undefined {
	if (!value) return undefined;
	const v = value.replace(/^[a-z0-9-]+\s*;\s*/i, '').replace(/\+(2B|3D)/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
	const found = emailsIn(v, 1)[0];
	return found ?? (v.includes('@') ? canonical(v) : undefined);
}
