#!/usr/bin/env node
// `npm start`: builds the package, installs n8n if needed (cached), then runs the demo
// (scripts/demo/start.ts: Gmail Sandbox + real n8n with our nodes, credential and example workflows).
// Ctrl-C stops everything.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const localNode = path.join(repo, 'node_modules', '.bin', 'node');

// n8n 2.x needs Node >= 24: re-run with the project's own Node (devDependency "node") when started otherwise.
if (Number(process.versions.node.split('.')[0]) < 24) {
	if (!existsSync(localNode)) {
		console.error('Node >= 24 is needed and node_modules/.bin/node is missing: run `npm install` first.');
		process.exit(1);
	}
	const r = spawnSync(localNode, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
	process.exit(r.status ?? 1);
}

const env = { ...process.env, PATH: `${path.join(repo, 'node_modules', '.bin')}${path.delimiter}${process.env.PATH}` };

/** Runs a command to completion, exiting on failure. */
function step(title, cmd, args) {
	console.log(`▶ ${title}`);
	const r = spawnSync(cmd, args, { cwd: repo, stdio: 'inherit', env });
	if (r.status !== 0) {
		console.error(`✖ ${title} failed`);
		process.exit(r.status ?? 1);
	}
}

// OUTREACH_SKIP_BUILD: the tests build once up front; rebuilding would pull dist/ from under the other
// real-n8n tests running at the same time.
if (!process.env.OUTREACH_SKIP_BUILD) step('Building the package', 'npm', ['run', '--silent', 'build']);
step('Checking n8n (first run installs it: ~8-15 minutes, cached afterwards)', 'bash', ['scripts/install-n8n.sh']);

console.log('▶ Starting the Gmail Sandbox and n8n');
const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/demo/start.ts'], { cwd: repo, stdio: 'inherit', env });
// Ctrl-C reaches the child too (same terminal process group); it stops n8n and the sandbox, then exits.
for (const sig of ['SIGINT', 'SIGTERM']) {
	process.on(sig, () => {
		if (sig === 'SIGTERM') child.kill('SIGTERM');
	});
}
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
