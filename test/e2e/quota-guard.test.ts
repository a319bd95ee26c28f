// examples/quota-guard-campaign.json in real n8n against the sandbox, as a demo variant: the schedule becomes a manual
// trigger, the sheet read a Code node of demo leads, the sheet updates Set nodes. The mailbox has a small cap and some
// hand-sent mail: the first run sends what fits and defers the rest with exact retry times; the second run sends nothing.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { nodeItems, type Execution, type WorkflowNode } from '../../scripts/n8n/client';
import { bindCredential, nodeType, readExample, type ExampleWorkflow } from '../../scripts/n8n/workflows';
import { startRealN8n, type RealN8n } from '../support/real-n8n';

const MAILBOX = { email: 'founder@quota-e2e.test', type: 6 as const };
const LEADS = Array.from({ length: 8 }, (_v, i) => ({ email: `lead${i}@quota-leads.test`, first_name: `Lead${i}`, company: `Company ${i}`, pain_point: 'slow reports', row_number: i + 2 }));
const DAY = 24 * 3600_000;

/** The example with its Google parts swapped for stand-ins and the guard set to the demo mailbox's cap. */
function demoVariant(wf: ExampleWorkflow): ExampleWorkflow {
	const copy = structuredClone(wf);
	copy.name = 'Demo: quota-guarded campaign';
	const rename = new Map<string, string>();
	copy.nodes = copy.nodes.map((n): WorkflowNode => {
		if (n.type === 'n8n-nodes-base.scheduleTrigger') {
			rename.set(n.name, 'Run demo');
			return { id: n.id, name: 'Run demo', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: n.position, parameters: {} };
		}
		if (n.type === 'n8n-nodes-base.googleSheets' && n.parameters.operation === 'read') {
			return { id: n.id, name: n.name, type: 'n8n-nodes-base.code', typeVersion: 2, position: n.position, parameters: { jsCode: `return ${JSON.stringify(LEADS)};` } };
		}
		if (n.type === 'n8n-nodes-base.googleSheets') {
			const values = (n.parameters.columns as { value: Record<string, string> }).value;
			const assignments = Object.entries(values).map(([name, value], i) => ({ id: String(i + 1), name, value, type: 'string' }));
			return { id: n.id, name: n.name, type: 'n8n-nodes-base.set', typeVersion: 3.4, position: n.position, parameters: { assignments: { assignments }, options: {} } };
		}
		if (n.type === nodeType('gmailQuotaGuard')) {
			return { ...n, parameters: { ...n.parameters, accountType: 'custom', dailyCap: MAILBOX.type, safetyMargin: 100, reserve: 0, sendWindow: 'anyTime', pacing: 'fast', options: { ...(n.parameters.options as object), addSummary: true } } };
		}
		return n;
	});
	copy.connections = Object.fromEntries(Object.entries(copy.connections).map(([k, v]) => [rename.get(k) ?? k, v]));
	return copy;
}

describe('quota-guarded campaign in real n8n against the sandbox', { timeout: 600_000 }, () => {
	let env: RealN8n;
	let id = '';

	async function run(): Promise<Execution> {
		const exId = await env.client.startRun(id);
		const ex = await env.client.waitExecution(exId, env.unflatten, 180_000);
		assert.equal(ex.status, 'success', ex.data.resultData.error?.message ?? ex.status);
		return ex;
	}
	const sentTimes = async () =>
		(await env.sandbox.messages(MAILBOX.email))
			.filter((m) => m.labelIds.includes('SENT'))
			.map((m) => m.internalDate)
			.sort((a, b) => a - b);

	before(async () => {
		env = await startRealN8n({ name: 'quota-guard', mailbox: MAILBOX });
		const saved = await env.client.createWorkflow(bindCredential(demoVariant(readExample('quota-guard-campaign.json')), env.credential!));
		id = saved.id;
	});
	after(async () => {
		await env?.close();
	});

	test('the example imports with every node type known, and Quota Guard feeds the Send node', async () => {
		const wf = readExample('quota-guard-campaign.json');
		const known = new Set((await env.client.nodeTypes()).map((t) => t.name));
		for (const n of wf.nodes) assert.ok(known.has(n.type), `${n.name}: unknown type ${n.type}`);
		const guard = (wf.connections as Record<string, { main: Array<Array<{ node: string }>> }>)['Quota Guard'];
		assert.equal(guard.main[0]?.[0]?.node, 'Outreach Send');
		assert.equal(guard.main[1]?.[0]?.node, 'Sheet: deferred');
	});

	test('run 1: two emails written by hand count; four leads are sent, four deferred to when the window frees up', async () => {
		await env.sandbox.manualSend({ from: MAILBOX.email, to: 'colleague@elsewhere.test', count: 2 });
		const ex = await run();
		assert.equal(nodeItems(ex, 'Quota Guard', 0).length, 4);
		assert.equal(nodeItems(ex, 'Outreach Send', 0).length, 4);
		const sent = nodeItems(ex, 'Sheet: sent');
		assert.deepEqual(sent.map((r) => r.email), LEADS.slice(0, 4).map((l) => l.email), 'item linking resolves through the guard');
		assert.ok(sent.every((r) => r.sender === MAILBOX.email && r.status === 'sent'));
		const deferred = nodeItems(ex, 'Sheet: deferred');
		assert.deepEqual(deferred.map((r) => [r.email, r.status, r.deferReason]), LEADS.slice(4).map((l) => [l.email, 'deferred', 'daily_cap']));
		// The two hand-sent emails free the first two slots; the next two wait for this run's own sends (never taken as
		// older than the hand-sent ones, though the clock is read to the second).
		const [summary] = nodeItems(ex, 'Quota Guard', 3);
		const t = await sentTimes();
		const measured = Date.parse(String(summary.measuredAt));
		assert.deepEqual(deferred.map((r) => r.retryAt), [t[0] + DAY, t[1] + DAY, Math.max(measured, t[1]) + DAY, Math.max(measured, t[1]) + DAY].map((x) => new Date(x).toISOString()));
		assert.equal(t.length, 6);
		assert.equal((await env.sandbox.stats(MAILBOX.email)).errors['429'] ?? 0, 0);
	});

	test('run 2, right after: the window is full, nothing goes, every lead waits for an exact slot', async () => {
		const ex = await run();
		assert.equal(nodeItems(ex, 'Quota Guard', 0).length, 0);
		const deferred = nodeItems(ex, 'Quota Guard', 1);
		assert.equal(deferred.length, LEADS.length);
		const t = await sentTimes();
		assert.deepEqual(deferred.slice(0, 6).map((d) => (d.outreach as { retryAt?: string } | undefined)?.retryAt), t.map((x) => new Date(x + DAY).toISOString()));
		assert.equal(t.length, 6, 'nothing more was sent');
		assert.equal((await env.sandbox.stats(MAILBOX.email)).errors['429'] ?? 0, 0);
	});
});
