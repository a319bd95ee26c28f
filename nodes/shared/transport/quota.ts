// Quota units per Gmail method (GMAIL.md) and an in-process pacer per mailbox.

/** Gmail's quota units per method (per-user budget: 15,000 units per minute). */
export const METHOD_UNITS: Readonly<Record<string, number>> = {
	'users.getProfile': 1,
	'labels.get': 1,
	'labels.list': 1,
	'settings.sendAs.list': 1,
	'settings.sendAs.get': 1,
	'history.list': 2,
	'messages.get': 5,
	'messages.list': 5,
	'messages.modify': 5,
	'messages.attachments.get': 5,
	'drafts.get': 5,
	'drafts.list': 5,
	'labels.create': 5,
	'labels.update': 5,
	'labels.patch': 5,
	'labels.delete': 5,
	'drafts.create': 10,
	'drafts.delete': 10,
	'messages.delete': 10,
	'messages.trash': 5,
	'threads.get': 10,
	'threads.list': 10,
	'threads.modify': 10,
	'drafts.update': 15,
	'messages.insert': 25,
	'messages.import': 25,
	'messages.batchModify': 50,
	'messages.batchDelete': 50,
	'messages.send': 100,
	'drafts.send': 100,
	'users.watch': 100,
};

/** Units a method costs; unknown methods are charged 5 (the common read cost) rather than nothing. */
export function unitsFor(method: string): number {
	return METHOD_UNITS[method] ?? 5;
}

/** Methods whose failure without a definite answer may still have sent mail. */
export const SEND_METHODS: ReadonlySet<string> = new Set(['messages.send', 'drafts.send']);

const S = 'https://www.googleapis.com/auth/';
const READ = [`${S}gmail.readonly`, `${S}gmail.modify`, 'https://mail.google.com/'];
const COMPOSE = [`${S}gmail.compose`, `${S}gmail.modify`, 'https://mail.google.com/'];
const LABELS = [`${S}gmail.labels`, `${S}gmail.modify`, 'https://mail.google.com/'];

/** Scopes Gmail accepts for each method (any one suffices), to name the missing one in a ScopeError. */
export const METHOD_SCOPES: Readonly<Record<string, string[]>> = {
	'users.getProfile': [...READ, `${S}gmail.compose`, `${S}gmail.metadata`],
	'settings.sendAs.list': [`${S}gmail.readonly`, `${S}gmail.settings.basic`, `${S}gmail.modify`, 'https://mail.google.com/'],
	'messages.send': [`${S}gmail.send`, ...COMPOSE],
	'drafts.send': COMPOSE,
	'drafts.create': COMPOSE,
	'drafts.update': COMPOSE,
	'drafts.delete': COMPOSE,
	'drafts.get': [...COMPOSE, `${S}gmail.readonly`],
	'drafts.list': [...COMPOSE, `${S}gmail.readonly`],
	'messages.get': [...READ, `${S}gmail.metadata`],
	'messages.list': [...READ, `${S}gmail.metadata`],
	'threads.get': [...READ, `${S}gmail.metadata`],
	'threads.list': [...READ, `${S}gmail.metadata`],
	'history.list': [...READ, `${S}gmail.metadata`],
	'messages.modify': [`${S}gmail.modify`, 'https://mail.google.com/'],
	'messages.batchModify': [`${S}gmail.modify`, 'https://mail.google.com/'],
	'labels.list': [...LABELS, `${S}gmail.readonly`, `${S}gmail.metadata`],
	'labels.create': LABELS,
};

/** Pacer settings: units per sliding window and how many calls may be in flight at once. */
export interface PacerOptions {
	unitsPerWindow: number;
	windowMs: number;
	concurrency: number;
	/** Extra wait after a window entry expires, so a server that stamped the call later also sees it expire. */
	marginMs?: number;
}

interface Entry {
	at: number;
	units: number;
}

interface Waiter {
	units: number;
	resolve: (release: () => void) => void;
	retry: boolean;
}

/** A refused pacer keeps this share of what it spent in the window, never under MIN_SHARE of its budget, and regains REGAIN_PER_WINDOW of it per window without a refusal. */
const CUT = 0.7;
const MIN_SHARE = 1 / 8;
const REGAIN_PER_WINDOW = 0.1;
/** After a refusal, wait up to this share of a window more, so processes refused together do not return together. */
const JITTER_SHARE = 0.2;

/**
 * Keeps one mailbox's spend under the per-window budget and its in-flight calls under the concurrency cap (FIFO).
 * A per-minute refusal means another process (a queue worker, the person's own tools) spends the same budget: the
 * pacer then cuts its budget to 70 % of what it spent in the window and pauses a random moment (the refused call
 * itself waits for Gmail's retry time), regaining a tenth of the budget per window without a refusal, so pacers that cannot see each other settle near
 * a fair share of the one budget instead of each retrying into it, and a pacer alone gets it all back.
 */
export class Pacer {
	private entries: Entry[] = [];

	private share = 1;

	/** When the share last changed (a cut, or a window's regain). */
	private shareAt = 0;

	/** Calls granted at or before this were in flight when the share was cut: their refusals are the same news. */
	private cutAt = 0;

	private holdUntil = 0;

	private queue: Waiter[] = [];

	private inFlight = 0;

	private timer: NodeJS.Timeout | undefined;

	constructor(public options: PacerOptions) {}

	/** Waits for room for a call of `units` (a retry goes before first tries); the returned release must be called when the call ends. */
	acquire(units: number, retry = false): Promise<() => void> {
		return new Promise((resolve) => {
			const waiter = { units: Math.min(units, this.options.unitsPerWindow), resolve, retry };
			// A retry has waited longest and has a retry budget running: it goes after earlier retries, before first tries.
			const at = retry ? this.queue.findIndex((w) => !w.retry) : -1;
			if (at >= 0) this.queue.splice(at, 0, waiter);
			else this.queue.push(waiter);
			this.pump();
		});
	}

	/** Gmail refused a call granted at `grantedAt` for the per-minute quota (the refused call itself waits for Gmail's retry time). */
	refused(grantedAt: number, now = Date.now(), random = Math.random): void {
		// Already in flight at the last cut: the same news.
		if (grantedAt <= this.cutAt) return;
		const used = this.spentInWindow(now) / this.options.unitsPerWindow;
		this.share = Math.max(MIN_SHARE, Math.min(this.share, used) * CUT);
		this.cutAt = now;
		this.holdUntil = now + Math.round(random() * JITTER_SHARE * this.options.windowMs);
		// Regained by windows spent sending, not by the wait.
		this.shareAt = this.holdUntil;
		this.pump();
	}

	/** The units this pacer may spend per window now. */
	budget(now = Date.now()): number {
		const quiet = Math.floor((now - this.shareAt) / this.options.windowMs);
		if (this.share < 1 && quiet > 0) {
			this.share = Math.min(1, this.share + quiet * REGAIN_PER_WINDOW);
			this.shareAt += quiet * this.options.windowMs;
		}
		return Math.round(this.options.unitsPerWindow * this.share);
	}

	/** Units charged in the current window. */
	spentInWindow(now = Date.now()): number {
		this.prune(now);
		return this.entries.reduce((sum, e) => sum + e.units, 0);
	}

	private prune(now: number) {
		const horizon = now - this.options.windowMs - (this.options.marginMs ?? 0);
		while (this.entries.length && this.entries[0].at <= horizon) this.entries.shift();
	}

	private pump() {
		if (this.timer) {
			clearTimeout(this.timer);
			this.timer = undefined;
		}
		const now = Date.now();
		if (now < this.holdUntil) {
			if (this.queue.length) this.timer = setTimeout(() => this.pump(), this.holdUntil - now);
			return;
		}
		this.prune(now);
		const budget = this.budget(now);
		while (this.queue.length && this.inFlight < this.options.concurrency) {
			const head = this.queue[0];
			const spent = this.entries.reduce((sum, e) => sum + e.units, 0);
			// A call bigger than a cut budget goes alone into an empty window rather than never.
			if (spent + head.units > budget && spent > 0) break;
			this.queue.shift();
			const entry: Entry = { at: now, units: head.units };
			this.entries.push(entry);
			this.inFlight++;
			let released = false;
			head.resolve(() => {
				if (released) return;
				released = true;
				this.inFlight--;
				// Count the call from when it ended: the server stamped it somewhere in between.
				entry.at = Date.now();
				this.entries.sort((a, b) => a.at - b.at);
				this.pump();
			});
		}
		if (this.queue.length && this.inFlight < this.options.concurrency && this.entries.length) {
			const wait = this.entries[0].at + this.options.windowMs + (this.options.marginMs ?? 0) - now + 1;
			this.timer = setTimeout(() => this.pump(), Math.max(1, wait));
		}
	}
}

const pacers = new Map<string, Pacer>();

/** The process-wide pacer for a mailbox key; options from the latest caller win. */
export function pacerFor(key: string, options: PacerOptions): Pacer {
	let pacer = pacers.get(key);
	if (!pacer) {
		pacer = new Pacer(options);
		pacers.set(key, pacer);
	} else {
		pacer.options = options;
	}
	return pacer;
}
