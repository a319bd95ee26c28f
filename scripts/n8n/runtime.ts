// Starting and stopping a real n8n (installed by scripts/install-n8n.sh) with this package loaded.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, lstatSync, mkdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';

/** The repository root (this file lives in scripts/n8n/). */
export const REPO_DIR = path.resolve(__dirname, '..', '..');

/** The npm package name: community packages' node types are `<package>.<node>`. */
export const PACKAGE_NAME = 'n8n-nodes-gmail-outreach';

/** Raised when n8n exits or does not answer in time; `log` is the tail of its output. */
export class N8nStartError extends Error {
	override name = 'N8nStartError' as const;

	constructor(
		message: string,
		readonly log: string,
	) {
		super(`${message}\n--- n8n log (tail) ---\n${log}`);
	}
}

/** Installs n8n if needed (cached, idempotent) and returns its runtime folder. */
export function ensureN8nInstalled(): string {
	if (process.env.N8N_RUNTIME_DIR && existsSync(path.join(process.env.N8N_RUNTIME_DIR, '.install-complete'))) {
		return process.env.N8N_RUNTIME_DIR;
	}
	const out = execFileSync('bash', [path.join(REPO_DIR, 'scripts', 'install-n8n.sh')], {
		encoding: 'utf8',
		stdio: ['ignore', 'pipe', 'inherit'],
	});
	return out.trim().split('\n').pop()!;
}

/** Throws unless every file package.json's "n8n" section declares exists (n8n loads dist/, not the sources). */
export function assertBuilt(): void {
	const pkg = JSON.parse(readFileSync(path.join(REPO_DIR, 'package.json'), 'utf8')) as { n8n: { nodes: string[]; credentials: string[] } };
	const missing = [...pkg.n8n.nodes, ...pkg.n8n.credentials].filter((f) => !existsSync(path.join(REPO_DIR, f)));
	if (missing.length) throw new Error(`the package is not built (missing ${missing.join(', ')}): run \`npm run build\` first`);
}

/** A TCP port free on 127.0.0.1 right now (the OS picks it). */
export async function freePort(): Promise<number> {
	return await new Promise((resolve, reject) => {
		const srv = net.createServer();
		srv.unref();
		srv.on('error', reject);
		srv.listen(0, '127.0.0.1', () => {
			const { port } = srv.address() as net.AddressInfo;
			srv.close(() => resolve(port));
		});
	});
}

/** Whether something already listens on 127.0.0.1:port. */
export async function portInUse(port: number): Promise<boolean> {
	return await new Promise((resolve) => {
		const sock = net.connect({ port, host: '127.0.0.1' });
		sock.once('connect', () => {
			sock.destroy();
			resolve(true);
		});
		sock.once('error', () => resolve(false));
	});
}

/**
 * Installs the package into n8n's community-nodes folder the way n8n itself does (a folder under
 * `<userFolder>/.n8n/nodes/node_modules`), as a symlink to the repo so a rebuild is picked up on restart.
 */
export function linkPackage(userFolder: string): string {
	const modules = path.join(userFolder, '.n8n', 'nodes', 'node_modules');
	mkdirSync(modules, { recursive: true });
	const link = path.join(modules, PACKAGE_NAME);
	if (existsSync(link) || isDanglingLink(link)) rmSync(link, { recursive: true, force: true });
	symlinkSync(REPO_DIR, link, 'dir');
	return link;
}

function isDanglingLink(p: string): boolean {
	try {
		return lstatSync(p).isSymbolicLink();
	} catch {
		return false;
	}
}

/** Options for one n8n process. */
export interface N8nProcessOptions {
	userFolder: string;
	port: number;
	runtimeDir?: string;
	/** Where n8n's stdout/stderr go (appended); the last lines are also kept in memory. */
	logFile?: string;
	env?: Record<string, string>;
	/** Symlink the repo into the user folder first (default true); false when the folder already holds an installed package. */
	linkPackage?: boolean;
}

/** The environment that keeps n8n offline, quiet and on our ports. */
export function n8nEnv(opts: { userFolder: string; port: number; brokerPort: number }): Record<string, string> {
	const url = `http://127.0.0.1:${opts.port}`;
	return {
		N8N_USER_FOLDER: opts.userFolder,
		N8N_PORT: String(opts.port),
		N8N_HOST: '127.0.0.1',
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_PROTOCOL: 'http',
		N8N_EDITOR_BASE_URL: url,
		WEBHOOK_URL: `${url}/`,
		// n8n 2.x's task-runner broker defaults to 5679: a fixed port would clash between runs.
		N8N_RUNNERS_BROKER_PORT: String(opts.brokerPort),
		N8N_RUNNERS_BROKER_LISTEN_ADDRESS: '127.0.0.1',
		N8N_SECURE_COOKIE: 'false',
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_HIRING_BANNER_ENABLED: 'false',
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
		N8N_COMMUNITY_PACKAGES_ENABLED: 'true',
		N8N_COMMUNITY_PACKAGES_PREVENT_LOADING: 'false',
		N8N_UNVERIFIED_PACKAGES_ENABLED: 'true',
		N8N_LOG_LEVEL: 'info',
		N8N_LOG_OUTPUT: 'console',
		EXTERNAL_FRONTEND_HOOKS_URLS: '',
		N8N_DEV_RELOAD: 'false',
		DB_TYPE: 'sqlite',
		DB_SQLITE_POOL_SIZE: '2',
		EXECUTIONS_DATA_SAVE_MANUAL_EXECUTIONS: 'true',
		GENERIC_TIMEZONE: 'UTC',
		TZ: 'UTC',
		NODE_ENV: 'production',
	};
}

/** A running n8n child process. */
export interface N8nProcess {
	url: string;
	port: number;
	child: ChildProcess;
	/** The last ~200 lines n8n printed. */
	logTail(): string;
	/** Resolves when n8n's /healthz/readiness answers 200 (rejects if it exits first). */
	ready(timeoutMs?: number): Promise<void>;
	/** SIGTERM, then SIGKILL after a grace period; resolves when the process is gone. */
	stop(graceMs?: number): Promise<void>;
}

/** Spawns `n8n start` with the repo's Node 24, this package linked in (unless told not to), on the given port. */
export async function spawnN8n(opts: N8nProcessOptions): Promise<N8nProcess> {
	const link = opts.linkPackage !== false;
	if (link) assertBuilt();
	const runtimeDir = opts.runtimeDir ?? ensureN8nInstalled();
	mkdirSync(opts.userFolder, { recursive: true });
	if (link) linkPackage(opts.userFolder);
	const brokerPort = await freePort();
	const env: NodeJS.ProcessEnv = {
		...process.env,
		...n8nEnv({ userFolder: opts.userFolder, port: opts.port, brokerPort }),
		...opts.env,
	};
	// Node's test runner sets this for its children; n8n must not think it is a test process.
	delete env.NODE_TEST_CONTEXT;
	const bin = path.join(runtimeDir, 'node_modules', 'n8n', 'bin', 'n8n');
	const child = spawn(process.execPath, [bin, 'start'], {
		cwd: opts.userFolder,
		env,
		stdio: ['ignore', 'pipe', 'pipe'],
		// Its own process group, so stopping it also ends its task-runner child.
		detached: true,
	});
	const lines: string[] = [];
	const file = opts.logFile ? createWriteStream(opts.logFile, { flags: 'a' }) : undefined;
	const keep = (chunk: Buffer) => {
		file?.write(chunk);
		for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) lines.push(line);
		if (lines.length > 400) lines.splice(0, lines.length - 200);
	};
	child.stdout!.on('data', keep);
	child.stderr!.on('data', keep);
	let exited: { code: number | null; signal: string | null } | undefined;
	const exit = new Promise<void>((resolve) =>
		child.once('exit', (code, signal) => {
			exited = { code, signal };
			file?.end();
			resolve();
		}),
	);
	const url = `http://127.0.0.1:${opts.port}`;
	const logTail = () => lines.slice(-200).join('\n');
	return {
		url,
		port: opts.port,
		child,
		logTail,
		async ready(timeoutMs = 120_000) {
			const deadline = Date.now() + timeoutMs;
			while (Date.now() < deadline) {
				if (exited) throw new N8nStartError(`n8n exited (${exited.code ?? exited.signal}) before it was ready`, logTail());
				try {
					const res = await fetch(`${url}/healthz/readiness`, { signal: AbortSignal.timeout(2000) });
					if (res.ok) return;
				} catch {
					// not listening yet
				}
				await new Promise((r) => setTimeout(r, 500));
			}
			throw new N8nStartError(`n8n did not answer ${url}/healthz/readiness within ${timeoutMs} ms`, logTail());
		},
		async stop(graceMs = 10_000) {
			if (exited) return;
			signalGroup(child, 'SIGTERM');
			const timer = setTimeout(() => signalGroup(child, 'SIGKILL'), graceMs);
			await exit;
			clearTimeout(timer);
		},
	};
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
	try {
		process.kill(-child.pid!, signal);
	} catch {
		child.kill(signal);
	}
}

/** A module resolved the way n8n resolves it (from its runtime folder), e.g. `flatted` or `bcryptjs`. */
export function requireFromN8n<T = unknown>(runtimeDir: string, id: string): T {
	return createRequire(path.join(runtimeDir, 'node_modules', 'n8n', 'package.json'))(id) as T;
}

/** n8n's execution data format (flatted) → plain objects. */
export function unflattener(runtimeDir: string): (s: string) => unknown {
	return requireFromN8n<{ parse: (s: string) => unknown }>(runtimeDir, 'flatted').parse;
}

/**
 * Environment that makes n8n create (and keep) the owner account itself on start, so no sign-up
 * screen blocks a demo (n8n 2.x: N8N_INSTANCE_OWNER_MANAGED_BY_ENV with a bcrypt password hash).
 */
export function ownerEnv(runtimeDir: string, owner: { email: string; password: string; firstName: string; lastName: string }): Record<string, string> {
	const bcrypt = requireFromN8n<{ hashSync: (s: string, rounds: number) => string }>(runtimeDir, 'bcryptjs');
	return {
		N8N_INSTANCE_OWNER_MANAGED_BY_ENV: 'true',
		N8N_INSTANCE_OWNER_EMAIL: owner.email,
		N8N_INSTANCE_OWNER_FIRST_NAME: owner.firstName,
		N8N_INSTANCE_OWNER_LAST_NAME: owner.lastName,
		N8N_INSTANCE_OWNER_PASSWORD_HASH: bcrypt.hashSync(owner.password, 10),
	};
}
