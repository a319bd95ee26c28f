// Issue 15's threading details through the real nodes: a follow-up goes from the alias that started the thread, and a
// trashed step is still evidence (never sent again).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { sandboxOAuthCredential } from '../support/n8n';
import { startSandbox, type TestSandbox } from '../support/sandbox';
import { followParams, jsonOf, leads, runOne, SEND_PARAMS, sendStep1 } from './helpers-sequence';

const U = '/gmail/v1/users/me';
let sb: TestSandbox;
before(async () => {
	sb = await startSandbox();
});
after(async () => {
	await sb?.close();
});

async function mailboxWithAlias() {
	const email = `owner-${randomUUID().slice(0, 6)}@acme.test`;
	const mb = await sb.createMailbox({ email, aliases: ['sales@acme.test'] });
	return { mb, credentials: { gmailOutreachOAuth2Api: sandboxOAuthCredential(sb.url, mb) } };
}

describe('threading details', { timeout: 60_000 }, () => {
	test('alias: a follow-up without a From goes from the alias that started the thread, not the primary address', async () => {
		const { mb, credentials } = await mailboxWithAlias();
		const step1 = await sendStep1(leads(2, 'alias'), credentials, { from: 'sales@acme.test' });
		const o = await runOne('gmailThreadedReply', followParams(2), step1, credentials);
		assert.equal(jsonOf(o, 'sent').length, 2);
		const sent = (await sb.messages(mb.email)).filter((m) => m.labelIds.includes('SENT'));
		assert.equal(sent.length, 4);
		for (const m of sent) assert.equal(m.from?.address, 'sales@acme.test', `${m.subject}: from ${m.from?.address}`);
	});

	test('opt-out habit: a follow-up without unsubscribe options keeps the first email\'s List-Unsubscribe; its own options win', async () => {
		const { mb, credentials } = await mailboxWithAlias();
		const step1 = await sendStep1(leads(1, 'habit'), credentials, { options: { unsubscribeMailto: 'mailto:optout@acme.test?subject=unsubscribe', unsubscribeUrl: 'https://acme.test/u/{{email}}' } });
		const header = (m: { headers: Array<{ name: string; value: string }> }) => m.headers.find((h) => h.name.toLowerCase() === 'list-unsubscribe')?.value ?? '';
		const first = (await sb.messages(mb.email)).find((m) => m.id === step1[0].messageId)!;
		assert.match(header(first), /mailto:optout@acme\.test/);
		const o = await runOne('gmailThreadedReply', followParams(2), step1, credentials);
		const follow = (await sb.messages(mb.email)).find((m) => m.id === jsonOf(o, 'sent')[0].messageId)!;
		assert.equal(header(follow), header(first), 'the same opt-out targets as the first email');
		assert.ok(follow.headers.some((h) => h.name.toLowerCase() === 'list-unsubscribe-post'), 'one-click for the https target');
		const own = await runOne('gmailThreadedReply', followParams(3, { options: { unsubscribeMailto: 'mailto:stop@acme.test' } }), step1, credentials);
		const third = (await sb.messages(mb.email)).find((m) => m.id === jsonOf(own, 'sent')[0].messageId)!;
		assert.match(header(third), /^<mailto:stop@acme\.test>$/);
	});

	test('trash: a trashed first email or follow-up is still evidence — re-runs never send that step again', async () => {
		const { mb, credentials } = await mailboxWithAlias();
		const items = leads(2, 'trash');
		const step1 = await sendStep1(items, credentials);
		const trash = async (id: unknown) => assert.equal((await sb.gmail(mb.accessToken, 'POST', `${U}/messages/${String(id)}/trash`)).status, 200);
		await trash(step1[0].messageId);
		await sb.clock({ advance: 'PT10M' });
		const again = await runOne('gmailOutreachSend', SEND_PARAMS, items, credentials);
		assert.equal(jsonOf(again, 'sent').length, 0, 'nothing sent twice');
		assert.deepEqual(jsonOf(again, 'skipped').map((s) => s.reason), ['already_sent', 'already_sent']);
		// The thread of the trashed first email has no conversation left: no follow-up goes into it, and the item says why.
		const step2 = await runOne('gmailThreadedReply', followParams(2), step1, credentials);
		assert.deepEqual(jsonOf(step2, 'sent').map((s) => s.email), [items[1].email]);
		assert.match(String(jsonOf(step2, 'failed')[0]?.error), /threadId.*no message to reply to: all of its messages are in Trash or Spam/);
		await trash(jsonOf(step2, 'sent')[0].messageId);
		await sb.clock({ advance: 'PT10M' });
		const rerun = await runOne('gmailThreadedReply', followParams(2), [step1[1]], credentials);
		assert.equal(jsonOf(rerun, 'sent').length, 0, 'the trashed follow-up is not sent again');
		assert.deepEqual(jsonOf(rerun, 'skipped').map((s) => s.reason), ['already_sent']);
		const toLead1 = (await sb.messages(mb.email)).filter((m) => m.to.some((t) => t.address === items[1].email));
		assert.equal(toLead1.length, 2, 'step 1 and step 2, each once');
	});
});
