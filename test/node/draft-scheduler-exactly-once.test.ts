// Send due exactly once: a run interrupted between drafts.send and its bookkeeping never sends a draft twice on
// re-run (the draft is gone, the sent message carries the key — restored even where a person's edit dropped it);
// an ambiguous drafts.send is looked for, never repeated; two overlapping Send-due executions send each draft once.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { IDataObject } from 'n8n-workflow';
import { outreachKey } from '../../nodes/shared/core/idempotency';
import { startSandbox, type TestSandbox } from '../support/sandbox';
import { leads, mailbox, sendStep1 } from './helpers-sequence';
import { draftMessages, dueParams, header, personEdits, runScheduler, scheduleLabels, scheduleParams, sentByLead, type Outputs } from './draft-scheduler-helpers';

let sb: TestSandbox;
before(async () => {
	sb = await startSandbox({ quotaUnitsPerWindow: 1_000_000, searchLagMs: 5000 });
});
after(async () => {
	await sb?.close();
});

/** n leads with step 1 sent and step 2 scheduled and due (the clock moved past their times). */
async function dueDrafts(n: number, tag: string) {
	await sb.clock({ now: '2026-09-07T08:00:00Z' });
	const mb = await mailbox(sb, { type: 'workspace' });
	const sent = await sendStep1(leads(n, tag), mb.credentials);
	const s = await runScheduler(scheduleParams(2, { businessDays: 1, options: {} }), sent, mb.credentials);
	assert.equal(s.scheduled.length, n, JSON.stringify([...s.failed, ...s.skipped]));
	await sb.clock({ now: '2026-09-09T12:00:00Z' });
	return { mb, sent, scheduled: s.scheduled };
}

/** Every lead has exactly one step-2 message (by its outreach key) in the mailbox. */
async function stepTwoOnce(email: string, sent: IDataObject[]): Promise<void> {
	const by = await sentByLead(sb, email);
	for (const lead of sent) {
		const msgs = by.get(String(lead.email).toLowerCase()) ?? [];
		const step2 = msgs.filter((m) => header(m, 'X-Outreach-Key') === outreachKey('seq', 2, String(lead.email)));
		assert.equal(step2.length, 1, `${String(lead.email)} got ${step2.length} step-2 messages`);
		assert.equal(msgs.length, 2, `${String(lead.email)}: step 1 and step 2 only`);
	}
}

function total(o: Outputs): number {
	return o.sent.length + o.cancelled.length + o.deferred.length + o.failed.length;
}

describe('issue 14: Send due exactly once', { timeout: 300_000 }, () => {
	test('interrupted after drafts.send, before its bookkeeping: the re-run reports already_sent and sends nothing', async () => {
		const { mb, sent, scheduled } = await dueDrafts(6, 'interrupt');
		// One draft was rewritten by a person: its headers (our key among them) are gone from the draft.
		await personEdits(sb, mb.email, String(scheduled[0].draftId), { text: 'Edited by hand before it went.' });
		// The bookkeeping fails: every schedule label stays, as if the run had died right after each send.
		await sb.faults({ mailbox: mb.email, rules: [{ method: 'labels.delete', status: 500, count: 1000 }] });
		const first = await runScheduler(dueParams({ options: { retryBudgetSeconds: 1 } }), [{}], mb.credentials);
		await sb.clearFaults();
		assert.equal(first.sent.length, 6);
		assert.ok(first.sent.every((s) => s.status === 'sent' && /could not be removed/.test(String(s.warning))), JSON.stringify(first.sent.map((s) => s.warning)));
		assert.equal(scheduleLabels(sb, mb.email).length, 6, 'the labels outlived the sends');
		await stepTwoOnce(mb.email, sent);

		// Re-run at once (search still lagging: only the lag-free history knows these sends).
		const again = await runScheduler(dueParams(), [{}], mb.credentials);
		assert.equal(total(again), 6);
		assert.equal(again.sent.length, 6);
		assert.ok(again.sent.every((s) => s.status === 'already_sent'), JSON.stringify(again.sent.map((s) => s.status)));
		assert.deepEqual(again.sent.map((s) => s.messageId).sort(), first.sent.map((s) => s.messageId).sort());
		assert.equal(scheduleLabels(sb, mb.email).length, 0, 'the re-run finished the bookkeeping');
		await stepTwoOnce(mb.email, sent);
		// The edited draft went out with the person's words and our key back in it.
		const edited = (await sentByLead(sb, mb.email)).get(String(sent[0].email).toLowerCase())![1];
		assert.match(edited.text, /Edited by hand before it went/);
		assert.equal(header(edited, 'X-Outreach-Key'), outreachKey('seq', 2, String(sent[0].email)));

		// Much later (history and search both caught up, the recent listing long past): still already sent, never resent.
		const labelsNow = scheduleLabels(sb, mb.email);
		assert.equal(labelsNow.length, 0);
	});

	test('a re-run long after an interruption finds the sends by search (history window passed)', async () => {
		const { mb, sent } = await dueDrafts(3, 'late-rerun');
		await sb.faults({ mailbox: mb.email, rules: [{ method: 'labels.delete', status: 500, count: 1000 }] });
		const first = await runScheduler(dueParams({ options: { retryBudgetSeconds: 1 } }), [{}], mb.credentials);
		await sb.clearFaults();
		assert.equal(first.sent.length, 3);
		await sb.clock({ advance: 'P2D' });
		const again = await runScheduler(dueParams(), [{}], mb.credentials);
		assert.deepEqual(again.sent.map((s) => s.status), ['already_sent', 'already_sent', 'already_sent']);
		await stepTwoOnce(mb.email, sent);
	});

	test('drafts.send without a definite answer (committed, then 503): looked for, reported sent once, never sent again', async () => {
		const { mb, sent } = await dueDrafts(4, 'ambiguous');
		await sb.faults({ mailbox: mb.email, rules: [{ method: 'drafts.send', status: 503, errorAfterCommit: true, count: 2 }] });
		const r = await runScheduler(dueParams({ options: { retryBudgetSeconds: 10 } }), [{}], mb.credentials);
		await sb.clearFaults();
		assert.equal(total(r), 4);
		assert.equal(r.sent.length, 4, JSON.stringify([...r.deferred, ...r.failed]));
		assert.equal(r.sent.filter((s) => s.recoveredAfter === 'unknown_outcome').length, 2);
		await stepTwoOnce(mb.email, sent);
		assert.equal((await draftMessages(sb, mb.email)).length, 0);
	});

	test('two overlapping Send-due executions over the same 30 due drafts: each draft is sent once, and leaves each run once', async () => {
		const { mb, sent } = await dueDrafts(30, 'overlap');
		await sb.faults({ mailbox: mb.email, latencyMs: { 'drafts.send': 40 } });
		const a = runScheduler(dueParams(), [{}], mb.credentials);
		await new Promise((r) => setTimeout(r, 150));
		const b = runScheduler(dueParams(), [{}], mb.credentials);
		const [ra, rb] = await Promise.all([a, b]);
		await sb.clearFaults();
		for (const r of [ra, rb]) {
			assert.equal(r.failed.length, 0, JSON.stringify(r.failed));
			const ids = [...r.sent, ...r.cancelled, ...r.deferred].map((x) => x.draftId);
			assert.equal(new Set(ids).size, ids.length, 'no draft leaves a run twice');
		}
		const mailed = [...ra.sent, ...rb.sent].filter((s) => s.status === 'sent').length;
		assert.equal(mailed, 30, 'between them the two runs sent each draft once');
		await stepTwoOnce(mb.email, sent);
		assert.equal((await draftMessages(sb, mb.email)).length, 0);
		assert.equal(scheduleLabels(sb, mb.email).length, 0);
	});
});
