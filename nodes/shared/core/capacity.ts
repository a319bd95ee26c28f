// The daily-cap rule: how many emails a mailbox may still send, and when each one that may not will fit. Pure.
import { unitHash } from './window';

/** Gmail's rolling window for the sending caps: 24 hours, not a calendar day. */
export const WINDOW_MS = 24 * 3600_000;

/** The account types Gmail caps differently. */
export type AccountType = 'gmail' | 'workspace' | 'workspace-trial';

/** Messages per rolling 24 h (Gmail and Workspace sending limits). */
export const DAILY_CAPS: Record<AccountType, number> = { gmail: 500, workspace: 2000, 'workspace-trial': 500 };

/** Workspace's recipient limits per rolling 24 h (To + Cc + Bcc, counted per address). */
export const RECIPIENT_LIMITS = { total: 10_000, external: 3_000 };

/** The default share of the cap the node lets automation use (the rest is head room for Gmail's own counting). */
export const DEFAULT_MARGIN = 0.9;

/** A limit that leaves no room to send at all, or an input that makes no sense. */
export class CapacityError extends Error {
	override name = 'CapacityError' as const;
}

/** The daily cap of an account type, or a custom number. */
export function dailyCap(type: AccountType | number): number {
	if (typeof type === 'number') {
		if (!Number.isInteger(type) || type < 1) throw new CapacityError(`a custom daily cap must be a whole number ≥ 1, got ${type}`);
		return type;
	}
	const cap = DAILY_CAPS[type];
	if (cap === undefined) throw new CapacityError(`unknown account type "${String(type)}" (gmail, workspace, workspace-trial, or a number)`);
	return cap;
}

/** Cap, safety margin (0–1) and sends kept back for mail the person writes by hand. */
export interface CapacityLimit {
	cap: number;
	margin?: number;
	reserve?: number;
}

/** How many sends automation may have in the window: floor(cap × margin) − reserve; throws if that leaves nothing. */
export function allowedSends(limit: CapacityLimit): number {
	const margin = limit.margin ?? DEFAULT_MARGIN;
	const reserve = limit.reserve ?? 0;
	if (!(limit.cap >= 1)) throw new CapacityError(`the daily cap must be ≥ 1, got ${limit.cap}`);
	if (!(margin > 0 && margin <= 1)) throw new CapacityError(`the safety margin must be above 0 % and at most 100 %, got ${margin * 100} %`);
	if (!(reserve >= 0) || !Number.isInteger(reserve)) throw new CapacityError(`the reserve must be a whole number ≥ 0, got ${reserve}`);
	// The epsilon keeps 0.9 × 500 at 450 whatever the float rounding.
	const allowed = Math.floor(limit.cap * margin + 1e-9) - reserve;
	if (allowed < 1) throw new CapacityError(`a cap of ${limit.cap} at ${Math.round(margin * 100)} % minus a reserve of ${reserve} leaves no email to send`);
	return allowed;
}

/** What the window holds against the limit: sends allowed, sends beyond it, and room left (never below 0). */
export function capacityOf(limit: CapacityLimit, sent: number): { allowed: number; over: number; capacity: number } {
	const allowed = allowedSends(limit);
	return { allowed, over: Math.max(0, sent - allowed), capacity: Math.max(0, allowed - sent) };
}

/**
 * Which counted sends' times a plan needs, oldest first (0-based, `to` exclusive): for `deferred` items
 * waiting, the ones whose leaving frees their slots, plus one for the next free time. Items after those
 * wait for sends not yet made, whose times are known (or assumed) without reading the mailbox.
 */
export function timesNeeded(limit: CapacityLimit, sent: number, wanted: number): { from: number; to: number } {
	const { over, capacity } = capacityOf(limit, sent);
	const deferred = Math.max(0, wanted - capacity);
	// Room left after this run: no time is needed to say "free now".
	if (capacity > wanted) return { from: over, to: over };
	return { from: over, to: Math.min(sent, over + deferred + 1) };
}

/** A second limit counted by weight instead of by message, e.g. Workspace's recipients a day. */
export interface WeightedLimit {
	/** Weight allowed in the window (margin already applied). */
	allowed: number;
	/** What the window holds: when, and how much. */
	sent: Array<{ at: number; weight: number }>;
	/** Weight of one more email (e.g. its recipients). */
	perItem: number;
}

/** Everything the rule needs: the limit, what the window holds, the time, and how many items want to go. */
export interface CapacityInput extends CapacityLimit {
	/** Sends counted in the window; default `timesFrom + sentTimes.length`. */
	sent?: number;
	/** Send times (epoch ms) of counted sends from the `timesFrom`-th oldest on; all of them when timesFrom is 0 and sent is left out. */
	sentTimes: number[];
	/** Position (0-based, oldest first) of sentTimes[0] among the counted sends. */
	timesFrom?: number;
	now: number;
	wanted: number;
	/** When each Send-Now item will go (default: now). */
	plannedAt?: number[];
	/** More limits the same items count against (e.g. recipients); each must have room as well. */
	extra?: WeightedLimit[];
}

/** The rule's answer. */
export interface CapacityPlan {
	/** Sends the window may hold for automation. */
	allowed: number;
	/** Sends counted in the window. */
	sent: number;
	/** Room before this run: allowed − sent, never below 0. */
	capacity: number;
	/** How many of the wanted items may go now (the first ones). */
	sendNow: number;
	/** For each item that may not go now, in order: the moment enough of the window has freed up for it. */
	retryAts: Date[];
	/** When the next item after these could go (now when room is left). */
	nextFreeAt: Date;
}

interface Consumer {
	at: number;
	weight: number;
}

/** One limit as the simulation sees it: its room and what occupies the window, oldest first. */
interface Track {
	allowed: number;
	perItem: number;
	consumers: Consumer[];
}

function insert(list: Consumer[], c: Consumer): void {
	let lo = 0;
	let hi = list.length;
	while (lo < hi) {
		const mid = (lo + hi) >> 1;
		if (list[mid].at <= c.at) lo = mid + 1;
		else hi = mid;
	}
	list.splice(lo, 0, c);
}

/**
 * The earliest time ≥ t at which one more item fits this limit for its whole stay in the window: returns t
 * if it fits, else the moment the first conflict clears (the caller checks again from there).
 */
function conflictEnd(track: Track, t: number): number | undefined {
	const cs = track.consumers;
	// Points where the window's weight can rise while the item would be in it: t itself and later arrivals.
	let lo = 0;
	let sum = 0;
	let hi = 0;
	const at = (p: number) => {
		while (hi < cs.length && cs[hi].at <= p) sum += cs[hi++].weight;
		while (lo < hi && cs[lo].at <= p - WINDOW_MS) sum -= cs[lo++].weight;
	};
	const points = [t, ...cs.filter((c) => c.at > t && c.at < t + WINDOW_MS).map((c) => c.at)];
	for (const p of points) {
		at(p);
		const excess = sum + track.perItem - track.allowed;
		if (excess <= 0) continue;
		// The oldest sends in the window at p leave one by one; the one that frees enough sets the time.
		let freed = 0;
		for (let k = lo; k < hi; k++) {
			freed += cs[k].weight;
			if (freed >= excess) return cs[k].at + WINDOW_MS;
		}
		throw new CapacityError('an email weighs more than the whole limit allows');
	}
	return undefined;
}

/** The earliest time ≥ from at which one more item fits every limit. */
function firstFit(tracks: Track[], from: number): number {
	let t = from;
	for (let guard = 0; guard < 1_000_000; guard++) {
		let moved = false;
		for (const track of tracks) {
			const next = conflictEnd(track, t);
			if (next !== undefined && next > t) {
				t = next;
				moved = true;
			}
		}
		if (!moved) return t;
	}
	throw new CapacityError('no time found at which the item fits');
}

/**
 * The one capacity rule (Quota Guard and the sending nodes call it): the first items that fit go now; each
 * other item gets the moment enough of the rolling window frees up for it — when the corresponding oldest
 * counted send turns 24 h old, or, past those, 24 h after the planned sends before it. Counted sends
 * whose time is not given are assumed as late as they can be (never early); missing older ones leave with
 * the oldest given time.
 */
export function capacityPlan(input: CapacityInput): CapacityPlan {
	const timesFrom = input.timesFrom ?? 0;
	const sent = input.sent ?? timesFrom + input.sentTimes.length;
	const wanted = Math.max(0, Math.floor(input.wanted));
	if (!(sent >= 0) || !Number.isFinite(input.now)) throw new CapacityError('sent must be ≥ 0 and now a time');
	const { allowed, capacity } = capacityOf(input, sent);
	const times = [...input.sentTimes].sort((a, b) => a - b);
	const known = times.slice(0, Math.max(0, sent - timesFrom));
	const consumers: Consumer[] = [];
	// Older ones without a time left no later than the oldest known one; newer ones could be as new as now (or the
	// newest known time: a clock read to the second can be a little behind the sends it counts).
	const latest = Math.max(input.now, ...known);
	const olderAt = known.length ? known[0] : latest;
	if (timesFrom > 0) consumers.push({ at: olderAt, weight: Math.min(timesFrom, sent) });
	for (const t of known) consumers.push({ at: t, weight: 1 });
	const newer = sent - Math.min(timesFrom, sent) - known.length;
	if (newer > 0) consumers.push({ at: latest, weight: newer });
	consumers.sort((a, b) => a.at - b.at);
	const tracks: Track[] = [{ allowed, perItem: 1, consumers }];
	let sendNow = Math.min(wanted, capacity);
	for (const x of input.extra ?? []) {
		if (!(x.perItem > 0)) throw new CapacityError('an extra limit needs a positive weight per item');
		const inWindow = x.sent.filter((s) => s.at > input.now - WINDOW_MS);
		const used = inWindow.reduce((a, s) => a + s.weight, 0);
		sendNow = Math.min(sendNow, Math.max(0, Math.floor((x.allowed - used) / x.perItem)));
		tracks.push({ allowed: x.allowed, perItem: x.perItem, consumers: inWindow.map((s) => ({ at: s.at, weight: s.weight })).sort((a, b) => a.at - b.at) });
	}
	for (let i = 0; i < sendNow; i++) {
		// This run's sends come after every counted one, even when the clock (read to the second) is a little behind them.
		const at = Math.max(latest, input.plannedAt?.[i] ?? input.now);
		for (const track of tracks) insert(track.consumers, { at, weight: track.perItem });
	}
	const retryAts: Date[] = [];
	let t = input.now;
	for (let j = sendNow; j <= wanted; j++) {
		t = firstFit(tracks, t);
		if (j === wanted) break;
		retryAts.push(new Date(t));
		for (const track of tracks) insert(track.consumers, { at: t, weight: track.perItem });
	}
	return { allowed, sent, capacity, sendNow, retryAts, nextFreeAt: new Date(t) };
}

/**
 * The mailbox a lead without a sender of its own goes to: the one with the most room left; among equals, the
 * lead's address hashed over them (sorted), so the same state always gives the same choice. Undefined when
 * no mailbox has room. A lead that already has a sender keeps it: its thread lives in that mailbox.
 */
export function chooseMailbox(room: ReadonlyMap<string, number>, leadAddress: string): string | undefined {
	let best = 0;
	for (const r of room.values()) best = Math.max(best, r);
	if (best <= 0) return undefined;
	const tied = [...room.entries()].filter(([, r]) => r === best).map(([m]) => m).sort();
	return tied[Math.floor(unitHash(leadAddress.trim().toLowerCase()) * tied.length)];
}
