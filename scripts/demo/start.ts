// `npm start` (after scripts/start.mjs built the package and installed n8n): the Gmail Sandbox with the
// demo mailbox, a real n8n with this package, the owner from the environment, a connected sandbox
// credential and the example workflows imported. Ctrl-C stops both.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { createSandbox } from '../../sandbox/index';
import { N8nClient, type Owner } from '../n8n/client';
import { REPO_DIR, ensureN8nInstalled, freePort, ownerEnv, portInUse, spawnN8n, type N8nProcess } from '../n8n/runtime';
import { CREDENTIAL_TYPE, bindCredential, exampleFiles, readExample, sandboxCredentialData } from '../n8n/workflows';
import { DEMO_LEADS, DEMO_MAILBOX, seedSandbox } from './seed';

/** The demo owner; override with N8N_DEMO_EMAIL / N8N_DEMO_PASSWORD. */
export function demoOwner(env: NodeJS.ProcessEnv = process.env): Owner {
	return {
		email: env.N8N_DEMO_EMAIL || 'demo@acme-demo.test',
		password: env.N8N_DEMO_PASSWORD || 'Demo-outreach-1',
		firstName: 'Demo',
		lastName: 'Founder',
	};
}

/** The name of the demo's sandbox credential in n8n. */
export const DEMO_CREDENTIAL_NAME = 'Gmail Sandbox (demo)';

async function pickPort(wanted: number | undefined, preferred: number): Promise<number> {
	if (wanted !== undefined) return wanted;
	return (await portInUse(preferred)) ? await freePort() : preferred;
}

function envPort(name: string): number | undefined {
	const v = process.env[name];
	return v ? Number(v) : undefined;
}

/** Creates or refreshes the sandbox credential (its URLs follow the sandbox port) and connects it via OAuth. */
async function ensureCredential(client: N8nClient, sandboxUrl: string): Promise<{ id: string; name: string }> {
	const data = sandboxCredentialData(sandboxUrl);
	const existing = (await client.credentials()).find((c) => c.type === CREDENTIAL_TYPE && c.name === DEMO_CREDENTIAL_NAME);
	let id: string;
	if (existing) {
		id = existing.id;
		await client.api('PATCH', `/rest/credentials/${id}`, { name: DEMO_CREDENTIAL_NAME, type: CREDENTIAL_TYPE, data });
	} else {
		id = await client.createCredential(DEMO_CREDENTIAL_NAME, CREDENTIAL_TYPE, data);
	}
	await client.connectOAuth2(id);
	return { id, name: DEMO_CREDENTIAL_NAME };
}

/** Imports every example workflow not yet present (by name); returns the names imported. */
async function importExamples(client: N8nClient, credential: { id: string; name: string }): Promise<string[]> {
	const have = new Set((await client.workflows()).map((w) => w.name));
	const imported: string[] = [];
	for (const file of exampleFiles()) {
		const wf = readExample(file);
		if (have.has(wf.name)) continue;
		await client.createWorkflow(bindCredential(wf, credential));
		imported.push(wf.name);
	}
	return imported;
}

async function main(): Promise<void> {
	const started = Date.now();
	const runtimeDir = ensureN8nInstalled();
	const owner = demoOwner();
	// State lives in the repository (git-ignored) unless OUTREACH_DEMO_DIR puts it elsewhere (tests do).
	const stateDir = process.env.OUTREACH_DEMO_DIR || REPO_DIR;
	const dataDir = path.join(stateDir, '.sandbox-data');
	const userFolder = path.join(stateDir, '.n8n-data');
	mkdirSync(dataDir, { recursive: true });

	const sandbox = createSandbox({ dataDir });
	const sandboxUrl = await sandbox.listen(await pickPort(envPort('SANDBOX_PORT'), 8787), '127.0.0.1');
	const created = await seedSandbox(sandboxUrl);

	let n8n: N8nProcess | undefined;
	let stopping = false;
	const stop = async (code: number) => {
		if (stopping) return;
		stopping = true;
		console.log('\nStopping n8n and the Gmail Sandbox …');
		await n8n?.stop();
		await sandbox.close();
		process.exit(code);
	};
	process.on('SIGINT', () => void stop(0));
	process.on('SIGTERM', () => void stop(0));

	try {
		n8n = await spawnN8n({
			userFolder,
			port: await pickPort(envPort('N8N_PORT'), 5678),
			runtimeDir,
			logFile: path.join(userFolder, 'n8n.log'),
			env: ownerEnv(runtimeDir, owner),
		});
		console.log(`Starting n8n (log: ${path.relative(REPO_DIR, path.join(userFolder, 'n8n.log'))}) …`);
		await n8n.ready(180_000);
		const client = new N8nClient(n8n.url);
		await client.setupOwner(owner);
		await client.login(owner);
		const credential = await ensureCredential(client, sandboxUrl);
		const imported = await importExamples(client, credential);
		const secs = Math.round((Date.now() - started) / 1000);
		console.log(
			[
				'',
				`Ready in ${secs} s.`,
				`  n8n editor:        ${n8n.url}   (login: ${owner.email} / ${owner.password})`,
				`  Sandbox mail view: ${sandboxUrl}/view/${encodeURIComponent(DEMO_MAILBOX.email)}   (all mailboxes: ${sandboxUrl}/)`,
				`  Credential:        "${credential.name}" → the sandbox (switch it to a Google OAuth2 credential for real Gmail)`,
				`  Workflows:         ${imported.length ? `imported ${imported.join(', ')}` : 'already imported'}`,
				`  Sandbox mailbox:   ${DEMO_MAILBOX.email}${created ? ' (created)' : ''}; ${DEMO_LEADS.length} demo leads in the "Demo:" workflows`,
				'',
				'Try: open "Demo: cold campaign" and click "Execute workflow"; then in another terminal',
				`  SANDBOX_URL=${sandboxUrl} npx tsx scripts/demo/simulate.ts reply ${DEMO_LEADS[0].email}`,
				`  SANDBOX_URL=${sandboxUrl} npx tsx scripts/demo/simulate.ts advance P3D`,
				'and run "Demo: follow-up sequence". Ctrl-C stops everything.',
				'',
			].join('\n'),
		);
	} catch (err) {
		console.error(err instanceof Error ? err.message : err);
		await stop(1);
	}
}

if (require.main === module) void main();
