/** One injected failure: calls matching `method` fail with `status` (the next `count` of them, or with probability `rate`). */
export interface FaultRule {
	method?: string;
	status: number;
	reason?: string;
	message?: string;
	count?: number;
	rate?: number;
}

/** Fault settings for one mailbox or for all (POST /sandbox/faults). */
export interface FaultConfig {
	latencyMs?: number;
	rules: FaultRule[];
	resetAfterSend?: number;
	quota?: { unitsPerWindow: number; windowMs: number };
	concurrency?: number;
}

/** Injected faults: global and per mailbox; later POSTs merge into earlier ones (rules are appended). */
export class Faults {
	private readonly configs = new Map<string, FaultConfig>();

	/** Merges a POST /sandbox/faults body. */
	set(body: Record<string, unknown>): void {
		const key = typeof body.mailbox === 'string' ? body.mailbox.toLowerCase() : '*';
		const cfg = this.configs.get(key) ?? { rules: [] };
		if (body.latencyMs !== undefined) cfg.latencyMs = num(body.latencyMs, 'latencyMs');
		if (body.resetAfterSend !== undefined) cfg.resetAfterSend = num(body.resetAfterSend, 'resetAfterSend');
		if (body.concurrency !== undefined) cfg.concurrency = num(body.concurrency, 'concurrency');
		if (body.quota !== undefined) {
			const q = body.quota as Record<string, unknown>;
			cfg.quota = { unitsPerWindow: num(q?.unitsPerWindow, 'quota.unitsPerWindow'), windowMs: num(q?.windowMs, 'quota.windowMs') };
		}
		if (body.rules !== undefined) {
			if (!Array.isArray(body.rules)) throw new Error('rules must be an array');
			for (const r of body.rules as Array<Record<string, unknown>>) {
				const rule: FaultRule = { status: num(r.status, 'rules[].status') };
				if (typeof r.method === 'string') rule.method = r.method;
				if (typeof r.reason === 'string') rule.reason = r.reason;
				if (typeof r.message === 'string') rule.message = r.message;
				if (r.count !== undefined) rule.count = num(r.count, 'rules[].count');
				if (r.rate !== undefined) rule.rate = num(r.rate, 'rules[].rate');
				cfg.rules.push(rule);
			}
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
	value<K extends 'latencyMs' | 'resetAfterSend' | 'concurrency' | 'quota'>(email: string, key: K): FaultConfig[K] | undefined {
		for (const c of this.both(email)) if (c[key] !== undefined) return c[key];
		return undefined;
	}

	/** The first rule that fires for this call (consuming one of its `count`), if any. */
	fire(email: string, method: string): FaultRule | undefined {
		for (const c of this.both(email)) {
			for (const r of c.rules) {
				if (r.method && r.method !== method) continue;
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

function num(v: unknown, name: string): number {
	if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`${name} must be a number`);
	return v;
}
