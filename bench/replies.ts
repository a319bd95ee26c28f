// Benchmark: who wrote back? 10,000 leads in the mailbox's history, 100 of them with new mail since the last check.
// The per-lead approach (one messages.list per lead) against one Reply Detector Trigger poll and one node run.
import type { IDataObject } from 'n8n-workflow';
import { GmailReplyDetector } from '../nodes/GmailReplyDetector/GmailReplyDetector.node.js';
import { GmailReplyDetectorTrigger } from '../nodes/GmailReplyDetectorTrigger/GmailReplyDetectorTrigger.node.js';
import { inboundSinceQuery } from '../nodes/shared/node/engagement';
import { runNode, sandboxOAuthCredential } from '../test/support/n8n';
import { runPoll } from '../test/support/n8n-poll';
import { remoteBounce, seedSent } from '../test/node/reply-detector-seed';
import { plainGmail } from './plain';
import { meter, methods, startBenchSandbox, type Cost } from './sandbox';
import { num, type Table } from './table';

const LEADS = 10_000;
const WITH_MAIL = 100;
// What came back: replies, out-of-office answers, remote bounces and opt-outs, in the lead's thread.
const KINDS = ['reply', 'auto-reply', 'bounce', 'unsubscribe'];

const pct = (a: number, b: number) => (b === 0 ? '–' : `${((100 * a) / b).toFixed(2)} %`);

/** What one N-lead measurement found and cost. */
interface Measured {
	leads: number;
	perLead?: { hits: number; cost: Cost; ms: number };
	trigger: { events: number; cost: Cost; ms: number };
	node: { settled: number; cost: Cost; ms: number };
	seedMs: number;
}

/** Seeds `leads` sent messages, delivers WITH_MAIL answers, then measures one trigger poll, one node run and (if asked) the per-lead searches. */
async function measure(leads: number, perLead: boolean): Promise<Measured> {
	const b = await startBenchSandbox({ quotaUnitsPerWindow: 100_000_000, searchLagMs: 0 } as never);
	try {
		const mb = await b.sb.createMailbox({ email: 'owner@bench-replies.example', type: 'workspace' });
		const credentials = { gmailOutreachOAuth2Api: sandboxOAuthCredential(b.apiUrl, mb) };
		const addresses = Array.from({ length: leads }, (_v, i) => `lead${i}@prospect${i % 997}.example`);
		const seedStart = performance.now();
		const sent = await seedSent(b.sb, mb.email, addresses, 'bench');
		const seedMs = performance.now() - seedStart;
		await b.sb.clock({ advance: 'PT30M' });

		// The last check: the trigger's cursor, and the time the node and the per-lead searches look after.
		const staticData: IDataObject = {};
		const parameters = { scope: 'outreach', campaigns: 'bench', statuses: ['replied', 'unsubscribed', 'complained', 'bounced_hard', 'bounced_soft', 'left_company', 'out_of_office', 'auto_reply'], options: { firstRunLookBackHours: 0, quotaUnitsPerMinute: 100_000_000 } };
		const first = await runPoll({ node: GmailReplyDetectorTrigger, parameters, credentials, staticData });
		if (first.error) throw first.error;
		const { now: lastCheck } = await b.sb.clock();
		await b.sb.clock({ advance: 'PT1M' });
		const step = Math.floor(leads / WITH_MAIL);
		const store = b.sb.sandbox.store.mailbox(mb.email)!;
		for (let k = 0; k < WITH_MAIL; k++) {
			const s = sent[k * step];
			const kind = KINDS[k % KINDS.length];
			// A remote MTA's bounce: unthreaded, the lead named only in the report, our headers returned.
			if (kind === 'bounce') await b.sb.deliver({ to: mb.email, raw: remoteBounce({ mailbox: mb.email, failed: s.lead, originalHeaders: store.messages.get(s.id)!.parsed.headers }) });
			else await b.sb.deliver({ to: mb.email, replyTo: s.id, kind });
		}

		let m = await meter(b, mb.email);
		let plain: Measured['perLead'];
		if (perLead) {
			const gmail = plainGmail(b.apiUrl, mb);
			const after = Date.parse(lastCheck);
			let hits = 0;
			const plainStart = performance.now();
			for (const a of addresses) {
				const res = await gmail.users.messages.list({ userId: 'me', q: `${inboundSinceQuery(after)} {from:${a} ${a}}`, maxResults: 100 });
				hits += res.data.messages?.length ?? 0;
			}
			plain = { hits, ms: performance.now() - plainStart, cost: await m.cost() };
		}

		m = await meter(b, mb.email);
		const pollStart = performance.now();
		const polled = await runPoll({ node: GmailReplyDetectorTrigger, parameters, credentials, staticData });
		const pollMs = performance.now() - pollStart;
		if (polled.error) throw polled.error;
		const trigger = await m.cost();
		const events = polled.items?.length ?? 0;
		if (events !== WITH_MAIL) throw new Error(`the trigger emitted ${events} events, expected ${WITH_MAIL}`);

		m = await meter(b, mb.email);
		const nodeStart = performance.now();
		const rows = addresses.map((email, i) => ({ email, row_number: i + 2 }));
		const run = await runNode({ node: GmailReplyDetector, parameters: { campaign: 'bench', emailField: 'email', since: 'date', sinceDate: lastCheck, options: { quotaUnitsPerMinute: 100_000_000 } }, items: rows, credentials });
		const nodeMs = performance.now() - nodeStart;
		if (run.error) throw run.error;
		const node = await m.cost();
		const [stop, wait, cont] = [0, 1, 2].map((o) => (run.outputs[o] ?? []).map((i) => i.json));
		const settled = stop.length + wait.length + cont.filter((c) => c.replyStatus !== 'no_reply').length;
		if (settled !== WITH_MAIL) throw new Error(`the node found ${settled} leads with mail, expected ${WITH_MAIL}`);
		return { leads, ...(plain ? { perLead: plain } : {}), trigger: { events, cost: trigger, ms: pollMs }, node: { settled, cost: node, ms: nodeMs }, seedMs };
	} finally {
		await b.close();
	}
}

/** Per lead one `{from:lead lead}` search since the last check vs one trigger poll vs one node run over all 10,000. */
export async function repliesBench(): Promise<Table> {
	const r = await measure(LEADS, true);
	const plain = r.perLead!;
	const row = (name: string, found: number, c: Cost, ms: number): Array<string | number> => [name, found, num(c.calls), num(c.requests), num(c.units), pct(c.units, plain.cost.units), num(ms)];
	return {
		title: `Who wrote back? ${num(LEADS)} leads in history, ${WITH_MAIL} with new mail since the last check (replies, out-of-office, remote bounces, opt-outs)`,
		columns: ['approach', 'found', 'API calls', 'HTTP requests', 'quota units', 'units / per-lead', 'wall ms'],
		rows: [
			row('per lead: one messages.list `{from:lead lead}` since the check', plain.hits, plain.cost, plain.ms),
			row('Reply Detector Trigger: one poll (history + one read per new message)', r.trigger.events, r.trigger.cost, r.trigger.ms),
			row(`Reply Detector node: all ${num(LEADS)} leads (wide search + batched reads + labels)`, r.node.settled, r.node.cost, r.node.ms),
		],
		notes: [
			`per lead: ${methods(plain.cost)}; trigger: ${methods(r.trigger.cost)}; node: ${methods(r.node.cost)}`,
			`the per-lead searches only list ids: classifying the ${plain.hits} hits would cost at least ${num(plain.hits * 5)} more units (one read each), which both of ours include`,
			`the floor of any approach that reads each new message once: ${num(WITH_MAIL * 5)} units = ${pct(WITH_MAIL * 5, plain.cost.units)} of the per-lead cost`,
			`seeding ${num(LEADS)} sent messages through the sandbox store took ${num(r.seedMs)} ms`,
		],
	};
}

/** Lead counts of the scaling benchmark; the per-lead searches are run up to BENCH_PER_LEAD_MAX leads (default 1,000), beyond that they are 5 units a lead by construction. */
const SCALES = [1_000, 10_000, 50_000];

/** Reply-check cost for 1,000 / 10,000 / 50,000 leads with 100 inbound changes: ours should be flat in N. */
export async function replyScalingBench(): Promise<Table> {
	const perLeadMax = Number(process.env.BENCH_PER_LEAD_MAX ?? 1_000);
	const runs: Measured[] = [];
	for (const n of SCALES) runs.push(await measure(n, n <= perLeadMax));
	const measuredPerLead = runs.find((r) => r.perLead)?.perLead;
	const unitsPerLead = measuredPerLead ? measuredPerLead.cost.units / runs.find((r) => r.perLead)!.leads : 5;
	const slope = (pick: (r: Measured) => number) => ((pick(runs[runs.length - 1]) - pick(runs[0])) / (SCALES[SCALES.length - 1] - SCALES[0])) * 1000;
	return {
		title: `Reply-check scaling: ${WITH_MAIL} inbound changes, N leads in history`,
		columns: ['leads', 'per-lead units', 'trigger calls', 'trigger units', 'node calls', 'node units', 'node / per-lead'],
		rows: runs.map((r) => {
			const plainUnits = r.perLead?.cost.units ?? r.leads * unitsPerLead;
			return [num(r.leads), `${num(plainUnits)}${r.perLead ? '' : ' (5 × N)'}`, num(r.trigger.cost.calls), num(r.trigger.cost.units), num(r.node.cost.calls), num(r.node.cost.units), pct(r.node.cost.units, plainUnits)];
		}),
		notes: [
			`slope per 1,000 more leads: trigger ${slope((r) => r.trigger.cost.units).toFixed(2)} units, node ${slope((r) => r.node.cost.units).toFixed(2)} units, per-lead ${num(unitsPerLead * 1000)} units`,
			`per-lead searches measured at ${runs.filter((r) => r.perLead).map((r) => num(r.leads)).join(', ') || 'no size'} leads (${unitsPerLead.toFixed(2)} units a lead); BENCH_PER_LEAD_MAX=50000 measures them at every size (minutes)`,
		],
	};
}
