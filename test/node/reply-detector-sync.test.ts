// The trigger's cursor under pressure: Gmail forgets old history (404), the search index lags, mail keeps
// arriving between polls. Across 20 polls every reply is emitted exactly once.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { IDataObject } from 'n8n-workflow';
import { startSandbox, type TestSandbox } from '../support/sandbox';
import { leads, mailbox, sendStep1 } from './helpers-sequence';
import { poll } from './reply-detector-helpers';

let sb: TestSandbox;
before(async () => {
	// Gmail keeps history about a week; one day here, so a two-day clock jump makes the cursor too old.
	// The search index lags 2 s (the sandbox's default), so a sync by date can miss the newest mail.
	sb = await startSandbox({ historyRetentionDays: 1, searchLagMs: 2000 });
});
after(async () => {
	await sb?.close();
});

test('history 404 → sync by date: across 20 polls with mail arriving between them, no event is lost or emitted twice', { timeout: 180_000 }, async () => {
	const mb = await mailbox(sb);
	const items = leads(6, 'sync');
	const sent = await sendStep1(items, mb.credentials);
	const staticData: IDataObject = {};
	await poll(mb.credentials, staticData);

	const delivered: string[] = [];
	const emitted = new Map<string, number>();
	const byDate = new Set<string>();
	let tooOld = 0;
	const take = (events: IDataObject[]) => {
		for (const e of events) {
			const id = String(e.messageId);
			emitted.set(id, (emitted.get(id) ?? 0) + 1);
			if (e.syncedBy === 'date') byDate.add(id);
		}
	};
	for (let round = 0; round < 20; round++) {
		for (let k = 0; k < round % 3; k++) {
			const lead = sent[(round + k) % sent.length];
			delivered.push((await sb.deliver({ to: mb.email, replyTo: lead.messageId, kind: 'reply', text: `Reply ${round}.${k}` })).id);
		}
		if (round % 6 === 5) {
			// Gmail prunes what the cursor points into; mail arrives after the jump too, inside the index lag.
			await sb.clock({ advance: 'P2D' });
			delivered.push((await sb.deliver({ to: mb.email, replyTo: sent[0].messageId, kind: 'reply', text: `Right after the jump ${round}` })).id);
		}
		const r = await poll(mb.credentials, staticData);
		if (r.logs.some((l) => /no longer keeps history/.test(l))) tooOld++;
		take(r.events);
		// The sandbox clock moves with real time; give the index its 2 s between some polls, not all.
		if (round % 2) await sb.clock({ advance: 'PT3S' });
	}
	await sb.clock({ advance: 'PT1M' });
	take((await poll(mb.credentials, staticData)).events);

	assert.ok(tooOld >= 3, `the cursor went stale ${tooOld} times (expected 3)`);
	assert.ok(byDate.size > 0, 'some events came from a sync by date');
	const lost = delivered.filter((id) => !emitted.has(id));
	assert.deepEqual(lost, [], 'every reply was emitted');
	const doubled = [...emitted].filter(([, n]) => n > 1);
	assert.deepEqual(doubled, [], 'no reply was emitted twice');
	assert.deepEqual([...emitted.keys()].sort(), [...delivered].sort(), 'only the replies were emitted');
});
