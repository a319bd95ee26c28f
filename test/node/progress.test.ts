// Long runs show progress: a manual run tells the editor how far it is, the log has a line per batch, and a preview
// says how long sending would take at the chosen pacing.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSandbox, type TestSandbox } from '../support/sandbox';
import { baseParameters, leads, runSend } from './helpers-send';

let sb: TestSandbox;
before(async () => {
	sb = await startSandbox();
});
after(async () => {
	await sb?.close();
});

describe('progress of long runs', { timeout: 120_000 }, () => {
	test('a manual run reports "sent n of N" to the editor and logs one line per batch of 25', async () => {
		const mb = await sb.createMailbox({ email: 'owner@progress.test', type: 'workspace' });
		const o = await runSend(sb, mb, leads(30, 'progress-leads.test'), baseParameters({ options: { pacing: 'delay', delaySeconds: 0.05, jitterSeconds: 0 } }));
		assert.equal(o.sent.length, 30);
		const ui = o.result.uiMessages;
		assert.ok(ui.length >= 2, JSON.stringify(ui));
		assert.match(ui[0], /Gmail Outreach Send: sent 1 of 30, next in about 0 s/);
		assert.equal(ui[ui.length - 1], 'Gmail Outreach Send: sent 30 of 30 (done)');
		const lines = o.result.logs.filter((l) => /Gmail Outreach Send: (batch|done)/.test(l));
		assert.equal(lines.length, 2, lines.join('\n'));
		assert.match(lines[0], /batch 1 of 2 done — sent 25, skipped 0, deferred 0, failed 0 of 30/);
		assert.match(lines[1], /done — sent 30, skipped 0, deferred 0, failed 0 of 30/);
	});

	test('a preview says how long sending would take at the chosen pacing', async () => {
		const mb = await sb.createMailbox({ email: 'owner@progress-preview.test', type: 'workspace' });
		const delay = await runSend(sb, mb, leads(11, 'pp.test'), baseParameters({ mode: 'preview', options: { pacing: 'delay', delaySeconds: 30, jitterSeconds: 10 } }));
		assert.equal(delay.sent[0].estimatedRunSeconds, 350, '10 gaps of 30 s + half the jitter');
		assert.match(String(delay.sent[0].runEstimate), /sending these 11 emails takes about 6 min/);
		const quota = await runSend(sb, mb, leads(11, 'pq.test'), baseParameters({ mode: 'preview', options: { quotaUnitsPerMinute: 6000 } }));
		assert.equal(quota.sent[0].estimatedRunSeconds, 11, '11 sends × 100 units at 6,000 units a minute');
		assert.equal(delay.result.uiMessages.length, 0, 'a preview sends no progress');
	});
});
