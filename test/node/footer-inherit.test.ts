// Issue 18 item 4: the footer is a campaign-wide habit — follow-ups and drafts carry the first email's opt-out line
// and postal address (as that lead got them) unless they have their own or it is turned off.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import PostalMime from 'postal-mime';
import type { IDataObject } from 'n8n-workflow';
import { startSandbox, type AdminMessage, type TestSandbox } from '../support/sandbox';
import { followParams, jsonOf, leads, mailbox, OUT, runOne, sendStep1 } from './helpers-sequence';
import { header, runScheduler, scheduleParams, sentByLead } from './draft-scheduler-helpers';

let sb: TestSandbox;
before(async () => {
	sb = await startSandbox({ quotaUnitsPerWindow: 1_000_000 });
});
after(async () => {
	await sb?.close();
});

const FIRST = {
	bodyType: 'html',
	html: '<p>Hi {{first_name}}, does {{company}} still do outreach by hand?</p>',
	options: { unsubscribeUrl: 'https://acme.test/u?e={{email}}', footer: 'Not interested? {{unsubscribe_url}}', postalAddress: 'Acme GmbH, 1 Main St, Berlin' },
};

/** The lead's own footer lines, as the first email rendered them. */
const footerFor = (email: string) => [`Not interested? https://acme.test/u?e=${encodeURIComponent(email)}`, 'Acme GmbH, 1 Main St, Berlin'];

async function bodies(m: AdminMessage): Promise<{ text: string; html: string }> {
	const p = await PostalMime.parse(m.raw);
	return { text: p.text ?? '', html: p.html ?? '' };
}

describe('issue 18: follow-ups keep the first email’s footer', { timeout: 300_000 }, () => {
	test('Threaded Reply and Draft Scheduler steps without a footer of their own carry the first email’s, per lead; their own wins; off means none', async () => {
		await sb.clock({ now: '2026-05-04T08:00:00Z' });
		const mb = await mailbox(sb, { type: 'workspace' });
		const items = leads(3, 'footer');
		const sent = await sendStep1(items, mb.credentials, FIRST);

		const step2 = await runOne('gmailThreadedReply', followParams(2, { bodyType: 'html', html: '<p>Hi {{first_name}}, floating this up.</p>' }), sent, mb.credentials);
		assert.equal(step2[OUT.sent].length, 3, JSON.stringify(jsonOf(step2, 'failed')));
		const by = await sentByLead(sb, mb.email);
		for (const lead of items) {
			const email = String(lead.email);
			const [, second] = by.get(email)!;
			const { text, html } = await bodies(second);
			const lines = footerFor(email);
			assert.ok(text.includes(`\n-- \n${lines.join('\n')}`), `${email} text footer: ${JSON.stringify(text)}`);
			for (const l of lines) assert.ok(html.includes(l.replace(/&/g, '&amp;')), `${email} html footer: ${html}`);
			assert.match(header(second, 'List-Unsubscribe') ?? '', new RegExp(encodeURIComponent(email).replace(/[.%]/g, '\\$&')));
		}

		// A draft for step 3 carries it too.
		const drafts = await runScheduler(scheduleParams(3, { businessDays: 1 }), jsonOf(step2, 'sent'), mb.credentials);
		assert.equal(drafts.scheduled.length, 3, JSON.stringify([...drafts.failed, ...drafts.skipped]));
		for (const d of (await sb.messages(mb.email)).filter((m) => m.labelIds.includes('DRAFT'))) {
			const to = d.to[0].address;
			assert.ok((await bodies(d)).text.includes(footerFor(to).join('\n')), `draft to ${to}`);
		}

		// A footer of its own wins; turned off, none.
		const own = await runOne('gmailThreadedReply', followParams(4, { options: { footer: 'Bye for now' } }), [jsonOf(step2, 'sent')[0]], mb.credentials);
		const off = await runOne('gmailThreadedReply', followParams(5, { options: { footerFromFirst: false } }), [jsonOf(step2, 'sent')[1]], mb.credentials);
		const ownMsg = (await sentByLead(sb, mb.email)).get(String(jsonOf(own, 'sent')[0].email))!.at(-1)!;
		const offMsg = (await sentByLead(sb, mb.email)).get(String(jsonOf(off, 'sent')[0].email))!.at(-1)!;
		const ownText = (await bodies(ownMsg)).text;
		assert.ok(ownText.includes('\n-- \nBye for now'), ownText);
		assert.ok(!ownText.includes('Acme GmbH'), ownText);
		const offText = (await bodies(offMsg)).text;
		assert.ok(!offText.includes('Acme GmbH') && !offText.includes('\n-- \n'), offText);
	});

	test('a text first email: its footer is found after the "-- " line; a signature the follow-up already writes is not added twice', async () => {
		await sb.clock({ now: '2026-05-11T08:00:00Z' });
		const mb = await mailbox(sb, { type: 'workspace' });
		const items = leads(2, 'footer-text');
		const withFooter = await sendStep1([items[0]], mb.credentials, { options: { postalAddress: 'Acme GmbH, 1 Main St' } });
		const signed = await sendStep1([items[1]], mb.credentials, { text: 'Hi {{first_name}},\n\nA question.\n\n-- \nAna, Acme' });
		const r = await runOne('gmailThreadedReply', followParams(2, { text: 'Hi {{first_name}}, bumping this.\n\nAna, Acme' }), [...withFooter, ...signed] as IDataObject[], mb.credentials);
		assert.equal(r[OUT.sent].length, 2, JSON.stringify(jsonOf(r, 'failed')));
		const by = await sentByLead(sb, mb.email);
		const a = (await bodies(by.get(String(items[0].email))!.at(-1)!)).text;
		assert.ok(a.endsWith('\n-- \nAcme GmbH, 1 Main St\n') || a.includes('\n-- \nAcme GmbH, 1 Main St'), a);
		const b = (await bodies(by.get(String(items[1].email))!.at(-1)!)).text;
		assert.equal(b.split('Ana, Acme').length - 1, 1, b);
	});
});
