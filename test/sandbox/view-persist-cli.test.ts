import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createSandbox } from '../../sandbox/index';
import { parseArgs } from '../../sandbox/cli';
import { b64url, rawMessage, startSandbox, type TestSandbox } from '../support/sandbox';

let sb: TestSandbox;
before(async () => {
	sb = await startSandbox();
});
after(() => sb.close());

describe('web view', () => {
	test('index and mailbox pages render escaped HTML with threads in order, labels and sent vs cap', async () => {
		const box = await sb.createMailbox({ email: 'view@example.com', type: 'workspace' });
		const evil = '<script>alert("x")</script> & Co';
		const first = (await sb.gmail(box.accessToken, 'POST', '/gmail/v1/users/me/messages/send', { raw: b64url(rawMessage({ from: 'view@example.com', to: 'lead@acme.com', subject: evil, text: 'first <b>body</b>' })) })).body;
		await sb.deliver({ to: 'view@example.com', replyTo: first.id, kind: 'reply', text: 'second' });
		await sb.gmail(box.accessToken, 'POST', '/gmail/v1/users/me/labels', { name: 'Outreach/<Hot>' });
		const index = await fetch(`${sb.url}/`);
		assert.equal(index.status, 200);
		assert.match(index.headers.get('content-type') ?? '', /text\/html/);
		const indexHtml = await index.text();
		assert.match(indexHtml, /href="\/view\/view%40example\.com"/);
		assert.match(indexHtml, /1 \/ 2000/);
		const page = await (await fetch(`${sb.url}/view/view@example.com`)).text();
		assert.ok(!page.includes('<script>alert'), 'subject escaped');
		assert.ok(page.includes('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co'));
		assert.ok(page.includes('Outreach/&lt;Hot&gt;'));
		assert.match(page, /Sent in the last 24 h: 1 \/ 2000/);
		const firstAt = page.indexOf('first &lt;b&gt;body&lt;/b&gt;');
		const secondAt = page.indexOf('second');
		assert.ok(firstAt > 0 && secondAt > firstAt, 'messages of a thread in order');
		assert.equal((await fetch(`${sb.url}/view/nobody@example.com`)).status, 404);
	});
	test('unknown paths and wrong methods answer in Google\'s envelope', async () => {
		const r = await fetch(`${sb.url}/gmail/v1/users/me/nothing`);
		assert.equal(r.status, 404);
		assert.equal((await r.json()).error.status, 'NOT_FOUND');
		assert.equal((await fetch(`${sb.url}/sandbox/reset`)).status, 405);
	});
});

describe('persistence and CLI', () => {
	test('--data: state survives a restart (mailboxes, messages, labels, tokens, clock)', async () => {
		const dir = mkdtempSync(path.join(tmpdir(), 'sandbox-data-'));
		try {
			const a = createSandbox({ dataDir: dir });
			const url = await a.listen(0);
			const mk = await (await fetch(`${url}/sandbox/mailboxes`, { method: 'POST', body: JSON.stringify({ email: 'keep@example.com' }), headers: { 'Content-Type': 'application/json' } })).json();
			const auth = { Authorization: `Bearer ${mk.accessToken}`, 'Content-Type': 'application/json' };
			const sent = await (await fetch(`${url}/gmail/v1/users/me/messages/send`, { method: 'POST', headers: auth, body: JSON.stringify({ raw: b64url(rawMessage({ from: 'keep@example.com', to: 'l@acme.com', subject: 'persist me' })) }) })).json();
			await fetch(`${url}/gmail/v1/users/me/labels`, { method: 'POST', headers: auth, body: JSON.stringify({ name: 'Kept' }) });
			await fetch(`${url}/sandbox/clock`, { method: 'POST', headers: auth, body: JSON.stringify({ advance: 'PT30M' }) });
			await a.close();
			const b = createSandbox({ dataDir: dir });
			const url2 = await b.listen(0);
			try {
				const got = await fetch(`${url2}/gmail/v1/users/me/messages/${sent.id}?format=metadata`, { headers: auth });
				assert.equal(got.status, 200);
				assert.equal((await got.json()).threadId, sent.threadId);
				const labels = await (await fetch(`${url2}/gmail/v1/users/me/labels`, { headers: auth })).json();
				assert.ok(labels.labels.some((l: { name: string }) => l.name === 'Kept'));
				const q = await (await fetch(`${url2}/gmail/v1/users/me/messages?q=${encodeURIComponent('subject:"persist me"')}`, { headers: auth })).json();
				assert.equal(q.resultSizeEstimate, 1);
				const now = Date.parse((await (await fetch(`${url2}/sandbox/clock`)).json()).now);
				assert.ok(now - Date.now() > 29 * 60_000);
			} finally {
				await b.close();
			}
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	});
	test('parseArgs: default 8787, PORT, --port, --data', () => {
		assert.deepEqual(parseArgs([], {}), { port: 8787, host: '127.0.0.1' });
		assert.equal(parseArgs([], { PORT: '9000' }).port, 9000);
		assert.equal(parseArgs(['--port', '0'], { PORT: '9000' }).port, 0);
		assert.equal(parseArgs(['--port=1234', '--data', '/tmp/x'], {}).dataDir, '/tmp/x');
		assert.throws(() => parseArgs(['--port', 'abc'], {}));
	});
	test('npm run sandbox -- --port 0 prints the chosen port and serves', async () => {
		const child = spawn(process.execPath, [path.join(process.cwd(), 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'sandbox/cli.ts', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
		try {
			const url = await new Promise<string>((resolve, reject) => {
				let out = '';
				const timer = setTimeout(() => reject(new Error(`no URL printed: ${out}`)), 20_000);
				child.stdout.on('data', (d: Buffer) => {
					out += d.toString();
					const m = /listening on (http:\/\/127\.0\.0\.1:(\d+))/.exec(out);
					if (m) {
						clearTimeout(timer);
						resolve(m[1]);
					}
				});
				child.on('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
			});
			assert.notEqual(new URL(url).port, '0');
			assert.equal((await fetch(`${url}/`)).status, 200);
		} finally {
			child.kill('SIGTERM');
		}
	});
});
