// The Gmail Sandbox as users without the repository get it: packages/gmail-sandbox packed, installed alone into an
// empty folder and started with its command; then, over HTTP, what n8n and the nodes do with it: the OAuth sign-in
// through the printed credential settings, the profile of the demo mailbox, a send read back, a label, history, and a
// restart on the same --data that keeps all of it. And the nodes' own package carries none of it.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
// Only Gmail's part of googleapis (as in test/sandbox/googleapis.test.ts): an independent Gmail client.
import { auth as googleAuth, gmail as gmailClient, type gmail_v1 } from 'googleapis/build/src/apis/gmail';
import { GMAIL_OUTREACH_SCOPES } from '../../credentials/GmailOutreachOAuth2Api.credentials';
import { DEMO_MAILBOX } from '../../sandbox/demo';
import { parseArgs } from '../../sandbox/cli';
import { credentialSettings, reachOf } from '../../sandbox/connect';
import { REPO_DIR, assertBuilt } from '../../scripts/n8n/runtime';
import { sandboxCredentialData } from '../../scripts/n8n/workflows';
import { installedPackages } from '../support/install-package';
import { b64url, rawMessage } from '../support/sandbox';

const PACKAGE = 'gmail-outreach-sandbox';
// Under os.tmpdir(), outside the repository: no node_modules above the install to fall back on.
const work = mkdtempSync(path.join(os.tmpdir(), 'sandbox-package-'));
const installDir = path.join(work, 'install');
const stateDir = path.join(work, 'state');
const running = new Set<ChildProcess>();

after(() => {
	for (const child of running) child.kill('SIGKILL');
	rmSync(work, { recursive: true, force: true });
});

/** The environment of a user's shell: none of the npm_* variables an enclosing `npm test` sets, no test runner context. */
function userEnv(): NodeJS.ProcessEnv {
	const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k) && k !== 'NODE_TEST_CONTEXT' && k !== 'NODE_PATH'));
	// The command's `#!/usr/bin/env node` finds the Node this test runs on.
	return { ...env, PATH: `${path.dirname(process.execPath)}${path.delimiter}${env.PATH ?? ''}` };
}

function npm(args: string[], cwd: string): string {
	return execFileSync('npm', args, { cwd, env: userEnv(), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 180_000 });
}

/** A started `gmail-sandbox`: its URL on 127.0.0.1, its output, and the credential settings it printed. */
interface Started {
	child: ChildProcess;
	url: string;
	output: () => string;
	printed: Record<string, string>;
}

const LABELS: Record<string, string> = {
	'Client ID': 'clientId',
	'Client Secret': 'clientSecret',
	'API Base URL': 'apiBaseUrl',
	'Authorization URL': 'authUrl',
	'Access Token URL': 'accessTokenUrl',
};

/** Runs the installed command with args and waits until it has printed its credential settings. */
async function startInstalled(args: string[]): Promise<Started> {
	const child = spawn(path.join(installDir, 'node_modules', '.bin', 'gmail-sandbox'), args, { cwd: installDir, env: userEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
	running.add(child);
	let out = '';
	child.stdout.on('data', (d: Buffer) => (out += d.toString()));
	child.stderr.on('data', (d: Buffer) => (out += d.toString()));
	await new Promise<void>((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error(`gmail-sandbox printed no settings in 20 s:\n${out}`)), 20_000);
		child.stdout.on('data', () => {
			if (/Access Token URL:.*\n/.test(out)) {
				clearTimeout(timer);
				resolve();
			}
		});
		child.on('exit', (code) => reject(new Error(`gmail-sandbox exited (${code}):\n${out}`)));
	});
	const port = /^port (\d+)$/m.exec(out)?.[1];
	assert.ok(port && port !== '0', out);
	const printed: Record<string, string> = {};
	for (const m of out.matchAll(/^ {2}(Client ID|Client Secret|API Base URL|Authorization URL|Access Token URL): +(\S+)$/gm)) printed[LABELS[m[1]]] = m[2];
	return { child, url: `http://127.0.0.1:${port}`, output: () => out, printed };
}

/** SIGTERM, as Docker and Ctrl-C stop it; resolves with the exit code once the state is written. */
async function stop(s: Started): Promise<number | null> {
	const code = new Promise<number | null>((resolve) => s.child.once('exit', (c) => resolve(c)));
	s.child.kill('SIGTERM');
	const c = await code;
	running.delete(s.child);
	return c;
}

/** The official client against the sandbox, with the tokens n8n would keep; refreshes at tokenUrl by itself. */
function gmailAt(apiUrl: string, tokenUrl: string, tokens: { access_token?: string; refresh_token: string }): gmail_v1.Gmail {
	const auth = new googleAuth.OAuth2({ clientId: 'sandbox-client-id', clientSecret: 'sandbox-client-secret', endpoints: { oauth2TokenUrl: tokenUrl } });
	auth.setCredentials(tokens);
	return gmailClient({ version: 'v1', rootUrl: `${apiUrl}/`, auth, retry: false });
}

let tarball = '';

test('the nodes package ships no sandbox code', () => {
	assertBuilt();
	const [{ files }] = JSON.parse(npm(['pack', '--dry-run', '--json', '--workspaces=false'], REPO_DIR)) as Array<{ files: Array<{ path: string }> }>;
	const paths = files.map((f) => f.path);
	assert.ok(paths.includes('dist/nodes/GmailOutreachSend/GmailOutreachSend.node.js'), 'the pack list is the built nodes package');
	assert.deepEqual(paths.filter((p) => /(^|\/)sandbox(\/|\.|$)|^packages\//i.test(p)), []);
	const requiresSandbox = paths.filter((p) => p.endsWith('.js') && /require\("[^"]*\/sandbox[/"]/.test(readFileSync(path.join(REPO_DIR, p), 'utf8')));
	assert.deepEqual(requiresSandbox, []);
});

test('npm pack of the sandbox package: its compiled command, README and LICENSE, no sources or tests', () => {
	// prepack builds packages/gmail-sandbox/dist from sandbox/ first.
	const [packed] = JSON.parse(npm(['pack', '--json', '-w', PACKAGE, '--pack-destination', work], REPO_DIR)) as Array<{ filename: string; files: Array<{ path: string }> }>;
	tarball = path.join(work, path.basename(packed.filename));
	const paths = packed.files.map((f) => f.path);
	assert.ok(['dist/sandbox/cli.js', 'README.md', 'LICENSE', 'package.json'].every((p) => paths.includes(p)), paths.join('\n'));
	assert.deepEqual(paths.filter((p) => !/^dist\/.+\.js$/.test(p) && !['README.md', 'LICENSE', 'package.json'].includes(p)), []);
	// The core files the sandbox shares with the nodes come along, nothing else of nodes/.
	assert.deepEqual(paths.filter((p) => p.startsWith('dist/nodes/') && !p.startsWith('dist/nodes/shared/core/')), []);
});

test('installed alone into an empty folder: the sandbox, luxon and postal-mime, nothing of n8n or the test tools', () => {
	assert.ok(tarball, 'packed');
	mkdirSync(installDir, { recursive: true });
	assert.ok(path.relative(REPO_DIR, installDir).startsWith('..'), 'the install folder lies outside the repository');
	npm(['install', '--no-audit', '--no-fund', '--prefer-offline', tarball], installDir);
	const names = installedPackages(path.join(installDir, 'node_modules')).map((p) => p.name);
	for (const dev of ['n8n', 'n8n-workflow', 'n8n-core', 'typescript', 'tsx', 'googleapis', 'nodemailer']) assert.ok(!names.includes(dev), `${dev} installed`);
	assert.deepEqual([...new Set(names)].sort(), [PACKAGE, 'luxon', 'postal-mime']);
	// No fallback to another node_modules: what the folder lacks cannot be found from it.
	assert.throws(() => createRequire(path.join(installDir, 'index.js')).resolve('n8n-workflow'), /Cannot find module/);
	assert.equal(path.dirname(createRequire(path.join(installDir, 'index.js')).resolve('luxon/package.json')), path.join(installDir, 'node_modules', 'luxon'));
});

let tokens: { access_token: string; refresh_token: string };
let sent: gmail_v1.Schema$Message;
let labelId = '';

test('gmail-sandbox --demo --data: sign-in with the printed settings, profile, send, list, get, label, history', async () => {
	const sb = await startInstalled(['--port', '0', '--host', '127.0.0.1', '--data', stateDir, '--demo']);
	try {
		assert.match(sb.output(), new RegExp(`listening on ${sb.url.replace(/\./g, '\\.')} \\(state in `));
		assert.match(sb.output(), /founder@acme-demo\.test \(the demo mailbox, just created\)/);
		// What it prints for n8n's credential is what our own n8n tests connect with.
		assert.deepEqual(sb.printed, sandboxCredentialData(sb.url));

		// n8n's OAuth2 dance, on the printed URLs: the browser opens the Authorization URL, n8n swaps the code.
		const callback = 'http://localhost:5678/rest/oauth2-credential/callback';
		const auth = new URL(sb.printed.authUrl);
		auth.search = new URLSearchParams({ client_id: sb.printed.clientId, redirect_uri: callback, response_type: 'code', scope: GMAIL_OUTREACH_SCOPES.join(' '), access_type: 'offline', state: 'n8n-state' }).toString();
		const approve = await fetch(auth, { redirect: 'manual' });
		assert.equal(approve.status, 302);
		const back = new URL(approve.headers.get('location') ?? '');
		assert.equal(`${back.origin}${back.pathname}`, callback);
		assert.equal(back.searchParams.get('state'), 'n8n-state');
		const form = { grant_type: 'authorization_code', code: back.searchParams.get('code') ?? '', redirect_uri: callback, client_id: sb.printed.clientId, client_secret: sb.printed.clientSecret };
		const token = await fetch(sb.printed.accessTokenUrl, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form) });
		assert.equal(token.status, 200);
		tokens = (await token.json()) as typeof tokens;
		assert.ok(tokens.access_token && tokens.refresh_token);

		const gmail = gmailAt(sb.printed.apiBaseUrl, sb.printed.accessTokenUrl, tokens);
		const profile = (await gmail.users.getProfile({ userId: 'me' })).data;
		assert.equal(profile.emailAddress, DEMO_MAILBOX.email);
		const raw = b64url(rawMessage({ from: DEMO_MAILBOX.email, to: 'Ada <ada@analytical-engines.test>', subject: 'Rehearsal: quick idea', text: 'Hi Ada' }));
		sent = (await gmail.users.messages.send({ userId: 'me', requestBody: { raw } })).data;
		assert.deepEqual(sent.labelIds, ['SENT']);
		const listed = (await gmail.users.messages.list({ userId: 'me', labelIds: ['SENT'] })).data;
		assert.deepEqual(listed.messages?.map((m) => m.id), [sent.id]);
		const got = (await gmail.users.messages.get({ userId: 'me', id: sent.id!, format: 'full' })).data;
		assert.equal(got.threadId, sent.threadId);
		assert.equal(got.payload?.headers?.find((h) => h.name === 'Subject')?.value, 'Rehearsal: quick idea');
		const label = (await gmail.users.labels.create({ userId: 'me', requestBody: { name: 'Outreach/Rehearsal' } })).data;
		assert.match(label.id ?? '', /^Label_/);
		labelId = label.id!;
		await gmail.users.messages.modify({ userId: 'me', id: sent.id!, requestBody: { addLabelIds: [labelId] } });
		const history = (await gmail.users.history.list({ userId: 'me', startHistoryId: profile.historyId!, historyTypes: ['messageAdded', 'labelAdded'] })).data;
		assert.ok(history.history?.some((h) => h.messagesAdded?.some((a) => a.message?.id === sent.id)), JSON.stringify(history));
		assert.ok(history.history?.some((h) => h.labelsAdded?.some((a) => a.message?.id === sent.id && a.labelIds?.includes(labelId))), JSON.stringify(history));
	} finally {
		assert.equal(await stop(sb), 0, sb.output());
	}
});

test('restarted on 0.0.0.0 with the same --data: mailbox, message, label and the refresh token n8n keeps are all there', async () => {
	assert.ok(sent?.id, 'sent before the restart');
	const sb = await startInstalled(['--port', '0', '--host', '0.0.0.0', '--data', stateDir, '--demo']);
	try {
		const port = new URL(sb.url).port;
		assert.doesNotMatch(sb.output(), /just created/);
		// Bound to every interface, it prints no address as n8n's: a placeholder to fill in, the browser's on localhost.
		assert.deepEqual(sb.printed, credentialSettings(`http://<sandbox-host>:${port}`, `http://localhost:${port}`));
		assert.match(sb.output(), new RegExp(`--url http://NAME:${port}`));
		// Only the refresh token from before: the client must get a new access token from the restarted sandbox.
		const gmail = gmailAt(sb.url, `${sb.url}/token`, { refresh_token: tokens.refresh_token });
		const got = (await gmail.users.messages.get({ userId: 'me', id: sent.id!, format: 'metadata' })).data;
		assert.equal(got.threadId, sent.threadId);
		assert.deepEqual([...(got.labelIds ?? [])].sort(), [labelId, 'SENT'].sort());
		const labels = (await gmail.users.labels.list({ userId: 'me' })).data.labels ?? [];
		assert.ok(labels.some((l) => l.id === labelId && l.name === 'Outreach/Rehearsal'));
		assert.equal((await gmail.users.getProfile({ userId: 'me' })).data.emailAddress, DEMO_MAILBOX.email);
		const mailboxes = (await (await fetch(`${sb.url}/sandbox/mailboxes`)).json()) as { mailboxes: Array<{ email: string }> };
		assert.deepEqual(mailboxes.mailboxes.map((m) => m.email), [DEMO_MAILBOX.email]);
	} finally {
		assert.equal(await stop(sb), 0, sb.output());
	}
});

test('--url and --browser-url fill in the settings for n8n and the browser in Docker', () => {
	const reach = reachOf({ host: '0.0.0.0', port: 8787, url: 'http://gmail-sandbox:8787' });
	assert.deepEqual(credentialSettings(reach.apiUrl, reach.browserUrl), {
		...sandboxCredentialData('http://gmail-sandbox:8787'),
		authUrl: 'http://localhost:8787/o/oauth2/v2/auth',
	});
	assert.equal(reachOf({ host: '0.0.0.0', port: 8787, browserUrl: 'http://sandbox.lan:9000' }).browserUrl, 'http://sandbox.lan:9000');
	assert.deepEqual(reachOf({ host: '127.0.0.1', port: 8787 }), { apiUrl: 'http://127.0.0.1:8787', browserUrl: 'http://127.0.0.1:8787', placeholder: false });
	assert.equal(parseArgs(['--url', 'http://gmail-sandbox:8787/', '--demo'], {}).url, 'http://gmail-sandbox:8787');
	assert.throws(() => parseArgs(['--url', 'gmail-sandbox'], {}), /needs a URL/);
	assert.throws(() => parseArgs(['--dmeo'], {}), /unknown option --dmeo/);
});
