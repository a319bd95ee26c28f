// Gmail Quota Guard in-process against the sandbox: the capacity table through the real node, what measuring costs,
// failed rows, the row's own fields, pacing and the horizon.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { IDataObject, INodeParameters } from 'n8n-workflow';
import { startSandbox, type TestSandbox } from '../support/sandbox';
import { guardParameters, iso, leads, oauth, runGuard, seedWindow, sendTimes } from './quota-guard-helpers';

const DAY = 24 * 3600_000;
let n = 0;

describe('Gmail Quota Guard', () => {
	let sb: TestSandbox;
	before(async () => {
		sb = await startSandbox();
	});
	after(async () => {
		await sb.close();
	});

	describe('the capacity table through the real node (hand-sent and API mail in the window)', () => {
		const types: Array<[string, INodeParameters, 'gmail' | 'workspace' | 'workspace-trial', number]> = [
			['gmail', { accountType: 'gmail' }, 'gmail', 450],
			['workspace', { accountType: 'workspace' }, 'workspace', 1800],
			['workspace-trial', { accountType: 'workspace-trial' }, 'workspace-trial', 450],
			['custom 300', { accountType: 'custom', dailyCap: 300 }, 'workspace', 270],
		];
		for (const [label, params, sandboxType, allowed] of types) {
			for (const sent of [0, 200, 449, 450, 500]) {
				test(`${label}, ${sent} sent: Send Now = capacity exactly; Deferred retryAt = when the oldest counted sends leave`, async () => {
					const mb = await sb.createMailbox({ email: `table${++n}@example.com`, type: sandboxType });
					const times = await seedWindow(sb, mb, sent);
					const capacity = Math.max(0, allowed - sent);
					const over = Math.max(0, sent - allowed);
					const extra = 3;
					const before = await sb.stats(mb.email);
					const out = await runGuard(leads(capacity + extra, `t${n}.test`), guardParameters(params), oauth(sb, mb));
					const after = await sb.stats(mb.email);
					assert.equal(out.sendNow.length, capacity);
					assert.equal(out.deferred.length, extra);
					assert.equal(out.failed.length, 0);
					const [summary] = out.summary;
					assert.equal(summary.sentInWindow, sent, 'every send of the window is counted, the unsearchable newest ones too');
					assert.equal(summary.roomBefore, capacity);
					const now = Date.parse(String(summary.measuredAt));
					out.deferred.forEach((d, j) => {
						assert.equal(d.reason, 'daily_cap');
						const rank = over + j;
						const expected = rank < sent ? times[rank] + DAY : now + DAY;
						assert.equal(d.retryAt, iso(expected), `deferred item ${j}`);
					});
					assert.ok(out.sendNow.every((s) => s.sender === mb.email && s.quotaStatus === 'send_now' && s.sendAt === iso(now)));
					// Reads only the send times the deferred items need (plus one for the next free time).
					const reads = (after.calls['messages.get'] ?? 0) - (before.calls['messages.get'] ?? 0);
					assert.ok(reads <= Math.min(sent, extra + 1), `${reads} messages.get`);
				});
			}
		}
	});

	test('measuring costs ~1 quota unit per 100 counted sends: one search page per 500, one lag-free page, the clock', async () => {
		const mb = await sb.createMailbox({ email: `cost${++n}@example.com`, type: 'workspace' });
		await seedWindow(sb, mb, 1580);
		await sb.clock({ advance: 'PT1M' });
		// Sent a moment ago: not searchable yet.
		await sb.manualSend({ from: mb.email, to: 'x@elsewhere.test', count: 20 });
		const before = await sb.stats(mb.email);
		const out = await runGuard(leads(10, 'cost.test'), guardParameters({ accountType: 'workspace' }), oauth(sb, mb));
		const after = await sb.stats(mb.email);
		assert.equal(out.summary[0].sentInWindow, 1600);
		assert.equal(out.summary[0].unindexed, 20, 'the newest sends were found by the lag-free listing');
		const units = after.quotaUnits - before.quotaUnits;
		// profile 1 + 4 search pages × 5 (1,580 ids) + 1 lag-free page × 5 (room left: no send time read) = 26, 1.3 per 100.
		assert.equal(units, 26);
		assert.equal(after.calls['messages.get'] ?? 0, before.calls['messages.get'] ?? 0);
	});

	test('a mailbox that sent nothing for a day: one send time read tells the lag-free listing holds only old mail', async () => {
		const mb = await sb.createMailbox({ email: `idle${++n}@example.com`, type: 'gmail' });
		await sb.manualSend({ from: mb.email, to: 'x@elsewhere.test', count: 30 });
		await sb.clock({ advance: 'PT25H' });
		const before = await sb.stats(mb.email);
		const out = await runGuard(leads(5, 'idle.test'), guardParameters(), oauth(sb, mb));
		const after = await sb.stats(mb.email);
		assert.equal(out.summary[0].sentInWindow, 0);
		assert.equal(out.sendNow.length, 5);
		assert.equal((after.calls['messages.get'] ?? 0) - (before.calls['messages.get'] ?? 0), 1);
	});

	test('only the last 24 h count, measured by the mailbox’s clock (not this machine’s)', async () => {
		const mb = await sb.createMailbox({ email: `roll${++n}@example.com`, type: 10 });
		await sb.manualSend({ from: mb.email, to: 'x@elsewhere.test', count: 6 });
		await sb.clock({ advance: 'PT23H' });
		await sb.manualSend({ from: mb.email, to: 'x@elsewhere.test', count: 2 });
		const times = await sendTimes(sb, mb.email);
		const p = guardParameters({ accountType: 'custom', dailyCap: 10, safetyMargin: 100 });
		let out = await runGuard(leads(4, 'roll.test'), p, oauth(sb, mb));
		assert.equal(out.sendNow.length, 2);
		assert.deepEqual(out.deferred.map((d) => d.retryAt), [iso(times[0] + DAY), iso(times[1] + DAY)]);
		await sb.clock({ advance: 'PT1H1M' });
		out = await runGuard(leads(4, 'roll.test'), p, oauth(sb, mb));
		assert.equal(out.summary[0].sentInWindow, 2, 'the six sends of yesterday left the window');
		assert.equal(out.sendNow.length, 4);
	});

	test('reserve and margin: floor(cap × margin) − reserve − sent', async () => {
		const mb = await sb.createMailbox({ email: `reserve${++n}@example.com`, type: 'workspace' });
		await sb.manualSend({ from: mb.email, to: 'x@elsewhere.test', count: 100 });
		const out = await runGuard(leads(1000, 'r.test'), guardParameters({ accountType: 'workspace', safetyMargin: 50, reserve: 150 }), oauth(sb, mb));
		assert.equal(out.sendNow.length, 2000 * 0.5 - 150 - 100);
		assert.equal(out.summary[0].allowed, 850);
	});

	test('bad rows fail naming the row (row_number, else the item) and the field; the row’s own status is kept; count in = count out', async () => {
		const mb = await sb.createMailbox({ email: `bad${++n}@example.com`, type: 'gmail' });
		const items: IDataObject[] = [
			{ email: 'ok@lead.test', row_number: 2, status: 'new', timezone: 'Asia/Kolkata' },
			{ email: 'bob@', row_number: 3 },
			{ email: 'tz@lead.test', row_number: 4, timezone: 'Mars/Olympus' },
			{ email: 'sender@lead.test', sender: 'not an address' },
			{ name: 'no email column' },
			{ email: 'old@lead.test', row_number: 7, status: 'deferred', reason: 'daily_cap', retryAt: '2020-01-01T00:00:00.000Z' },
		];
		const out = await runGuard(items, guardParameters(), oauth(sb, mb));
		assert.equal(out.sendNow.length + out.deferred.length + out.failed.length, items.length);
		assert.deepEqual(out.failed.map((f) => [f.reason, f.field]), [
			['invalid_address', 'email'],
			['invalid_timezone', 'timezone'],
			['invalid_sender', 'sender'],
			['invalid_address', 'email'],
		]);
		assert.match(String(out.failed[0].error), /^Row 3 \(row_number\), field "email": /);
		assert.match(String(out.failed[1].error), /^Row 4 \(row_number\), field "timezone": "Mars\/Olympus" is not an IANA time zone/);
		assert.match(String(out.failed[2].error), /^Item 4 \(input position; the item has no row_number\), field "sender"/);
		assert.match(String(out.failed[3].error), /^Item 5 .*missing or empty/);
		assert.deepEqual(out.sendNow.map((s) => [s.email, s.status]), [['ok@lead.test', 'new'], ['old@lead.test', 'deferred']]);
		assert.equal(out.sendNow[1].reason, undefined, 'an earlier run’s reason and retryAt are gone');
		assert.equal(out.sendNow[1].retryAt, undefined);
		assert.deepEqual(out.all[0].map((i) => i.pairedItem), [{ item: 0 }, { item: 5 }]);
	});

	test('pacing: sends spread over the rest of today’s window; only those due within the horizon go now, the rest are scheduled', async () => {
		const mb = await sb.createMailbox({ email: `pace${++n}@example.com`, type: 'gmail' });
		// Tuesday 10:00 in Berlin: seven hours of window left.
		await sb.clock({ now: '2026-06-16T08:00:00Z' });
		const params = guardParameters({ sendWindow: 'hours', pacing: 'spread', horizonMinutes: 15, mailboxTimeZone: 'Europe/Berlin' });
		const rows = leads(140, 'pace.test');
		const out = await runGuard(rows, params, oauth(sb, mb));
		const now = Date.parse(String(out.summary[0].measuredAt));
		const close = Date.parse('2026-06-16T15:00:00Z');
		const gap = (close - now) / 140;
		const all = [...out.sendNow, ...out.deferred].sort((a, b) => Number(a.row_number) - Number(b.row_number));
		all.forEach((x, i) => {
			const at = Date.parse(String(x.sendAt));
			assert.ok(at >= now + i * gap && at < now + (i + 1) * gap, `lead ${i} in its own slot`);
		});
		assert.ok(out.sendNow.length >= 4 && out.sendNow.length <= 6, `${out.sendNow.length} due in 15 minutes`);
		assert.ok(out.sendNow.every((s) => Date.parse(String(s.sendAt)) <= now + 15 * 60_000));
		assert.ok(out.deferred.every((d) => d.reason === 'scheduled' && d.retryAt === d.sendAt && d.sender === mb.email));
		// 20 minutes later the sheet feeds back what is due: those keep their slots (nothing is pushed back).
		await sb.clock({ advance: 'PT20M' });
		const due = out.deferred.filter((d) => Date.parse(String(d.retryAt)) <= now + 35 * 60_000);
		const again = await runGuard(due, params, oauth(sb, mb));
		assert.deepEqual(again.sendNow.map((s) => s.email), due.map((d) => d.email));
		again.sendNow.forEach((s, k) => assert.equal(Date.parse(String(s.sendAt)), Math.max(Date.parse(String(due[k].sendAt)), Date.parse(String(again.summary[0].measuredAt)))));
	});
});
