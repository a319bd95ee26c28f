// The README's "run it" command itself: `npm start` brings up the Gmail Sandbox and a real n8n with the
// demo (owner, connected credential, example workflows) within 3 minutes, and Ctrl-C stops both.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { N8nClient } from '../../scripts/n8n/client';
import { freePort, REPO_DIR } from '../../scripts/n8n/runtime';
import { demoOwner } from '../../scripts/demo/start';

const stateDir = mkdtempSync(path.join(os.tmpdir(), 'outreach-npm-start-'));
let child: ChildProcess | undefined;

after(() => {
	// Whatever is left of the group (only after a failure) goes; a group already gone is fine.
	try {
		if (child?.pid) process.kill(-child.pid, 'SIGKILL');
	} catch {
		// ESRCH: nothing left
	}
	rmSync(stateDir, { recursive: true, force: true });
});

/** Resolves when `predicate` holds for the output so far, rejects after `ms`. */
function waitForOutput(proc: ChildProcess, output: () => string, predicate: (s: string) => boolean, ms: number): Promise<void> {
	return new Promise((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error(`not ready after ${ms} ms:\n${output().slice(-3000)}`)), ms);
		const check = () => {
			if (predicate(output())) {
				clearTimeout(timer);
				resolve();
			}
		};
		proc.stdout!.on('data', check);
		proc.on('exit', (code) => reject(new Error(`npm start exited (${code}) before it was ready:\n${output().slice(-3000)}`)));
	});
}

test('npm start: both URLs answer within 3 minutes, the demo is ready to run, Ctrl-C stops both', { timeout: 300_000 }, async () => {
	const [n8nPort, sandboxPort] = [await freePort(), await freePort()];
	let out = '';
	const started = Date.now();
	child = spawn('npm', ['start'], {
		cwd: REPO_DIR,
		detached: true, // its own process group, as in a terminal: Ctrl-C reaches every process of it
		// The suite built dist/ already; other real-n8n tests load it at the same time, so no rebuild here.
		env: { ...process.env, N8N_PORT: String(n8nPort), SANDBOX_PORT: String(sandboxPort), OUTREACH_DEMO_DIR: stateDir, OUTREACH_SKIP_BUILD: '1' },
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	child.stdout!.on('data', (d) => (out += d));
	child.stderr!.on('data', (d) => (out += d));
	await waitForOutput(child, () => out, (s) => /Ready in \d+ s\./.test(s), 180_000);
	assert.ok(Date.now() - started < 180_000);

	const editor = out.match(/n8n editor:\s+(\S+)/)?.[1];
	const view = out.match(/Sandbox mail view:\s+(\S+)/)?.[1];
	assert.equal(editor, `http://127.0.0.1:${n8nPort}`);
	assert.ok(view?.startsWith(`http://127.0.0.1:${sandboxPort}/view/`), view);
	assert.equal((await fetch(`${editor}/healthz`)).status, 200);
	const page = await fetch(view!);
	assert.equal(page.status, 200);
	assert.match(await page.text(), /founder@acme-demo\.test/);

	// The printed login works, the sandbox credential is there and the examples are imported.
	const owner = demoOwner();
	assert.match(out, new RegExp(`login: ${owner.email.replace('.', '\\.')}`));
	const client = new N8nClient(editor!);
	await client.login(owner);
	assert.ok((await client.credentials()).some((c) => c.name === 'Gmail Sandbox (demo)'));
	const names = (await client.workflows()).map((w) => w.name);
	assert.ok(names.some((n) => /Demo: cold campaign/i.test(n)), names.join(', '));
	assert.ok(names.some((n) => /Demo: follow-up/i.test(n)), names.join(', '));

	// Ctrl-C: the whole group gets SIGINT, as from a terminal; both servers stop and the command exits.
	const exited = new Promise<number | null>((resolve) => child!.on('exit', (code) => resolve(code)));
	process.kill(-child.pid!, 'SIGINT');
	let timer: NodeJS.Timeout | undefined;
	const code = await Promise.race([exited, new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), 30_000)))]);
	clearTimeout(timer);
	assert.notEqual(code, 'timeout', 'npm start did not stop within 30 s of Ctrl-C');
	child.stdout!.destroy();
	child.stderr!.destroy();
	await assert.rejects(fetch(`${editor}/healthz`), 'n8n still answers after Ctrl-C');
	await assert.rejects(fetch(view!), 'the sandbox still answers after Ctrl-C');
});
