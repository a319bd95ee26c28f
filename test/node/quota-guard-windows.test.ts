// Gmail Quota Guard send windows through the real node: DST change weeks in several time zones (one with a
// half-hour offset), the lead's own zone or the mailbox's, holidays, and cap retries moved to the next opening.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { IDataObject } from 'n8n-workflow';
import { startSandbox, type TestSandbox } from '../support/sandbox';
import { guardParameters, oauth, runGuard } from './quota-guard-helpers';

let n = 0;
const HOURS = { sendWindow: 'hours', startTime: '09:00', endTime: '17:00' };

describe('Gmail Quota Guard send windows', () => {
	let sb: TestSandbox;
	before(async () => {
		sb = await startSandbox();
	});
	after(async () => {
		await sb.close();
	});

	/** Runs the guard at a sandbox time over one lead per zone; returns each lead's outcome by zone. */
	async function at(now: string, zones: string[], over: IDataObject = {}) {
		const mb = await sb.createMailbox({ email: `win${++n}@example.com`, type: 'gmail' });
		await sb.clock({ now });
		const rows = zones.map((z, i) => ({ email: `lead${i}@tz.test`, row_number: i + 2, ...(z ? { timezone: z } : {}) }));
		const out = await runGuard(rows, guardParameters({ ...HOURS, mailboxTimeZone: 'America/Los_Angeles', ...over }), oauth(sb, mb));
		assert.equal(out.sendNow.length + out.deferred.length + out.failed.length, rows.length);
		const by = new Map<string, IDataObject>();
		for (const x of [...out.sendNow, ...out.deferred]) by.set(String(zones[Number(x.row_number) - 2] || 'mailbox'), x);
		return by;
	}

	test('EU spring-forward week (Fri 27 Mar 2026, 16:30Z): Berlin closed until Monday 09:00 CEST, New York open, Kolkata closed until Monday 09:00 IST', async () => {
		const by = await at('2026-03-27T16:30:00Z', ['Europe/Berlin', 'America/New_York', 'Asia/Kolkata', '']);
		assert.equal(by.get('Europe/Berlin')?.reason, 'outside_window');
		assert.equal(by.get('Europe/Berlin')?.retryAt, '2026-03-30T07:00:00.000Z'); // +02:00 after the change
		assert.equal(by.get('America/New_York')?.quotaStatus, 'send_now'); // 12:30 EDT
		assert.equal(by.get('Asia/Kolkata')?.retryAt, '2026-03-30T03:30:00.000Z');
		// No zone on the row: the Mailbox Time Zone (Los Angeles, 09:30 PDT) decides.
		assert.equal(by.get('mailbox')?.quotaStatus, 'send_now');
	});

	test('US spring-forward week (Fri 6 Mar 2026, 23:00Z): New York and Los Angeles wait for Monday 09:00 daylight time', async () => {
		const by = await at('2026-03-06T23:00:00Z', ['America/New_York', 'America/Los_Angeles', 'Europe/London', 'Asia/Kolkata']);
		assert.equal(by.get('America/New_York')?.retryAt, '2026-03-09T13:00:00.000Z'); // EDT, the clocks changed on Sunday
		assert.equal(by.get('America/Los_Angeles')?.quotaStatus, 'send_now'); // 15:00 PST, still open
		assert.equal(by.get('Europe/London')?.retryAt, '2026-03-09T09:00:00.000Z'); // GMT, no change yet in Europe
		assert.equal(by.get('Asia/Kolkata')?.retryAt, '2026-03-09T03:30:00.000Z');
	});

	test('EU and US fall-back weeks (Oct/Nov 2026): openings after the change are an hour later in UTC', async () => {
		let by = await at('2026-10-23T15:30:00Z', ['Europe/Berlin', 'Asia/Kolkata', 'America/New_York']);
		assert.equal(by.get('Europe/Berlin')?.retryAt, '2026-10-26T08:00:00.000Z'); // CET after Sun 25 Oct
		assert.equal(by.get('Asia/Kolkata')?.retryAt, '2026-10-26T03:30:00.000Z');
		assert.equal(by.get('America/New_York')?.quotaStatus, 'send_now');
		by = await at('2026-10-30T22:00:00Z', ['America/New_York', 'Asia/Kolkata']);
		assert.equal(by.get('America/New_York')?.retryAt, '2026-11-02T14:00:00.000Z'); // EST after Sun 1 Nov
		assert.equal(by.get('Asia/Kolkata')?.retryAt, '2026-11-02T03:30:00.000Z');
	});

	test('holidays and chosen days in the lead’s calendar', async () => {
		// Wed 23 Dec 2026, 23:00Z: Kolkata is already in Thu 24 Dec.
		const by = await at('2026-12-23T23:00:00Z', ['Asia/Kolkata', 'America/New_York'], {
			holidays: '2026-12-24, 2026-12-25',
			days: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'],
		});
		assert.equal(by.get('Asia/Kolkata')?.retryAt, '2026-12-26T03:30:00.000Z'); // Saturday is a chosen day
		assert.equal(by.get('America/New_York')?.retryAt, '2026-12-26T14:00:00.000Z');
	});

	test('a cap retry that falls on a closed day moves to the lead’s next opening; a bad window setting fails the node naming it', async () => {
		const mb = await sb.createMailbox({ email: `capwin${++n}@example.com`, type: 2 });
		await sb.clock({ now: '2026-06-19T14:30:00Z' }); // Fri 16:30 Berlin, 10:30 New York
		await sb.manualSend({ from: mb.email, to: 'x@elsewhere.test', count: 2 });
		const params = guardParameters({ ...HOURS, accountType: 'custom', dailyCap: 2, safetyMargin: 100 });
		const out = await runGuard([{ email: 'a@tz.test', timezone: 'Europe/Berlin' }, { email: 'b@tz.test', timezone: 'America/New_York' }], params, oauth(sb, mb));
		// The slots free on Saturday: both wait for Monday 09:00 in their own zone.
		assert.deepEqual(out.deferred.map((d) => [d.reason, d.retryAt]), [
			['daily_cap', '2026-06-22T07:00:00.000Z'],
			['daily_cap', '2026-06-22T13:00:00.000Z'],
		]);
		await assert.rejects(() => runGuard([{ email: 'a@tz.test' }], guardParameters({ ...HOURS, endTime: '08:00' }), oauth(sb, mb)), (e: Error) => /Parameter "endTime"/.test(e.message));
		await assert.rejects(() => runGuard([{ email: 'a@tz.test' }], guardParameters({ mailboxTimeZone: 'Europe/Atlantis' }), oauth(sb, mb)), (e: Error) => /Parameter "mailboxTimeZone"/.test(e.message));
	});
});
