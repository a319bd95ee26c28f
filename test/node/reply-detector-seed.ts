// Seeding for the Reply Detector's cost tests, benchmark and e2e test: many sent campaign messages at once.
import assert from 'node:assert/strict';
import { sameLabelName, sentLabelName } from '../../nodes/shared/core/campaign';
import { OUTREACH_HEADER, outreachKey } from '../../nodes/shared/core/idempotency';
import { parseMessage } from '../../sandbox/mime';
import { freshId } from '../../sandbox/outgoing';
import type { TestSandbox } from '../support/sandbox';

/** Our sent campaign messages put straight into the sandbox store (fast: no API, no daily cap), one per lead, labelled as the Send node does. */
export async function seedSent(sb: TestSandbox, email: string, leadAddresses: string[], campaign: string): Promise<Array<{ id: string; threadId: string; lead: string }>> {
	const store = sb.sandbox.store;
	const mb = store.mailbox(email);
	assert.ok(mb, `no sandbox mailbox ${email}`);
	const name = sentLabelName(campaign);
	const parts = name.split('/');
	for (let i = 1; i <= parts.length; i++) {
		const n = parts.slice(0, i).join('/');
		if (!mb.labels.some((l) => sameLabelName(l.name, n))) mb.labels.push({ id: `Label_${mb.nextLabel++}`, name: n, type: 'user', messageListVisibility: 'show', labelListVisibility: 'labelShow' });
	}
	const labelId = mb.labels.find((l) => sameLabelName(l.name, name))!.id;
	const out: Array<{ id: string; threadId: string; lead: string }> = [];
	for (const [i, lead] of leadAddresses.entries()) {
		const now = store.clock.now();
		const raw = [
			`From: ${email}`,
			`To: ${lead}`,
			`Subject: Quick question ${i}`,
			`Date: ${new Date(now).toUTCString().replace('GMT', '+0000')}`,
			`Message-ID: <seed-${i}-${now}@mail.gmail.com>`,
			`${OUTREACH_HEADER}: ${outreachKey(campaign, 1, lead)}`,
			'MIME-Version: 1.0',
			'Content-Type: text/plain; charset=UTF-8',
			'',
			`Hi, does company ${i} still do outreach by hand?`,
			'',
		].join('\r\n');
		const id = freshId(mb);
		store.addMessage(mb, { id, threadId: id, labelIds: ['SENT', labelId], raw, internalDate: now, sizeEstimate: raw.length, parsed: await parseMessage(raw) });
		out.push({ id, threadId: id, lead });
	}
	return out;
}

/**
 * A remote MTA's bounce (Postfix style, RFC 3464): from the remote MAILER-DAEMON, no In-Reply-To or References
 * (so Gmail does not thread it), the failed address only in the report, our original's headers returned.
 */
export function remoteBounce(opts: { mailbox: string; failed: string; originalHeaders: Array<{ name: string; value: string }>; date?: Date }): string {
	const domain = opts.failed.split('@')[1] ?? 'example.com';
	const boundary = `postfix-dsn-${Math.random().toString(36).slice(2)}`;
	const date = (opts.date ?? new Date()).toUTCString().replace('GMT', '+0000');
	return [
		`From: MAILER-DAEMON@mx.${domain} (Mail Delivery System)`,
		`To: ${opts.mailbox}`,
		'Subject: Undelivered Mail Returned to Sender',
		`Date: ${date}`,
		`Message-ID: <${Date.now()}.postfix@mx.${domain}>`,
		'Auto-Submitted: auto-replied',
		'MIME-Version: 1.0',
		`Content-Type: multipart/report; report-type=delivery-status; boundary="${boundary}"`,
		'',
		`--${boundary}`,
		'Content-Description: Notification',
		'Content-Type: text/plain; charset=us-ascii',
		'',
		`This is the mail system at host mx.${domain}.`,
		'',
		"I'm sorry to have to inform you that your message could not be delivered to one or more recipients.",
		'',
		`<${opts.failed}>: host mx.${domain} said: 550 5.1.1 <${opts.failed}>: Recipient address rejected: User unknown in local recipient table`,
		'',
		`--${boundary}`,
		'Content-Description: Delivery report',
		'Content-Type: message/delivery-status',
		'',
		`Reporting-MTA: dns; mx.${domain}`,
		'',
		`Final-Recipient: rfc822; ${opts.failed}`,
		`Original-Recipient: rfc822;${opts.failed}`,
		'Action: failed',
		'Status: 5.1.1',
		`Diagnostic-Code: smtp; 550 5.1.1 <${opts.failed}>: Recipient address rejected: User unknown`,
		'',
		`--${boundary}`,
		'Content-Description: Undelivered Message Headers',
		'Content-Type: text/rfc822-headers',
		'',
		...opts.originalHeaders.map((h) => `${h.name}: ${h.value}`),
		'',
		`--${boundary}--`,
		'',
	].join('\r\n');
}
