// queue-suite helper: n8n in queue mode as a team runs it — PostgreSQL, Redis, one main (editor, triggers, webhooks)
// and `n8n worker` processes, each with its own user folder holding this package as an installed community package,
// all sharing one encryption key — against a Gmail Sandbox in this process. Everything runs on free local ports with
// its data in one temp folder; every process gets its own process group, and close() (or this process exiting)
// ends them all.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, createWriteStream, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { N8nClient } from '../../scripts/n8n/client';
import {
	REPO_DIR,
	assertBuilt,
	ensureN8nInstalled,
	freePort,
	linkPackage,
	n8nEnv,
	ownerEnv,
	unflattener,
} from '../../scripts/n8n/runtime';
import { sandboxCredentialData } from '../../scripts/n8n/workflows';
import { ARTIFACTS_DIR, TEST_OWNER } from './real-n8n';
import { startSandbox, type MailboxOptions, type TestMailbox, type TestSandbox } from './sandbox';

/** Raised when a process of the cluster exits or does not get ready in time; carries the tail of its output. */
export class QueueStartError extends Error {
	override name = 'QueueStartError' as const;

	constructor(what: string, message: string, log: string) {
		super(`${what}: ${message}\n--- ${what} log (tail) ---\n${log}`);
	}
}

/** One child process of the cluster, in its own process group. */
export interface Proc {
	name: string;
	child: ChildProcess;
	/** The last ~200 lines it printed. */
	logTail(): string;
	/** Every line it printed so far that matches. */
	grep(re: RegExp): string[];
	exited(): boolean;
	/** SIGTERM to the group, SIGKILL after the grace period; resolves when the process is gone. */
	stop(graceMs?: number): Promise<void>;
}

const running = new Set<Proc>();
// A crash of the test process must not leave databases and n8n processes behind.
process.once('exit', () => {
	for (const p of running) signalGroup(p.child, 'SIGKILL');
});

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
	try {
		process.kill(-child.pid!, signal);
	} catch {
		try {
			child.kill(signal);
		} catch {
			// already gone
		}
	}
}

/** Spawns a process in its own group, logging to a file and keeping the lines that matter in memory. */
function spawnProc(name: string, cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string; uid?: number; gid?: number; logFile: string }): Proc {
	const child = spawn(cmd, args, { env: opts.env ?? process.env, cwd: opts.cwd, uid: opts.uid, gid: opts.gid, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
	const file = createWriteStream(opts.logFile, { flags: 'a' });
	const tail: string[] = [];
	const all: string[] = [];
	let partial = '';
	const keep = (chunk: Buffer) => {
		file.write(chunk);
		const text = partial + chunk.toString('utf8');
		const lines = text.split('\n');
		partial = lines.pop() ?? '';
		for (const line of lines) {
			if (!line.trim()) continue;
			all.push(line);
			tail.push(line);
		}
		if (tail.length > 400) tail.splice(0, tail.length - 200);
	};
	child.stdout!.on('data', keep);
	child.stderr!.on('data', keep);
	let gone = false;
	const exit = new Promise<void>((resolve) =>
		child.once('exit', () => {
			gone = true;
			running.delete(proc);
			file.end();
			resolve();
		}),
	);
	child.once('error', () => undefined);
	const proc: Proc = {
		name,
		child,
		logTail: () => tail.slice(-200).join('\n'),
		grep: (re) => all.filter((l) => re.test(l)),
		exited: () => gone,
		async stop(graceMs = 15_000) {
			if (gone) return;
			signalGroup(child, 'SIGTERM');
			const timer = setTimeout(() => signalGroup(child, 'SIGKILL'), graceMs);
			await exit;
			clearTimeout(timer);
			// Children that outlived the leader (a task runner) go with the group.
			signalGroup(child, 'SIGKILL');
		},
	};
	running.add(proc);
	return proc;
}

/** Polls `check` until it returns true; throws with the process's log when it exits first or time runs out. */
async function until(proc: Proc, what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (Date.now() < deadline) {
		if (proc.exited()) throw new QueueStartError(proc.name, `exited before ${what}`, proc.logTail());
		if (await check().catch(() => false)) return;
		await new Promise((r) => setTimeout(r, 300));
	}
	throw new QueueStartError(proc.name, `not ${what} within ${timeoutMs} ms`, proc.logTail());
}

async function redisPing(port: number): Promise<boolean> {
	return await new Promise((resolve) => {
		const sock = net.connect({ port, host: '127.0.0.1' });
		sock.setTimeout(2000, () => {
			sock.destroy();
			resolve(false);
		});
		sock.once('connect', () => sock.write('PING\r\n'));
		sock.once('data', (d) => {
			sock.destroy();
			resolve(d.toString().startsWith('+PONG'));
		});
		sock.once('error', () => resolve(false));
	});
}

/** Where PostgreSQL's binaries and redis-server are (scripts/queue-mode.sh bins). */
export function serviceBinaries(): { pgBin: string; redisServer: string } {
	const out = execFileSync('bash', [path.join(REPO_DIR, 'scripts', 'queue-mode.sh'), 'bins'], { encoding: 'utf8' });
	const get = (k: string) => out.match(new RegExp(`^${k}=(.+)$`, 'm'))?.[1].trim() ?? '';
	return { pgBin: get('PG_BIN'), redisServer: get('REDIS_SERVER') };
}

/** PostgreSQL refuses to run as root: as root it runs as the packaged `postgres` user. */
function postgresUser(): { uid?: number; gid?: number } {
	if (process.getuid?.() !== 0) return {};
	const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
	const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
	return { uid, gid };
}

/** The two services queue mode needs, running. */
export interface Services {
	pgPort: number;
	redisPort: number;
	procs: Proc[];
}

/** Starts a throwaway PostgreSQL (trust auth, no fsync: test data) and Redis (no persistence) on free ports under dir. */
export async function startServices(dir: string): Promise<Services> {
	const { pgBin, redisServer } = serviceBinaries();
	const pgData = path.join(dir, 'pg');
	const user = postgresUser();
	mkdirSync(pgData, { recursive: true });
	if (user.uid !== undefined) {
		chownSync(dir, user.uid, user.gid!);
		chownSync(pgData, user.uid, user.gid!);
	}
	const init = spawnSync(path.join(pgBin, 'initdb'), ['-D', pgData, '-U', 'n8n', '--auth=trust', '-E', 'UTF8', '--no-sync', '--no-instructions'], {
		...user,
		encoding: 'utf8',
	});
	if (init.status !== 0) throw new Error(`initdb failed (${init.status}): ${init.stderr || init.stdout}`);
	const [pgPort, redisPort] = [await freePort(), await freePort()];
	const pg = spawnProc(
		'postgres',
		path.join(pgBin, 'postgres'),
		['-D', pgData, '-p', String(pgPort), '-k', pgData, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=100'],
		{ ...user, logFile: path.join(ARTIFACTS_DIR, 'queue-postgres.log') },
	);
	const redis = spawnProc(
		'redis',
		redisServer,
		['--port', String(redisPort), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', '--daemonize', 'no'],
		{ logFile: path.join(ARTIFACTS_DIR, 'queue-redis.log') },
	);
	const services = { pgPort, redisPort, procs: [pg, redis] };
	try {
		await until(pg, 'accepting connections', 60_000, async () => spawnSync(path.join(pgBin, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(pgPort), '-U', 'n8n', '-d', 'postgres']).status === 0);
		await until(redis, 'answering PING', 30_000, () => redisPing(redisPort));
	} catch (err) {
		await Promise.all(services.procs.map((p) => p.stop(3000)));
		throw err;
	}
	return services;
}

/** One n8n process of the cluster: the main or a worker. */
export interface N8nNode extends Proc {
	role: 'main' | 'worker';
	/** Main: the editor/REST/webhook URL; worker: its health server. */
	url: string;
	/** Resolves when /healthz/readiness answers 200. */
	ready(timeoutMs?: number): Promise<void>;
	/** Execution ids this worker logged as started ("Worker started execution N"). */
	startedExecutions(): string[];
}

/** Options for startQueueCluster. */
export interface QueueClusterOptions {
	/** Names the temp folder and log files. */
	name: string;
	workers?: number;
	/** Jobs each worker takes at once (`n8n worker --concurrency`). */
	concurrency?: number;
	mailbox?: MailboxOptions;
	/** Env for every n8n process. */
	env?: Record<string, string>;
}

/** A running queue-mode cluster against a sandbox. */
export interface QueueCluster {
	sandbox: TestSandbox;
	mailbox: TestMailbox;
	main: N8nNode;
	workers: N8nNode[];
	client: N8nClient;
	credential: { id: string; name: string };
	unflatten: (s: string) => unknown;
	/** Stops the main (SIGTERM, as a deploy does) and starts it again on the same port, database and user folder; logs in again. */
	restartMain(): Promise<void>;
	/** Which worker ran each execution id, from the workers' logs. */
	workerOf(): Map<string, string>;
	close(): Promise<void>;
}

/** Starts PostgreSQL, Redis, a sandbox, one n8n main and the workers (in parallel), then connects the sandbox credential. */
export async function startQueueCluster(opts: QueueClusterOptions): Promise<QueueCluster> {
	assertBuilt();
	const runtimeDir = ensureN8nInstalled();
	mkdirSync(ARTIFACTS_DIR, { recursive: true });
	const dir = mkdtempSync(path.join(os.tmpdir(), `n8n-queue-${opts.name}-`));
	const procs: Proc[] = [];
	let sandbox: TestSandbox | undefined;
	const close = async () => {
		await Promise.all(procs.filter((p) => p.name.startsWith('n8n')).map((p) => p.stop()));
		await Promise.all(procs.filter((p) => !p.name.startsWith('n8n')).map((p) => p.stop(5000)));
		await sandbox?.close();
		rmSync(dir, { recursive: true, force: true });
	};
	try {
		const services = await startServices(dir);
		procs.push(...services.procs);
		sandbox = await startSandbox();
		const mailbox = await sandbox.createMailbox(opts.mailbox ?? { email: 'founder@queue-e2e.test', type: 'workspace' });
		// One key for every process: credentials saved by the main are decrypted by the workers.
		const shared: Record<string, string> = {
			EXECUTIONS_MODE: 'queue',
			OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS: 'true',
			N8N_ENCRYPTION_KEY: randomBytes(24).toString('hex'),
			DB_TYPE: 'postgresdb',
			DB_POSTGRESDB_HOST: '127.0.0.1',
			DB_POSTGRESDB_PORT: String(services.pgPort),
			DB_POSTGRESDB_DATABASE: 'postgres',
			DB_POSTGRESDB_USER: 'n8n',
			DB_POSTGRESDB_PASSWORD: '',
			QUEUE_BULL_REDIS_HOST: '127.0.0.1',
			QUEUE_BULL_REDIS_PORT: String(services.redisPort),
			N8N_LOG_LEVEL: 'info',
			...opts.env,
		};
		const mainPort = await freePort();
		const spawnNode = async (role: 'main' | 'worker', index: number): Promise<N8nNode> => {
			const name = role === 'main' ? 'n8n-main' : `n8n-worker-${index}`;
			// Each process has its own user folder, as on its own machine, with the package installed in it.
			const userFolder = path.join(dir, name);
			mkdirSync(userFolder, { recursive: true });
			linkPackage(userFolder);
			const port = role === 'main' ? mainPort : await freePort();
			const env: NodeJS.ProcessEnv = {
				...process.env,
				...n8nEnv({ userFolder, port: role === 'main' ? mainPort : await freePort(), brokerPort: await freePort() }),
				...shared,
				...(role === 'main' ? ownerEnv(runtimeDir, TEST_OWNER) : { QUEUE_HEALTH_CHECK_ACTIVE: 'true', QUEUE_HEALTH_CHECK_PORT: String(port), N8N_WORKER_SERVER_ADDRESS: '127.0.0.1' }),
				// Webhooks go to the main; the editor's URL stays the main's in every process.
				WEBHOOK_URL: `http://127.0.0.1:${mainPort}/`,
				N8N_EDITOR_BASE_URL: `http://127.0.0.1:${mainPort}`,
			};
			delete env.NODE_TEST_CONTEXT;
			const bin = path.join(runtimeDir, 'node_modules', 'n8n', 'bin', 'n8n');
			const args = role === 'main' ? [bin, 'start'] : [bin, 'worker', `--concurrency=${opts.concurrency ?? 5}`];
			const proc = spawnProc(name, process.execPath, args, { env, cwd: userFolder, logFile: path.join(ARTIFACTS_DIR, `queue-${opts.name}-${name}.log`) });
			procs.push(proc);
			const url = `http://127.0.0.1:${port}`;
			const node: N8nNode = Object.assign(proc, {
				role,
				url,
				ready: (timeoutMs = 240_000) =>
					until(proc, 'ready', timeoutMs, async () => (await fetch(`${url}/healthz/readiness`, { signal: AbortSignal.timeout(2000) })).ok),
				startedExecutions: () => proc.grep(/Worker started execution \d+/).map((l) => l.match(/Worker started execution (\d+)/)![1]),
			});
			return node;
		};
		let main = await spawnNode('main', 0);
		const workers = await Promise.all(Array.from({ length: opts.workers ?? 2 }, (_, i) => spawnNode('worker', i + 1)));
		await Promise.all([main.ready(), ...workers.map((w) => w.ready())]);
		// A worker is ready once its queue listener runs; the log line comes right after.
		await Promise.all(workers.map((w) => until(w, 'listening to the queue', 60_000, async () => w.grep(/n8n worker is now ready/).length > 0)));
		const client = new N8nClient(main.url);
		await client.setupOwner(TEST_OWNER);
		await client.login(TEST_OWNER);
		const credName = `Gmail Sandbox (${mailbox.email})`;
		const credId = await client.createCredential(credName, 'gmailOutreachOAuth2Api', sandboxCredentialData(sandbox.url));
		await client.connectOAuth2(credId);
		const cluster: QueueCluster = {
			sandbox,
			mailbox,
			get main() {
				return main;
			},
			workers,
			client,
			credential: { id: credId, name: credName },
			unflatten: unflattener(runtimeDir),
			async restartMain() {
				await main.stop(30_000);
				procs.splice(procs.indexOf(main), 1);
				main = await spawnNode('main', 0);
				await main.ready();
				await client.login(TEST_OWNER);
			},
			workerOf() {
				const by = new Map<string, string>();
				for (const w of workers) for (const id of w.startedExecutions()) by.set(id, w.name);
				return by;
			},
			close,
		};
		return cluster;
	} catch (err) {
		const tails = procs.filter((p) => p.name.startsWith('n8n')).map((p) => `--- ${p.name} (tail) ---\n${p.logTail().split('\n').slice(-30).join('\n')}`);
		await close();
		if (err instanceof Error && !(err instanceof QueueStartError)) err.message += `\n${tails.join('\n')}`;
		throw err;
	}
}
