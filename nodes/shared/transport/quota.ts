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
}

/** Keeps one mailbox's spend under the per-window budget and its in-flight calls under the concurrency cap (FIFO). */
export class Pacer {
	private entries: Entry[] = [];

	private queue: Waiter[] = [];

	private inFlight = 0;

	private timer: NodeJS.Timeout | undefined;

	constructor(public options: PacerOptions) {}

	/** Waits for room for a call of `units`; the returned release must be called when the call ends. */
	acquire(units: number): Promise<() => void> {
		return new Promise((resolve) => {
			this.queue.push({ units: Math.min(units, this.options.unitsPerWindow), resolve });
			this.pump();
		});
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
		this.prune(now);
		while (this.queue.length && this.inFlight < this.options.concurrency) {
			const head = this.queue[0];
			const spent = this.entries.reduce((sum, e) => sum + e.units, 0);
			if (spent + head.units > this.options.unitsPerWindow) break;
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
