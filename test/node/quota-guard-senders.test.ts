// Gmail Quota Guard with several senders: a service account acting as a list of mailboxes (most room wins, a
// lead keeps its sender, overflow takes the earliest slot anywhere), and OAuth guards chained Deferred → next guard.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { IDataObject } from 'n8n-workflow';
import { startSandbox, type TestMailbox, type TestSandbox } from '../support/sandbox';
import { guardParameters, iso, leads, oauth, runGuard, sendTimes, serviceAccount } from './quota-guard-helpers';

const DAY = 24 * 3600_000;
let n = 0;

describe('Gmail Quota Guard with several senders', () => {
	let sb: TestSandbox;
	before(async () => {
		sb = await startSandbox();
	});
	after(async () => {
		await sb.close();
	});

	async function domain(count: number, type: 'gmail' | 'workspace' | number = 'workspace'): Promise<TestMailbox[]> {
		const k = ++n;
		return await Promise.all(Array.from({ length: count }, (_v, i) => sb.createMailbox({ email: `sender${i}@team${k}.test`, type })));
	}

	const count = (items: IDataObject[]) => {
		const by: Record<string, number> = {};
		for (const i of items) by[String(i.sender)] = (by[String(i.sender)] ?? 0) + 1;
		return by;
	};

	test('service account: new leads spread to the mailbox with the most room, the same way on a re-run; the credential is never changed', async () => {
		const [a, b, c] = await domain(3);
		await sb.manualSend({ from: b.email, to: 'x@elsewhere.test', count: 30 });
		const creds = await serviceAccount(sb, a.email);
		const params = guardParameters({ authentication: 'serviceAccount', mailboxes: `${a.email}, ${b.email}, ${c.email}`, accountType: 'custom', dailyCap: 100, safetyMargin: 100 });
		const rows = leads(90, 'spread.test');
		const out = await runGuard(rows, params, creds);
		// a and c start with 100 room, b with 70: b gets leads only once the others are down to 70.
		assert.deepEqual(count(out.sendNow), { [a.email]: 40, [b.email]: 10, [c.email]: 40 });
		assert.deepEqual(out.summary.map((s) => [s.mailbox, s.sentInWindow, s.roomBefore, s.roomLeft]), [
			[a.email, 0, 100, 60],
			[b.email, 30, 70, 60],
			[c.email, 0, 100, 60],
		]);
		const again = await runGuard(rows, params, creds);
		assert.deepEqual(again.sendNow.map((s) => s.sender), out.sendNow.map((s) => s.sender), 'stable: the same state gives the same senders');
		const after = out.result.credentialsAfter.gmailOutreachServiceAccountApi;
		assert.equal(after.delegatedUser, a.email, 'acting as other mailboxes never changes the stored credential');
		for (const m of [a, b, c]) assert.equal((await sb.stats(m.email)).calls['messages.list'], 4, `${m.email} was measured as itself, twice`);
	});

	test('a lead keeps its sender; when that mailbox is full it waits for that mailbox; leads free to go anywhere take the earliest slot', async () => {
		const [a, b, c] = await domain(3);
		await sb.manualSend({ from: a.email, to: 'x@elsewhere.test', count: 5 });
		await sb.clock({ advance: 'PT1H' });
		await sb.manualSend({ from: b.email, to: 'x@elsewhere.test', count: 3 });
		const ta = await sendTimes(sb, a.email);
		const creds = await serviceAccount(sb, c.email);
		const params = guardParameters({ authentication: 'serviceAccount', mailboxes: `${a.email},${b.email},${c.email}`, accountType: 'custom', dailyCap: 5, safetyMargin: 100 });
		const rows: IDataObject[] = [
			{ email: 'pinned1@lead.test', sender: a.email },
			{ email: 'pinned2@lead.test', sender: a.email.toUpperCase() },
			{ email: 'elsewhere@lead.test', sender: 'someone@other.test' },
			...leads(10, 'free.test'),
		];
		const out = await runGuard(rows, params, creds);
		assert.equal(out.sendNow.length, 7, 'b has 2 slots, c has 5');
		assert.deepEqual(count(out.sendNow), { [b.email]: 2, [c.email]: 5 });
		const byEmail = new Map(out.deferred.map((d) => [d.email, d]));
		assert.deepEqual([byEmail.get('pinned1@lead.test')?.retryAt, byEmail.get('pinned2@lead.test')?.retryAt], [iso(ta[0] + DAY), iso(ta[1] + DAY)]);
		assert.equal(byEmail.get('pinned2@lead.test')?.sender, a.email.toUpperCase(), 'the row’s own sender column is not rewritten');
		assert.equal(byEmail.get('elsewhere@lead.test')?.reason, 'other_sender');
		const overflow = out.deferred.filter((d) => String(d.email).endsWith('@free.test'));
		// a's next three slots free first (its sends are an hour older than b's).
		assert.deepEqual(overflow.map((d) => [d.reason, d.retryAt, d.sender, (d.quota as IDataObject).mailbox]), [2, 3, 4].map((k) => ['daily_cap', iso(ta[k] + DAY), undefined, a.email]));
	});

	test('delegated mailboxes get tokens of their own, renewed when Gmail refuses them', async () => {
		const [a, b] = await domain(2);
		const creds = await serviceAccount(sb, a.email);
		const params = guardParameters({ authentication: 'serviceAccount', mailboxes: b.email });
		const first = await runGuard(leads(3, 'tok.test'), params, creds);
		assert.deepEqual(count(first.sendNow), { [b.email]: 3 });
		await sb.expireTokens(b.email);
		const again = await runGuard(leads(3, 'tok.test'), params, first.result.credentialsAfter);
		// The cached token is refused (401): one fresh token, and the run goes on.
		assert.deepEqual(count(again.sendNow), { [b.email]: 3 });
	});

	test('several OAuth credentials: Guard A’s Deferred into Guard B; leads of A’s mailbox pass through B unchanged', async () => {
		const [a, b] = await domain(2, 4);
		await sb.manualSend({ from: a.email, to: 'x@elsewhere.test', count: 3 });
		const params = guardParameters({ accountType: 'custom', dailyCap: 4, safetyMargin: 100 });
		const rows: IDataObject[] = [...leads(4, 'chain.test'), { email: 'follow@lead.test', sender: a.email, step: 2 }];
		const A = await runGuard(rows, params, oauth(sb, a));
		assert.deepEqual(A.sendNow.map((s) => [s.email, s.sender]), [['lead0@chain.test', a.email]]);
		assert.equal(A.deferred.length, 4);
		const B = await runGuard(A.deferred, params, oauth(sb, b));
		assert.deepEqual(B.sendNow.map((s) => [s.email, s.sender]), [1, 2, 3].map((i) => [`lead${i}@chain.test`, b.email]));
		assert.deepEqual(B.deferred, A.deferred.filter((d) => d.email === 'follow@lead.test'), 'A’s follow-up stays A’s, exactly as A decided');
		assert.equal(B.deferred[0].reason, 'daily_cap');
	});
});
