import { createSandbox } from './index';

/** Parsed command line of `npm run sandbox`. */
export interface CliOptions {
	port: number;
	host: string;
	dataDir?: string;
}

/** Reads --port, --host, --data (and PORT) from argv/env. */
export function parseArgs(argv: string[], env: NodeJS.ProcessEnv): CliOptions {
	const opts: CliOptions = { port: env.PORT !== undefined && env.PORT !== '' ? Number(env.PORT) : 8787, host: '127.0.0.1' };
	for (let i = 0; i < argv.length; i++) {
		const [flag, inline] = argv[i].split('=', 2);
		const value = () => inline ?? argv[++i];
		if (flag === '--port') opts.port = Number(value());
		else if (flag === '--host') opts.host = value();
		else if (flag === '--data') opts.dataDir = value();
		else if (flag === '--help' || flag === '-h') {
			console.log('Usage: npm run sandbox -- [--port N] [--host H] [--data DIR]   (PORT env also works; port 0 picks a free one)');
			process.exit(0);
		}
	}
	if (!Number.isInteger(opts.port) || opts.port < 0 || opts.port > 65535) throw new Error(`invalid port: ${opts.port}`);
	return opts;
}

async function main(): Promise<void> {
	const opts = parseArgs(process.argv.slice(2), process.env);
	const sandbox = createSandbox({ dataDir: opts.dataDir });
	const url = await sandbox.listen(opts.port, opts.host);
	console.log(`Gmail Sandbox listening on ${url}${opts.dataDir ? ` (state in ${opts.dataDir})` : ' (in memory)'}`);
	console.log(`port ${new URL(url).port}`);
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
