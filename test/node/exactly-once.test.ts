// Issue 11's scenarios: exactly once under Gmail's real timing (search lag, late commits, overlapping
// executions), a From Gmail would silently rewrite, and a stop that must keep what was already sent.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { startSandbox, type TestSandbox } from '../support/sandbox';
import { baseParameters, countOut, leads as sendLeads, perRecipient, runSend, sentMessages } from './helpers-send';
import { followParams, jsonOf, leads, mailbox, runOne, sendStep1 } from './helpers-sequence';

let sb: TestSandbox;
before(async () => {
	sb = await startSandbox({ searchLagMs: 5000, quotaUnitsPerWindow: 1_000_000 });
});
after(async () => {
	await sb?.close();
});

/** Every lead got exactly one message with this step's key. */
async function exactlyOnce(email: string, addresses: unknown[], step = 1): Promise<void> {
	const sent = await sentMessages(sb, email);
	const keyed = sent.filter((m) => m.headers.some((h) => h.name.toLowerCase() === 'x-outreach-key'));
	const byTo = perRecipient(keyed.filter((m) => (step === 1 ? !m.inReplyTo : !!m.inReplyTo)));
	for (const a of addresses) assert.equal(byTo.get(String(a).toLowerCase())?.length ?? 0, 1, `${String(a)} got ${byTo.get(String(a).toLowerCase())?.length ?? 0}`);
	assert.equal(byTo.size, addresses.length);
}

describe('issue 11: exactly once under Gmail\'s real timing', { timeout: 300_000 }, () => {
	test('late commit + search lag: 200 leads, 10 % of sends ambiguous and committed 2 s later — each lead exactly once, no item lost', async () => {
		const mb = await sb.createMailbox({ email: `owner-${randomUUID().slice(0, 6)}@late.test`, type: 'workspace' });
		await sb.faults({
			mailbox: mb.email,
			rules: [
				{ method: 'messages.send', status: 503, lateCommitMs: 2000, rate: 0.05 },
				{ method: 'messages.send', timeout: true, holdMs: 1500, lateCommitMs: 2000, rate: 0.05 },
			],
		});
		const items = sendLeads(200, 'late-leads.test');
		const o = await runSend(sb, mb, items, baseParameters({ options: { retryBudgetSeconds: 20 } }));
		await sb.clearFaults();
		assert.equal(o.result.error, undefined);
		assert.equal(countOut(o), 200, 'no item lost');
		const recovered = o.sent.filter((s) => s.recoveredAfter === 'unknown_outcome').length;
		assert.ok(recovered > 0, 'some sends were ambiguous and found afterwards');
		assert.equal(o.sent.length + o.deferred.length, 200);
		for (const d of o.deferred) assert.equal(d.reason, 'unknown_outcome');
		await new Promise((r) => setTimeout(r, 2500));
		// A re-run (search still lagging for the newest) finds every late commit: nothing is sent twice.
		const again = await runSend(sb, mb, items, baseParameters());
		assert.equal(again.sent.length, 0);
		assert.equal(again.skipped.filter((s) => s.reason === 'already_sent').length, 200);
		await exactlyOnce(mb.email, items.map((i) => i.email));
	});

	test('overlapping executions of Send over the same 100 leads, 1 s apart, delay pacing, search lag on: each lead exactly once', async () => {
		const mb = await sb.createMailbox({ email: `owner-${randomUUID().slice(0, 6)}@overlap.test`, type: 'workspace' });
		const items = sendLeads(100, 'overlap.test');
		const params = baseParameters({ options: { pacing: 'delay', delaySeconds: 0.05, jitterSeconds: 0.05 } });
		const a = runSend(sb, mb, items, params);
		await new Promise((r) => setTimeout(r, 1000));
		const b = runSend(sb, mb, items, params);
		const [ra, rb] = await Promise.all([a, b]);
		for (const r of [ra, rb]) {
			assert.equal(r.result.error, undefined);
			assert.equal(countOut(r), 100, 'no item lost');
		}
		await exactlyOnce(mb.email, items.map((i) => i.email));
		const mailed = ra.sent.length + rb.sent.length;
		assert.equal(mailed, 100, 'between them the two runs sent each lead once');
		for (const s of [...ra.skipped, ...rb.skipped, ...ra.deferred, ...rb.deferred]) assert.ok(['already_sent', 'in_progress'].includes(String(s.reason)), String(s.reason));
		assert.equal((await sb.messages(mb.email)).filter((m) => m.labelIds.includes('DRAFT')).length, 0, 'no claim draft left behind');
	});

	test('overlapping executions of Threaded Reply step 2 over the same 100 threads, 1 s apart, delay pacing, search lag on: each follow-up exactly once', async () => {
		const mb = await mailbox(sb, { type: 'workspace' });
		const sent = await sendStep1(leads(100, 'tr-overlap'), mb.credentials);
		const params = followParams(2, { options: { pacing: 'delay', delaySeconds: 0.05, jitterSeconds: 0.05, quotaUnitsPerMinute: 200000 } });
		const a = runOne('gmailThreadedReply', params, sent, mb.credentials);
		await new Promise((r) => setTimeout(r, 1000));
		const b = runOne('gmailThreadedReply', params, sent, mb.credentials);
		const [ra, rb] = await Promise.all([a, b]);
		assert.equal(jsonOf(ra, 'sent').length + jsonOf(rb, 'sent').length, 100);
		await exactlyOnce(mb.email, sent.map((s) => s.email), 2);
	});

	test('a From that is not a verified send-as address fails the items before anything is sent; a verified alias works', async () => {
		const mb = await sb.createMailbox({ email: `owner-${randomUUID().slice(0, 6)}@from.test`, aliases: ['sales@from.test'] });
		const wrong = await runSend(sb, mb, sendLeads(3, 'from-leads.test'), baseParameters({ from: 'ceo@elsewhere.test' }));
		assert.equal(wrong.result.error, undefined);
		assert.equal(wrong.failed.length, 3);
		for (const f of wrong.failed) {
			assert.equal(f.reason, 'invalid_parameter');
			assert.equal(f.field, 'from');
			assert.match(String(f.error), /Row \d+ \(row_number\), parameter "from": "ceo@elsewhere\.test" is not a verified send-as address/);
		}
		assert.equal((await sb.messages(mb.email)).length, 0, 'nothing in the mailbox, not even a draft');
		const alias = await runSend(sb, mb, sendLeads(2, 'from-leads.test'), baseParameters({ from: 'sales@from.test' }));
		assert.equal(alias.sent.length, 2);
		for (const m of await sentMessages(sb, mb.email)) assert.equal(m.from?.address, 'sales@from.test');
	});

	test('misread limits: a template draft Gmail refuses (400) fails the items as invalid_parameter, never deferred for ever', async () => {
		const mb = await sb.createMailbox({ email: `owner-${randomUUID().slice(0, 6)}@tmpl.test` });
		await sb.faults({ mailbox: mb.email, rules: [{ method: 'drafts.get', status: 400, message: 'Invalid id value', count: 5 }] });
		const o = await runSend(sb, mb, sendLeads(3, 'tmpl-leads.test'), baseParameters({ templateSource: 'draft', draftId: 'r123' }));
		await sb.clearFaults();
		assert.equal(o.result.error, undefined);
		assert.equal(o.failed.length, 3);
		for (const f of o.failed) {
			assert.equal(f.reason, 'invalid_parameter');
			assert.equal(f.retryAt, undefined, 'no automatic retry');
		}
		assert.equal((await sentMessages(sb, mb.email)).length, 0);
	});

	test('token revoked after 40 of 100 sends, continue-on-fail off: the 40 stay on Sent, the 60 fail with auth, nothing is lost', async () => {
		const mb = await sb.createMailbox({ email: `owner-${randomUUID().slice(0, 6)}@revoke.test`, type: 'workspace' });
		const items = sendLeads(100, 'revoke-leads.test');
		let revoked = false;
		const watcher = setInterval(async () => {
			if (revoked) return;
			if (((await sb.stats(mb.email)).calls['messages.send'] ?? 0) >= 40 && !revoked) {
				revoked = true;
				await sb.revokeTokens(mb.email);
			}
		}, 2);
		const params = baseParameters({ options: { pacing: 'delay', delaySeconds: 0.02, jitterSeconds: 0 } });
		const o = await runSend(sb, mb, items, params).finally(() => clearInterval(watcher));
		assert.equal(o.result.error, undefined, 'the execution keeps its data');
		assert.equal(countOut(o), 100);
		const mailed = await sentMessages(sb, mb.email);
		assert.ok(mailed.length >= 40 && mailed.length < 100, `${mailed.length} sent before the revocation`);
		assert.equal(o.sent.length, mailed.length, 'every message that went out is on Sent');
		const ids = new Set(mailed.map((m) => m.id));
		for (const s of o.sent) assert.ok(ids.has(String(s.messageId)));
		assert.equal(o.failed.length, 100 - mailed.length);
		for (const f of o.failed) assert.equal(f.reason, 'auth');
		const run = o.result.run.data.resultData.runData;
		const nodeRun = Object.values(run).find((r) => r[0]?.data?.main?.length === 4)?.[0];
		const stored = (nodeRun?.data?.main ?? []).reduce((n, out) => n + (out?.length ?? 0), 0);
		assert.equal(stored, 100, "the execution's data holds all 100 items");
	});
});
