// Benchmark 4: 40 sends under a shortened per-user quota window — our paced transport vs a naive loop with the guide's backoff.
import { randomUUID } from 'node:crypto';
import type { IDataObject } from 'n8n-workflow';
import { HARNESS_START, runNode, runWorkflow, sandboxOAuthCredential } from '../test/support/n8n';
import type { TestMailbox } from '../test/support/sandbox';
import { b64url, rawMessage } from '../test/support/sandbox';
import { plainGmail, statusOf } from './plain';
import { BenchProbe } from './probe';
import { meter, startBenchSandbox, type Cost } from './sandbox';
import { num, ratio, type Table } from './table';

const SENDS = 40;
const UNITS_PER_WINDOW = 1000;
const WINDOW_MS = 5000;
/** 100 units per send: the first window's budget goes at once, then one window per further budget's worth. */
const MINIMUM_MS = (Math.ceil((SENDS * 100) / UNITS_PER_WINDOW) - 1) * WINDOW_MS;
/** The guide's send_with_retry: 4 attempts. */
const GUIDE_ATTEMPTS = 4;

/** The guide's backoff after failed attempt n (0-based): 2^n s plus up to 1 s of jitter, at most 64 s; it ignores Retry-After. */
function guideBackoffMs(attempt: number): number {
	return Math.min(2 ** attempt + Math.random(), 64) * 1000;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** One send after another, as fast as possible; a 429 (or 403) is retried on the guide's schedule, GUIDE_ATTEMPTS tries in all. */
async function guideLoop(gmail: ReturnType<typeof plainGmail>, raws: string[]): Promise<{ sent: number; retries: number }> {
	let sent = 0;
	let retries = 0;
	for (const raw of raws) {
		for (let attempt = 0; attempt < GUIDE_ATTEMPTS; attempt++) {
			try {
				await gmail.users.messages.send({ userId: 'me', requestBody: { raw } });
				sent++;
				break;
			} catch (error) {
				const status = statusOf(error);
				if (status !== 429 && status !== 403) throw error;
				retries++;
				await sleep(guideBackoffMs(attempt));
			}
		}
	}
	return { sent, retries };
}

/** Two queue-mode workers on one mailbox: this many sends each, each call's retry budget one window (as the nodes' 60 s is one Gmail window). */
const SHARED_SENDS = 30;
const SHARED_MINIMUM_MS = (Math.ceil((2 * SHARED_SENDS * 100) / UNITS_PER_WINDOW) - 1) * WINDOW_MS;

/** The shortened window is a sandbox fault on each mailbox, so every Gmail call is charged against 1,000 units per 5 s. */
export async function pacingBench(): Promise<Table> {
	const b = await startBenchSandbox();
	try {
		const oursBox = await b.sb.createMailbox({ email: 'paced@bench.example', type: 'workspace' });
		const plainBox = await b.sb.createMailbox({ email: 'naive@bench.example', type: 'workspace' });
		for (const mb of [oursBox, plainBox]) await b.sb.faults({ mailbox: mb.email, quota: { unitsPerWindow: UNITS_PER_WINDOW, windowMs: WINDOW_MS } });
		const raws = (from: string) => Array.from({ length: SENDS }, (_v, i) => b64url(rawMessage({ from, to: `lead${i}@company${i}.example`, subject: `Quick question ${i}` })));

		// Naive first (its 20+ s also leave the process-wide pacer idle for ours).
		const gmail = plainGmail(b.apiUrl, plainBox);
		const m = await meter(b, plainBox.email);
		const t = performance.now();
		const { sent: plainSent, retries: plainRetries } = await guideLoop(gmail, raws(plainBox.email));
		const plainMs = performance.now() - t;
		const plain = await m.cost();

		// Ours: all 40 handed to the transport at once; its pacer spends the window's budget and waits for the next.
		const paced = async (mb: typeof oursBox) => {
			const cost = await meter(b, mb.email);
			const start = performance.now();
			const run = await runNode({
				node: BenchProbe,
				parameters: { op: 'sendAll', clientOptions: JSON.stringify({ perMinuteUnits: UNITS_PER_WINDOW, windowMs: WINDOW_MS, concurrency: 4 }) },
				items: raws(mb.email).map((raw) => ({ raw })),
				credentials: { gmailOutreachOAuth2Api: sandboxOAuthCredential(b.apiUrl, mb) },
			});
			const ms = performance.now() - start;
			if (run.error) throw run.error;
			const outs = run.outputs[0].map((i) => i.json);
			return { ms, cost: await cost.cost(), sent: outs.filter((j) => j.ok).length, retries: Number((outs[0].stats as IDataObject).retries) };
		};
		const ours = await paced(oursBox);
		// The same over a network like Gmail's: 50–150 ms per call. (The pacer is per credential id, so let its window pass first.)
		const slowBox = await b.sb.createMailbox({ email: 'paced-latency@bench.example', type: 'workspace' });
		await b.sb.faults({ mailbox: slowBox.email, quota: { unitsPerWindow: UNITS_PER_WINDOW, windowMs: WINDOW_MS }, latencyMs: 50, jitterMs: 100 });
		await sleep(WINDOW_MS);
		const slow = await paced(slowBox);

		const shared = await sharedPacing(b);

		const row = (name: string, sent: number, c: Cost, retries: number, ms: number): Array<string | number> => [
			name,
			`${sent}/${SENDS}`,
			num(c.calls),
			num(c.rateLimited),
			num(retries),
			num(ms),
			ratio(ms, MINIMUM_MS),
			`${((100 * MINIMUM_MS) / ms).toFixed(1)} %`,
		];
		return {
			title: `4. Pacing: ${SENDS} sends at ${num(UNITS_PER_WINDOW)} units per ${WINDOW_MS / 1000} s (theoretical minimum ${MINIMUM_MS / 1000} s; target: ≥ 95 % of the maximum rate, no 429)`,
			columns: ['approach', 'sent', 'API calls', '429s seen', 'retries', 'wall ms', 'ratio to minimum', 'efficiency'],
			rows: [
				row('plain: loop + guide backoff (2^n s + jitter)', plainSent, plain, plainRetries, plainMs),
				row('ours: paced transport (concurrency 4)', ours.sent, ours.cost, ours.retries, ours.ms),
				row('ours, 50–150 ms latency per call', slow.sent, slow.cost, slow.retries, slow.ms),
				['ratio ours / plain', '', ratio(ours.cost.calls, plain.calls), '', '', ratio(ours.ms, plainMs), '', ''],
				sharedRow(`two workers, each a plain loop (guide backoff, ${GUIDE_ATTEMPTS} attempts)`, shared.plain),
				sharedRow('two workers, each its own paced transport (retry budget one window)', shared.ours),
			],
			notes: [
				`the guide's backoff is random (jitter), so plain's time varies from run to run; ours includes n8n-core's workflow set-up.`,
				`quota units charged: plain ${num(plain.units)}, ours ${num(ours.cost.units)} (refused calls are not charged); efficiency = the minimum time / the time taken (sends per window against the most the quota allows).`,
				`two workers: ${SHARED_SENDS} sends each at once from one mailbox, each with a pacer (or loop) of its own that cannot see the other's, as two queue-mode processes; minimum ${SHARED_MINIMUM_MS / 1000} s for both. Ours cuts its share on Gmail's refusals; "sent" counts what went out before the retries gave up (the rest would be deferred).`,
			],
		};
	} finally {
		await b.close();
	}
}

interface SharedSide {
	sent: number;
	cost: Cost;
	ms: number;
}

function sharedRow(name: string, x: SharedSide): Array<string | number> {
	return [name, `${x.sent}/${2 * SHARED_SENDS}`, num(x.cost.calls), num(x.cost.rateLimited), num(x.cost.calls - x.sent), num(x.ms), ratio(x.ms, SHARED_MINIMUM_MS), `${((100 * SHARED_MINIMUM_MS) / x.ms).toFixed(1)} %`];
}

/** Two workers sending from one mailbox at once: two plain loops, then two executions whose credential ids differ (two pacers). */
async function sharedPacing(b: Awaited<ReturnType<typeof startBenchSandbox>>): Promise<{ plain: SharedSide; ours: SharedSide }> {
	const box = async (email: string) => {
		const mb = await b.sb.createMailbox({ email, type: 'workspace' });
		await b.sb.faults({ mailbox: mb.email, quota: { unitsPerWindow: UNITS_PER_WINDOW, windowMs: WINDOW_MS } });
		return mb;
	};
	const raws = (mb: TestMailbox, tag: string) => Array.from({ length: SHARED_SENDS }, (_v, i) => b64url(rawMessage({ from: mb.email, to: `${tag}${i}@company${i}.example`, subject: `Shared ${tag} ${i}` })));

	const plainBox = await box('shared-naive@bench.example');
	const gmail = plainGmail(b.apiUrl, plainBox);
	const plainLoop = async (tag: string) => (await guideLoop(gmail, raws(plainBox, tag))).sent;
	const pm = await meter(b, plainBox.email);
	let t = performance.now();
	const plainSent = (await Promise.all([plainLoop('a'), plainLoop('b')])).reduce((x, y) => x + y, 0);
	const plain = { sent: plainSent, ms: performance.now() - t, cost: await pm.cost() };

	const oursBox = await box('shared-paced@bench.example');
	const worker = async (tag: string) => {
		const r = await runWorkflow({
			nodes: [
				{ id: randomUUID(), name: 'Start', type: HARNESS_START, typeVersion: 1, position: [0, 0], parameters: {} },
				{
					id: randomUUID(), name: 'Probe', type: 'benchProbe', typeVersion: 1, position: [200, 0],
					parameters: { op: 'sendAll', clientOptions: JSON.stringify({ perMinuteUnits: UNITS_PER_WINDOW, windowMs: WINDOW_MS, concurrency: 4, budgetMs: WINDOW_MS }) },
					credentials: { gmailOutreachOAuth2Api: { id: `bench-worker-${tag}`, name: `worker ${tag}` } },
				},
			],
			connections: { Start: { main: [[{ node: 'Probe', type: 'main', index: 0 }]] } },
			nodeTypes: { benchProbe: new BenchProbe() },
			credentials: { gmailOutreachOAuth2Api: sandboxOAuthCredential(b.apiUrl, oursBox) },
			startItems: raws(oursBox, tag).map((raw) => ({ raw })),
		});
		if (r.error) throw r.error;
		return r.outputsOf('Probe')[0].filter((i) => i.json.ok).length;
	};
	const om = await meter(b, oursBox.email);
	t = performance.now();
	const oursSent = (await Promise.all([worker('a'), worker('b')])).reduce((x, y) => x + y, 0);
	return { plain, ours: { sent: oursSent, ms: performance.now() - t, cost: await om.cost() } };
}
