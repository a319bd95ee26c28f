// Quota Guard gives each Send-Now item a sendAt; the sending nodes hold each send until then by the mailbox's clock
// (never early), defer one due beyond Max Wait to its sendAt, and ignore sendAt when told to.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { IDataObject } from 'n8n-workflow';
import { startSandbox, type TestSandbox } from '../support/sandbox';
import { followParams, jsonOf, leads, mailbox, runOne, SEND_PARAMS, sendStep1 } from './helpers-sequence';

let sb: TestSandbox;
before(async () => {
	sb = await startSandbox();
});
after(async () => {
	await sb?.close();
});

/** The sandbox's (the mailbox's) now, epoch ms. */
async function mailboxNow(): Promise<number> {
	return Date.parse((await sb.clock()).now);
}

describe('sendAt: the sending nodes send each item at its time', { timeout: 120_000 }, () => {
	test('Send waits for each sendAt by the mailbox clock (two days ahead of ours) and defers one due beyond Max Wait', async () => {
		await sb.clock({ advance: 'P2D' });
		const mb = await mailbox(sb);
		const now = await mailboxNow();
		const due = [now + 1500, now + 3000, now + 2 * 3600_000];
		const items: IDataObject[] = leads(3, 'send-at').map((l, k) => ({ ...l, quotaStatus: 'send_now', sendAt: new Date(due[k]).toISOString() }));
		const started = Date.now();
		const o = await runOne('gmailOutreachSend', SEND_PARAMS, items, mb.credentials);
		const sent = jsonOf(o, 'sent');
		const deferred = jsonOf(o, 'deferred');
		assert.deepEqual(sent.map((s) => s.email), [items[0].email, items[1].email]);
		const times = (await sb.messages(mb.email)).filter((m) => m.labelIds.includes('SENT')).map((m) => m.internalDate).sort((a, b) => a - b);
		assert.equal(times.length, 2);
		assert.ok(times[0] >= due[0] && times[1] >= due[1], `never before sendAt: ${times.map((t, k) => t - due[k]).join(', ')} ms`);
		assert.ok(times[1] - due[1] < 2500, 'and not much later');
		assert.ok(Date.now() - started < 15_000, 'the far one did not hold the execution');
		assert.deepEqual(deferred.map((d) => [d.email, d.reason, d.retryAt]), [[items[2].email, 'scheduled', items[2].sendAt]]);
	});

	test('Threaded Reply waits for sendAt too; with Wait for Send At off, sendAt is ignored', async () => {
		const mb = await mailbox(sb);
		const step1 = await sendStep1(leads(2, 'send-at-tr'), mb.credentials);
		const now = await mailboxNow();
		const rows: IDataObject[] = step1.map((s, k) => ({ ...s, quotaStatus: 'send_now', sendAt: new Date(now + (k === 0 ? 2000 : 3 * 3600_000)).toISOString() }));
		const o = await runOne('gmailThreadedReply', followParams(2), rows, mb.credentials);
		assert.deepEqual(jsonOf(o, 'sent').map((s) => s.email), [rows[0].email]);
		const followUp = (await sb.messages(mb.email)).find((m) => m.id === jsonOf(o, 'sent')[0].messageId)!;
		assert.ok(followUp.internalDate >= Date.parse(String(rows[0].sendAt)), 'not before its sendAt');
		assert.deepEqual(jsonOf(o, 'deferred').map((d) => d.reason), ['scheduled']);
		const off = await runOne('gmailThreadedReply', followParams(2, { options: { waitForSendAt: false } }), [rows[1]], mb.credentials);
		assert.equal(jsonOf(off, 'sent').length, 1, 'sent at once');
	});

	test("a row's own sendAt column (not Quota Guard's Send Now) does not hold the send", async () => {
		const mb = await mailbox(sb);
		const far = new Date((await mailboxNow()) + 7 * 86400_000).toISOString();
		const o = await runOne('gmailOutreachSend', SEND_PARAMS, leads(1, 'own-send-at').map((l) => ({ ...l, sendAt: far })), mb.credentials);
		assert.equal(jsonOf(o, 'sent').length, 1);
	});
});
