// Gmail Reply Detector (node): one wide look-up of the mailbox for a list of leads, the one engagement rule,
// every row on exactly one of Stop / Wait / Continue / Failed with the fields a Sheets update needs.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { IDataObject, INodeProperties } from 'n8n-workflow';
import { GmailReplyDetector } from '../../nodes/GmailReplyDetector/GmailReplyDetector.node.js';
import * as pkg from '../../index';
import type { HarnessCredentials } from '../support/n8n';
import { startSandbox, type TestSandbox } from '../support/sandbox';
import { leads, mailbox, sendStep1 } from './helpers-sequence';
import { detectorParams, one, runDetector } from './reply-detector-helpers';

let sb: TestSandbox;
before(async () => {
	sb = await startSandbox({ searchLagMs: 0 });
});
after(async () => {
	await sb?.close();
});

/** Label names of a message in the sandbox mailbox. */
async function labelsOf(email: string, token: string, id: string): Promise<string[]> {
	const labels = (await sb.gmail(token, 'GET', '/gmail/v1/users/me/labels')).body.labels as Array<{ id: string; name: string }>;
	const m = (await sb.messages(email)).find((x) => x.id === id);
	assert.ok(m, `message ${id}`);
	return m.labelIds.map((l) => labels.find((x) => x.id === l)?.name ?? l);
}

const tokenOf = (c: HarnessCredentials) => (c.gmailOutreachOAuth2Api.oauthTokenData as IDataObject).access_token as string;

describe('Gmail Reply Detector', { timeout: 120_000 }, () => {
	test('the description is one n8n can load: four named outputs, every parameter with a default', () => {
		const d = new GmailReplyDetector().description;
		assert.equal(d.name, 'gmailReplyDetector');
		assert.deepEqual((d.outputs as Array<{ displayName: string }>).map((o) => o.displayName), ['Stop', 'Wait', 'Continue', 'Failed']);
		const check = (props: INodeProperties[]) => {
			for (const p of props) {
				assert.ok('default' in p, `${p.name} has a default`);
				if (p.type === 'collection') check(p.options as INodeProperties[]);
			}
		};
		check(d.properties);
		assert.ok(!d.properties.some((p) => p.name === 'status'), 'no field named status');
	});

	test('the package exports both nodes', async () => {
		const { GmailReplyDetectorTrigger } = await import('../../nodes/GmailReplyDetectorTrigger/GmailReplyDetectorTrigger.node.js');
		assert.equal((pkg as Record<string, unknown>).GmailReplyDetector, GmailReplyDetector);
		assert.equal((pkg as Record<string, unknown>).GmailReplyDetectorTrigger, GmailReplyDetectorTrigger);
	});

	test('reply, out-of-office with a return date, hard bounce, opt-out, silence and bad rows: each on its output with its fields', async () => {
		const mb = await mailbox(sb);
		const items = leads(6, 'node');
		const sent = await sendStep1(items.slice(0, 5), mb.credentials);
		await sb.deliver({ to: mb.email, replyTo: sent[0].messageId, kind: 'reply', text: 'Happy to chat — Thursday works.' });
		await sb.deliver({ to: mb.email, replyTo: sent[1].messageId, kind: 'auto-reply', text: 'I am out of the office until January 15, 2027 with no access to email.' });
		await sb.deliver({ to: mb.email, replyTo: sent[2].messageId, kind: 'bounce' });
		await sb.deliver({ to: mb.email, replyTo: sent[3].messageId, kind: 'unsubscribe' });
		const rows: IDataObject[] = [
			...sent.map((s, i) => ({ ...items[i], threadId: s.threadId, status: 'sent', row_number: i + 2, ...(i === 1 ? { timezone: 'Europe/Berlin' } : {}) })),
			{ ...items[5], status: 'new', row_number: 7 },
			{ email: 'bob@', row_number: 8 },
			{ email: 'not an address' },
		];
		const out = await runDetector(mb.credentials, rows, detectorParams());

		const replied = one(out.stop, 'email', items[0].email);
		assert.equal(replied.replyStatus, 'replied');
		assert.equal(replied.status, 'sent', 'the row’s own status column is never overwritten');
		assert.match(String(replied.snippet), /Thursday works/);
		assert.doesNotMatch(String(replied.snippet), /wrote:/);
		assert.match(String(replied.lastInboundAt), /^\d{4}-\d\d-\d\dT/);
		assert.match(String(replied.evidenceMessageId), /^[0-9a-f]+$/);
		assert.equal(replied.threadId, sent[0].threadId);
		assert.equal(replied.labels, 'Outreach/Replied');
		const away = one(out.wait, 'email', items[1].email);
		assert.equal(away.replyStatus, 'out_of_office');
		// Away until Friday the 15th: back on the 16th (a Saturday), so mailed again Monday 09:00.
		assert.equal(away.returnDate, '2027-01-16');
		// 09:00 on the return day in the lead's own time zone (the row's timezone column).
		assert.equal(away.retryAt, '2027-01-18T08:00:00.000Z');
		const bounced = one(out.stop, 'email', items[2].email);
		assert.equal(bounced.replyStatus, 'bounced_hard');
		assert.equal(bounced.bounceStatus, '5.1.1');
		assert.equal(one(out.stop, 'email', items[3].email).replyStatus, 'unsubscribed');
		assert.deepEqual(out.continue.map((c) => [c.email, c.replyStatus]).sort(), [[items[4].email, 'no_reply'], [items[5].email, 'no_reply']].sort());
		assert.equal(out.continue.find((c) => c.email === items[4].email)!.evidenceMessageId, '');

		assert.equal(out.failed.length, 2);
		const withRow = one(out.failed, 'email', 'bob@');
		assert.equal(withRow.row, 8);
		assert.equal(withRow.rowSource, 'row_number');
		assert.match(String(withRow.error), /^Row 8 \(row_number\), field "email": invalid address "bob@"/);
		const noRow = one(out.failed, 'email', 'not an address');
		assert.equal(noRow.row, 7);
		assert.equal(noRow.rowSource, 'item_index');
		assert.match(String(noRow.error), /^Item 7 \(item index/);

		// The evidence is labelled, so the sending nodes' mailbox suppression sees the opt-out and the bounce.
		const token = tokenOf(mb.credentials);
		assert.ok((await labelsOf(mb.email, token, String(bounced.evidenceMessageId))).includes('Outreach/Bounced'));
		const optOut = one(out.stop, 'email', items[3].email);
		assert.ok((await labelsOf(mb.email, token, String(optOut.evidenceMessageId))).includes('Outreach/Unsubscribed'));
		assert.ok((await labelsOf(mb.email, token, String(away.evidenceMessageId))).includes('Outreach/Away'));
		assert.ok((await labelsOf(mb.email, token, String(replied.evidenceMessageId))).includes('UNREAD'), 'not marked read unless asked');
	});

	test('mark as read, no labels: the evidence loses UNREAD and gets no label', async () => {
		const mb = await mailbox(sb);
		const items = leads(1, 'read');
		const sent = await sendStep1(items, mb.credentials);
		await sb.deliver({ to: mb.email, replyTo: sent[0].messageId, kind: 'reply' });
		const out = await runDetector(mb.credentials, [sent[0]], detectorParams({ options: { labelEvidence: false, markRead: true } }));
		const r = one(out.stop, 'email', items[0].email);
		const names = await labelsOf(mb.email, tokenOf(mb.credentials), String(r.evidenceMessageId));
		assert.ok(!names.includes('UNREAD'));
		assert.ok(!names.some((n) => n.startsWith('Outreach/')), names.join(','));
	});

	test('since the campaign’s first message: a conversation from before the campaign is no reply; a colleague in the lead’s thread is', async () => {
		const mb = await mailbox(sb);
		const items = leads(2, 'before');
		// An old conversation: the lead wrote before the campaign began.
		await sb.deliver({ to: mb.email, from: String(items[0].email), subject: 'Last year', text: 'Thanks for the conference chat.' });
		await sb.clock({ advance: 'PT1H' });
		const sent = await sendStep1(items, mb.credentials);
		const thread = (await sb.messages(mb.email)).find((m) => m.id === sent[1].messageId)!;
		await sb.deliver({ to: mb.email, from: 'assistant@client1.test', subject: `Re: ${thread.subject}`, inReplyTo: thread.messageId, references: thread.messageId, text: 'Lead1 asked me to set up a call.' });
		// No threadId column: the campaign's thread is found in Sent for the leads that have mail.
		const rows = items.map((l) => ({ email: l.email }));
		const out = await runDetector(mb.credentials, rows, detectorParams({ threadIdField: '' }));
		assert.equal(one(out.continue, 'email', items[0].email).replyStatus, 'no_reply');
		assert.equal(one(out.continue, 'email', items[0].email).lastInboundAt !== '', true);
		// The assistant writes in the lead's thread, but the lead has no mail of its own: it is not looked up.
		assert.equal(one(out.continue, 'email', items[1].email).replyStatus, 'no_reply');
		// With the thread from the sheet, anyone in it counts.
		const withThread = await runDetector(mb.credentials, [{ email: items[1].email, threadId: sent[1].threadId }], detectorParams());
		assert.equal(one(withThread.stop, 'email', items[1].email).replyStatus, 'replied');
	});

	test('since a date: only what came in from then on counts', async () => {
		const mb = await mailbox(sb);
		const items = leads(2, 'date');
		const sent = await sendStep1(items, mb.credentials);
		await sb.deliver({ to: mb.email, replyTo: sent[0].messageId, kind: 'reply' });
		await sb.clock({ advance: 'PT2H' });
		const { now } = await sb.clock();
		await sb.clock({ advance: 'PT1M' });
		await sb.deliver({ to: mb.email, replyTo: sent[1].messageId, kind: 'reply' });
		const out = await runDetector(mb.credentials, sent, detectorParams({ since: 'date', sinceDate: now }));
		assert.equal(one(out.continue, 'email', items[0].email).replyStatus, 'no_reply');
		assert.equal(one(out.stop, 'email', items[1].email).replyStatus, 'replied');
		assert.equal(one(out.stop, 'email', items[1].email).checkedSince, new Date(now).toISOString());
	});

	test('a run whose look-up fails leaves every lead on Failed with a retryAt, none lost', async () => {
		const mb = await mailbox(sb);
		const items = leads(3, 'fail');
		await sb.faults({ mailbox: mb.email, rules: [{ method: 'messages.list', status: 503, count: 100 }] });
		try {
			const out = await runDetector(mb.credentials, items, detectorParams({ options: { retryBudgetSeconds: 0 } }));
			assert.equal(out.failed.length, 3);
			for (const f of out.failed) {
				assert.equal(f.reason, 'transient');
				assert.match(String(f.retryAt), /^\d{4}-/);
				assert.match(String(f.error), /could not be checked/);
			}
		} finally {
			await sb.clearFaults();
		}
	});
});
