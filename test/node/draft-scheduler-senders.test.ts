// Issue 13, several senders: with the service account, Draft Scheduler schedules each lead's draft in its own
// mailbox, and one Send due run works through every mailbox its input names — each draft from the mailbox whose
// thread it is in, a mailbox that cannot be reached failing alone.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { IDataObject } from 'n8n-workflow';
import { GmailOutreachSend } from '../../nodes/GmailOutreachSend/GmailOutreachSend.node.js';
import { runNode } from '../support/n8n';
import { startSandbox, type TestSandbox } from '../support/sandbox';
import { dueParams, runScheduler, scheduleParams } from './draft-scheduler-helpers';
import { campaignSendParameters, serviceAccount } from './quota-guard-helpers';

let sb: TestSandbox;
before(async () => {
	sb = await startSandbox({ quotaUnitsPerWindow: 1_000_000 });
});
after(async () => {
	await sb?.close();
});

const AS_SENDER = { authentication: 'serviceAccount', options: { sendAsMailbox: '={{ $json.sender }}' } };

describe('Draft Scheduler with several senders (service account)', { timeout: 120_000 }, () => {
	test('one Send due run sends every mailbox’s due drafts from that mailbox; outputs name the mailbox; an unreachable one fails alone', async () => {
		await sb.clock({ now: '2026-05-04T08:00:00Z' });
		const boxes = ['rep-a@senders.test', 'rep-b@senders.test'];
		for (const email of boxes) await sb.createMailbox({ email, type: 'workspace' });
		const creds = await serviceAccount(sb, boxes[0]);
		const items: IDataObject[] = Array.from({ length: 6 }, (_v, i) => ({ email: `l${i}@leads.test`, first_name: `L${i}`, company: `C${i}`, sender: boxes[i % 2], timezone: 'UTC' }));
		const first = await runNode({ node: GmailOutreachSend, parameters: { ...campaignSendParameters({ campaign: 'seq' }), ...AS_SENDER, options: { ...AS_SENDER.options, quotaUnitsPerMinute: 200_000 } }, items, credentials: creds });
		assert.equal(first.error, undefined, first.error?.message);
		const sent = (first.outputs[0] ?? []).map((i) => i.json);
		assert.equal(sent.length, 6, JSON.stringify(first.outputs.flat().map((i) => i.json.error ?? i.json.reason)));

		const scheduled = await runScheduler({ ...scheduleParams(2, { businessDays: 1 }), authentication: 'serviceAccount', options: { timezoneField: 'timezone', quotaUnitsPerMinute: 250_000, sendAsMailbox: '={{ $json.sender }}' } }, sent, creds);
		assert.equal(scheduled.scheduled.length, 6, JSON.stringify([...scheduled.failed, ...scheduled.skipped]));

		await sb.clock({ now: '2026-05-05T12:00:00Z' });
		// One item per mailbox (a repeated one counts once), and one the service account may not act as.
		const senders = [{ sender: boxes[0] }, { sender: boxes[1] }, { sender: boxes[0] }, { sender: 'nobody@elsewhere.test' }];
		const due = await runScheduler({ ...dueParams(), authentication: 'serviceAccount', options: { quotaUnitsPerMinute: 250_000, sendAsMailbox: '={{ $json.sender }}' } }, senders, creds);
		assert.equal(due.error, undefined);
		assert.equal(due.sent.length, 6, JSON.stringify([...due.failed, ...due.deferred, ...due.cancelled]));
		for (const s of due.sent) assert.equal(s.mailbox, items.find((l) => l.email === s.email)!.sender, `${s.email} from its own mailbox`);
		assert.equal(due.failed.length, 1, JSON.stringify(due.failed));
		assert.equal(due.failed[0].mailbox, 'nobody@elsewhere.test');
		assert.match(String(due.failed[0].reason), /^(auth|permission)$/);

		for (const box of boxes) {
			const sentHere = (await sb.messages(box)).filter((m) => m.labelIds.includes('SENT'));
			assert.equal(sentHere.length, 6, `${box}: three first emails and three follow-ups`);
			assert.ok(sentHere.every((m) => m.from?.address === box));
		}
		// Nothing is due any more anywhere: a second run sends nothing.
		const again = await runScheduler({ ...dueParams(), authentication: 'serviceAccount', options: { quotaUnitsPerMinute: 250_000, sendAsMailbox: '={{ $json.sender }}' } }, senders.slice(0, 2), creds);
		assert.equal(again.sent.length + again.deferred.length + again.failed.length + again.cancelled.length, 0);
	});
});
