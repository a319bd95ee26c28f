// The example workflows in real n8n against the Gmail Sandbox: import every example; run the demo cold
// campaign; simulate a reply, a bounce and an out-of-office; advance the sandbox clock; run the follow-up
// sequence twice (step 2, then step 3). Asserts on the sandbox mailbox (threads, headers, labels, counts)
// and on n8n's execution data (outputs, item linking through our nodes).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import PostalMime from 'postal-mime';
import { nodeItems, type Execution } from '../../scripts/n8n/client';
import { bindCredential, exampleFiles, nodeType, ourNodeTypes, readExample } from '../../scripts/n8n/workflows';
import { DEMO_LEADS, DEMO_MAILBOX, advanceClock, simulate } from '../../scripts/demo/seed';
import type { AdminMessage } from '../support/sandbox';
import { startRealN8n, type RealN8n } from '../support/real-n8n';

const emails = (items: Array<Record<string, unknown>>) => items.map((i) => String(i.email)).sort();
const leadsDoing = (b: string) => DEMO_LEADS.filter((l) => l.behaviour === b).map((l) => l.email);

describe('example workflows in real n8n against the sandbox', { timeout: 600_000 }, () => {
	let env: RealN8n;
	const ids: Record<string, string> = {};

	async function run(name: string): Promise<Execution> {
		const exId = await env.client.startRun(ids[name]);
		const ex = await env.client.waitExecution(exId, env.unflatten, 180_000);
		assert.equal(ex.status, 'success', `${name}: ${ex.data.resultData.error?.message ?? ex.status}`);
		return ex;
	}
	/** The message a follow-up answers: the latest one in its thread before it (ours or, e.g., an out-of-office). */
	async function parentOf(m: AdminMessage): Promise<AdminMessage> {
		const thread = (await env.sandbox.messages(DEMO_MAILBOX.email)).filter((x) => x.threadId === m.threadId && x.internalDate < m.internalDate);
		return thread.sort((a, b) => a.internalDate - b.internalDate).pop()!;
	}
	/** Messages the demo mailbox sent, by lead address. */
	async function sentTo(): Promise<Map<string, AdminMessage[]>> {
		const all = await env.sandbox.messages(DEMO_MAILBOX.email);
		const by = new Map<string, AdminMessage[]>();
		for (const m of all.filter((x) => x.labelIds.includes('SENT'))) {
			const to = m.to[0].address;
			by.set(to, [...(by.get(to) ?? []), m]);
		}
		return by;
	}

	before(async () => {
		env = await startRealN8n({ name: 'campaign', mailbox: DEMO_MAILBOX });
	});
	after(async () => {
		await env?.close();
	});

	test('every example imports, and every node type it uses is loaded in n8n', async () => {
		const known = new Set((await env.client.nodeTypes()).map((t) => t.name));
		for (const file of exampleFiles()) {
			const wf = readExample(file);
			for (const n of wf.nodes) assert.ok(known.has(n.type), `${file}: node "${n.name}" has unknown type ${n.type}`);
			assert.ok(ourNodeTypes(wf).length >= 1, `${file} uses none of our nodes`);
			const saved = await env.client.createWorkflow(bindCredential(wf, env.credential!));
			assert.equal((await env.client.workflow(saved.id)).nodes.length, wf.nodes.length);
			ids[wf.name] = saved.id;
		}
		assert.ok(ids['Demo: cold campaign'] && ids['Demo: follow-up sequence']);
	});

	test('the demo leads in the workflows are the seed leads', () => {
		const code = readExample('demo-cold-campaign.json').nodes.find((n) => n.name === 'Demo leads')!.parameters.jsCode as string;
		for (const l of DEMO_LEADS) assert.ok(code.includes(l.email), `${l.email} missing from the Demo leads node`);
	});

	test('cold campaign: one personalised, labelled first email per lead; item linking resolves downstream', async () => {
		const ex = await run('Demo: cold campaign');
		const sent = nodeItems(ex, 'Outreach Send', 0);
		assert.deepEqual(emails(sent), DEMO_LEADS.map((l) => l.email).sort());
		for (const o of [1, 2, 3]) assert.equal(nodeItems(ex, 'Outreach Send', o).length, 0, `output ${o} not empty`);
		// `$('Outreach Send').item` and `$('Demo leads').item` in the node after ours resolve per item (pairedItem).
		const rows = nodeItems(ex, 'Sheet row: sent');
		assert.equal(rows.length, DEMO_LEADS.length);
		for (const row of rows) {
			const s = sent.find((x) => x.email === row.email)!;
			// The examples are node version 2: our fields under `outreach`, the row's own beside them.
			assert.equal(row.threadId, (s.outreach as { threadId: string }).threadId);
			assert.equal(row.messageId, (s.outreach as { messageId: string }).messageId);
			assert.match(String(row.sentAt), /^\d{4}-\d\d-\d\dT/);
		}

		const by = await sentTo();
		assert.equal(by.size, DEMO_LEADS.length);
		for (const lead of DEMO_LEADS) {
			const [m] = by.get(lead.email)!;
			assert.equal(by.get(lead.email)!.length, 1);
			const parsed = await PostalMime.parse(m.raw);
			assert.match(parsed.subject ?? '', new RegExp(`(Quick|Short) question about ${lead.company}`));
			assert.match(parsed.text ?? '', new RegExp(`(Hi|Hello) ${lead.first_name},`));
			assert.match(parsed.text ?? '', new RegExp(lead.pain_point));
			assert.match(m.headers.find((h) => h.name.toLowerCase() === 'list-unsubscribe')?.value ?? '', /mailto:unsubscribe@acme-demo\.test/);
			assert.equal(parsed.from?.address, DEMO_MAILBOX.email);
		}
		const stats = await env.sandbox.stats(DEMO_MAILBOX.email);
		assert.equal(stats.calls['messages.send'], DEMO_LEADS.length);
	});

	test('re-running the cold campaign sends nothing new (already_sent)', async () => {
		const ex = await run('Demo: cold campaign');
		assert.equal(nodeItems(ex, 'Outreach Send', 0).length, 0);
		const skipped = nodeItems(ex, 'Outreach Send', 1);
		assert.deepEqual(emails(skipped), DEMO_LEADS.map((l) => l.email).sort());
		const reasons = skipped.map((i) => (i.outreach as { reason?: string } | undefined)?.reason);
		assert.ok(reasons.every((r) => r === 'already_sent'), JSON.stringify(reasons));
		assert.equal([...(await sentTo()).values()].flat().length, DEMO_LEADS.length);
	});

	test('day 3: a live conversation, an opt-out by the List-Unsubscribe mailto and a bounce stop those leads; the others get step 2 in the same thread', async () => {
		for (const lead of DEMO_LEADS) {
			if (lead.behaviour !== 'silent') await simulate(env.sandbox.url, lead.email, lead.behaviour, undefined, DEMO_MAILBOX.email);
		}
		await advanceClock(env.sandbox.url, 'P3D');
		const ex = await run('Demo: follow-up sequence');
		const continuing = DEMO_LEADS.filter((l) => l.behaviour === 'silent' || l.behaviour === 'auto-reply').map((l) => l.email).sort();
		assert.deepEqual(emails(nodeItems(ex, 'Follow-up (step 2)', 0)), continuing);
		const stopped = nodeItems(ex, 'Sheet row: stopped');
		assert.deepEqual(
			stopped.map((s) => `${s.email}:${s.status}`).sort(),
			[...leadsDoing('conversation').map((e) => `${e}:replied`), ...leadsDoing('unsubscribe-mailto').map((e) => `${e}:unsubscribed`), ...leadsDoing('bounce').map((e) => `${e}:bounced`)].sort(),
		);
		assert.equal(nodeItems(ex, 'Follow-up (step 3)', 0).length, 0, 'step 3 must wait for the next run');

		const by = await sentTo();
		for (const email of continuing) {
			const [first, second] = by.get(email)!;
			assert.equal(by.get(email)!.length, 2);
			assert.equal(second.threadId, first.threadId);
			assert.equal(second.inReplyTo, (await parentOf(second)).messageId);
			assert.ok(second.references?.includes(first.messageId!), `${email}: References misses the first email`);
			assert.equal(second.subject, `Re: ${first.subject}`);
		}
		for (const email of [...leadsDoing('unsubscribe-mailto'), ...leadsDoing('bounce')]) assert.equal(by.get(email)!.length, 1, `${email} got a follow-up`);
		// The live conversation: our step 1 and the founder's own answer by hand, no step of ours.
		const talk = by.get(leadsDoing('conversation')[0])!;
		assert.equal(talk.length, 2);
		assert.ok(!talk[1].headers.some((h) => h.name.toLowerCase() === 'x-outreach-key'), 'the second message to Ada is the hand-written answer');
	});

	test('day 7: step 3 to the same leads; the replied lead still gets nothing', async () => {
		await advanceClock(env.sandbox.url, 'P4D');
		const ex = await run('Demo: follow-up sequence');
		const continuing = DEMO_LEADS.filter((l) => l.behaviour === 'silent' || l.behaviour === 'auto-reply').map((l) => l.email).sort();
		assert.equal(nodeItems(ex, 'Follow-up (step 2)', 0).length, 0);
		assert.deepEqual(emails(nodeItems(ex, 'Follow-up (step 3)', 0)), continuing);
		const by = await sentTo();
		for (const email of continuing) {
			const msgs = by.get(email)!;
			assert.equal(msgs.length, 3);
			assert.equal(new Set(msgs.map((m) => m.threadId)).size, 1);
			assert.equal(msgs[2].inReplyTo, (await parentOf(msgs[2])).messageId);
			// References carry the whole chain: the first and the second message.
			for (const prev of msgs.slice(0, 2)) assert.ok(msgs[2].references?.includes(prev.messageId!), `${email}: References misses ${prev.messageId}`);
		}
		const ada = (await env.sandbox.messages(DEMO_MAILBOX.email)).filter((m) => m.threadId === by.get(leadsDoing('conversation')[0])![0].threadId);
		assert.deepEqual(ada.map((m) => (m.labelIds.includes('SENT') ? 'us' : 'lead')), ['us', 'lead', 'us'], 'step 1, the reply, the answer by hand — no step 3');
		const labelled = (await env.sandbox.messages(DEMO_MAILBOX.email)).filter((m) => m.labelIds.some((l) => l.startsWith('Label_')));
		assert.ok(labelled.length >= DEMO_LEADS.length, 'sent messages carry the campaign label');
		const stats = await env.sandbox.stats(DEMO_MAILBOX.email);
		assert.equal(stats.calls['messages.send'], DEMO_LEADS.length + 2 * continuing.length);
	});

	test('our node types in the examples are the community package names', () => {
		const types = exampleFiles().flatMap((f) => readExample(f).nodes.map((n) => n.type));
		assert.ok(types.includes(nodeType('gmailOutreachSend')));
		assert.ok(types.includes(nodeType('gmailThreadedReply')));
	});
});
