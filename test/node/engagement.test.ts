// Issue 10's scenarios: each mailed a lead who must not be mailed, because the guard was thread-local,
// English-only and header-only. Each test is named after its scenario and runs the real nodes against the sandbox.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { IDataObject, INodeParameters } from 'n8n-workflow';
import { startSandbox, type TestSandbox } from '../support/sandbox';
import { followParams, jsonOf, leads, mailbox, runOne, SEND_PARAMS, sendStep1 } from './helpers-sequence';

let sb: TestSandbox;
before(async () => {
	sb = await startSandbox();
});
after(async () => {
	await sb?.close();
});

/** The step-1 output of one lead by address. */
function byEmail(sent: IDataObject[], email: unknown): IDataObject {
	const found = sent.find((s) => s.email === email);
	assert.ok(found, `no output for ${String(email)}`);
	return found;
}

/** Reasons per lead address of a run's Sent / Skipped / Deferred outputs. */
function outcomes(out: ReturnType<typeof jsonOf>[], items: IDataObject[]): Record<string, string> {
	const [sent, skipped, deferred, failed] = out;
	const r: Record<string, string> = {};
	for (const s of sent) r[String(s.email)] = 'sent';
	for (const s of [...skipped, ...deferred, ...failed]) r[String(s.email)] = String(s.reason);
	assert.equal(Object.keys(r).length, items.length, 'every lead has one outcome');
	return r;
}

async function run(type: 'gmailOutreachSend' | 'gmailThreadedReply', params: INodeParameters, items: IDataObject[], credentials: Parameters<typeof runOne>[3]) {
	const o = await runOne(type, params, items, credentials);
	return [jsonOf(o, 'sent'), jsonOf(o, 'skipped'), jsonOf(o, 'deferred'), jsonOf(o, 'failed')];
}

describe('issue 10: never after a reply, an opt-out or a bounce', { timeout: 120_000 }, () => {
	test('live conversation: the lead replied and the owner answered by hand — no later step goes into the conversation', async () => {
		const mb = await mailbox(sb);
		const items = leads(2, 'live');
		const sent = await sendStep1(items, mb.credentials);
		const live = byEmail(sent, items[0].email);
		await sb.deliver({ to: mb.email, replyTo: live.messageId, kind: 'reply', text: 'Interesting — what does it cost?' });
		const reply = (await sb.messages(mb.email)).find((m) => m.labelIds.includes('INBOX'))!;
		await sb.deliver({ to: mb.email, replyTo: reply.id, kind: 'owner-reply', text: 'Hi! 49 EUR a month. Shall we talk Tuesday?' });

		const step2 = await run('gmailThreadedReply', followParams(2), sent, mb.credentials);
		const r2 = outcomes(step2, items);
		// The hand-written answer is not step 2 (no already_sent), and the lead's reply stops the sequence.
		assert.equal(r2[String(items[0].email)], 'replied');
		assert.equal(r2[String(items[1].email)], 'sent');
		const step3 = await run('gmailThreadedReply', followParams(3), sent, mb.credentials);
		const r3 = outcomes(step3, items);
		assert.equal(r3[String(items[0].email)], 'replied', 'step 3 never goes into the live conversation');
		assert.equal(r3[String(items[1].email)], 'sent');
		const toLead = (await sb.messages(mb.email)).filter((m) => m.labelIds.includes('SENT') && m.to.some((t) => t.address === items[0].email));
		assert.equal(toLead.length, 2, 'only step 1 and the owner\'s own answer went to the live lead');
		assert.equal(toLead.filter((m) => m.headers.some((h) => h.name.toLowerCase() === 'x-outreach-key')).length, 1);
	});

	test('opt-out outside the thread: the List-Unsubscribe mailto and a new-thread opt-out stop Send and Threaded Reply, for every campaign', async () => {
		const tag = randomUUID().slice(0, 6);
		const optout = `optout-${tag}@acme.test`;
		const mb = await mailbox(sb, { aliases: [optout] });
		const items = leads(4, 'outside');
		const sent = await sendStep1(items, mb.credentials, { options: { unsubscribeMailto: `mailto:${optout}?subject=unsubscribe` } });
		await sb.deliver({ to: mb.email, replyTo: byEmail(sent, items[0].email).messageId, kind: 'unsubscribe-mailto' });
		await sb.deliver({ to: mb.email, replyTo: byEmail(sent, items[1].email).messageId, kind: 'unsubscribe-new-thread' });
		await sb.deliver({ to: mb.email, replyTo: byEmail(sent, items[2].email).messageId, kind: 'reply-new-thread', text: 'Yes, send me the deck please.' });

		const step2 = outcomes(await run('gmailThreadedReply', followParams(2), sent, mb.credentials), items);
		assert.deepEqual(step2, {
			[String(items[0].email)]: 'unsubscribed',
			[String(items[1].email)]: 'unsubscribed',
			[String(items[2].email)]: 'replied',
			[String(items[3].email)]: 'sent',
		});
		// Another campaign: an opt-out suppresses the address everywhere; a reply ends only its own campaign.
		const other = outcomes(await run('gmailOutreachSend', { ...SEND_PARAMS, campaign: 'spring' }, items, mb.credentials), items);
		assert.equal(other[String(items[0].email)], 'unsubscribed');
		assert.equal(other[String(items[1].email)], 'unsubscribed');
		assert.equal(other[String(items[2].email)], 'sent');
		assert.equal(other[String(items[3].email)], 'sent');
	});

	test('remote bounces: DSNs of other MTAs, unthreaded and without X-Failed-Recipients, stop the lead; a delay warning does not', async () => {
		const mb = await mailbox(sb);
		const items = leads(6, 'dsn');
		const sent = await sendStep1(items, mb.credentials);
		const id = (i: number) => byEmail(sent, items[i].email).messageId;
		await sb.deliver({ to: mb.email, replyTo: id(0), kind: 'dsn', format: 'postfix', status: '5.1.1' });
		await sb.deliver({ to: mb.email, replyTo: id(1), kind: 'dsn', format: 'exchange', status: '5.1.10' });
		await sb.deliver({ to: mb.email, replyTo: id(2), kind: 'dsn', format: 'qmail', status: '5.1.1' });
		await sb.deliver({ to: mb.email, replyTo: id(3), kind: 'dsn', format: 'exim', status: '5.2.2' });
		await sb.deliver({ to: mb.email, replyTo: id(4), kind: 'delay', format: 'postfix' });
		for (const m of (await sb.messages(mb.email)).filter((x) => x.labelIds.includes('INBOX'))) {
			assert.ok(!sent.some((s) => s.threadId === m.threadId), 'the remote DSNs are not threaded with our mail');
		}

		const [s2, skipped] = await run('gmailThreadedReply', followParams(2), sent, mb.credentials);
		const r = outcomes([s2, skipped, [], []], items);
		for (const i of [0, 1, 2, 3]) assert.equal(r[String(items[i].email)], 'bounced', `lead ${i}`);
		assert.equal(r[String(items[4].email)], 'sent', 'a delay warning is not a bounce');
		assert.equal(r[String(items[5].email)], 'sent');
		assert.equal(byEmail(skipped, items[0].email).bounce, 'hard');
		assert.equal(byEmail(skipped, items[3].email).bounce, 'soft');
		// A hard bounce suppresses the address for every campaign; a soft one only ended this campaign.
		const other = outcomes(await run('gmailOutreachSend', { ...SEND_PARAMS, campaign: 'spring' }, items, mb.credentials), items);
		for (const i of [0, 1, 2]) assert.equal(other[String(items[i].email)], 'bounced');
		assert.equal(other[String(items[3].email)], 'sent');
	});

	test("Gmail's own over-cap notice: the lead is not suppressed and the undelivered step goes again, once", async () => {
		await sb.settings({ capLagSends: 2 });
		try {
			const mb = await mailbox(sb, { type: 3 });
			const items = leads(5, 'overcap');
			const first = await run('gmailOutreachSend', SEND_PARAMS, items, mb.credentials);
			assert.equal(first[0].length, 5, 'Gmail answered 200 for all five');
			const notices = (await sb.messages(mb.email)).filter((m) => m.labelIds.includes('INBOX'));
			assert.equal(notices.length, 2, "two of Gmail's limit notices");
			await sb.clock({ advance: 'P1D' });
			const again = outcomes(await run('gmailOutreachSend', SEND_PARAMS, items, mb.credentials), items);
			assert.deepEqual(Object.values(again).sort(), ['already_sent', 'already_sent', 'already_sent', 'sent', 'sent']);
			const third = outcomes(await run('gmailOutreachSend', SEND_PARAMS, items, mb.credentials), items);
			assert.deepEqual(Object.values(third), Array(5).fill('already_sent'), 'sent again once, not again and again');
		} finally {
			await sb.settings({ capLagSends: 0 });
		}
	});

	test('duplicate rows: a row with status unsubscribed stops every row with that address, whatever the order', async () => {
		const mb = await mailbox(sb);
		const [a, b] = leads(2, 'dup');
		const rows = [
			{ ...a, status: 'new' },
			b,
			{ ...a, email: String(a.email).toUpperCase(), status: 'Unsubscribed' },
		];
		const [sent, skipped] = await run('gmailOutreachSend', SEND_PARAMS, rows, mb.credentials);
		assert.deepEqual(sent.map((s) => s.email), [b.email]);
		assert.deepEqual(skipped.map((s) => s.reason), ['suppressed', 'suppressed']);
		const step1 = await sendStep1([a], mb.credentials);
		const follow = [{ ...step1[0], status: 'new' }, { ...step1[0], status: 'unsubscribed' }];
		const [s2, k2] = await run('gmailThreadedReply', followParams(2), follow, mb.credentials);
		assert.equal(s2.length, 0);
		assert.deepEqual(k2.map((s) => s.reason), ['suppressed', 'unsubscribed']);
	});

	test('other languages: a German out-of-office without auto-reply headers is not a reply, and "bitte keine E-Mails mehr" is an opt-out', async () => {
		const mb = await mailbox(sb);
		const items = leads(3, 'lang');
		const sent = await sendStep1(items, mb.credentials);
		const back = new Date(Date.parse((await sb.clock()).now) + 10 * 86400_000).toISOString().slice(0, 10);
		await sb.deliver({ to: mb.email, replyTo: byEmail(sent, items[0].email).messageId, kind: 'out-of-office', lang: 'de', headers: false, returnDate: back });
		await sb.deliver({ to: mb.email, replyTo: byEmail(sent, items[1].email).messageId, kind: 'reply', text: 'Bitte keine E-Mails mehr.' });

		const rows = sent.map((s) => ({ ...s, timezone: 'Europe/Berlin' }));
		const [s2, skipped, deferred] = await run('gmailThreadedReply', followParams(2), rows, mb.credentials);
		assert.deepEqual(skipped.map((s) => [s.email, s.reason]), [[items[1].email, 'unsubscribed']]);
		assert.deepEqual(deferred.map((s) => [s.email, s.reason]), [[items[0].email, 'out_of_office']]);
		assert.ok(Date.parse(String(deferred[0].retryAt)) >= Date.parse(back), 'waits until the stated return date');
		assert.deepEqual(s2.map((s) => s.email), [items[2].email]);
		// Without waiting, an out-of-office is simply not a reply: the follow-up goes.
		const [s3] = await run('gmailThreadedReply', followParams(2, { options: { waitUntilBack: false } }), [rows[0]], mb.credentials);
		assert.equal(s3.length, 1);
	});
});
