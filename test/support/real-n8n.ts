// e2e/browser helper: a Gmail Sandbox plus a real n8n (separate process) with this package loaded,
// an owner logged in, and a Gmail Outreach credential pointing at the sandbox, connected by n8n's own OAuth flow.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { N8nClient, type Owner } from '../../scripts/n8n/client';
import {
	REPO_DIR,
	ensureN8nInstalled,
	freePort,
	ownerEnv,
	spawnN8n,
	unflattener,
	type N8nProcess,
} from '../../scripts/n8n/runtime';
import { sandboxCredentialData } from '../../scripts/n8n/workflows';
import { startSandbox, type MailboxOptions, type TestMailbox, type TestSandbox } from './sandbox';

/** The owner every e2e/browser n8n gets (a throwaway instance; not a secret). */
export const TEST_OWNER: Owner = {
	email: 'owner@e2e.test',
	password: 'E2e-owner-Passw0rd',
	firstName: 'E2E',
	lastName: 'Owner',
};

/** Where tests write screenshots and n8n logs (git-ignored). */
export const ARTIFACTS_DIR = path.join(REPO_DIR, 'test-artifacts');

/** Options for startRealN8n. */
export interface RealN8nOptions {
	/** Names the log file and temp folder. */
	name: string;
	mailbox?: MailboxOptions;
	/** Create the sandbox credential and connect it through n8n's OAuth flow (default true). */
	connect?: boolean;
	env?: Record<string, string>;
	/** A user folder the package is already installed in: n8n loads it as found (no repo symlink), and close() leaves the folder. */
	userFolder?: string;
}

/** A running sandbox + real n8n pair. */
export interface RealN8n {
	sandbox: TestSandbox;
	n8n: N8nProcess;
	client: N8nClient;
	mailbox: TestMailbox;
	owner: Owner;
	/** The connected Gmail Outreach OAuth2 credential (when `connect` was not false). */
	credential?: { id: string; name: string };
	runtimeDir: string;
	userFolder: string;
	unflatten: (s: string) => unknown;
	close(): Promise<void>;
}

/** Starts sandbox + n8n on free ports with a temp user folder; close() stops both and removes the folder. */
export async function startRealN8n(opts: RealN8nOptions): Promise<RealN8n> {
	const runtimeDir = ensureN8nInstalled();
	mkdirSync(ARTIFACTS_DIR, { recursive: true });
	const sandbox = await startSandbox();
	const userFolder = opts.userFolder ?? mkdtempSync(path.join(os.tmpdir(), `n8n-${opts.name}-`));
	let n8n: N8nProcess | undefined;
	const close = async () => {
		await n8n?.stop();
		await sandbox.close();
		if (!opts.userFolder) rmSync(userFolder, { recursive: true, force: true });
	};
	try {
		const mailbox = await sandbox.createMailbox(opts.mailbox ?? { email: 'founder@acme-e2e.test', type: 'workspace' });
		n8n = await spawnN8n({
			userFolder,
			port: await freePort(),
			runtimeDir,
			linkPackage: !opts.userFolder,
			logFile: path.join(ARTIFACTS_DIR, `n8n-${opts.name}.log`),
			env: { ...ownerEnv(runtimeDir, TEST_OWNER), ...opts.env },
		});
		await n8n.ready(180_000);
		const client = new N8nClient(n8n.url);
		await client.setupOwner(TEST_OWNER);
		await client.login(TEST_OWNER);
		let credential: RealN8n['credential'];
		if (opts.connect !== false) {
			const name = `Gmail Sandbox (${mailbox.email})`;
			const id = await client.createCredential(name, 'gmailOutreachOAuth2Api', sandboxCredentialData(sandbox.url));
			await client.connectOAuth2(id);
			credential = { id, name };
		}
		return {
			sandbox,
			n8n,
			client,
			mailbox,
			owner: TEST_OWNER,
			credential,
			runtimeDir,
			userFolder,
			unflatten: unflattener(runtimeDir),
			close,
		};
	} catch (err) {
		const tail = n8n?.logTail();
		await close();
		if (tail && err instanceof Error && !err.message.includes('n8n log')) err.message += `\n--- n8n log (tail) ---\n${tail}`;
		throw err;
	}
}
