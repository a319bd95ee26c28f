// A multi-day campaign through Quota Guard → Gmail Outreach Send (real nodes, in-process n8n, the sandbox's
// real caps): Deferred fed back in each simulated day. It must never meet a sending-cap 429 and must finish in
// the fewest days the caps allow. Scaled down for CI (custom caps of the same shape); bench/quota.ts runs the
// full 2,000 leads on one Workspace sender and 1,200 on three @gmail.com senders.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSandbox, type TestSandbox } from '../support/sandbox';
import { campaignSendParameters, guardParameters, leads, oauth, oneSenderDay, runCampaign, serviceAccount, serviceAccountDay } from './quota-guard-helpers';

// The guard and the Send node share one per-minute budget per mailbox: both get the sandbox's raised quota.
const FAST = { quotaUnitsPerMinute: 200_000 };

describe('multi-day campaign: Quota Guard → Gmail Outreach Send', { timeout: 600_000 }, () => {
	let sb: TestSandbox;
	before(async () => {
		sb = await startSandbox({ quotaUnitsPerWindow: 10_000_000 });
	});
	after(async () => {
		await sb.close();
	});

	test('one Workspace-shaped sender (cap 200, 90 % → 180 a day) that also wrote 30 emails by hand: 400 leads in 3 days, never a 429', async () => {
		const mb = await sb.createMailbox({ email: 'founder@campaign-ws.test', type: 200 });
		// Hand-sent mail counts against the cap: had the guard missed it, day 1 would have hit the sandbox's cap of 200.
		await sb.manualSend({ from: mb.email, to: 'colleague@elsewhere.test', count: 30 });
		const guard = guardParameters({ accountType: 'custom', dailyCap: 200, options: FAST });
		const result = await runCampaign(sb, leads(400, 'ws-leads.test'), oneSenderDay(guard, campaignSendParameters(), oauth(sb, mb)));
		assert.deepEqual(result.problems, []);
		assert.equal(result.days, 3);
		assert.deepEqual(result.perDay, [150, 180, 70]);
		assert.equal((await sb.stats(mb.email)).errors['429'] ?? 0, 0, 'never a 429');
		const sent = (await sb.messages(mb.email)).filter((m) => m.labelIds.includes('SENT') && m.to[0].address.endsWith('@ws-leads.test'));
		assert.equal(sent.length, 400);
		assert.equal(new Set(sent.map((m) => m.to[0].address)).size, 400, 'every lead once');
	});

	test('three senders through one service account in one Quota Guard → Send workflow (cap 50, 90 % → 45 each a day), one with 20 hand-sent: 240 leads in 2 days, each from its assigned mailbox', async () => {
		const boxes = await Promise.all([0, 1, 2].map((i) => sb.createMailbox({ email: `rep${i}@campaign-sa.test`, type: 50 })));
		const emails = boxes.map((b) => b.email);
		await sb.manualSend({ from: emails[1], to: 'colleague@elsewhere.test', count: 20 });
		const creds = await serviceAccount(sb, emails[0]);
		const guard = guardParameters({ authentication: 'serviceAccount', mailboxes: emails.join(','), accountType: 'custom', dailyCap: 50, options: FAST });
		const result = await runCampaign(sb, leads(240, 'sa-leads.test'), serviceAccountDay(guard, campaignSendParameters(), creds));
		assert.deepEqual(result.problems, []);
		// One Send node sent every lead from the mailbox Quota Guard gave it.
		for (const b of emails) {
			const mine = result.sent.filter((s) => s.sender === b).map((s) => s.email).sort();
			const sentThere = (await sb.messages(b)).filter((m) => m.labelIds.includes('SENT') && m.to[0].address.endsWith('@sa-leads.test'));
			assert.deepEqual(sentThere.map((m) => m.to[0].address).sort(), mine, `${b}: sent exactly its leads`);
			assert.ok(sentThere.every((m) => m.from?.address === b), `${b}: from itself`);
		}
		assert.equal(result.days, 2);
		assert.deepEqual(result.perDay, [45 + 25 + 45, 240 - 115]);
		for (const b of emails) assert.equal((await sb.stats(b)).errors['429'] ?? 0, 0, `${b}: never a 429`);
		assert.equal(new Set(result.sent.map((s) => s.email)).size, 240);
	});
});
