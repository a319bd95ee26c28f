// Errors name the lead's sheet row (row_number), not the item's place in a Loop Over Items batch.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { IDataObject } from 'n8n-workflow';
import { startSandbox, type TestSandbox } from '../support/sandbox';
import { scheduleParams, runScheduler } from './draft-scheduler-helpers';
import { baseParameters, runSend } from './helpers-send';
import { followParams, jsonOf, mailbox, OUT, runOne } from './helpers-sequence';

let sb: TestSandbox;
before(async () => {
	sb = await startSandbox();
});
after(async () => {
	await sb.close();
});

/** One batch of 7 of Loop Over Items over a sheet: rows 9 to 15, bob@ (no domain) on sheet row 10. */
function batchOfSeven(tag: string): IDataObject[] {
	return Array.from({ length: 7 }, (_v, k) => ({
		email: k === 1 ? 'bob@' : `lead${k}-${tag}@rows.test`,
		first_name: `First${k}`,
		last_name: `Last${k}`,
		company: `Company ${k}`,
		row_number: 9 + k,
	}));
}

describe('Loop Over Items (batch 7): bob@ on sheet row 10', () => {
	test('Send fails him as Row 10 (row_number), not as Row 2 of the batch', async () => {
		const mb = await sb.createMailbox({ email: 'owner@rows-send.test' });
		const o = await runSend(sb, mb, batchOfSeven('send'), baseParameters());
		assert.equal(o.result.error, undefined);
		assert.equal(o.sent.length, 6);
		assert.equal(o.failed.length, 1);
		assert.equal(o.failed[0].error, 'Row 10 (row_number), field "email": invalid address "bob@": missing domain');
	});

	test('an item without row_number is named by its input position, and says so', async () => {
		const mb = await sb.createMailbox({ email: 'owner@rows-plain.test' });
		const items = batchOfSeven('plain').map(({ row_number: _r, ...rest }) => rest);
		const o = await runSend(sb, mb, items, baseParameters());
		assert.equal(o.failed[0].error, 'Item 2 (input position; the item has no row_number), field "email": invalid address "bob@": missing domain');
	});

	test('Threaded Reply names the sheet row too', async () => {
		const { credentials } = await mailbox(sb);
		const items = batchOfSeven('follow');
		const out = await runOne('gmailThreadedReply', followParams(2, { threadBy: 'lead', emailField: 'email' }), items, credentials);
		const failed = jsonOf(out, 'failed');
		assert.equal(failed.length, 1, JSON.stringify(out[OUT.failed]));
		assert.match(String(failed[0].error), /^Row 10 \(row_number\), field "email": /);
	});

	test('Draft Scheduler names the sheet row too', async () => {
		const { credentials } = await mailbox(sb);
		const out = await runScheduler(scheduleParams(2, { threadBy: 'lead', emailField: 'email' }), batchOfSeven('drafts'), credentials);
		const failed = out.failed ?? [];
		const bob = failed.find((f) => f.row_number === 10);
		assert.ok(bob, JSON.stringify(failed));
		assert.match(String(bob.error), /^Row 10 \(row_number\), /);
	});
});
