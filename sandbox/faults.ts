/** The two methods that send mail, the only ones a rule that commits anyway can match. */
export const SEND_METHODS = ['messages.send', 'drafts.send'];

/**
 * One injected failure: calls matching `method` fail with `status` (the next `count` of them, or with probability `rate`).
 * `status` 0 means no HTTP answer at all: the socket is destroyed (after `holdMs`, so a client sees its own timeout).
 * On a send, `lateCommitMs` commits the message that long after the call anyway, and `errorAfterCommit` commits it first.
 */
export interface FaultRule {
	method?: string;
	status: number;
	reason?: string;
	message?: string;
	count?: number;
	rate?: number;
	/** Wait this long before answering (or before destroying the socket for status 0). */
	holdMs?: number;
	/** Sends only: the failed call's message is committed this many real ms after the call arrived. */
	lateCommitMs?: number;
	/** Sends only: the message is committed at once, then the call fails. */
	errorAfterCommit?: boolean;
}

/** Per-method latency: `{ 'messages.send': 300, '*': 50 }`. */
export type LatencyTable = Record<string, number>;

/** Fault settings for one mailbox or for all (POST /sandbox/faults). */
export interface FaultConfig {
	latencyMs?: number | LatencyTable;
	jitterMs?: number;
	rules: FaultRule[];
	resetAfterSend?: number;
	quota?: { unitsPerWindow: number; windowMs: number };
	concurrency?: number;
}

/** A held socket with no timeout of its own waits this long before it is destroyed. */
const DEFAULT_HOLD_MS = 60_000;

/** Injected faults: global and per mailbox; later POSTs merge into earlier ones (rules are appended). */
export class Faults {
	private readonly configs = new Map<string, FaultConfig>();

	/** Merges a POST /sandbox/faults body. */
	set(body: Record<string, unknown>): void {
		const key = typeof body.mailbox === 'string' ? body.mailbox.toLowerCase() : '*';
		const cfg = this.configs.get(key) ?? { rules: [] };
		if (body.latencyMs !== undefined) cfg.latencyMs = latencyOf(body.latencyMs);
		if (body.jitterMs !== undefined) cfg.jitterMs = nonNegative(body.jitterMs, 'jitterMs');
		if (body.resetAfterSend !== undefined) cfg.resetAfterSend = num(body.resetAfterSend, 'resetAfterSend');
		if (body.concurrency !== undefined) cfg.concurrency = num(body.concurrency, 'concurrency');
		if (body.quota !== undefined) {
			const q = body.quota as Record<string, unknown>;
			cfg.quota = { unitsPerWindow: num(q?.unitsPerWindow, 'quota.unitsPerWindow'), windowMs: num(q?.windowMs, 'quota.windowMs') };
		}
		if (body.rules !== undefined) {
			if (!Array.isArray(body.rules)) throw new Error('rules must be an array');
			cfg.rules.push(...(body.rules as Array<Record<string, unknown>>).map(ruleOf));
		}
		this.configs.set(key, cfg);
	}

	/** Removes every fault. */
	clear(): void {
		this.configs.clear();
	}

	private both(email: string): FaultConfig[] {
		return [this.configs.get(email), this.configs.get('*')].filter((c): c is FaultConfig => c !== undefined);
	}

	/** A scalar setting: the mailbox's own, else the global one. */
	value<K extends 'resetAfterSend' | 'concurrency' | 'quota'>(email: string, key: K): FaultConfig[K] | undefined {
		for (const c of this.both(email)) if (c[key] !== undefined) return c[key];
		return undefined;
	}

	/** Milliseconds to delay this call: the mailbox's latency for the method (or '*'), else the global one, plus jitter. */
	latency(email: string, method: string): number {
		let base = 0;
		for (const c of this.both(email)) {
			const l = c.latencyMs;
			const ms = typeof l === 'number' ? l : l?.[method] ?? l?.['*'];
			if (ms !== undefined) {
				base = ms;
				break;
			}
		}
		const jitter = this.both(email).find((c) => c.jitterMs !== undefined)?.jitterMs ?? 0;
		return base + (jitter > 0 ? Math.random() * jitter : 0);
	}

	/** The first rule that fires for this call (consuming one of its `count`), if any. */
	fire(email: string, method: string): FaultRule | undefined {
		for (const c of this.both(email)) {
			for (const r of c.rules) {
				if (r.method && r.method !== method) continue;
				if (commitsAnyway(r) && !SEND_METHODS.includes(method)) continue;
				if (r.count !== undefined && r.count <= 0) continue;
				if (r.rate !== undefined && Math.random() >= r.rate) continue;
				if (r.count !== undefined) r.count--;
				c.rules = c.rules.filter((x) => x.count === undefined || x.count > 0);
				return r;
			}
		}
		return undefined;
	}

	/** The current configuration (for GET /sandbox/faults). */
	toJSON(): Record<string, FaultConfig> {
		return Object.fromEntries(this.configs);
	}
}

/** Whether a rule's send is committed despite the failure (late or before the error). */
export function commitsAnyway(r: FaultRule): boolean {
	return r.lateCommitMs !== undefined || r.errorAfterCommit === true;
}

function ruleOf(r: Record<string, unknown>): FaultRule {
	// `timeout: true` is the readable spelling of "never answer": status 0, held until the client gives up.
	const timeout = r.timeout === true;
	if (r.timeout !== undefined && typeof r.timeout !== 'boolean') throw new Error('rules[].timeout must be a boolean');
	if (timeout && r.status !== undefined && r.status !== 0) throw new Error('rules[].timeout cannot have a status other than 0');
	const rule: FaultRule = { status: timeout ? 0 : num(r.status, 'rules[].status') };
	if (typeof r.method === 'string') rule.method = r.method;
	if (typeof r.reason === 'string') rule.reason = r.reason;
	if (typeof r.message === 'string') rule.message = r.message;
	if (r.count !== undefined) rule.count = num(r.count, 'rules[].count');
	if (r.rate !== undefined) rule.rate = num(r.rate, 'rules[].rate');
	if (r.holdMs !== undefined) rule.holdMs = nonNegative(r.holdMs, 'rules[].holdMs');
	else if (timeout) rule.holdMs = DEFAULT_HOLD_MS;
	if (r.lateCommitMs !== undefined) rule.lateCommitMs = nonNegative(r.lateCommitMs, 'rules[].lateCommitMs');
	if (r.errorAfterCommit !== undefined) {
		if (typeof r.errorAfterCommit !== 'boolean') throw new Error('rules[].errorAfterCommit must be a boolean');
		if (r.errorAfterCommit) rule.errorAfterCommit = true;
	}
	if (commitsAnyway(rule)) {
		if (rule.lateCommitMs !== undefined && rule.errorAfterCommit) throw new Error('a rule has either lateCommitMs or errorAfterCommit, not both');
		if (rule.method !== undefined && !SEND_METHODS.includes(rule.method)) {
			throw new Error(`lateCommitMs and errorAfterCommit apply to ${SEND_METHODS.join(' and ')} only`);
		}
		// A 4xx says Gmail refused the call; only a lost answer or a server error can hide a commit.
		if (rule.status !== 0 && (rule.status < 500 || rule.status > 599)) {
			throw new Error('a send that commits anyway fails with status 0 (no answer) or 5xx');
		}
	}
	return rule;
}

function latencyOf(v: unknown): number | LatencyTable {
	if (typeof v === 'number') return nonNegative(v, 'latencyMs');
	if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error("latencyMs must be a number or { method: ms, '*': ms }");
	return Object.fromEntries(Object.entries(v).map(([k, ms]) => [k, nonNegative(ms, `latencyMs['${k}']`)]));
}

function num(v: unknown, name: string): number {
	if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`${name} must be a number`);
	return v;
}

function nonNegative(v: unknown, name: string): number {
	const n = num(v, name);
	if (n < 0) throw new Error(`${name} must be 0 or more`);
	return n;
}

/** Timers of injected faults (late commits, held sockets): unref'd, and all cancelled by reset and close. */
export class FaultTimers {
	private readonly commits = new Map<NodeJS.Timeout, string>();

	private readonly holds = new Set<() => void>();

	/** Runs `commit` after `ms` real milliseconds; a failure (e.g. the daily cap by then) just means nothing is committed. */
	schedule(email: string, ms: number, commit: () => Promise<unknown>): void {
		const t = setTimeout(() => {
			this.commits.delete(t);
			commit().catch(() => undefined);
		}, ms);
		t.unref();
		this.commits.set(t, email);
	}

	/** Waits `ms`, or less if the timers are cleared meanwhile. */
	wait(ms: number): Promise<void> {
		return new Promise((resolve) => {
			const done = () => {
				clearTimeout(t);
				this.holds.delete(done);
				resolve();
			};
			const t = setTimeout(done, ms);
			t.unref();
			this.holds.add(done);
		});
	}

	/** Late commits still waiting (of one mailbox, or of all). */
	pending(email?: string): number {
		return [...this.commits.values()].filter((e) => email === undefined || e === email).length;
	}

	/** Cancels every late commit and ends every wait. */
	clear(): void {
		for (const t of this.commits.keys()) clearTimeout(t);
		this.commits.clear();
		for (const done of [...this.holds]) done();
	}
}
