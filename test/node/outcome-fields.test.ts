// Regression: an item arriving with an earlier step's outcome fields (e.g. step 2's reason on step 3's
// input) carried them into this step's output, so a sent lead still said reason: 'already_sent'.
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

test("an earlier step's outcome fields do not leak into this step's output; the lead's own fields do", { timeout: 30_000 }, async () => {
	const mb = await sb.createMailbox({ email: 'owner@stale.test' });
	const stale = { status: 'skipped', reason: 'already_sent', detail: 'step 2', error: 'old', retryAt: '2020-01-01T00:00:00Z', warning: 'old' };
	const items = leads(2, 'stale.test').map((l) => ({ ...l, ...stale }));
	const o = await runSend(sb, mb, items, baseParameters());
	assert.equal(countOut(o), 2);
	assert.equal(o.sent.length, 2);
	for (const s of o.sent) {
		assert.equal(s.status, 'sent');
		for (const f of ['reason', 'detail', 'error', 'retryAt', 'warning']) assert.equal(s[f], undefined, f);
		assert.match(String(s.company), /^Company \d$/);
		assert.equal(typeof s.row_number, 'number');
	}
});
