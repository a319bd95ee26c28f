import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { IDataObject, INode } from 'n8n-workflow';

import { HARNESS_START, runWorkflow, sandboxOAuthCredential } from '../support/n8n';
import { startSandbox, type TestMailbox, type TestSandbox } from '../support/sandbox';
import { TransportProbe, rawMail } from './probe';

// Two queue-mode workers sending from one mailbox: each process has a pacer of its own that believes it has the
// whole per-minute budget. Here two executions whose credential ids differ get two pacers in one process, as two
// workers would. The budget is shortened to 1,000 units per 5 s, and each call's retry budget to one window, as
// the nodes' 60 s default is one Gmail window; before the pacers learned from refusals, half the sends gave up.
const SENDS = 30;
const WINDOW_MS = 5000;
/** Both workers' sends at 100 units: the first window's budget at once, then one window per further budget's worth. */
const MINIMUM_MS = (Math.ceil((2 * SENDS * 100) / 1000) - 1) * WINDOW_MS;

let sb: TestSandbox;

/** One worker's execution: a probe sending its leads all at once through the transport, on its own pacer. */
async function worker(mb: TestMailbox, credentialId: string, tag: string) {
	const nodes: INode[] = [
		{ id: randomUUID(), name: 'Start', type: HARNESS_START, typeVersion: 1, position: [0, 0], parameters: {} },
		{
			id: randomUUID(), name: 'Probe', type: 'transportProbe', typeVersion: 1, position: [200, 0],
			parameters: { op: 'send', parallel: true, clientOptions: JSON.stringify({ perMinuteUnits: 1000, windowMs: WINDOW_MS, concurrency: 4, budgetMs: WINDOW_MS }) },
			credentials: { gmailOutreachOAuth2Api: { id: credentialId, name: credentialId } },
		},
	];
	const r = await runWorkflow({
		nodes,
		connections: { Start: { main: [[{ node: 'Probe', type: 'main', index: 0 }]] } },
		nodeTypes: { transportProbe: new TransportProbe() },
		credentials: { gmailOutreachOAuth2Api: sandboxOAuthCredential(sb.url, mb) },
		startItems: Array.from({ length: SENDS }, (_v, i) => ({ raw: rawMail(mb.email, `${tag}${i}@example.org`, `Shared ${tag} ${i}`) })),
	});
	assert.equal(r.error, undefined);
	return r.outputsOf('Probe')[0].map((i) => i.json as IDataObject & { ok: boolean; error?: IDataObject });
}

describe('two workers on one mailbox, each with its own pacer', { timeout: 180_000 }, () => {
	before(async () => {
		sb = await startSandbox({ quotaUnitsPerWindow: 1000, quotaWindowMs: WINDOW_MS });
	});
	after(async () => {
		await sb.settings({ retryAfterOnRateLimit: true });
		await sb.close();
	});

	// Whether Gmail sends Retry-After with the per-minute error is not documented: both ways.
	for (const retryAfter of [true, false]) {
		test(`every send goes out, at the budget's pace, with few refusals (Retry-After ${retryAfter ? 'sent' : 'not sent'})`, async () => {
			await sb.settings({ retryAfterOnRateLimit: retryAfter });
			const mb = await sb.createMailbox({ email: `shared-${retryAfter}@example.com`, type: 'workspace' });
			const started = Date.now();
			const [a, b] = await Promise.all([worker(mb, `worker-a-${retryAfter}`, 'a'), worker(mb, `worker-b-${retryAfter}`, 'b')]);
			const elapsed = Date.now() - started;
			const stats = await sb.stats(mb.email);
			const figures = `${elapsed} ms, ${stats.errors['429'] ?? 0} × 429, ${stats.calls['messages.send']} send calls`;
			console.log(`# shared pacing (Retry-After ${retryAfter}): ${figures}`);
			for (const out of [a, b]) assert.deepEqual(out.filter((j) => !j.ok).map((j) => j.error), [], 'no send gave up');
			assert.equal((await sb.messages(mb.email)).filter((m) => m.labelIds.includes('SENT')).length, 2 * SENDS, 'each lead once');
			// Two pacers each spending the whole budget are refused about a third of their calls; learning the share, a few.
			assert.ok((stats.errors['429'] ?? 0) <= SENDS / 2, `too many refusals: ${figures}`);
			assert.ok(elapsed >= MINIMUM_MS - 500, `faster than the budget allows? ${figures}`);
			// Learning the share costs some of the budget's pace (a pacer alone keeps 1.15x, test/transport/pacing.test.ts).
			assert.ok(elapsed <= 2 * MINIMUM_MS, `more than 2 x the ${MINIMUM_MS} ms minimum: ${figures}`);
		});
	}
});
