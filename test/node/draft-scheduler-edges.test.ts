// The Draft Scheduler's edges: a Schedule run stopped between the draft and its label, overlapping Schedule runs,
// preview, an exact send time, the send window, a lead with a bad time zone, a label a person deleted in Gmail.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { outreachKey } from '../../nodes/shared/core/idempotency';
import { startSandbox, type TestSandbox } from '../support/sandbox';
import { leads, mailbox, sendStep1 } from './helpers-sequence';
import { draftMessages, dueParams, header, runScheduler, scheduleLabels, scheduleParams, sentByLead } from './draft-scheduler-helpers';

let sb: TestSandbox;
before(async () => {
	sb = await startSandbox({ quotaUnitsPerWindow: 1_000_000 });
});
after(async () => {
	await sb?.close();
});

describe('issue 14: Draft Scheduler edges', { timeout: 300_000 }, () => {
	test('a Schedule run stopped between the draft and its label: the re-run adopts that draft, never a second one', async () => {
		await sb.clock({ now: '2026-10-05T08:00:00Z' });
		const mb = await mailbox(sb, { type: 'workspace' });
		const sent = await sendStep1(leads(3, 'orphan'), mb.credentials);
		await sb.faults({ mailbox: mb.email, rules: [{ method: 'labels.create', status: 500, count: 1000 }, { method: 'drafts.delete', status: 500, count: 1000 }] });
		const stopped = await runScheduler(scheduleParams(2, { options: { retryBudgetSeconds: 1 } }), sent, mb.credentials);
		await sb.clearFaults();
		assert.equal(stopped.scheduled.length, 0);
		assert.equal(stopped.deferred.length, 3, JSON.stringify(stopped));
		assert.equal((await draftMessages(sb, mb.email)).length, 3, 'three unscheduled drafts of ours were left behind');
		const again = await runScheduler(scheduleParams(2), sent, mb.credentials);
		assert.equal(again.scheduled.length, 3);
		assert.ok(again.scheduled.every((s) => s.recoveredDraft === true));
		assert.equal((await draftMessages(sb, mb.email)).length, 3, 'still one draft per lead');
		assert.equal(scheduleLabels(sb, mb.email).length, 3);
	});

	test('overlapping Schedule runs for the same leads: Send due still sends step 2 once per lead', async () => {
		await sb.clock({ now: '2026-10-05T08:00:00Z' });
		const mb = await mailbox(sb, { type: 'workspace' });
		const sent = await sendStep1(leads(8, 'dup'), mb.credentials);
		const [a, b] = await Promise.all([runScheduler(scheduleParams(2), sent, mb.credentials), runScheduler(scheduleParams(2), sent, mb.credentials)]);
		assert.equal(a.scheduled.length + a.skipped.length, 8);
		assert.equal(b.scheduled.length + b.skipped.length, 8);
		await sb.clock({ now: '2026-10-09T00:00:00Z' });
		const due = await runScheduler(dueParams(), [{}], mb.credentials);
		assert.equal(due.sent.length, 8, JSON.stringify(due));
		// Racing runs can each create a draft for a lead (neither saw the other's label yet): the extras are cancelled.
		assert.equal(due.cancelled.length, a.scheduled.length + b.scheduled.length - 8);
		for (const c of due.cancelled) assert.equal(c.reason, 'duplicate');
		const by = await sentByLead(sb, mb.email);
		for (const s of sent) assert.equal(by.get(String(s.email))!.filter((m) => header(m, 'X-Outreach-Key') === outreachKey('seq', 2, String(s.email))).length, 1);
		assert.equal((await draftMessages(sb, mb.email)).length, 0);
	});

	test('preview creates nothing; an exact time per lead; a bad time zone fails only its row', async () => {
		await sb.clock({ now: '2026-10-05T08:00:00Z' });
		const mb = await mailbox(sb, { type: 'workspace' });
		const items = leads(3, 'exact').map((l, i) => ({ ...l, timezone: ['Europe/Paris', 'Mars/Olympus', 'America/Chicago'][i], sendAt: '2026-10-12T09:30' }));
		const sent = await sendStep1(items, mb.credentials);
		const preview = await runScheduler(scheduleParams(2, { mode: 'preview', sendTime: 'absolute', sendAt: '={{ $json.sendAt }}' }), sent, mb.credentials);
		assert.equal(preview.scheduled.length, 2);
		assert.ok(preview.scheduled.every((p) => p.status === 'preview' && typeof p.mimeHead === 'string' && p.raw === undefined));
		assert.equal(preview.failed.length, 1);
		assert.equal(preview.failed[0].field, 'timezone');
		assert.equal((await draftMessages(sb, mb.email)).length, 0, 'a preview creates no draft');
		const real = await runScheduler(scheduleParams(2, { sendTime: 'absolute', sendAt: '={{ $json.sendAt }}' }), sent, mb.credentials);
		assert.deepEqual(real.scheduled.map((s) => s.sendAt), ['2026-10-12T07:30:00.000Z', '2026-10-12T14:30:00.000Z']);
		assert.deepEqual(real.scheduled.map((s) => s.sendAtLocal), ['2026-10-12 09:30 +02:00', '2026-10-12 09:30 -05:00']);
	});

	test('the send window: a due draft outside the lead’s hours is deferred to the next opening; a label a person deleted unschedules', async () => {
		await sb.clock({ now: '2026-10-05T08:00:00Z' });
		const mb = await mailbox(sb, { type: 'workspace' });
		const sent = await sendStep1(leads(2, 'window').map((l) => ({ ...l, timezone: 'Asia/Tokyo' })), mb.credentials);
		const s = await runScheduler(scheduleParams(2, { businessDays: 1 }), sent, mb.credentials);
		assert.equal(s.scheduled.length, 2);
		// 21:00 in Tokyo on the due day: due, but outside 09:00–17:00.
		await sb.clock({ now: '2026-10-06T12:00:00Z' });
		const r = await runScheduler(dueParams({ sendWindow: 'hours', startTime: '09:00', endTime: '17:00' }), [{}], mb.credentials);
		assert.equal(r.sent.length, 0);
		assert.deepEqual(r.deferred.map((d) => [d.reason, d.retryAt]), [
			['outside_window', '2026-10-07T00:00:00.000Z'],
			['outside_window', '2026-10-07T00:00:00.000Z'],
		]);
		// The person deletes one schedule label in Gmail: that draft is an ordinary draft again, never sent by the node.
		const name = String(s.scheduled[0].label);
		const store = sb.sandbox.store.mailbox(mb.email)!;
		store.labels.splice(store.labels.findIndex((l) => l.name === name), 1);
		await sb.clock({ now: '2026-10-07T01:00:00Z' });
		const next = await runScheduler(dueParams({ sendWindow: 'hours' }), [{}], mb.credentials);
		assert.deepEqual(next.sent.map((x) => x.email), [s.scheduled[1].email]);
		assert.equal((await draftMessages(sb, mb.email)).length, 1, 'the unscheduled draft stays, untouched');
	});
});
