// Gmail Reply Detector Trigger: polls history from a cursor in static data, emits one item per classified event
// about outreach, never our own mail, and "Fetch Test Event" shows real recent events or says there are none.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { IDataObject } from 'n8n-workflow';
import { GmailReplyDetectorTrigger } from '../../nodes/GmailReplyDetectorTrigger/GmailReplyDetectorTrigger.node.js';
import { outreachKey } from '../../nodes/shared/core/idempotency';
import { startSandbox, type AdminMessage, type TestSandbox } from '../support/sandbox';
import { followParams, jsonOf, leads, mailbox, runOne, sendStep1 } from './helpers-sequence';
import { one, poll, triggerParams } from './reply-detector-helpers';
import { remoteBounce } from './reply-detector-seed';

let sb: TestSandbox;
before(async () => {
	sb = await startSandbox({ searchLagMs: 0 });
});
after(async () => {
	await sb?.close();
});

/** Our message to a lead, as the mailbox holds it. */
async function sentTo(email: string, lead: unknown): Promise<AdminMessage> {
	const m = (await sb.messages(email)).find((x) => x.labelIds.includes('SENT') && x.to.some((t) => t.address === lead));
	assert.ok(m, `no sent message to ${String(lead)}`);
	return m;
}

describe('Gmail Reply Detector Trigger', { timeout: 120_000 }, () => {
	test('the description is a polling trigger n8n can load', () => {
		const d = new GmailReplyDetectorTrigger().description;
		assert.equal(d.name, 'gmailReplyDetectorTrigger');
		assert.equal(d.polling, true);
		assert.deepEqual(d.inputs, []);
		for (const p of d.properties) assert.ok('default' in p, `${p.name} has a default`);
	});

	test('a reply, a German out-of-office and a remote bounce: one event each, with the lead, the campaign and our key', async () => {
		const mb = await mailbox(sb);
		const items = leads(4, 'trig');
		const sent = await sendStep1(items, mb.credentials);
		const staticData: IDataObject = {};
		const first = await poll(mb.credentials, staticData);
		assert.equal(first.items, null, 'the first poll only takes the cursor (no look-back asked)');
		assert.match(String((staticData['node:Trigger Under Test'] as IDataObject).historyId), /^\d+$/);

		await sb.deliver({ to: mb.email, replyTo: sent[0].messageId, kind: 'reply', text: 'Yes, let us talk on Tuesday.' });
		const ooo = await sentTo(mb.email, items[1].email);
		await sb.deliver({
			to: mb.email,
			from: String(items[1].email),
			subject: `Abwesenheitsnotiz: ${ooo.subject}`,
			inReplyTo: ooo.messageId,
			references: ooo.messageId,
			headers: { 'Auto-Submitted': 'auto-replied' },
			text: 'Vielen Dank für Ihre Nachricht. Ich bin bis zum 15.01.2027 nicht im Büro und habe keinen Zugriff auf meine E-Mails.',
		});
		const bounced = await sentTo(mb.email, items[2].email);
		await sb.deliver({ to: mb.email, raw: remoteBounce({ mailbox: mb.email, failed: String(items[2].email), originalHeaders: bounced.headers }) });

		const second = await poll(mb.credentials, staticData);
		assert.equal(second.events.length, 3, JSON.stringify(second.events.map((e) => [e.email, e.replyStatus])));
		const reply = one(second.events, 'email', items[0].email);
		assert.equal(reply.replyStatus, 'replied');
		assert.equal(reply.action, 'stop');
		assert.equal(reply.campaign, 'seq');
		assert.equal(reply.outreachKey, outreachKey('seq', 1, String(items[0].email)));
		assert.match(String(reply.snippet), /talk on Tuesday/);
		assert.doesNotMatch(String(reply.snippet), /wrote:/, 'the quote is not the lead’s words');
		assert.equal(reply.syncedBy, 'history');
		assert.equal(reply.threadId, sent[0].threadId);
		const away = one(second.events, 'email', items[1].email);
		assert.equal(away.replyStatus, 'out_of_office');
		// Away until Friday the 15th: back on the 16th (a Saturday), so mailed again Monday 09:00.
		assert.equal(away.returnDate, '2027-01-16');
		assert.equal(away.action, 'wait');
		assert.match(String(away.retryAt), /^2027-01-18T09:00:00/);
		const bounce = one(second.events, 'email', items[2].email);
		assert.equal(bounce.replyStatus, 'bounced_hard');
		assert.equal(bounce.action, 'stop');
		assert.equal(bounce.relatedBy, 'key');
		assert.equal(bounce.bounceStatus, '5.1.1');
		assert.notEqual(bounce.threadId, sent[2].threadId, 'a remote bounce does not thread');
		assert.equal(bounce.outreachKey, outreachKey('seq', 1, String(items[2].email)));

		const third = await poll(mb.credentials, staticData);
		assert.equal(third.items, null, 'nothing new: nothing emitted twice');
	});

	test('never our own sends, drafts or follow-ups, interleaved with the lead’s reply; unrelated mail only with All Inbound Mail', async () => {
		const mb = await mailbox(sb);
		const items = leads(3, 'own');
		const staticData: IDataObject = {};
		const all: IDataObject = {};
		await poll(mb.credentials, staticData);
		await poll(mb.credentials, all, triggerParams({ scope: 'all' }));
		const sent = await sendStep1(items.slice(0, 2), mb.credentials);
		assert.equal((await poll(mb.credentials, staticData)).items, null, 'our step 1 is not an event');
		await sb.deliver({ to: mb.email, replyTo: sent[0].messageId, kind: 'reply', text: 'Send me the deck.' });
		// Between the reply and the next poll: a follow-up (Threaded Reply), another first email, a draft of our own.
		const follow = await runOne('gmailThreadedReply', followParams(2), [sent[1]], mb.credentials);
		assert.equal(jsonOf(follow, 'sent').length, 1);
		await sendStep1([items[2]], mb.credentials);
		const token = (mb.credentials.gmailOutreachOAuth2Api.oauthTokenData as IDataObject).access_token as string;
		const draft = await sb.gmail(token, 'POST', '/gmail/v1/users/me/drafts', {
			message: { raw: Buffer.from(`To: ${String(items[1].email)}\r\nSubject: notes\r\n\r\nDraft text`).toString('base64url') },
		});
		assert.equal(draft.status, 200);
		await sb.deliver({ to: mb.email, from: 'newsletter@vendor.test', subject: 'Hello from a stranger', text: 'Not about outreach at all.' });

		const events = (await poll(mb.credentials, staticData)).events;
		assert.deepEqual(events.map((e) => [e.email, e.replyStatus]), [[items[0].email, 'replied']]);
		const everything = (await poll(mb.credentials, all, triggerParams({ scope: 'all' }))).events;
		const ids = new Set(everything.map((e) => e.messageId));
		const ours = (await sb.messages(mb.email)).filter((m) => m.labelIds.includes('SENT') || m.labelIds.includes('DRAFT'));
		assert.ok(ours.length >= 5, 'the mailbox holds our sends and the draft');
		for (const m of ours) assert.ok(!ids.has(m.id), `our own message ${m.id} (${m.labelIds.join(',')}) was emitted`);
		assert.ok(everything.some((e) => e.from === 'newsletter@vendor.test'), 'All Inbound Mail emits the stranger too');
		assert.ok(everything.some((e) => e.email === items[0].email));
	});

	test('a colleague answering in the lead’s thread names the lead; a reply from the lead in a new thread is still the lead’s', async () => {
		const mb = await mailbox(sb);
		const items = leads(2, 'who');
		const sent = await sendStep1(items, mb.credentials);
		const staticData: IDataObject = {};
		await poll(mb.credentials, staticData);
		const ours = await sentTo(mb.email, items[0].email);
		await sb.deliver({ to: mb.email, from: 'colleague@client0.test', subject: `Re: ${ours.subject}`, inReplyTo: ours.messageId, references: ours.messageId, text: 'I handle this for Lead0 — call me.' });
		await sb.deliver({ to: mb.email, from: String(items[1].email), subject: 'About your email', text: 'Interested, please send pricing.' });
		const events = (await poll(mb.credentials, staticData)).events;
		assert.equal(events.length, 2, JSON.stringify(events));
		const colleague = one(events, 'from', 'colleague@client0.test');
		assert.equal(colleague.email, items[0].email);
		assert.equal(colleague.relatedBy, 'thread');
		assert.equal(colleague.threadId, sent[0].threadId);
		assert.equal(colleague.step, 1);
		const fresh = one(events, 'email', items[1].email);
		assert.equal(fresh.relatedBy, 'address');
		assert.equal(fresh.replyStatus, 'replied');
		assert.notEqual(fresh.threadId, sent[1].threadId);
	});

	test('statuses filter what starts the workflow', async () => {
		const mb = await mailbox(sb);
		const items = leads(2, 'filter');
		const sent = await sendStep1(items, mb.credentials);
		const staticData: IDataObject = {};
		const params = triggerParams({ statuses: ['bounced_hard', 'bounced_soft'] });
		await poll(mb.credentials, staticData, params);
		await sb.deliver({ to: mb.email, replyTo: sent[0].messageId, kind: 'reply' });
		await sb.deliver({ to: mb.email, replyTo: sent[1].messageId, kind: 'bounce' });
		const events = (await poll(mb.credentials, staticData, params)).events;
		assert.deepEqual(events.map((e) => e.replyStatus), ['bounced_hard']);
	});

	test('Fetch Test Event: a clear "nothing yet" error on an empty mailbox, then the real recent event; the cursor is never touched', async () => {
		const mb = await mailbox(sb);
		const items = leads(1, 'manual');
		const sent = await sendStep1(items, mb.credentials);
		const staticData: IDataObject = {};
		const empty = await poll(mb.credentials, staticData, triggerParams(), { mode: 'manual', allowError: true });
		assert.match(String(empty.error?.message), /No reply events yet/);
		await sb.deliver({ to: mb.email, replyTo: sent[0].messageId, kind: 'unsubscribe' });
		const shown = await poll(mb.credentials, staticData, triggerParams(), { mode: 'manual' });
		assert.deepEqual(shown.events.map((e) => [e.email, e.replyStatus]), [[items[0].email, 'unsubscribed']]);
		assert.deepEqual(staticData, {}, 'manual runs keep no cursor');
	});

	test('a first run looks back when asked, and says it synced by date', async () => {
		const mb = await mailbox(sb);
		const items = leads(1, 'lookback');
		const sent = await sendStep1(items, mb.credentials);
		await sb.deliver({ to: mb.email, replyTo: sent[0].messageId, kind: 'reply' });
		const staticData: IDataObject = {};
		const r = await poll(mb.credentials, staticData, triggerParams({ options: { firstRunLookBackHours: 1 } }));
		assert.deepEqual(r.events.map((e) => [e.email, e.syncedBy]), [[items[0].email, 'date']]);
		assert.ok(r.logs.some((l) => /first poll, syncing by date/.test(l)), r.logs.join('\n'));
		assert.equal((await poll(mb.credentials, staticData, triggerParams({ options: { firstRunLookBackHours: 1 } }))).items, null);
	});
});
