#!/usr/bin/env node
// `npm run sandbox` in the repository, `gmail-sandbox` from the gmail-outreach-sandbox package (packages/gmail-sandbox).
import { connectLines, reachOf } from './connect';
import { inProcessAdmin, seedDemoMailbox, DEMO_MAILBOX } from './demo';
import { createSandbox } from './index';

/** Parsed command line of `npm run sandbox` / `gmail-sandbox`. */
export interface CliOptions {
	port: number;
	host: string;
	dataDir?: string;
	/** Create the demo mailbox unless the state already holds it. */
	demo?: boolean;
	/** The sandbox's address as n8n reaches it, for the printed credential settings. */
	url?: string;
	/** The sandbox's address as the browser reaches it (the sign-in page), for the printed settings. */
	browserUrl?: string;
}

const USAGE = `Usage: gmail-sandbox [options]        (in the repository: npm run sandbox -- [options])
  --port N            port to listen on (default 8787, or PORT from the environment; 0 picks a free one)
  --host H            address to bind (default 127.0.0.1; 0.0.0.0 in a container or for n8n in Docker)
  --data DIR          keep the state in DIR (sandbox-state.json) across restarts; default: in memory
  --demo              create the demo mailbox ${DEMO_MAILBOX.email} unless DIR already holds it
  --url URL           how n8n reaches the sandbox (e.g. http://gmail-sandbox:8787), for the printed settings
  --browser-url URL   how your browser reaches it (default: the listen address, or http://localhost:PORT on 0.0.0.0)`;

function urlArg(flag: string, value: string | undefined): string {
	let url: URL;
	try {
		url = new URL(value ?? '');
	} catch {
		throw new Error(`${flag} needs a URL such as http://gmail-sandbox:8787, not ${JSON.stringify(value ?? '')}`);
	}
	if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`${flag} must be an http(s) URL: ${value}`);
	return url.toString().replace(/\/+$/, '');
}

/** Reads the options above (and PORT) from argv/env; unknown flags are an error. */
export function parseArgs(argv: string[], env: NodeJS.ProcessEnv): CliOptions {
	const opts: CliOptions = { port: env.PORT !== undefined && env.PORT !== '' ? Number(env.PORT) : 8787, host: '127.0.0.1' };
	for (let i = 0; i < argv.length; i++) {
		const [flag, inline] = argv[i].split('=', 2);
		const value = () => inline ?? argv[++i];
		if (flag === '--port') opts.port = Number(value());
		else if (flag === '--host') opts.host = value();
		else if (flag === '--data') opts.dataDir = value();
		else if (flag === '--demo') opts.demo = true;
		else if (flag === '--url') opts.url = urlArg(flag, value());
		else if (flag === '--browser-url') opts.browserUrl = urlArg(flag, value());
		else if (flag === '--help' || flag === '-h') {
			console.log(USAGE);
			process.exit(0);
		} else throw new Error(`unknown option ${argv[i]}\n${USAGE}`);
	}
	if (!Number.isInteger(opts.port) || opts.port < 0 || opts.port > 65535) throw new Error(`invalid port: ${opts.port}`);
	return opts;
}

async function main(): Promise<void> {
	const opts = parseArgs(process.argv.slice(2), process.env);
	const sandbox = createSandbox({ dataDir: opts.dataDir });
	const created = opts.demo && (await seedDemoMailbox(inProcessAdmin(sandbox))) ? DEMO_MAILBOX.email : undefined;
	const url = await sandbox.listen(opts.port, opts.host);
	const port = Number(new URL(url).port);
	console.log(`Gmail Sandbox listening on ${url}${opts.dataDir ? ` (state in ${opts.dataDir})` : ' (in memory)'}`);
	console.log(`port ${port}`);
	const reach = reachOf({ host: opts.host, port, url: opts.url, browserUrl: opts.browserUrl });
	console.log(connectLines(reach, [...sandbox.store.mailboxes.values()].map((m) => m.email), created).join('\n'));
	const stop = () => {
		void sandbox.close().then(() => process.exit(0));
	};
	process.on('SIGINT', stop);
	process.on('SIGTERM', stop);
}

if (require.main === module) {
	main().catch((err) => {
		console.error(err instanceof Error ? err.message : err);
		process.exit(1);
	});
}
