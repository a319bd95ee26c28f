// Benchmark 1: "already sent?" for 200 leads, 100 of whom were mailed before.
import { GmailOutreachSend } from '../nodes/GmailOutreachSend/GmailOutreachSend.node.js';
import { runNode, sandboxOAuthCredential } from '../test/support/n8n';
import { benchLeads, sendParameters } from './leads';
import { plainGmail } from './plain';
import { meter, methods, startBenchSandbox, type Cost } from './sandbox';
import { median, num, ratio, type Table } from './table';

const LEADS = 200;
const ROUNDS = 3;

/** Ours: the Send node in Preview mode (batched evidence search) vs the guide: one `to:<lead> in:sent` list per lead + a get per hit. */
export async function alreadySentBench(): Promise<Table> {
	const b = await startBenchSandbox({ quotaUnitsPerWindow: 100_000_000 });
	try {
		const mb = await b.sb.createMailbox({ email: 'owner@bench-sent.example', type: 'workspace' });
		const credentials = { gmailOutreachOAuth2Api: sandboxOAuthCredential(b.apiUrl, mb) };
		const leads = benchLeads(LEADS);
		// Every other lead was mailed by an earlier run of the same campaign.
		const seeded = await runNode({ node: GmailOutreachSend, parameters: sendParameters('send'), items: leads.filter((_l, i) => i % 2 === 0), credentials });
		if (seeded.error) throw seeded.error;
		if (seeded.outputs[0]?.length !== LEADS / 2) throw new Error(`seeding sent ${seeded.outputs[0]?.length} of ${LEADS / 2}`);
		// "An earlier run": a quarter of an hour ago, so both sides find the sends through the search index (a send
		// moments ago is in the node's lag-free view only, which the plain loop does not have).
		await b.sb.clock({ advance: 'PT15M' });

		// Both are read-only here (Preview sends nothing), so rounds alternate and the median wall time is reported.
		const gmail = plainGmail(b.apiUrl, mb);
		const plainTimes: number[] = [];
		const oursTimes: number[] = [];
		let plain: Cost | undefined;
		let ours: Cost | undefined;
		let plainHits = 0;
		let run: Awaited<ReturnType<typeof runNode>> | undefined;
		for (let round = 0; round < ROUNDS; round++) {
			let m = await meter(b, mb.email);
			let t = performance.now();
			plainHits = 0;
			for (const lead of leads) {
				const res = await gmail.users.messages.list({ userId: 'me', q: `to:${String(lead.email)} in:sent`, maxResults: 1 });
				for (const hit of res.data.messages ?? []) {
					await gmail.users.messages.get({ userId: 'me', id: hit.id as string, format: 'metadata' });
					plainHits++;
				}
			}
			plainTimes.push(performance.now() - t);
			plain = await m.cost();

			m = await meter(b, mb.email);
			t = performance.now();
			run = await runNode({ node: GmailOutreachSend, parameters: sendParameters('preview'), items: leads, credentials });
			oursTimes.push(performance.now() - t);
			ours = await m.cost();
			if (run.error) throw run.error;
		}
		if (!run || !plain || !ours) throw new Error('no rounds ran');
		const plainMs = median(plainTimes);
		const oursMs = median(oursTimes);
		const skipped = (run.outputs[1] ?? []).filter((i) => i.json.reason === 'already_sent').length;
		const previewed = (run.outputs[0] ?? []).length;
		if (skipped !== LEADS / 2 || previewed !== LEADS / 2) throw new Error(`ours found ${skipped} already sent, previewed ${previewed}`);
		if (plainHits !== LEADS / 2) throw new Error(`plain found ${plainHits} already sent`);

		return {
			title: `1. "Already sent?" for ${LEADS} leads (${LEADS / 2} sent before)`,
			columns: ['approach', 'found', 'API calls', 'HTTP requests', 'quota units', 'wall ms'],
			rows: [
				row('plain: list per lead + get per hit', plainHits, plain, plainMs),
				row('ours: Send node, Preview mode', skipped, ours, oursMs),
				['ratio ours / plain', '', ratio(ours.calls, plain.calls), ratio(ours.requests, plain.requests), ratio(ours.units, plain.units), ratio(oursMs, plainMs)],
			],
			notes: [
				`plain: ${methods(plain)}; ours: ${methods(ours)}`,
				`wall ms: median of ${ROUNDS} alternating rounds. Ours also renders and builds MIME for the 100 leads still due and runs inside n8n-core; the guide's 0.1 s sleep per lead is left out of plain.`,
			],
		};
	} finally {
		await b.close();
	}
}

function row(name: string, found: number, c: Cost, ms: number): Array<string | number> {
	return [name, found, num(c.calls), num(c.requests), num(c.units), num(ms)];
}
