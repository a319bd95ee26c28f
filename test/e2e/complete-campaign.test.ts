// examples/complete-campaign.json in real n8n against the sandbox over simulated days: the sheet is a stand-in the test
// keeps (each run reads it through a Code node and writes it back through Set nodes), the Schedule trigger a manual one.
// A daily-cap deferral is retried the next day, a lost sheet write comes back as already_sent with its thread, a reply
// and a bounce stop their leads, and every other lead ends with three emails in one thread and the row to match.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Execution, WorkflowNode } from '../../scripts/n8n/client';
import { bindCredential, nodeType, readExample, type ExampleWorkflow } from '../../scripts/n8n/workflows';
import { startRealN8n, type RealN8n } from '../support/real-n8n';

const MAILBOX = { email: 'founder@complete-e2e.test', type: 'workspace' as const };
const CAP = 6;
type Row = Record<string, string>;
const LEADS: Row[] = Array.from({ length: 8 }, (_v, i) => ({
	email: `lead${i}@complete-leads${i}.test`,
	first_name: `Lead${i}`,
	company: `Company ${i}`,
	pain_point: 'slow reports',
	timezone: 'Europe/Berlin',
	status: '',
	step: '',
	threadId: '',
	messageId: '',
	sentAt: '',
	retryAt: '',
	reason: '',
	error: '',
}));
const SHEET_NODES = ['Sheet: sent', 'Sheet: stopped', 'Sheet: retry later', 'Sheet: failed', 'Sheet: stopped by reply check'];

/** The example for one run: the sheet's rows in, Set nodes out, the sandbox's clock as "now", a small daily cap. */
function variant(wf: ExampleWorkflow, rows: Row[], now: number, day: number): ExampleWorkflow {
	const copy = structuredClone(wf);
	copy.name = `Complete campaign, day ${day} (${Date.now()})`;
	const rename = new Map<string, string>();
	copy.nodes = copy.nodes.map((n): WorkflowNode => {
		if (n.type === 'n8n-nodes-base.scheduleTrigger') {
			rename.set(n.name, 'Run campaign');
			return { id: n.id, name: 'Run campaign', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: n.position, parameters: {} };
		}
		if (n.type === 'n8n-nodes-base.googleSheets' && n.parameters.operation === 'read') {
			return { id: n.id, name: n.name, type: 'n8n-nodes-base.code', typeVersion: 2, position: n.position, parameters: { jsCode: `return ${JSON.stringify(rows.map((json) => ({ json })))};` } };
		}
		if (n.type === 'n8n-nodes-base.googleSheets') {
			const values = (n.parameters.columns as { value: Record<string, string> }).value;
			const assignments = Object.entries(values).map(([name, value], i) => ({ id: String(i + 1), name, value, type: 'string' }));
			return { id: n.id, name: n.name, type: 'n8n-nodes-base.set', typeVersion: 3.4, position: n.position, parameters: { assignments: { assignments }, options: {} } };
		}
		if (n.name === 'Due rows') {
			const code = String(n.parameters.jsCode);
			assert.ok(code.includes('const now = Date.now();'), 'Due rows reads the time once');
			return { ...n, parameters: { ...n.parameters, jsCode: code.replace('const now = Date.now();', `const now = ${now};`) } };
		}
		if (n.type === nodeType('gmailQuotaGuard')) {
			return { ...n, parameters: { ...n.parameters, accountType: 'custom', dailyCap: CAP, safetyMargin: 100, reserve: 0, sendWindow: 'anyTime', pacing: 'fast' } };
		}
		return n;
	});
	copy.connections = Object.fromEntries(Object.entries(copy.connections).map(([k, v]) => [rename.get(k) ?? k, v]));
	return copy;
}

/** Every item a node emitted on output 0, over all its runs (a node fed by several branches runs once per branch). */
function allItems(ex: Execution, name: string): Array<Record<string, unknown>> {
	return (ex.data.resultData.runData[name] ?? []).flatMap((run) => (run.data?.main?.[0] ?? []).map((i) => i.json));
}

describe('the complete example campaign in real n8n over simulated days', { timeout: 900_000 }, () => {
	let env: RealN8n;
	let wf: ExampleWorkflow;
	const sheet = new Map(LEADS.map((l) => [l.email, { ...l }]));

	/** One scheduled run: the sheet in, the sheet updated from the Set nodes; returns the execution. */
	async function run(day: number): Promise<Execution> {
		const now = Date.parse((await env.sandbox.clock()).now);
		const saved = await env.client.createWorkflow(bindCredential(variant(wf, [...sheet.values()], now, day), env.credential!));
		const exId = await env.client.startRun(saved.id);
		const ex = await env.client.waitExecution(exId, env.unflatten, 300_000);
		assert.equal(ex.status, 'success', `${ex.data.resultData.lastNodeExecuted ?? '?'}: ${ex.data.resultData.error?.message ?? ex.status}`);
		for (const name of SHEET_NODES) {
			for (const update of allItems(ex, name)) {
				const row = sheet.get(String(update.email));
				assert.ok(row, `${name} wrote a row that is not in the sheet: ${String(update.email)}`);
				for (const [k, v] of Object.entries(update)) row[k] = v === undefined || v === null ? '' : String(v);
			}
		}
		return ex;
	}
	const rowsWith = (status: string) => [...sheet.values()].filter((r) => r.status === status).map((r) => r.email).sort();
	const ourMail = async () => (await env.sandbox.messages(MAILBOX.email)).filter((m) => m.labelIds.includes('SENT') && m.headers.some((h) => h.name.toLowerCase() === 'x-outreach-key'));

	before(async () => {
		env = await startRealN8n({ name: 'complete-campaign', mailbox: MAILBOX });
		wf = readExample('complete-campaign.json');
	});
	after(async () => {
		await env?.close();
	});

	test('the example imports with every node type known, and every output of the sending nodes is wired to the sheet', async () => {
		const known = new Set((await env.client.nodeTypes()).map((t) => t.name));
		for (const n of wf.nodes) assert.ok(known.has(n.type), `${n.name}: unknown type ${n.type}`);
		const connections = wf.connections as Record<string, { main: Array<Array<{ node: string }>> }>;
		for (const name of ['Outreach Send', 'Follow-up (step 2)', 'Follow-up (step 3)']) {
			assert.deepEqual(connections[name].main.map((o) => o.map((c) => c.node)), [['Sheet: sent'], ['Already sent?'], ['Sheet: retry later'], ['Sheet: failed']], name);
		}
		assert.deepEqual(connections['Already sent?'].main.map((o) => o.map((c) => c.node)), [['Sheet: sent'], ['Sheet: stopped']]);
	});

	test('day 0: six first emails go, two wait for the daily cap with the time it frees up', async () => {
		await run(0);
		assert.equal(rowsWith('sent').length, CAP);
		const waiting = [...sheet.values()].filter((r) => r.status === 'deferred');
		assert.equal(waiting.length, 2);
		for (const r of waiting) {
			assert.equal(r.reason, 'daily_cap');
			assert.ok(Date.parse(r.retryAt) > Date.parse((await env.sandbox.clock()).now) + 23 * 3600_000, 'about a day later');
		}
		for (const r of sheet.values()) if (r.status === 'sent') assert.ok(r.threadId && r.messageId && r.step === '1', JSON.stringify(r));
	});

	test('day 1: a reply and a bounce stop their leads; the deferred two go; a lost sheet write comes back as sent with its thread', async () => {
		const mail = await ourMail();
		const idOf = (email: string) => mail.find((m) => m.to[0].address === email)!.id;
		await env.sandbox.deliver({ to: MAILBOX.email, replyTo: idOf(LEADS[0].email), kind: 'reply', text: 'Interesting — call me next week.' });
		await env.sandbox.deliver({ to: MAILBOX.email, replyTo: idOf(LEADS[1].email), kind: 'dsn', format: 'postfix', status: '5.1.1' });
		// The sheet update of lead 2 was lost (n8n crashed after the send): the row looks new again.
		const lost = sheet.get(LEADS[2].email)!;
		const thread = lost.threadId;
		Object.assign(lost, { status: '', step: '', threadId: '', messageId: '', sentAt: '' });
		await env.sandbox.clock({ advance: 'P1DT1M' });
		await run(1);
		assert.equal(sheet.get(LEADS[0].email)!.status, 'replied');
		assert.equal(sheet.get(LEADS[1].email)!.status, 'bounced_hard');
		assert.deepEqual(rowsWith('sent'), LEADS.slice(2).map((l) => l.email).sort());
		assert.equal(lost.threadId, thread, 'already_sent writes the thread back');
		assert.equal(lost.step, '1');
		assert.equal((await ourMail()).length, 8, 'one first email per lead, none twice');
	});

	test('days 3 to 9: steps 2 and 3 in each continuing lead\'s thread, each once; the stopped leads get nothing more', async () => {
		for (let day = 3; day <= 9; day++) {
			await env.sandbox.clock({ advance: day === 3 ? 'P2D' : 'P1D' });
			await run(day);
		}
		const mail = await ourMail();
		for (const lead of LEADS.slice(2)) {
			const mine = mail.filter((m) => m.to[0].address === lead.email);
			assert.equal(mine.length, 3, `${lead.email}: ${mine.length} emails`);
			assert.equal(new Set(mine.map((m) => m.threadId)).size, 1, `${lead.email}: one thread`);
			const row = sheet.get(lead.email)!;
			assert.deepEqual([row.status, row.step, row.threadId], ['sent', '3', mine[0].threadId], lead.email);
		}
		for (const lead of LEADS.slice(0, 2)) assert.equal(mail.filter((m) => m.to[0].address === lead.email).length, 1, lead.email);
		assert.deepEqual([sheet.get(LEADS[0].email)!.status, sheet.get(LEADS[1].email)!.status], ['replied', 'bounced_hard']);
		const stats = await env.sandbox.stats(MAILBOX.email);
		assert.equal(stats.errors['429'] ?? 0, 0, 'never over the cap');
	});
});
