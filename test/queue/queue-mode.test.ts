// The package on n8n's queue mode, as a team that outgrew one process runs it: PostgreSQL, Redis (Bull), one main
// (editor, triggers, webhooks) and two `n8n worker` processes, the package installed in each one's user folder.
// - A campaign arrives as 10 webhook batches of 30 leads (200 leads, 100 of them in two batches) that run on both
//   workers at once: every lead gets exactly one first email, and after the sandbox clock moves 3 days exactly one
//   follow-up in its thread; the workers' logs must show both of them ran executions.
// - The Reply Detector Trigger, active on the main: replies before, across and after a main restart each come out
//   exactly once.
// - Pacing: two workers sending from one mailbox at once against the sandbox's per-minute quota, beside one worker
//   alone and two at half the budget each; prints the 429s, deferrals and time (the README's "Scaling" figures).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { nodeItems, type Execution, type SavedWorkflow, type WorkflowNode } from '../../scripts/n8n/client';
import { nodeType, sandboxCredentialData } from '../../scripts/n8n/workflows';
import { seedSent } from '../node/reply-detector-seed';
import { startQueueCluster, type QueueCluster } from '../support/queue-n8n';
import type { AdminMessage } from '../support/sandbox';

const CAMPAIGN = 'queue-spring';
const LEADS = Array.from({ length: 200 }, (_, i) => ({
	email: `lead${String(i).padStart(3, '0')}@prospect${i % 9}.test`,
	first_name: `Lead${i}`,
	company: `Company ${i}`,
	status: '',
}));
// Batch b holds leads 20b … 20b+29 (wrapping): the first ten of every batch are also the last ten of the one before.
const BATCHES = Array.from({ length: 10 }, (_, b) => Array.from({ length: 30 }, (_, k) => LEADS[(b * 20 + k) % LEADS.length]));

const REPLY_CAMPAIGN = 'queue-replies';
const REPLY_LEADS = Array.from({ length: 9 }, (_, i) => `replier${i}@answers${i % 3}.test`);

/** Production runs in queue mode keep these statuses while a worker still has them. */
const UNFINISHED = ['new', 'running', 'waiting', 'queued'];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A webhook (answers at once) → one item per lead in the body → the given sending node. */
function fanOutWorkflow(name: string, path: string, sender: WorkflowNode): { name: string; nodes: WorkflowNode[]; connections: Record<string, unknown> } {
	return {
		name,
		nodes: [
			{
				id: randomUUID(),
				name: 'Batch in',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2,
				position: [0, 0],
				webhookId: randomUUID(),
				parameters: { httpMethod: 'POST', path, responseMode: 'onReceived', options: {} },
			},
			{
				id: randomUUID(),
				name: 'Leads',
				type: 'n8n-nodes-base.splitOut',
				typeVersion: 1,
				position: [220, 0],
				parameters: { fieldToSplitOut: 'body.leads', include: 'noOtherFields', options: {} },
			},
			{ ...sender, position: [440, 0] },
		],
		connections: {
			'Batch in': { main: [[{ node: 'Leads', type: 'main', index: 0 }]] },
			Leads: { main: [[{ node: sender.name, type: 'main', index: 0 }]] },
		},
	};
}

function firstEmailNode(credential: { id: string; name: string }, campaign: string, options: Record<string, unknown>): WorkflowNode {
	return {
		id: randomUUID(),
		name: 'Outreach Send',
		type: nodeType('gmailOutreachSend'),
		typeVersion: 1,
		position: [0, 0],
		credentials: { gmailOutreachOAuth2Api: credential },
		parameters: {
			authentication: 'oAuth2',
			mode: 'send',
			campaign,
			step: 1,
			emailField: 'email',
			senderName: 'Founder at Queue Co',
			templateSource: 'parameters',
			subject: 'A question about {{company}}',
			bodyType: 'text',
			text: 'Hi {{first_name}},\n\nWould a short call about {{company}} help?\n\nFounder',
			strict: true,
			options: { pacing: 'quota', ...options },
		},
	};
}

function followUpNode(credential: { id: string; name: string }, options: Record<string, unknown>): WorkflowNode {
	return {
		id: randomUUID(),
		name: 'Follow-up',
		type: nodeType('gmailThreadedReply'),
		typeVersion: 1,
		position: [0, 0],
		credentials: { gmailOutreachOAuth2Api: credential },
		parameters: {
			authentication: 'oAuth2',
			mode: 'send',
			campaign: CAMPAIGN,
			step: 2,
			threadBy: 'lead',
			emailField: 'email',
			campaignOnly: true,
			replyMode: 'sender',
			senderName: 'Founder at Queue Co',
			bodyType: 'text',
			text: 'Hi {{first_name}}, just floating this up: would a short call help?',
			strict: true,
			stopIfEngaged: true,
			options: { waitUntilBack: false, ...options },
		},
	};
}

function replyTriggerWorkflow(credential: { id: string; name: string }): { name: string; nodes: WorkflowNode[]; connections: Record<string, unknown> } {
	return {
		name: 'Queue: reply events',
		nodes: [
			{
				id: randomUUID(),
				name: 'Reply events',
				type: nodeType('gmailReplyDetectorTrigger'),
				typeVersion: 1,
				position: [0, 0],
				credentials: { gmailOutreachOAuth2Api: credential },
				parameters: {
					pollTimes: { item: [{ mode: 'everyMinute' }] },
					authentication: 'oAuth2',
					scope: 'outreach',
					statuses: ['replied', 'unsubscribed', 'complained', 'bounced_hard', 'bounced_soft', 'left_company', 'out_of_office', 'auto_reply'],
					campaigns: REPLY_CAMPAIGN,
					options: { firstRunLookBackHours: 0 },
				},
			},
			{
				id: randomUUID(),
				name: 'Event',
				type: 'n8n-nodes-base.noOp',
				typeVersion: 1,
				position: [220, 0],
				parameters: {},
			},
		],
		connections: { 'Reply events': { main: [[{ node: 'Event', type: 'main', index: 0 }]] } },
	};
}

describe('queue mode: one main, two workers, PostgreSQL and Redis', { timeout: 900_000 }, () => {
	let q: QueueCluster;
	const started = Date.now();

	async function activate(wf: { name: string; nodes: WorkflowNode[]; connections: Record<string, unknown> }): Promise<SavedWorkflow> {
		const saved = await q.client.createWorkflow(wf);
		await q.client.api('POST', `/rest/workflows/${saved.id}/activate`, { versionId: saved.versionId });
		return saved;
	}

	/** POSTs to a production webhook; a 404 means n8n has not registered it yet (nothing ran), so it is asked again. */
	async function postWebhook(path: string, body: unknown): Promise<void> {
		const deadline = Date.now() + 90_000;
		for (;;) {
			const res = await fetch(`${q.main.url}/webhook/${path}`, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify(body),
				signal: AbortSignal.timeout(60_000),
			});
			const text = await res.text();
			if (res.ok) return;
			assert.ok(res.status === 404 && Date.now() < deadline, `webhook ${path} → ${res.status}: ${text.slice(0, 300)}`);
			await sleep(500);
		}
	}

	async function executionList(workflowId: string): Promise<Array<{ id: string; status: string; startedAt?: string; stoppedAt?: string }>> {
		const list = await q.client.api<{ results: Array<{ id: string; status: string; startedAt?: string; stoppedAt?: string }> }>(
			'GET',
			`/rest/executions?filter=${encodeURIComponent(JSON.stringify({ workflowId }))}&limit=100`,
		);
		return list.results;
	}

	/** Start and stop time (ms) of every execution of a workflow. */
	async function spans(workflowId: string): Promise<Map<string, [number, number]>> {
		return new Map((await executionList(workflowId)).map((e) => [e.id, [Date.parse(e.startedAt ?? ''), Date.parse(e.stoppedAt ?? '')]]));
	}

	/** Waits until the workflow has `count` executions and none still running; returns them with their data. */
	async function finishedExecutions(workflowId: string, count: number, timeoutMs: number): Promise<Execution[]> {
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			const list = await executionList(workflowId);
			if (list.length >= count && list.every((e) => !UNFINISHED.includes(e.status))) {
				return await Promise.all(list.map((e) => q.client.execution(e.id, q.unflatten)));
			}
			assert.ok(Date.now() < deadline, `only ${list.filter((e) => !UNFINISHED.includes(e.status)).length} of ${count} executions finished: ${JSON.stringify(list)}`);
			await sleep(1000);
		}
	}

	/** Fires every batch at the webhook at once and waits for the 10 executions; fails unless both workers ran some. */
	async function fanOut(path: string, workflowId: string): Promise<Execution[]> {
		await Promise.all(BATCHES.map((leads, b) => postWebhook(path, { batch: b, leads })));
		const executions = await finishedExecutions(workflowId, BATCHES.length, 240_000);
		assert.equal(executions.length, BATCHES.length);
		for (const ex of executions) assert.equal(ex.status, 'success', `execution ${ex.id}: ${ex.data.resultData.error?.message ?? ex.status}`);
		const workerOf = q.workerOf();
		const byWorker = new Map<string, string[]>();
		for (const ex of executions) {
			const w = workerOf.get(ex.id);
			assert.ok(w, `no worker logged execution ${ex.id} (it ran on the main?)`);
			byWorker.set(w, [...(byWorker.get(w) ?? []), ex.id]);
		}
		// Both at once, not one after the other: executions of different workers whose run times overlap.
		const span = await spans(workflowId);
		let overlapping = 0;
		for (const a of executions) {
			for (const b of executions) {
				if (a.id < b.id && workerOf.get(a.id) !== workerOf.get(b.id) && span.get(a.id)![0] < span.get(b.id)![1] && span.get(b.id)![0] < span.get(a.id)![1]) overlapping++;
			}
		}
		console.log(`# queue: ${path}: ${[...byWorker].map(([w, ids]) => `${w} ran ${ids.length}`).join(', ')}; ${overlapping} pairs ran on both workers at the same time`);
		assert.equal(byWorker.size, q.workers.length, `every worker must run executions: ${JSON.stringify([...byWorker])}`);
		assert.ok(overlapping > 0, 'the two workers never ran executions at the same time');
		return executions;
	}

	/** Messages the campaign mailbox sent, by lead. */
	async function sentTo(email: string): Promise<Map<string, AdminMessage[]>> {
		const by = new Map<string, AdminMessage[]>();
		for (const m of (await q.sandbox.messages(email)).filter((x) => x.labelIds.includes('SENT'))) {
			const to = m.to[0].address;
			by.set(to, [...(by.get(to) ?? []), m]);
		}
		return by;
	}

	/** Per lead, how many executions' sending node reported it sent (output 0), and every other outcome's reason. */
	function outcomes(executions: Execution[], node: string): { sent: Map<string, number>; others: Map<string, number>; total: number } {
		const sent = new Map<string, number>();
		const others = new Map<string, number>();
		let total = 0;
		for (const ex of executions) {
			for (const [o, items] of [0, 1, 2, 3].map((o) => [o, nodeItems(ex, node, o)] as const)) {
				total += items.length;
				for (const i of items) {
					if (o === 0) sent.set(String(i.email), (sent.get(String(i.email)) ?? 0) + 1);
					else others.set(`${o}:${String(i.reason)}`, (others.get(`${o}:${String(i.reason)}`) ?? 0) + 1);
				}
			}
		}
		return { sent, others, total };
	}

	let trigger: { wf: SavedWorkflow; sent: Array<{ id: string }> };
	/** A lead of the reply campaign answers our message. */
	const reply = async (i: number) => await q.sandbox.deliver({ to: q.mailbox.email, replyTo: trigger.sent[i].id, kind: 'reply', text: `Reply number ${i}: let us talk.` });

	before(async () => {
		q = await startQueueCluster({ name: 'suite', workers: 2, concurrency: 6 });
		console.log(`# queue: PostgreSQL, Redis, main and 2 workers ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
		// The reply trigger goes active now and gets its first three replies, so its once-a-minute polls run during the campaign.
		const sent = await seedSent(q.sandbox, q.mailbox.email, REPLY_LEADS, REPLY_CAMPAIGN);
		const wf = await activate(replyTriggerWorkflow(q.credential));
		trigger = { wf, sent };
		// n8n activates in the background: the first poll (at activation) takes the cursor.
		const cursor = async () =>
			(await q.client.api<{ staticData?: Record<string, { historyId?: string }> }>('GET', `/rest/workflows/${wf.id}`)).staticData?.['node:Reply events']?.historyId;
		const activatedAt = Date.now();
		while (!(await cursor())) {
			assert.ok(Date.now() - activatedAt < 90_000, 'the trigger never took its cursor');
			await sleep(500);
		}
		for (const i of [0, 1, 2]) await reply(i);
	});
	after(async () => {
		await q?.close();
		console.log(`# queue: suite wall time ${((Date.now() - started) / 1000).toFixed(1)} s`);
	});

	test('a campaign in 10 overlapping batches on both workers at once: one first email per lead, then one follow-up per lead', async () => {
		// Room for the whole campaign in the per-minute quota: this test is about exactly once, the last one about pacing.
		await q.sandbox.settings({ quotaUnitsPerWindow: 1_000_000 });
		const fast = { quotaUnitsPerMinute: 1_000_000 };
		const first = await activate(fanOutWorkflow('Queue: first email', 'queue-step-1', firstEmailNode(q.credential, CAMPAIGN, fast)));
		const follow = await activate(fanOutWorkflow('Queue: follow-up', 'queue-step-2', followUpNode(q.credential, fast)));

		const t1 = Date.now();
		const ex1 = await fanOut('queue-step-1', first.id);
		const o1 = outcomes(ex1, 'Outreach Send');
		console.log(`# queue: first emails in ${((Date.now() - t1) / 1000).toFixed(1)} s; other outcomes ${JSON.stringify(Object.fromEntries(o1.others))}`);
		assert.equal(o1.total, BATCHES.length * 30, 'every lead of every batch leaves on some output');
		let by = await sentTo(q.mailbox.email);
		for (const lead of LEADS) {
			assert.equal(by.get(lead.email)?.length ?? 0, 1, `${lead.email}: first emails in the mailbox`);
			assert.equal(o1.sent.get(lead.email) ?? 0, 1, `${lead.email}: executions that report it sent`);
		}
		assert.equal([...by.keys()].filter((k) => !REPLY_LEADS.includes(k)).length, LEADS.length, 'no one else was mailed');

		await q.sandbox.clock({ advance: 'P3D' });
		const t2 = Date.now();
		const ex2 = await fanOut('queue-step-2', follow.id);
		const o2 = outcomes(ex2, 'Follow-up');
		console.log(`# queue: follow-ups in ${((Date.now() - t2) / 1000).toFixed(1)} s; other outcomes ${JSON.stringify(Object.fromEntries(o2.others))}`);
		assert.equal(o2.total, BATCHES.length * 30);
		by = await sentTo(q.mailbox.email);
		for (const lead of LEADS) {
			const msgs = by.get(lead.email) ?? [];
			assert.equal(msgs.length, 2, `${lead.email}: first email + follow-ups in the mailbox`);
			assert.equal(o2.sent.get(lead.email) ?? 0, 1, `${lead.email}: executions that report the follow-up sent`);
			assert.equal(msgs[1].threadId, msgs[0].threadId, `${lead.email}: follow-up in the first email's thread`);
			assert.equal(msgs[1].inReplyTo, msgs[0].messageId);
		}
		// No claim draft is left behind by the losers of a race.
		const drafts = (await q.sandbox.messages(q.mailbox.email)).filter((m) => m.labelIds.includes('DRAFT'));
		assert.equal(drafts.length, 0, `${drafts.length} drafts left`);
		const stats = await q.sandbox.stats(q.mailbox.email);
		console.log(`# queue: campaign mailbox: ${stats.calls['messages.send'] ?? 0} messages.send + ${stats.calls['drafts.send'] ?? 0} drafts.send, ${stats.quotaUnits} quota units (${(stats.quotaUnits / (2 * LEADS.length)).toFixed(0)} per email), errors ${JSON.stringify(stats.errors)}`);
	});

	test('Reply Detector Trigger on the main: replies before, across and after a main restart come out exactly once', async () => {
		const { wf } = trigger;
		const seen = new Map<string, Execution>();
		/** Every event the trigger's executions carried so far, by lead (collects finished executions). */
		const events = async (): Promise<Map<string, number>> => {
			for (const r of await executionList(wf.id)) {
				if (seen.has(r.id) || UNFINISHED.includes(r.status)) continue;
				const ex = await q.client.execution(r.id, q.unflatten);
				assert.equal(ex.status, 'success', ex.data.resultData.error?.message);
				seen.set(r.id, ex);
			}
			const by = new Map<string, number>();
			for (const ex of seen.values()) for (const e of nodeItems(ex, 'Reply events')) by.set(String(e.email), (by.get(String(e.email)) ?? 0) + 1);
			return by;
		};
		const waitFor = async (leads: string[], what: string) => {
			const deadline = Date.now() + 150_000;
			for (;;) {
				const by = await events();
				if (leads.every((l) => by.has(l))) return;
				assert.ok(Date.now() < deadline, `${what}: events so far ${JSON.stringify([...by])}`);
				await sleep(2000);
			}
		};

		// The first three replies came in when the cluster started (the minute polls ran during the campaign).
		await waitFor(REPLY_LEADS.slice(0, 3), 'replies before the restart');
		// These three arrive while the main goes down: the poll that sees them may run before or after the restart.
		for (const i of [3, 4, 5]) await reply(i);
		const r0 = Date.now();
		await q.restartMain();
		console.log(`# queue: main restarted in ${((Date.now() - r0) / 1000).toFixed(1)} s`);
		for (const i of [6, 7, 8]) await reply(i);
		// The replies after the restart come after those across it in history: once they are out, any repeat would be too.
		await waitFor(REPLY_LEADS, 'replies across and after the restart');
		const final = await events();
		const carried = [...seen.values()].sort((x, y) => Number(x.id) - Number(y.id)).map((ex) => nodeItems(ex, 'Reply events').length);
		console.log(`# queue: trigger executions carried ${JSON.stringify(carried)} events (in order)`);
		assert.deepEqual(
			[...final].sort(),
			REPLY_LEADS.map((l) => [l, 1]).sort(),
			'each reply exactly once across the main restart',
		);
		const modes = new Set([...seen.values()].map((ex) => ex.mode));
		assert.deepEqual([...modes], ['trigger']);
		const workerOf = q.workerOf();
		for (const id of seen.keys()) assert.ok(workerOf.has(id), `trigger execution ${id} did not run on a worker`);
		await q.client.api('POST', `/rest/workflows/${wf.id}/deactivate`, {});
	});

	test('pacing across workers: what two workers sending from one mailbox cost against the per-minute quota', async () => {
		// A per-minute budget small enough to reach in a test (24 first emails spend 3,200–5,100 units); each node is told it.
		const QUOTA = 3000;
		await q.sandbox.settings({ quotaUnitsPerWindow: QUOTA });
		const leads = LEADS.slice(0, 24);
		// More executions than one worker takes at once (6), so they must spread over both.
		const EXECUTIONS = 8;

		/** A mailbox with its own credential and a fan-out workflow sending from it with the given per-minute budget. */
		const setUp = async (email: string, quotaUnitsPerMinute: number) => {
			await q.sandbox.createMailbox({ email, type: 'workspace' });
			const name = `Gmail Sandbox (${email})`;
			const id = await q.client.createCredential(name, 'gmailOutreachOAuth2Api', sandboxCredentialData(q.sandbox.url));
			await q.client.connectOAuth2(id);
			const path = `queue-pace-${email.split('@')[0]}`;
			const wf = await activate(fanOutWorkflow(`Queue: pacing (${email})`, path, firstEmailNode({ id, name }, 'pace', { quotaUnitsPerMinute })));
			return { email, path, wf };
		};
		/** Sends the leads in `executions` webhook batches; waits for them; checks nothing was doubled or dropped; returns the figures. */
		const run = async (box: Awaited<ReturnType<typeof setUp>>, executions: number, twoWorkers: boolean) => {
			const t0 = Date.now();
			const size = leads.length / executions;
			await Promise.all(Array.from({ length: executions }, (_, b) => postWebhook(box.path, { leads: leads.slice(b * size, (b + 1) * size) })));
			const exs = await finishedExecutions(box.wf.id, executions, 300_000);
			for (const ex of exs) assert.equal(ex.status, 'success', `execution ${ex.id}: ${ex.data.resultData.error?.message ?? ex.status}`);
			const workers = new Set(exs.map((ex) => q.workerOf().get(ex.id)));
			if (twoWorkers) assert.equal(workers.size, 2, `${box.email}: the executions must run on both workers: ${JSON.stringify([...workers])}`);
			const end = Math.max(...[...(await spans(box.wf.id)).values()].map(([, stop]) => stop));
			const stats = await q.sandbox.stats(box.email);
			const o = outcomes(exs, 'Outreach Send');
			const by = await sentTo(box.email);
			// Overshoot may cost time or defer a lead to a later run, never an extra or a lost email.
			for (const [lead, msgs] of by) assert.equal(msgs.length, 1, `${box.email}: ${lead} got ${msgs.length} emails`);
			assert.equal(o.total, leads.length, `${box.email}: every lead leaves on some output`);
			const sent = [...o.sent.values()].reduce((a, b) => a + b, 0);
			assert.equal(sent, by.size);
			const deferred = Object.entries(Object.fromEntries(o.others)).map(([k, n]) => `${n} ${k.split(':')[1]}`);
			const text = `${((end - t0) / 1000).toFixed(1)} s, ${stats.errors['429'] ?? 0} × 429, ${by.size} sent, ${o.total - sent} deferred${deferred.length ? ` (${deferred.join(', ')})` : ''}, ${stats.quotaUnits} units`;
			return { text, deferred: o.total - sent, refused: stats.errors['429'] ?? 0 };
		};

		const lone = await setUp('lone@queue-pacing.test', QUOTA);
		const full = await setUp('shared@queue-pacing.test', QUOTA);
		const half = await setUp('halved@queue-pacing.test', QUOTA / 2);
		// One pacer (one execution) and two (executions spread over both workers) at once, each on its own mailbox.
		const [a, b] = await Promise.all([run(lone, 1, false), run(full, EXECUTIONS, true)]);
		// The README's advice: each node's Quota Units per Minute = the budget / the number of workers.
		const c = await run(half, EXECUTIONS, true);
		console.log(
			`# queue pacing: per-minute quota ${QUOTA} units, ${leads.length} first emails from one mailbox — ` +
				`1 execution on 1 worker: ${a.text}; ${EXECUTIONS} executions on 2 workers: ${b.text}; ${EXECUTIONS} on 2 workers at Quota Units per Minute ${QUOTA / 2}: ${c.text}`,
		);
		// Two pacers that each believe they have the whole budget learn their share from Gmail's refusals: no lead
		// waits for the next run (before they did, 3–9 of the 24 were deferred `quota` and 100–208 calls refused).
		assert.equal(b.deferred, 0, `two workers at the full budget deferred leads: ${b.text}`);
		assert.equal(a.deferred + c.deferred, 0, `${a.text}; ${c.text}`);
	});
});
