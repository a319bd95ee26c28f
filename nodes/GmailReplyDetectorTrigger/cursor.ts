import type { IDataObject } from 'n8n-workflow';

/** Most message ids the cursor remembers: far more than arrive in a settle window, small enough for static data. */
export const RECENT_MAX = 2000;

/** After a sync by date, how long the search for the minutes before the new cursor is repeated (Gmail's index lags writes). */
export const SETTLE_MS = 10 * 60_000;

/**
 * The trigger's one piece of state (the node's static data): where history reading goes on, when it last polled,
 * the ids it already handled (so no event is emitted twice), and a pending re-search after a sync by date.
 */
export interface TriggerCursor {
	historyId?: string;
	/** Epoch ms of the last successful poll (this machine's clock). */
	polledAt?: number;
	/** Message ids already handled, oldest first. */
	recent: string[];
	/** Search `after:` afterMs again on every poll until untilMs: mail that reached the index late after a sync by date. */
	settle?: { afterMs: number; untilMs: number };
}

/** The cursor in the static data (an empty one on the first run). */
export function readCursor(data: IDataObject): TriggerCursor {
	const recent = Array.isArray(data.recent) ? data.recent.filter((x): x is string => typeof x === 'string') : [];
	const settle = data.settle as { afterMs?: unknown; untilMs?: unknown } | undefined;
	return {
		...(typeof data.historyId === 'string' && data.historyId ? { historyId: data.historyId } : {}),
		...(typeof data.polledAt === 'number' ? { polledAt: data.polledAt } : {}),
		recent,
		...(settle && typeof settle.afterMs === 'number' && typeof settle.untilMs === 'number' ? { settle: { afterMs: settle.afterMs, untilMs: settle.untilMs } } : {}),
	};
}

/** Writes the cursor into the static data in place (n8n saves it with the poll's result). */
export function writeCursor(data: IDataObject, c: TriggerCursor): void {
	data.historyId = c.historyId ?? '';
	data.polledAt = c.polledAt ?? Date.now();
	data.recent = c.recent.slice(-RECENT_MAX);
	if (c.settle) data.settle = { ...c.settle };
	else delete data.settle;
}

/** The ids already handled, in arrival order, bounded. */
export class RecentIds {
	private readonly order: string[];
	private readonly set: Set<string>;

	constructor(ids: string[]) {
		this.order = ids.slice(-RECENT_MAX);
		this.set = new Set(this.order);
	}

	/** Whether the id was already handled. */
	has(id: string): boolean {
		return this.set.has(id);
	}

	/** Records an id as handled. */
	add(id: string): void {
		if (this.set.has(id)) return;
		this.set.add(id);
		this.order.push(id);
	}

	/** The newest RECENT_MAX ids, oldest first. */
	list(): string[] {
		return this.order.slice(-RECENT_MAX);
	}
}
