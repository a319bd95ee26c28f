// A lead deferred after a transient Gmail failure gets its retryAt from the mailbox's clock (Gmail's Date header),
// like every other time the nodes write for the sheet: with the sandbox three days ahead of this machine, the
// retry is 15 minutes after the mailbox's "now", not three days in its past.
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

test('a transient failure defers the lead until 15 minutes after the mailbox\'s now, read from Gmail\'s clock', { timeout: 60_000 }, async () => {
	const mb = await sb.createMailbox({ email: 'owner@retry-clock.test', type: 'workspace' });
	const now = Date.parse((await sb.clock({ advance: 'P3D' })).now);
	await sb.faults({ mailbox: mb.email, rules: [{ method: 'drafts.create', status: 503, count: 1000 }] });
	const o = await runSend(sb, mb, leads(1, 'retry-clock.test'), baseParameters({ options: { retryBudgetSeconds: 1 } }));
	await sb.clearFaults();
	assert.equal(countOut(o), 1);
	assert.equal(o.deferred.length, 1, JSON.stringify(o));
	assert.equal(o.deferred[0].reason, 'transient');
	const retryAt = Date.parse(String(o.deferred[0].retryAt));
	assert.ok(Math.abs(retryAt - (now + 15 * 60_000)) < 120_000, `retryAt ${String(o.deferred[0].retryAt)} is 15 min after the mailbox's now ${new Date(now).toISOString()}`);
});
