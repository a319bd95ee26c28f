// `npm start` (after scripts/start.mjs built the package and installed n8n): the Gmail Sandbox with the
// demo mailbox, a real n8n with this package, the owner from the environment, a connected sandbox
// credential and the example workflows imported. Ctrl-C stops both.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { createSandbox } from '../../sandbox/index';
import { N8nClient, type Owner } from '../n8n/client';
import { REPO_DIR, ensureN8nInstalled, freePort, ownerEnv, portInUse, spawnN8n, type N8nProcess } from '../n8n/runtime';
import { CREDENTIAL_TYPE, bindCredential, exampleFiles, readExample, sandboxCredentialData } from '../n8n/workflows';
import { DEMO_LEADS, DEMO_MAILBOX, DEMO_STEPS, seedSandbox, simulateCommand } from './seed';

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

/** Imports every example workflow not yet present (by name); returns the names imported and every workflow's id by name. */
async function importExamples(client: N8nClient, credential: { id: string; name: string }): Promise<{ imported: string[]; ids: Map<string, string> }> {
	const have = new Set((await client.workflows()).map((w) => w.name));
	const imported: string[] = [];
	for (const file of exampleFiles()) {
		const wf = readExample(file);
		if (have.has(wf.name)) continue;
		await client.createWorkflow(bindCredential(wf, credential));
		imported.push(wf.name);
	}
	return { imported, ids: new Map((await client.workflows()).map((w) => [w.name, w.id])) };
}

/**
 * The "Try the demo" hints `npm start` prints, from DEMO_STEPS (the README's list follows the same steps). Each workflow
 * is named with its URL: opened signed out, n8n shows its sign-in page and then that workflow, whatever its start
 * page is (n8n 2.41 may open its Assistant).
 */
export function demoHints(opts: { n8nUrl: string; sandboxUrl: string; workflowIds: ReadonlyMap<string, string> }): string[] {
	const link = (name: string) => {
		const id = opts.workflowIds.get(name);
		return id ? `${opts.n8nUrl}/workflow/${id}` : `${opts.n8nUrl}/home/workflows`;
	};
	const lines = ['Try the demo (README: "Try the demo"):'];
	const opened = new Set<string>();
	DEMO_STEPS.forEach((step, i) => {
		const n = `  ${i + 1}. `;
		const pad = ' '.repeat(n.length);
		if (step.run) {
			lines.push(`${n}In another terminal, in this folder:`);
			for (const args of step.run) lines.push(`${pad}  ${simulateCommand(opts.sandboxUrl, args)}`);
		}
		if (step.open) {
			const again = opened.has(step.open);
			const first = opened.size === 0 ? ' (sign in with the login above)' : '';
			const text = again ? `Then "${step.open}" again: click "Execute workflow".` : `Open "${step.open}": ${link(step.open)}${first}, click "Execute workflow".`;
			lines.push(`${step.run ? pad : n}${text}`);
			opened.add(step.open);
		}
	});
	return lines;
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
		const { imported, ids } = await importExamples(client, credential);
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
				...demoHints({ n8nUrl: n8n.url, sandboxUrl, workflowIds: ids }),
				'',
				'Ctrl-C stops everything.',
				'',
			].join('\n'),
		);
	} catch (err) {
		console.error(err instanceof Error ? err.message : err);
		await stop(1);
	}
}

if (require.main === module) void main();
