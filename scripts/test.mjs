#!/usr/bin/env node
// The README's test command: runs every suite with Node's test runner (TypeScript through tsx).
// Usage: npm test [-- suite...]   suites: unit sandbox transport node e2e browser (default: all)
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

const all = ['unit', 'sandbox', 'transport', 'node', 'e2e', 'browser'];
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

// Suites that need real n8n or Chromium install them first (cached outside git).
for (const [suite, script] of [
	['e2e', 'scripts/install-n8n.sh'],
	['browser', 'scripts/install-n8n.sh'],
	['browser', 'scripts/install-chromium.sh'],
]) {
	if (suites.includes(suite) && existsSync(script) && testFiles(path.join('test', suite)).length) {
		const r = spawnSync('bash', [script], { stdio: 'inherit' });
		if (r.status !== 0) process.exit(r.status ?? 1);
	}
}

const r = spawnSync(
	process.execPath,
	['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=2', ...files],
	{ stdio: 'inherit', env: { ...process.env, NODE_ENV: 'test' } },
);
process.exit(r.status ?? 1);
