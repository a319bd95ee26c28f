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

test('a lead with more sent mail than one look-up reads is deferred, never mailed twice; the others are settled', { timeout: 120_000 }, async () => {
	const mb = await sb.createMailbox({ email: 'owner@history.test', type: 'workspace' });
	const items = leads(3, 'history.test');
	const first = await runSend(sb, mb, items, baseParameters());
	assert.equal(first.sent.length, 3);
	// Since then the person wrote to lead0 by hand, often (newer than the outreach, so listed first).
	await sb.manualSend({ from: mb.email, to: 'lead0@history.test', subject: 'project update', count: 520 });
	// Another batch-mate with a long history too: the batch search is cut off and must be narrowed.
	await sb.manualSend({ from: mb.email, to: 'lead1@history.test', subject: 'hello again', count: 30 });

	const sendsBefore = (await sb.stats(mb.email)).calls['messages.send'] ?? 0;
	const again = await runSend(sb, mb, items, baseParameters());
	assert.equal(countOut(again), 3);
	assert.equal((await sb.stats(mb.email)).calls['messages.send'] ?? 0, sendsBefore, 'no second send to anyone');
	assert.deepEqual(again.skipped.map((s) => [s.email, s.reason]), [['lead1@history.test', 'already_sent'], ['lead2@history.test', 'already_sent']]);
	assert.equal(again.deferred.length, 1);
	assert.equal(again.deferred[0].email, 'lead0@history.test');
	assert.equal(again.deferred[0].reason, 'lookup_failed');
	assert.match(String(again.deferred[0].error), /more than 500 sent messages to lead0@history\.test/);
});
