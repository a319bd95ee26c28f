// The reply-detector example in real n8n: a sandbox variant (Sheets and Slack swapped for Set nodes, polling every
// minute) is activated; a reply, a German out-of-office and a remote bounce come in; the active trigger's next
// poll starts executions that carry the three events down the Switch to their branches.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { nodeItems, type Execution, type SavedWorkflow, type WorkflowNode } from '../../scripts/n8n/client';
import { bindCredential, readExample, type ExampleWorkflow } from '../../scripts/n8n/workflows';
import { remoteBounce, seedSent } from '../node/reply-detector-seed';
import { startRealN8n, type RealN8n } from '../support/real-n8n';

const CAMPAIGN = 'e2e-replies';
const LEADS = ['ada@analytical.test', 'grete@beispiel.test', 'gone@nowhere.test', 'quiet@silent.test'];

/** The example with every Google Sheets node replaced by a Set node of the same name and mapping, polling every minute. */
function sandboxVariant(wf: ExampleWorkflow): ExampleWorkflow {
	const copy = structuredClone(wf);
	copy.name = 'Reply detector (sandbox)';
	copy.nodes = copy.nodes.map((n): WorkflowNode => {
		if (n.type === 'n8n-nodes-gmail-outreach.gmailReplyDetectorTrigger') {
			return { ...n, parameters: { ...n.parameters, pollTimes: { item: [{ mode: 'everyMinute' }] }, campaigns: CAMPAIGN, options: { firstRunLookBackHours: 0 } } };
		}
		if (n.type !== 'n8n-nodes-base.googleSheets') return n;
		const values = (n.parameters.columns as { value: Record<string, string> }).value;
		return {
			id: n.id,
			name: n.name,
			type: 'n8n-nodes-base.set',
			typeVersion: 3.4,
			position: n.position,
			parameters: {
				assignments: { assignments: Object.entries(values).map(([name, value], i) => ({ id: String(i + 1), name, value, type: 'string' })) },
				options: {},
			},
		};
	});
	return copy;
}

describe('reply detector example in real n8n', { timeout: 240_000 }, () => {
	let env: RealN8n;
	let saved: SavedWorkflow;

	before(async () => {
		env = await startRealN8n({ name: 'reply-detector' });
	});
	after(async () => {
		if (saved) await env?.client.api('POST', `/rest/workflows/${saved.id}/deactivate`, {}).catch(() => undefined);
		await env?.close();
	});

	test('the example imports; its sandbox variant activates and turns three inbound messages into three routed events', async () => {
		const example = readExample('reply-detector.json');
		assert.ok(example.nodes.some((n) => n.type === 'n8n-nodes-base.switch'));
		assert.ok(example.nodes.some((n) => n.type === 'n8n-nodes-base.googleSheets' && n.parameters.operation === 'update'));
		const sent = await seedSent(env.sandbox, env.mailbox.email, LEADS, CAMPAIGN);

		saved = await env.client.createWorkflow(bindCredential(sandboxVariant(example), env.credential!));
		// Activation runs the first poll: it takes the cursor (no look-back), so only what follows counts. n8n 2.x
		// activates in the background after the REST call returns: wait until the cursor is in the static data.
		await env.client.api('POST', `/rest/workflows/${saved.id}/activate`, { versionId: saved.versionId });
		const activatedAt = Date.now();
		for (;;) {
			const wf = await env.client.api<{ staticData?: Record<string, { historyId?: string }> }>('GET', `/rest/workflows/${saved.id}`);
			if (wf.staticData?.['node:Reply events']?.historyId) break;
			assert.ok(Date.now() - activatedAt < 60_000, 'the trigger never took its cursor');
			await new Promise((r) => setTimeout(r, 500));
		}

		await env.sandbox.deliver({ to: env.mailbox.email, replyTo: sent[0].id, kind: 'reply', text: 'Sounds good, call me on Friday.' });
		const ours = (await env.sandbox.messages(env.mailbox.email)).find((m) => m.id === sent[1].id)!;
		await env.sandbox.deliver({
			to: env.mailbox.email,
			from: LEADS[1],
			subject: `Abwesenheitsnotiz: ${ours.subject}`,
			inReplyTo: ours.messageId,
			references: ours.messageId,
			headers: { 'Auto-Submitted': 'auto-replied' },
			text: 'Vielen Dank für Ihre Nachricht. Ich bin bis zum 15.01.2027 nicht im Büro.',
		});
		const bounced = (await env.sandbox.messages(env.mailbox.email)).find((m) => m.id === sent[2].id)!;
		await env.sandbox.deliver({ to: env.mailbox.email, raw: remoteBounce({ mailbox: env.mailbox.email, failed: LEADS[2], originalHeaders: bounced.headers }) });

		// The trigger polls once a minute: collect the executions it starts until the three events are through.
		const seen = new Map<string, Execution>();
		const events = () => [...seen.values()].flatMap((ex) => nodeItems(ex, 'Reply events'));
		while (events().length < 3 && Date.now() - activatedAt < 150_000) {
			await new Promise((r) => setTimeout(r, 3000));
			const list = await env.client.api<{ results: Array<{ id: string; status: string }> }>(
				'GET',
				`/rest/executions?filter=${encodeURIComponent(JSON.stringify({ workflowId: saved.id }))}&limit=20`,
			);
			for (const r of list.results) {
				if (seen.has(r.id) || ['new', 'running', 'waiting'].includes(r.status)) continue;
				const ex = await env.client.execution(r.id, env.unflatten);
				assert.equal(ex.status, 'success', ex.data.resultData.error?.message);
				assert.equal(ex.mode, 'trigger');
				seen.set(r.id, ex);
			}
		}
		const all = events();
		assert.deepEqual(all.map((e) => `${String(e.email)}:${String(e.replyStatus)}`).sort(), [`${LEADS[0]}:replied`, `${LEADS[1]}:out_of_office`, `${LEADS[2]}:bounced_hard`].sort());
		for (const e of all) assert.equal(e.campaign, CAMPAIGN);

		const branch = (name: string) => [...seen.values()].flatMap((ex) => nodeItems(ex, name));
		const replied = branch('Sheet: replied');
		assert.deepEqual(replied.map((r) => [r.email, r.status, r.replyStatus]), [[LEADS[0], 'replied', 'replied']]);
		assert.match(String(replied[0].snippet), /call me on Friday/);
		assert.match(String(branch('Notify owner (Slack stand-in)')[0].text), /call me on Friday/);
		assert.deepEqual(branch('Sheet: stopped').map((r) => [r.email, r.status, r.replyStatus]), [[LEADS[2], 'bounced', 'bounced_hard']]);
		const away = branch('Sheet: away until');
		// Away until Friday the 15th: back on the 16th (a Saturday), so mailed again Monday 09:00.
		assert.deepEqual(away.map((r) => [r.email, r.returnDate]), [[LEADS[1], '2027-01-16']]);
		assert.match(String(away[0].retryAt), /^2027-01-18T09:00:00/);
	});
});
