// The Draft Scheduler in real n8n (separate process, the built package) against the Gmail Sandbox: a workflow sends
// step 1 and schedules step 2 as drafts; examples/draft-scheduler.json's Send-due branch (its Sheets nodes swapped
// for pass-through nodes) runs from its Schedule Trigger on day 2 (nothing due) and day 3 (a replied lead cancelled,
// a draft a person edited in Gmail sent as edited, the rest sent in their threads). Needs `npm run build` first.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import PostalMime from 'postal-mime';
import { nodeItems, type Execution, type WorkflowNode } from '../../scripts/n8n/client';
import { bindCredential, nodeType, readExample, type ExampleWorkflow } from '../../scripts/n8n/workflows';
import { assertBuilt } from '../../scripts/n8n/runtime';
import { startRealN8n, type RealN8n } from '../support/real-n8n';

const MAILBOX = { email: 'founder@drafts-e2e.test', type: 'workspace' as const };
const LEADS = [
	{ email: 'grace@compilers.test', first_name: 'Grace', company: 'Compilers', pain_point: 'manual outreach', timezone: 'America/New_York' },
	{ email: 'hedy@spread-spectrum.test', first_name: 'Hedy', company: 'Spread Spectrum', pain_point: 'reply tracking', timezone: 'Europe/Berlin' },
	{ email: 'katherine@orbits.test', first_name: 'Katherine', company: 'Orbits', pain_point: 'follow-ups', timezone: 'Asia/Tokyo' },
];

/** [Manual trigger → leads → Outreach Send (step 1) → Draft Scheduler (schedule step 2)], as a user would build it. */
function seedWorkflow(credential: { id: string; name: string }): ExampleWorkflow {
	const cred = { gmailOutreachOAuth2Api: credential };
	const node = (n: Partial<WorkflowNode> & Pick<WorkflowNode, 'name' | 'type' | 'parameters'>, x: number): WorkflowNode => ({ typeVersion: 1, position: [x, 0], ...n });
	return {
		name: 'E2E: step 1 and scheduled step 2',
		nodes: [
			node({ name: 'Run', type: 'n8n-nodes-base.manualTrigger', parameters: {} }, 0),
			node({ name: 'Leads', type: 'n8n-nodes-base.code', typeVersion: 2, parameters: { jsCode: `return ${JSON.stringify(LEADS)}.map((json) => ({ json }));` } }, 200),
			node(
				{
					name: 'Outreach Send',
					type: nodeType('gmailOutreachSend'),
					credentials: cred,
					parameters: { campaign: 'spring-outreach', step: 1, emailField: 'email', subject: 'Quick question about {{company}}', bodyType: 'text', text: 'Hi {{first_name}}, how do you handle {{pain_point}}?' },
				},
				400,
			),
			node(
				{
					name: 'Schedule step 2 (draft)',
					type: nodeType('gmailDraftScheduler'),
					credentials: cred,
					parameters: {
						operation: 'schedule',
						campaign: 'spring-outreach',
						step: 2,
						threadBy: 'threadId',
						threadId: '={{ $json.threadId }}',
						bodyType: 'text',
						text: 'Hi {{first_name}}, just floating this up: would a short call about {{pain_point}} help?',
						sendTime: 'businessDays',
						businessDays: 3,
						options: { timezoneField: 'timezone' },
					},
				},
				600,
			),
		],
		connections: {
			Run: { main: [[{ node: 'Leads', type: 'main', index: 0 }]] },
			Leads: { main: [[{ node: 'Outreach Send', type: 'main', index: 0 }]] },
			'Outreach Send': { main: [[{ node: 'Schedule step 2 (draft)', type: 'main', index: 0 }], [], [], []] },
		},
	} as ExampleWorkflow;
}

/** The example with its Google Sheets nodes replaced by pass-through nodes of the same names (no Sheets account here). */
function withoutSheets(wf: ExampleWorkflow): ExampleWorkflow {
	const copy = structuredClone(wf);
	copy.nodes = copy.nodes.map((n) => (n.type === 'n8n-nodes-base.googleSheets' ? { id: n.id, name: n.name, type: 'n8n-nodes-base.noOp', typeVersion: 1, position: n.position, parameters: {} } : n));
	return copy;
}

describe('Gmail Draft Scheduler in real n8n against the sandbox', { timeout: 600_000 }, () => {
	let env: RealN8n;
	let exampleId = '';

	before(async () => {
		assertBuilt();
		env = await startRealN8n({ name: 'draft-scheduler', mailbox: MAILBOX });
	});
	after(async () => {
		await env?.close();
	});

	async function run(id: string, trigger?: string): Promise<Execution> {
		const ex = await env.client.waitExecution(await env.client.startRun(id, trigger), env.unflatten, 180_000);
		assert.equal(ex.status, 'success', ex.data.resultData.error?.message ?? ex.status);
		return ex;
	}
	const clock = async (now: string) => {
		await env.sandbox.clock({ now });
	};

	test('the example imports and n8n knows the node, with its operations', async () => {
		const known = await env.client.nodeTypes();
		const ours = known.find((t) => t.name === nodeType('gmailDraftScheduler'));
		assert.ok(ours, 'gmailDraftScheduler is loaded');
		const wf = readExample('draft-scheduler.json');
		assert.ok(wf.nodes.some((n) => n.type === nodeType('gmailDraftScheduler') && n.parameters.operation === 'sendDue'));
		assert.ok(wf.nodes.some((n) => n.type === 'n8n-nodes-base.scheduleTrigger'));
		exampleId = (await env.client.createWorkflow(bindCredential(withoutSheets(wf), env.credential!))).id;
		assert.equal((await env.client.workflow(exampleId)).nodes.length, wf.nodes.length);
	});

	test('step 1, then step 2 scheduled as threaded drafts (Thursday of the week Europe changes to summer time)', async () => {
		await clock('2026-03-26T09:00:00Z');
		const seed = await env.client.createWorkflow(seedWorkflow(env.credential!));
		const ex = await run(seed.id);
		const scheduled = nodeItems(ex, 'Schedule step 2 (draft)', 0);
		assert.deepEqual(scheduled.map((s) => s.email).sort(), LEADS.map((l) => l.email).sort(), JSON.stringify(nodeItems(ex, 'Schedule step 2 (draft)', 3)));
		for (const s of scheduled) {
			assert.match(String(s.sendAtLocal), /^2026-03-31 (09|10):\d\d [+-]\d\d:\d\d$/);
			assert.equal(s.threaded, true);
		}
		const drafts = (await env.sandbox.messages(MAILBOX.email)).filter((m) => m.labelIds.includes('DRAFT'));
		assert.equal(drafts.length, 3);
	});

	test('the example’s Send-due branch: nothing on day 2; on day 3 a replied lead is cancelled, an edited draft goes out as edited', async () => {
		await clock('2026-03-30T23:00:00Z');
		const day2 = await run(exampleId, 'Every 15 minutes');
		for (const o of [0, 1, 2, 3]) assert.equal(nodeItems(day2, 'Send due drafts', o).length, 0, `output ${o}`);

		const all = await env.sandbox.messages(MAILBOX.email);
		const firstTo = (email: string) => all.find((m) => m.labelIds.includes('SENT') && m.to[0]?.address === email)!;
		await env.sandbox.deliver({ to: MAILBOX.email, replyTo: firstTo(LEADS[0].email).id, kind: 'reply', text: 'Thanks, let us talk next week.' });
		const hedyDraft = all.find((m) => m.labelIds.includes('DRAFT') && m.to[0]?.address === LEADS[1].email)!;
		const draftId = [...env.sandbox.sandbox.store.mailbox(MAILBOX.email)!.drafts.values()].find((d) => d.messageId === hedyDraft.id)!.id;
		const edit = await fetch(`${env.sandbox.url}/sandbox/mailboxes/${encodeURIComponent(MAILBOX.email)}/drafts/${draftId}/edit`, {
			method: 'POST',
			headers: { 'Content-Type': 'application/json' },
			body: JSON.stringify({ text: 'Hedy, rewritten by hand: shall we talk on Thursday?' }),
		});
		assert.equal(edit.status, 200);

		await clock('2026-03-31T16:00:00Z');
		const day3 = await run(exampleId, 'Every 15 minutes');
		const sent = nodeItems(day3, 'Send due drafts', 0);
		const cancelled = nodeItems(day3, 'Send due drafts', 1);
		assert.deepEqual(sent.map((s) => s.email).sort(), [LEADS[1].email, LEADS[2].email].sort());
		assert.deepEqual(cancelled.map((c) => `${c.email}:${c.reason}`), [`${LEADS[0].email}:replied`]);
		assert.equal(nodeItems(day3, 'Send due drafts', 2).length + nodeItems(day3, 'Send due drafts', 3).length, 0);
		// Item linking: the node after ours receives one item per draft.
		assert.deepEqual(nodeItems(day3, 'Sheet: step sent').map((r) => r.email).sort(), sent.map((s) => s.email).sort());
		assert.equal(nodeItems(day3, 'Sheet: stopped').length, 1);

		const mail = await env.sandbox.messages(MAILBOX.email);
		assert.equal(mail.filter((m) => m.labelIds.includes('DRAFT')).length, 0, 'no draft remains');
		for (const lead of LEADS.slice(1)) {
			const [first, second] = mail.filter((m) => m.labelIds.includes('SENT') && m.to[0]?.address === lead.email).sort((a, b) => a.internalDate - b.internalDate);
			assert.ok(second, `${lead.email} got step 2`);
			const p1 = await PostalMime.parse(first.raw);
			const p2 = await PostalMime.parse(second.raw);
			assert.equal(second.threadId, first.threadId);
			assert.equal(p2.inReplyTo, p1.messageId);
			assert.equal(p2.subject, `Re: ${p1.subject}`);
			if (lead === LEADS[1]) assert.match(p2.text ?? '', /rewritten by hand/);
			else assert.match(p2.text ?? '', /just floating this up/);
		}
		assert.equal(mail.filter((m) => m.labelIds.includes('SENT') && m.to[0]?.address === LEADS[0].email).length, 1, 'the lead who replied got no follow-up');
	});
});
