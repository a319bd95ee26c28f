// Preview tells the truth about a send moments ago: Gmail's search index lags (here a minute), so the batched search
// alone would show a lead just mailed as still due; Preview reads the run's lag-free view too, as a send does.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSandbox, type TestSandbox } from '../support/sandbox';
import { baseParameters, countOut, leads, runSend } from './helpers-send';

let sb: TestSandbox;
before(async () => {
	sb = await startSandbox({ searchLagMs: 60_000 });
});
after(async () => {
	await sb.close();
});

test('Preview right after a send, search index not caught up: the mailed leads are already_sent, the others previewed', { timeout: 60_000 }, async () => {
	const mb = await sb.createMailbox({ email: 'owner@preview-recent.test', type: 'workspace' });
	const items = leads(6, 'preview-recent.test');
	const sent = await runSend(sb, mb, items.slice(0, 3), baseParameters());
	assert.equal(sent.sent.length, 3);
	const preview = await runSend(sb, mb, items, baseParameters({ mode: 'preview' }));
	assert.equal(countOut(preview), 6);
	assert.deepEqual(preview.skipped.map((s) => [s.email, s.reason]), items.slice(0, 3).map((l) => [l.email, 'already_sent']));
	assert.deepEqual(preview.sent.map((s) => s.email), items.slice(3).map((l) => l.email));
});
