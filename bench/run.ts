// `npm run bench [-- name ...]`: every benchmark (or the named ones) against the Gmail Sandbox on loopback; results are printed, never asserted.
import { n8nUserFolder } from '../test/support/n8n-env';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { render, type Table } from './table';

const BENCHES: Array<{ name: string; run: () => Promise<Table> }> = [
	// Loaded on demand: a benchmark's imports (n8n-core, googleapis) cost seconds.
	{ name: 'already-sent', run: async () => (await import('./already-sent')).alreadySentBench() },
	{ name: 'engagement', run: async () => (await import('./engagement')).engagementBench() },
	{ name: 'labels', run: async () => (await import('./labels')).labelsBench() },
	{ name: 'mime', run: async () => (await import('./mime')).mimeBench() },
	{ name: 'pacing', run: async () => (await import('./pacing')).pacingBench() },
	{ name: 'quota', run: async () => (await import('./quota')).quotaBench() },
	{ name: 'replies', run: async () => (await import('./replies')).repliesBench() },
	{ name: 'sequence', run: async () => (await import('./sequence')).sequenceBench() },
	{ name: 'reply-scaling', run: async () => (await import('./replies')).replyScalingBench() },
];

async function main(): Promise<void> {
	const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
	const unknown = wanted.filter((w) => !BENCHES.some((b) => b.name === w));
	if (unknown.length) throw new Error(`unknown benchmark(s): ${unknown.join(', ')}; known: ${BENCHES.map((b) => b.name).join(', ')}`);
	const cpus = os.cpus();
	console.log(`# gmail-outreach benchmarks — ${new Date().toISOString()} — Node ${process.version}, ${cpus.length} cores (${cpus[0]?.model ?? '?'})`);
	const started = performance.now();
	for (const b of BENCHES) {
		if (wanted.length && !wanted.includes(b.name)) continue;
		const t = performance.now();
		const table = await b.run();
		console.log(render(table));
		const seconds = (performance.now() - t) / 1000;
		console.log(`  (${b.name}: ${seconds.toFixed(1)} s)`);
		writeResult(b.name, { ...table, seconds, at: new Date().toISOString(), node: process.version, cores: cpus.length, cpu: cpus[0]?.model ?? '?' });
	}
	console.log(`\nall done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

/** Writes one benchmark's table as JSON to bench/results/<name>.json (the latest run; the folder is not in git). */
function writeResult(name: string, result: object): void {
	const dir = path.join(__dirname, 'results');
	mkdirSync(dir, { recursive: true });
	writeFileSync(path.join(dir, `${name}.json`), JSON.stringify(result, null, 2) + '\n');
}

/** Removes the temporary n8n user folder the harness made (never a folder the caller chose). */
function cleanUp(): void {
	if (n8nUserFolder && path.basename(n8nUserFolder).startsWith('n8n-harness-') && path.dirname(n8nUserFolder) === os.tmpdir()) {
		rmSync(n8nUserFolder, { recursive: true, force: true });
	}
}

main().then(
	() => {
		cleanUp();
		process.exit(0);
	},
	(error: unknown) => {
		console.error(error);
		cleanUp();
		process.exit(1);
	},
);
