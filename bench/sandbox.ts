// A test sandbox behind a counting front door, so benchmarks can report HTTP round trips next to Gmail method calls.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SandboxSettings } from '../sandbox/index';
import { startSandbox, type SandboxStats, type TestSandbox } from '../test/support/sandbox';

/** A sandbox whose Gmail traffic goes through `apiUrl`, where every HTTP request is counted. */
export interface BenchSandbox {
	sb: TestSandbox;
	/** Base URL for Gmail clients (counted); the admin API stays on `sb.url`. */
	apiUrl: string;
	/** HTTP requests (Gmail REST and batch) received on `apiUrl` so far. */
	requests(): number;
	close(): Promise<void>;
}

/** Starts a sandbox on 127.0.0.1:0 plus its counting front door; close both with `close()`. */
export async function startBenchSandbox(settings?: Partial<SandboxSettings>): Promise<BenchSandbox> {
	const sb = await startSandbox(settings);
	let count = 0;
	const front = http.createServer((req, res) => {
		count++;
		sb.sandbox.handle(req, res);
	});
	try {
		await new Promise<void>((resolve, reject) => {
			front.once('error', reject);
			front.listen(0, '127.0.0.1', () => resolve());
		});
	} catch (error) {
		await sb.close();
		throw error;
	}
	const port = (front.address() as AddressInfo).port;
	return {
		sb,
		apiUrl: `http://127.0.0.1:${port}`,
		requests: () => count,
		async close() {
			await new Promise<void>((resolve) => {
				front.close(() => resolve());
				front.closeAllConnections();
			});
			await sb.close();
		},
	};
}

/** What one measured phase cost the mailbox: Gmail method calls, quota units, HTTP requests, 429s. */
export interface Cost {
	calls: number;
	byMethod: Record<string, number>;
	units: number;
	requests: number;
	rateLimited: number;
}

/** Snapshots a mailbox's sandbox stats; `cost()` later gives what happened in between. */
export async function meter(b: BenchSandbox, mailbox: string): Promise<{ cost(): Promise<Cost> }> {
	const before = await b.sb.stats(mailbox);
	const requestsBefore = b.requests();
	return {
		async cost() {
			const after = await b.sb.stats(mailbox);
			return diff(before, after, b.requests() - requestsBefore);
		},
	};
}

function diff(before: SandboxStats, after: SandboxStats, requests: number): Cost {
	const byMethod: Record<string, number> = {};
	for (const [k, v] of Object.entries(after.calls)) {
		const d = v - (before.calls[k] ?? 0);
		if (d) byMethod[k] = d;
	}
	const errors = (k: string, s: SandboxStats) => s.errors[k] ?? 0;
	return {
		calls: Object.values(byMethod).reduce((a, b) => a + b, 0),
		byMethod,
		units: after.quotaUnits - before.quotaUnits,
		requests,
		rateLimited: errors('429', after) - errors('429', before) + errors('403', after) - errors('403', before),
	};
}

/** "messages.list ×200, messages.get ×100". */
export function methods(c: Cost): string {
	return Object.entries(c.byMethod)
		.map(([k, v]) => `${k} ×${v}`)
		.join(', ');
}
