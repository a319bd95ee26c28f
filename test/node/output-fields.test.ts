// Version 2's output contract (issue 15): each node writes its fields under `outreach`, replacing the whole object an
// earlier step left, and never touches a column of the row — through Quota Guard → Send → Threaded Reply → Reply
// Detector → Draft Scheduler, each node reading the ids the one before it wrote with its default parameters.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { IDataObject, INodeParameters, INodeType } from 'n8n-workflow';
import { GmailDraftScheduler } from '../../nodes/GmailDraftScheduler/GmailDraftScheduler.node.js';
import { GmailOutreachSend } from '../../nodes/GmailOutreachSend/GmailOutreachSend.node.js';
import { GmailQuotaGuard } from '../../nodes/GmailQuotaGuard/GmailQuotaGuard.node.js';
import { GmailReplyDetector } from '../../nodes/GmailReplyDetector/GmailReplyDetector.node.js';
import { GmailThreadedReply } from '../../nodes/GmailThreadedReply/GmailThreadedReply.node.js';
import { runNode, type HarnessCredentials } from '../support/n8n';
import { startSandbox, type TestSandbox } from '../support/sandbox';
import { guardParameters } from './quota-guard-helpers';
import { leads, mailbox, SEND_PARAMS } from './helpers-sequence';
import { detectorParams } from './reply-detector-helpers';
import { scheduleParams } from './draft-scheduler-helpers';

let sb: TestSandbox;
before(async () => {
	sb = await startSandbox({ searchLagMs: 0 });
});
after(async () => {
	await sb?.close();
});

/** Runs one node at version 2; asserts no error and count in = count out over its `leadOutputs`; returns each output's json. */
async function v2(node: new () => INodeType, parameters: INodeParameters, items: IDataObject[], credentials: HarnessCredentials, leadOutputs = 4): Promise<IDataObject[][]> {
	const r = await runNode({ node, parameters, items, credentials, typeVersion: 2 });
	assert.equal(r.error, undefined, r.error?.message);
	const outs = r.outputs.map((o) => o.map((i) => i.json));
	assert.equal(outs.slice(0, leadOutputs).flat().length, items.length, 'count in = count out');
	return outs;
}

const ours = (json: IDataObject) => json.outreach as IDataObject;

/** The row's own columns, exactly as the sheet gave them. */
function rowColumns(json: IDataObject): IDataObject {
	const row = { ...json };
	delete row.outreach;
	return row;
}

describe('version 2 output fields: ours under `outreach`, the row untouched', { timeout: 120_000 }, () => {
	test('new nodes default to version 2; version 1 stays loadable for older workflows', () => {
		for (const N of [GmailOutreachSend, GmailThreadedReply, GmailQuotaGuard, GmailReplyDetector, GmailDraftScheduler]) {
			const d = new N().description;
			assert.deepEqual(d.version, [1, 2], d.name);
			assert.equal(d.defaultVersion, 2, d.name);
		}
	});

	test('a whole sequence: every step replaces `outreach`, no column of the row is overwritten, no earlier step’s field is left', async () => {
		const mb = await mailbox(sb);
		const rows: IDataObject[] = leads(3, 'v2').map((l, i) => ({
			...l,
			row_number: i + 2,
			// Columns whose names our nodes also use: each must come out exactly as it went in.
			status: 'new',
			reason: 'met at the expo',
			step: 'intro',
			sender: '',
			threadId: '',
			messageId: '',
			sendAt: '',
			timezone: 'Europe/Berlin',
		}));

		const [sendNow, deferred, failed] = await v2(GmailQuotaGuard, guardParameters({ accountType: 'workspace' }), rows, mb.credentials, 3);
		assert.equal(sendNow.length, 3, JSON.stringify([...deferred, ...failed]));
		for (const [k, item] of sendNow.entries()) {
			assert.deepEqual(rowColumns(item), rows[k]);
			assert.equal(ours(item).quotaStatus, 'send_now');
			assert.equal(ours(item).sender, mb.email);
			assert.match(String(ours(item).sendAt), /^\d{4}-\d\d-\d\dT/);
		}

		const [sent] = await v2(GmailOutreachSend, SEND_PARAMS, sendNow, mb.credentials);
		assert.equal(sent.length, 3);
		for (const [k, item] of sent.entries()) {
			assert.deepEqual(rowColumns(item), rows[k], 'Send leaves the row as it came');
			assert.equal(ours(item).status, 'sent');
			assert.match(String(ours(item).threadId), /^[0-9a-f]+$/);
			assert.equal(ours(item).from, mb.email, 'which address it went from');
			for (const f of ['quotaStatus', 'sendAt', 'quota', 'sender']) assert.equal(ours(item)[f], undefined, `Quota Guard's ${f} is gone`);
		}

		// Lead 0 answers; step 2 finds each thread from step 1's outreach.threadId (the parameter's default).
		await sb.deliver({ to: mb.email, replyTo: ours(sent[0]).messageId, kind: 'reply', text: 'Not now, thanks.' });
		const follow: INodeParameters = { campaign: 'seq', step: 2, threadBy: 'threadId', bodyType: 'text', text: 'Hi {{first_name}}, floating this up.' };
		const [sent2, skipped2] = await v2(GmailThreadedReply, follow, sent, mb.credentials);
		assert.equal(sent2.length, 2);
		assert.equal(skipped2.length, 1);
		const [stopped] = skipped2;
		assert.deepEqual(rowColumns(stopped), rows[0]);
		assert.equal(ours(stopped).status, 'skipped');
		assert.equal(ours(stopped).reason, 'replied');
		for (const f of ['messageId', 'sentAt', 'rfc822MessageId']) {
			assert.ok(ours(sent[0])[f], `step 1 wrote ${f}`);
			assert.equal(ours(stopped)[f], undefined, `step 1's ${f} does not carry over to step 2's skip`);
		}
		for (const item of sent2) {
			const first = sent.find((s) => s.email === item.email)!;
			assert.deepEqual(rowColumns(item), rows.find((r) => r.email === item.email));
			assert.equal(ours(item).step, 2);
			assert.equal(ours(item).threadId, ours(first).threadId, 'step 2 went into step 1’s thread');
			assert.notEqual(ours(item).messageId, ours(first).messageId);
			assert.equal(ours(item).from, mb.email);
		}

		// The Reply Detector reads outreach.threadId through its Thread ID Field; its fields replace step 2's.
		const [stop, wait, cont, bad] = await v2(GmailReplyDetector, detectorParams(), [...sent2, ...skipped2], mb.credentials);
		assert.deepEqual([stop.length, wait.length, cont.length, bad.length], [1, 0, 2, 0], JSON.stringify(bad));
		assert.equal(ours(stop[0]).replyStatus, 'replied');
		assert.equal(ours(stop[0]).threadId, ours(sent[0]).threadId);
		assert.equal(ours(stop[0]).status, undefined, 'step 2’s status is gone');
		for (const item of [...stop, ...cont]) assert.deepEqual(rowColumns(item), rows.find((r) => r.email === item.email));

		// The Draft Scheduler's Schedule finds the thread from the detector's outreach.threadId.
		const [scheduled, skipped3, deferred3, failed3] = await v2(GmailDraftScheduler, { ...scheduleParams(3), threadId: undefined } as INodeParameters, cont, mb.credentials);
		assert.equal(scheduled.length, 2, JSON.stringify([...skipped3, ...deferred3, ...failed3]));
		for (const item of scheduled) {
			assert.deepEqual(rowColumns(item), rows.find((r) => r.email === item.email));
			assert.equal(ours(item).status, 'scheduled');
			assert.equal(ours(item).threadId, ours(sent.find((s) => s.email === item.email)!).threadId);
			assert.equal(ours(item).replyStatus, undefined, 'the detector’s fields are gone');
		}
	});

	test('version 1 is unchanged: flat fields, an earlier step’s outcome fields dropped', async () => {
		const mb = await mailbox(sb);
		const rows = leads(1, 'v1').map((l) => ({ ...l, reason: 'old', status: 'new', from: 'Trade fair 2026' }));
		const r = await runNode({ node: GmailOutreachSend, parameters: SEND_PARAMS, items: rows, credentials: mb.credentials, typeVersion: 1 });
		assert.equal(r.error, undefined);
		const [item] = r.outputs[0].map((i) => i.json);
		assert.equal(item.status, 'sent');
		assert.equal(item.reason, undefined);
		assert.equal(item.outreach, undefined);
		assert.equal(item.from, 'Trade fair 2026', 'a field added after version 1 (from) does not overwrite the row’s column');
	});
});
