// The sending nodes called by an AI agent, through n8n-core's tool path (getInputConnectionData → createNodeAsTool).
// n8n hands the agent only output 0: a lead that was skipped, deferred or failed must still come back with why.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { IDataObject } from 'n8n-workflow';
import { GmailOutreachSend } from '../../nodes/GmailOutreachSend/GmailOutreachSend.node.js';
import { GmailReplyDetector } from '../../nodes/GmailReplyDetector/GmailReplyDetector.node.js';
import { startSandbox, type TestSandbox } from '../support/sandbox';
import { baseParameters, sentMessages } from './helpers-send';
import { runAgent } from './helpers-tool';

let sb: TestSandbox;
before(async () => {
	sb = await startSandbox();
});
after(async () => {
	await sb.close();
});

/** Send's parameters as a user sets them up for an agent: the agent supplies the lead's address and name. */
const toolParameters = (options: IDataObject = {}) =>
	baseParameters({
		emailField: "={{ $fromAI('email', 'The lead\\'s email address', 'string') }}",
		nameFields: '',
		subject: 'Quick question',
		text: 'Hello,\n\nA short question about your hiring.\n\nOlivia',
		options: { suppressionList: 'blocked@tool-leads.test', ...options },
	});

describe('Gmail Outreach Send as an AI agent tool', () => {
	test('the agent sees suppressed, already-sent, deferred and failed outcomes, not an empty list', { timeout: 60_000 }, async () => {
		const mb = await sb.createMailbox({ email: 'owner@tool.test' });
		const { answers, result } = await runAgent(
			sb,
			mb,
			[
				{ name: 'send_outreach', node: GmailOutreachSend, parameters: toolParameters() },
				// The same node with a daily cap of one: once one email went, the next lead waits.
				{ name: 'send_capped', node: GmailOutreachSend, parameters: toolParameters({ dailyCapCheck: 'custom', customDailyCap: 1 }) },
			],
			[
				{ tool: 'send_outreach', args: { email: 'ann@tool-leads.test' } },
				{ tool: 'send_outreach', args: { email: 'ann@tool-leads.test' } },
				{ tool: 'send_outreach', args: { email: 'blocked@tool-leads.test' } },
				{ tool: 'send_outreach', args: { email: 'bob@' } },
				{ tool: 'send_capped', args: { email: 'cat@tool-leads.test' } },
			],
		);
		assert.equal(result.error, undefined, result.error?.message);
		assert.equal(answers.length, 5);
		const only = (i: number) => {
			const r = answers[i].response as unknown as IDataObject[];
			assert.ok(Array.isArray(r), `call ${i}: ${JSON.stringify(answers[i].response)}`);
			assert.equal(r.length, 1, `call ${i} answers for its one lead`);
			return r[0];
		};
		const sent = only(0);
		assert.equal(sent.status, 'sent');
		assert.equal(sent.output, 'Sent');
		assert.ok(sent.messageId && sent.threadId);

		const again = only(1);
		assert.equal(again.output, 'Skipped');
		assert.equal(again.reason, 'already_sent');
		assert.equal(again.messageId, sent.messageId, 'the agent learns which email already went');

		const blocked = only(2);
		assert.equal(blocked.status, 'skipped');
		assert.equal(blocked.reason, 'suppressed');

		const bad = only(3);
		assert.equal(bad.output, 'Failed');
		assert.equal(bad.status, 'failed');
		assert.equal(bad.reason, 'invalid_address');
		assert.match(String(bad.error), /invalid address "bob@"/);

		const capped = only(4);
		assert.equal(capped.output, 'Deferred');
		assert.equal(capped.status, 'deferred');
		assert.equal(capped.reason, 'daily_cap');
		assert.ok(!Number.isNaN(Date.parse(String(capped.retryAt))), 'deferred says when to come back');

		// What the agent reads before calling: a repeated call is safe and never a second email.
		assert.match(String(answers[0].description), /Idempotent per campaign \+ step \+ address/);
		assert.match(String(answers[0].description), /retryAt/);
		const mailed = (await sentMessages(sb, mb.email)).map((m) => m.to[0].address);
		assert.deepEqual(mailed, ['ann@tool-leads.test'], 'one email, to the one lead who could have it');
	});

	test('in a workflow the node keeps its four outputs', async () => {
		const mb = await sb.createMailbox({ email: 'owner@tool-plain.test' });
		const { runSend } = await import('./helpers-send');
		const o = await runSend(sb, mb, [{ email: 'blocked@tool-leads.test' }, { email: 'dan@tool-leads.test' }], baseParameters({ nameFields: '', subject: 'Hi', text: 'Hello', options: { suppressionList: 'blocked@tool-leads.test' } }));
		assert.equal(o.all.length, 4);
		assert.equal(o.sent.length, 1);
		assert.equal(o.skipped.length, 1);
		assert.equal(o.sent[0].output, undefined);
	});
});

describe('Gmail Reply Detector as an AI agent tool', () => {
	test('a lead with no reply comes back to the agent with its outcome', async () => {
		const mb = await sb.createMailbox({ email: 'owner@tool-detect.test' });
		const { answers, result } = await runAgent(
			sb,
			mb,
			[{ name: 'check_replies', node: GmailReplyDetector, parameters: { campaign: 'q3-launch', emailField: "={{ $fromAI('email', 'The lead\\'s email address', 'string') }}" } }],
			[{ tool: 'check_replies', args: { email: 'quiet@tool-leads.test' } }],
		);
		assert.equal(result.error, undefined, result.error?.message);
		const r = answers[0].response as unknown as IDataObject[];
		assert.ok(Array.isArray(r) && r.length === 1, JSON.stringify(answers[0].response));
		// The address came from the agent ($fromAI), so the row was checked, not failed for a missing column.
		assert.notEqual(r[0].output, 'Failed', JSON.stringify(r[0]));
		assert.ok(['Stop', 'Wait', 'Continue'].includes(String(r[0].output)));
		assert.match(String(answers[0].description), /sends nothing/);
	});
});
