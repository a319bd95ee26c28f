import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { IDataObject } from 'n8n-workflow';

import { runNode, sandboxOAuthCredential } from '../support/n8n';
import { startSandbox, type TestSandbox } from '../support/sandbox';
import { TransportProbe, rawMail } from './probe';

let sb: TestSandbox;

describe('pacing under a shortened quota window', { timeout: 90_000 }, () => {
	before(async () => {
		sb = await startSandbox({ quotaUnitsPerWindow: 1000, quotaWindowMs: 5000 });
	});
	after(async () => {
		await sb.close();
	});

	test('40 sends at 1,000 units / 5 s: no rate-limit error, within 1.15x of the 15 s minimum', async () => {
		const mb = await sb.createMailbox({ email: 'pacer@example.com', type: 'workspace' });
		const items = Array.from({ length: 40 }, (_v, i) => ({ raw: rawMail(mb.email, `lead${i}@example.org`, `Paced ${i}`) }));
		const started = Date.now();
		const r = await runNode({
			node: TransportProbe,
			parameters: { op: 'send', parallel: true, clientOptions: JSON.stringify({ perMinuteUnits: 1000, windowMs: 5000, concurrency: 4 }) },
			items,
			credentials: { gmailOutreachOAuth2Api: sandboxOAuthCredential(sb.url, mb) },
		});
		const elapsed = Date.now() - started;
		assert.equal(r.error, undefined);
		const json = r.outputs[0].map((i) => i.json as IDataObject & { ok: boolean; client: { retries: number } });
		assert.equal(json.filter((j) => j.ok).length, 40, JSON.stringify(json.find((j) => !j.ok)));
		assert.equal(json[0].client.retries, 0, 'no call needed a retry');
		const stats = await sb.stats(mb.email);
		assert.equal(stats.calls['messages.send'], 40);
		assert.equal(stats.errors['429'] ?? 0, 0, 'the sandbox refused nothing');
		assert.equal(stats.errors['403'] ?? 0, 0);
		assert.ok(elapsed >= 14_500, `took ${elapsed} ms: faster than the budget allows?`);
		assert.ok(elapsed <= 17_250, `took ${elapsed} ms, more than 1.15 x 15 s`);
	});
});
