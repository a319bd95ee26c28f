// Regression: the "already sent?" search read at most 500 sent messages per batch of leads, newest first.
// A lead with a long sent history had its first outreach cut off the list and was mailed a second time.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSandbox, type TestSandbox } from '../support/sandbox';
import { baseParameters, countOut, leads, runSend } from './helpers-send';

let sb: TestSandbox;
before(async () => {
	sb = await startSandbox();
});
after(async () => {
	await sb.close();
});

test('a lead with more sent mail than one look-up reads goes to a person (needs_manual_check), never mailed twice; the others are settled', { timeout: 120_000 }, async () => {
	const mb = await sb.createMailbox({ email: 'owner@history.test', type: 'workspace' });
	const items = leads(3, 'history.test');
	const first = await runSend(sb, mb, items, baseParameters());
	assert.equal(first.sent.length, 3);
	// Later the person mailed others by hand, then (past the lag-free look-back of the newest sends) lead0, often.
	await sb.clock({ advance: 'PT30M' });
	await sb.manualSend({ from: mb.email, to: 'friend@else.test', subject: 'lunch', count: 100 });
	await sb.clock({ advance: 'PT30M' });
	// Since then the person wrote to lead0 by hand, often (newer than the outreach, so listed first).
	await sb.manualSend({ from: mb.email, to: 'lead0@history.test', subject: 'project update', count: 520 });
	// Another batch-mate with a long history too: the batch search is cut off and must be narrowed.
	await sb.manualSend({ from: mb.email, to: 'lead1@history.test', subject: 'hello again', count: 30 });

	await sb.clock({ advance: 'PT1H' });
	const sendsBefore = (await sb.stats(mb.email)).calls['messages.send'] ?? 0;
	const again = await runSend(sb, mb, items, baseParameters());
	assert.equal(countOut(again), 3);
	assert.equal((await sb.stats(mb.email)).calls['messages.send'] ?? 0, sendsBefore, 'no second send to anyone');
	assert.deepEqual(again.skipped.map((s) => [s.email, s.reason]), [['lead1@history.test', 'already_sent'], ['lead2@history.test', 'already_sent']]);
	// Waiting cannot settle it, so it is not deferred for an automatic retry: a person checks.
	assert.equal(again.failed.length, 1);
	assert.equal(again.failed[0].email, 'lead0@history.test');
	assert.equal(again.failed[0].reason, 'needs_manual_check');
	assert.equal(again.failed[0].retryAt, undefined);
	assert.match(String(again.failed[0].error), /more than 500 sent messages to lead0@history\.test/);
});

// Regression: the mailbox opt-out check read at most 500 labelled messages per batch, newest first; an old
// opt-out fell off the list behind newer mail about a batch-mate, and the lead who opted out was mailed.
test('an old opt-out behind 500 newer labelled messages still suppresses its lead', { timeout: 120_000 }, async () => {
	const mb = await sb.createMailbox({ email: 'owner@optout.test', type: 'workspace' });
	const t = mb.accessToken;
	const label = (await sb.gmail(t, 'POST', '/gmail/v1/users/me/labels', { name: 'Outreach/Unsubscribed' })).body.id as string;
	const ids: string[] = [];
	ids.push((await sb.deliver({ to: mb.email, from: 'lead2@optout.test', subject: 'Re: hello', text: 'please remove me' })).id);
	// The opt-out is old; the newer mail came since, and the person labelled it all a while before this run.
	await sb.clock({ advance: 'PT40M' });
	// Newer: a long thread with a colleague that copies lead0, labelled the same way.
	for (let k = 0; k < 505; k++) {
		const raw = `From: colleague@else.test\r\nTo: ${mb.email}\r\nCc: lead0@optout.test\r\nSubject: list ${k}\r\n\r\nremove us ${k}\r\n`;
		ids.push((await sb.deliver({ to: mb.email, raw })).id);
	}
	assert.equal((await sb.gmail(t, 'POST', '/gmail/v1/users/me/messages/batchModify', { ids, addLabelIds: [label] })).status, 204);
	await sb.clock({ advance: 'PT10M' });

	const o = await runSend(sb, mb, leads(3, 'optout.test'), baseParameters({ options: { checkMailboxSuppression: true } }));
	assert.equal(countOut(o), 3);
	assert.deepEqual(o.sent.map((s) => s.email), ['lead1@optout.test']);
	// lead0 only by the label (behind 500 newer labelled messages); lead2's own opt-out is read as such.
	assert.deepEqual(o.skipped.map((s) => [s.email, s.reason]).sort(), [['lead0@optout.test', 'suppressed'], ['lead2@optout.test', 'unsubscribed']]);
	const mailed = (await sb.messages(mb.email)).filter((m) => m.labelIds.includes('SENT')).map((m) => m.to[0].address);
	assert.deepEqual(mailed, ['lead1@optout.test']);
});
