// What a reply check costs: 1,000 leads in the mailbox's history, 10 of them wrote back since the last check.
// The per-lead approach (one messages.list per lead, 5 units each) against one trigger poll and one node run,
// all read from the sandbox's own quota accounting (GET /sandbox/stats).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { IDataObject } from 'n8n-workflow';
import { inboundSinceQuery } from '../../nodes/shared/node/engagement';
import { sandboxOAuthCredential } from '../support/n8n';
import { startSandbox, type TestSandbox } from '../support/sandbox';
import { detectorParams, poll, runDetector, seedSent, triggerParams } from './reply-detector-helpers';

const LEADS = 1000;
const WITH_MAIL = 10;

let sb: TestSandbox;
before(async () => {
	sb = await startSandbox({ searchLagMs: 0, quotaUnitsPerWindow: 100_000_000 });
});
after(async () => {
	await sb?.close();
});

test(`1,000 leads, 10 with new mail: the trigger poll reads only the new mail, the node costs ≤ 5 % of one search per lead`, { timeout: 180_000 }, async () => {
	const mb = await sb.createMailbox({ email: 'owner@cost.test', type: 'workspace' });
	const credentials = { gmailOutreachOAuth2Api: sandboxOAuthCredential(sb.url, mb) };
	const addresses = Array.from({ length: LEADS }, (_v, i) => `lead${i}@client${i}.test`);
	const sent = await seedSent(sb, mb.email, addresses, 'cost');
	await sb.clock({ advance: 'PT30M' });
	const staticData: IDataObject = {};
	await poll(credentials, staticData, triggerParams({ campaigns: 'cost' }));
	const { now: lastCheck } = await sb.clock();
	await sb.clock({ advance: 'PT1M' });
	const kinds = ['reply', 'reply', 'reply', 'reply', 'reply', 'reply', 'auto-reply', 'auto-reply', 'bounce', 'bounce'];
	const chosen = kinds.map((kind, k) => ({ kind, lead: sent[k * 97] }));
	for (const c of chosen) await sb.deliver({ to: mb.email, replyTo: c.lead.id, kind: c.kind });
	const units = async () => (await sb.stats(mb.email)).quotaUnits;
	let calls = (await sb.stats(mb.email)).calls;
	/** Gmail calls since the last look, by method (for the messages below). */
	const spent = async () => {
		const now = (await sb.stats(mb.email)).calls;
		const diff = Object.entries(now).filter(([k, v]) => v !== (calls[k] ?? 0)).map(([k, v]) => `${k} ×${v - (calls[k] ?? 0)}`).join(', ');
		calls = now;
		return diff;
	};

	let before = await units();
	const polled = await poll(credentials, staticData, triggerParams({ campaigns: 'cost' }));
	const trigger = (await units()) - before;
	const triggerCalls = await spent();
	assert.equal(polled.events.length, WITH_MAIL, JSON.stringify(polled.events.map((e) => [e.email, e.replyStatus])));
	assert.deepEqual(new Set(polled.events.map((e) => e.email)), new Set(chosen.map((c) => c.lead.lead)));

	before = await units();
	const rows = addresses.map((email, i) => ({ email, row_number: i + 2 }));
	const out = await runDetector(credentials, rows, detectorParams({ campaign: 'cost', since: 'date', sinceDate: lastCheck }));
	const node = (await units()) - before;
	const nodeCalls = await spent();
	const found = [...out.stop, ...out.wait, ...out.continue.filter((c) => c.replyStatus !== 'no_reply')];
	assert.deepEqual(new Set(found.map((f) => f.email)), new Set(chosen.map((c) => c.lead.lead)));

	before = await units();
	const token = mb.accessToken;
	const after = Math.floor(Date.parse(lastCheck) / 1000);
	for (const a of addresses) {
		const q = `${inboundSinceQuery(after * 1000)} {from:${a} ${a}}`;
		const r = await sb.gmail(token, 'GET', `/gmail/v1/users/me/messages?q=${encodeURIComponent(q)}&maxResults=100`);
		assert.equal(r.status, 200);
	}
	const perLead = (await units()) - before;
	assert.equal(perLead, LEADS * 5);

	const pct = (x: number) => ((100 * x) / perLead).toFixed(2);
	console.log(`# per-lead ${perLead} units; trigger poll ${trigger} (${pct(trigger)} %: ${triggerCalls}); node ${node} (${pct(node)} %: ${nodeCalls})`);
	assert.ok(node <= 0.05 * perLead, `node: ${node} units > 5 % of ${perLead} (${nodeCalls})`);
	// One read per new message (5 units: 1 % of the per-lead cost when 1 % of the leads wrote) plus a fixed handful
	// of calls (history, profile, send-as, labels, one search per 25 senders): never anything per lead.
	assert.ok(trigger <= 5 * WITH_MAIL + 15, `trigger: ${trigger} units for ${WITH_MAIL} new messages (${triggerCalls})`);
});
