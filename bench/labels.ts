// Benchmark 2: labelling 100 sent messages — batchModify (ours) vs one messages.modify per message (the guide).
import type { IDataObject } from 'n8n-workflow';
import { runNode, sandboxOAuthCredential } from '../test/support/n8n';
import { plainGmail } from './plain';
import { BenchProbe } from './probe';
import { meter, methods, startBenchSandbox, type BenchSandbox, type Cost } from './sandbox';
import { median, num, ratio, type Table } from './table';

const MESSAGES = 100;
const ROUNDS = 3;

type Way = 'plain' | 'batchModify' | 'labelBatcher';

const WAYS: Array<{ way: Way; name: string }> = [
	{ way: 'plain', name: 'plain: labels.list/create + modify per message' },
	{ way: 'batchModify', name: 'ours: ensureLabels + one batchModify' },
	{ way: 'labelBatcher', name: "ours: Send node's LabelBatcher (50 ids/call)" },
];

/** Each way labels the same 100 messages with a label of its own per round; the median in-code time is reported. */
export async function labelsBench(): Promise<Table> {
	const b = await startBenchSandbox({ quotaUnitsPerWindow: 100_000_000 });
	try {
		const mb = await b.sb.createMailbox({ email: 'owner@bench-labels.example', type: 'workspace' });
		const { ids } = await b.sb.manualSend({ from: mb.email, to: 'lead@company.example', subject: 'Quick question', count: MESSAGES });
		const gmail = plainGmail(b.apiUrl, mb);
		const credentials = { gmailOutreachOAuth2Api: sandboxOAuthCredential(b.apiUrl, mb) };
		const results = new Map<Way, { times: number[]; cost?: Cost }>(WAYS.map((w) => [w.way, { times: [] }]));

		for (let round = 0; round < ROUNDS; round++) {
			for (const { way } of WAYS) {
				const name = `Bench/${way}/${round}`;
				const m = await meter(b, mb.email);
				let ms: number;
				if (way === 'plain') {
					const t = performance.now();
					// The guide's get_or_create_label, then one modify per message.
					const labels = (await gmail.users.labels.list({ userId: 'me' })).data.labels ?? [];
					const labelId = labels.find((l) => l.name === name)?.id ?? (await gmail.users.labels.create({ userId: 'me', requestBody: { name } })).data.id;
					for (const id of ids) await gmail.users.messages.modify({ userId: 'me', id, requestBody: { addLabelIds: [labelId as string] } });
					ms = performance.now() - t;
				} else {
					const run = await runNode({
						node: BenchProbe,
						parameters: { op: 'label', clientOptions: JSON.stringify({ perMinuteUnits: 1_000_000 }) },
						items: [{ ids, label: name, via: way }],
						credentials,
					});
					if (run.error) throw run.error;
					ms = Number((run.outputs[0][0].json.stats as IDataObject).ms);
				}
				const r = results.get(way)!;
				r.times.push(ms);
				r.cost = await m.cost();
				checkLabelled(b, mb.email, name, ids.length);
			}
		}

		const plain = results.get('plain')!;
		const plainMs = median(plain.times);
		const rows: Array<Array<string | number>> = [];
		for (const { way, name } of WAYS) {
			const r = results.get(way)!;
			const c = r.cost!;
			const ms = median(r.times);
			rows.push([name, num(c.calls), num(c.requests), num(c.units), num(ms), way === 'plain' ? '' : `${ratio(c.units, plain.cost!.units)} units, ${ratio(ms, plainMs)} time`]);
		}
		return {
			title: `2. Labelling ${MESSAGES} sent messages`,
			columns: ['approach', 'API calls', 'HTTP requests', 'quota units', 'ms', 'ratio to plain'],
			rows,
			notes: [
				...WAYS.map((w) => `${w.way}: ${methods(results.get(w.way)!.cost!)}`),
				`ms: median of ${ROUNDS} rounds, timed around the labelling code only (ours inside the node's execute, so n8n-core's workflow set-up is not counted); each includes finding/creating its label.`,
			],
		};
	} finally {
		await b.close();
	}
}

/** Throws unless exactly `count` messages carry the label (so every way really did the work); reads the sandbox's store, no API call. */
function checkLabelled(b: BenchSandbox, email: string, name: string, count: number): void {
	const mb = b.sb.sandbox.store.mailboxes.get(email);
	const label = mb?.labels.find((l) => l.name === name);
	const labelled = label ? [...mb!.messages.values()].filter((m) => m.labelIds.includes(label.id)).length : 0;
	if (labelled !== count) throw new Error(`label ${name}: ${labelled} of ${count} messages labelled`);
}
