#!/usr/bin/env node
// The README's test command: runs every suite with Node's test runner (TypeScript through tsx).
// Usage: npm test [-- suite...]   suites: unit sandbox transport node e2e browser queue (default: all)
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
	console.error(
		`Node ${process.versions.node} is too old: n8n 2.x needs Node >= 24. Run through npm (npm test), ` +
			'which puts the project\'s own Node 24 (devDependency "node") first on PATH.',
	);
	process.exit(1);
}

const all = ['unit', 'sandbox', 'transport', 'node', 'e2e', 'browser', 'queue'];
const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const suites = wanted.length ? wanted : all;

/** Every *.test.ts below dir, sorted so runs are repeatable. */
function testFiles(dir) {
	if (!existsSync(dir)) return [];
	return readdirSync(dir)
		.sort()
		.flatMap((name) => {
			const full = path.join(dir, name);
			if (statSync(full).isDirectory()) return testFiles(full);
			return name.endsWith('.test.ts') ? [full] : [];
		});
}

const files = suites.flatMap((s) => testFiles(path.join('test', s)));
if (files.length === 0) {
	console.error(`no test files found for: ${suites.join(', ')}`);
	process.exit(1);
}

// Suites that need real n8n, Chromium, or PostgreSQL and Redis (queue mode) install them first (cached outside git).
for (const [suite, script, ...args] of [
	['e2e', 'scripts/install-n8n.sh'],
	['browser', 'scripts/install-n8n.sh'],
	['browser', 'scripts/install-chromium.sh'],
	['queue', 'scripts/install-n8n.sh'],
	['queue', 'scripts/queue-mode.sh', 'install'],
]) {
	if (suites.includes(suite) && existsSync(script) && testFiles(path.join('test', suite)).length) {
		const r = spawnSync('bash', [script, ...args], { stdio: 'inherit' });
		if (r.status !== 0) process.exit(r.status ?? 1);
	}
}

// The queue suite runs a whole cluster (PostgreSQL, Redis, three n8n processes): on its own, after the others,
// so two cores are not shared with another real n8n.
const alone = testFiles(path.join('test', 'queue')).filter((f) => files.includes(f));
const together = files.filter((f) => !alone.includes(f));
let status = 0;
for (const [group, concurrency] of [[together, 2], [alone, 1]]) {
	if (!group.length) continue;
	const r = spawnSync(
		process.execPath,
		['--import', 'tsx', '--test', '--test-reporter=spec', `--test-concurrency=${concurrency}`, ...group],
		{ stdio: 'inherit', env: { ...process.env, NODE_ENV: 'test' } },
	);
	if (r.status !== 0) status = r.status ?? 1;
}
process.exit(status);
