import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { chooseMailbox } from '../shared/core/capacity';
import { endOfDay, isOpen, nextOpening, openInterval, spreadSends } from '../shared/core/window';
import { attempt } from '../shared/node/attempt';
import { GmailError } from '../shared/transport';
import { readLead, GUARD_FIELDS, type Lead } from './leads';
import { earlierField, nested, ourFieldsOf, withOurFields } from '../shared/node/fields';
import { credentialProblem, openMailboxes, type Mailbox } from './mailboxes';
import { readGuardSettings, type GuardSettings } from './params';
import { GUARD_OUTPUTS } from './description';
import { forCaller, outputNames } from '../shared/node/tool';

const iso = (ms: number) => new Date(ms).toISOString();

/** How long an item waits when its mailbox could not be measured (Gmail or the network failed after retries). */
const TRANSIENT_RETRY_MS = 15 * 60_000;

/** Where each item goes, built up during the run; every input item gets exactly one. */
class Decisions {
	readonly out: Array<{ output: 0 | 1 | 2; json: IDataObject } | undefined>;

	constructor(
		private readonly items: INodeExecutionData[],
		readonly nested: boolean,
	) {
		this.out = new Array(items.length);
	}

	private put(i: number, output: 0 | 1 | 2, json: IDataObject): void {
		if (this.out[i]) throw new Error(`Gmail Quota Guard: item ${i} was decided twice (a bug)`);
		this.out[i] = { output, json: withOurFields(this.items[i].json, json, this.nested, GUARD_FIELDS) };
	}

	sendNow(i: number, json: IDataObject): void {
		this.put(i, 0, { ...json, quotaStatus: 'send_now' });
	}

	defer(i: number, reason: string, retryAt: number, json: IDataObject = {}): void {
		this.put(i, 1, { ...json, quotaStatus: 'deferred', reason, retryAt: iso(retryAt) });
	}

	/** Passes an item on exactly as an earlier Quota Guard deferred it (chained guards). */
	passOn(i: number): void {
		if (this.out[i]) throw new Error(`Gmail Quota Guard: item ${i} was decided twice (a bug)`);
		this.out[i] = { output: 1, json: { ...(this.items[i].json ?? {}) } };
	}

	fail(i: number, reason: string, error: string, json: IDataObject = {}): void {
		this.put(i, 2, { ...json, quotaStatus: 'failed', reason, error });
	}

	/** The node's outputs in input order; throws if an item has no outcome (count in must equal count out). */
	outputs(summary: INodeExecutionData[]): INodeExecutionData[][] {
		const outs: INodeExecutionData[][] = [[], [], [], summary];
		this.out.forEach((d, i) => {
			if (!d) throw new Error(`Gmail Quota Guard: item ${i} has no outcome (a bug)`);
			const item: INodeExecutionData = { json: d.json, pairedItem: { item: i } };
			if (this.items[i].binary) item.binary = this.items[i].binary;
			outs[d.output].push(item);
		});
		return outs;
	}
}

/** What every item that a mailbox decided carries: the numbers behind the decision. */
function quotaFields(box: Mailbox, s: GuardSettings): IDataObject {
	const w = box.window;
	return {
		mailbox: box.address,
		cap: s.limit.cap,
		allowed: box.plan?.allowed ?? null,
		sentInWindow: w?.sent ?? null,
		roomBefore: box.roomBefore,
		roomLeft: box.room,
		nextFreeAt: box.plan ? box.plan.nextFreeAt.toISOString() : null,
		measuredAt: w ? iso(w.now) : null,
	};
}

/** End of the stretch the Send-Now items of one lead are spread over: today's window, or the local day. */
function spreadUntil(s: GuardSettings, lead: Lead, now: number): number {
	if (!s.window) return endOfDay(lead.zone, now);
	return openInterval(s.window, lead.zone, now)?.end ?? now;
}

/** Send times for the items a mailbox takes: an earlier run's slot is kept; the rest spread (or now, when fast). */
function pace(s: GuardSettings, leads: Lead[], now: number): Map<number, number> {
	const at = new Map<number, number>();
	if (s.pacing === 'fast') {
		for (const l of leads) at.set(l.index, now);
		return at;
	}
	const groups = new Map<number, Lead[]>();
	for (const l of leads) {
		const until = spreadUntil(s, l, now);
		// A slot from an earlier run still inside today's stretch stays: re-running must not push leads back. A stale one
		// (older than a horizon: the lead came back for another reason) is paced anew, so leftovers do not bunch up.
		if (l.earlierSendAt !== undefined && l.earlierSendAt >= now - s.horizonMs && l.earlierSendAt < until) {
			at.set(l.index, Math.max(now, l.earlierSendAt));
			continue;
		}
		groups.set(until, [...(groups.get(until) ?? []), l]);
	}
	for (const [until, group] of groups) {
		const times = spreadSends(now, until, group.map((l) => l.address));
		group.forEach((l, k) => at.set(l.index, times[k]));
	}
	return at;
}

/** The Quota Guard's execution: measure each mailbox, then per item Send Now (with sendAt), Deferred (with retryAt) or Failed. */
export async function executeQuotaGuard(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	return forCaller(this, await guard.call(this), outputNames(GUARD_OUTPUTS));
}

async function guard(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	if (!items.length) return [[], [], [], []];
	const s = readGuardSettings(this);
	const boxes = await openMailboxes(this, s);
	const byAddress = new Map(boxes.filter((b) => b.address).map((b) => [b.address, b]));
	const usable = boxes.filter((b) => b.window && !b.failure);
	// The mailbox's clock, not this machine's: the window is Gmail's.
	const now = usable[0]?.window?.now ?? Date.now();
	const d = new Decisions(items, nested(this));

	const candidates: Lead[] = [];
	for (let i = 0; i < items.length; i++) {
		const json = items[i].json ?? {};
		const lead = readLead(json, i, s);
		if (!('address' in lead)) {
			d.fail(i, lead.reason, lead.error, { field: lead.field });
			continue;
		}
		const pinnedBox = lead.pinned ? byAddress.get(lead.pinned) : undefined;
		if (lead.pinned && !pinnedBox) {
			// Another guard's mailbox (chained guards): what it decided stands; otherwise the next guard should take it.
			const retryAt = earlierField(json, 'retryAt');
			if (earlierField(json, 'quotaStatus') === 'deferred' && typeof retryAt === 'string' && Number.isFinite(Date.parse(retryAt))) {
				d.passOn(i);
				continue;
			}
			const mine = [...byAddress.keys()].join(', ') || 'none could be read';
			d.defer(i, 'other_sender', now, { detail: `The lead is mailed from ${lead.pinned}; this node sends as ${mine}.` });
			continue;
		}
		if (pinnedBox?.failure) {
			const f = pinnedBox.failure;
			if (credentialProblem(f)) d.fail(i, 'auth', `${pinnedBox.address}: ${f.message}`, { field: s.senderField });
			else d.defer(i, 'transient', Date.now() + TRANSIENT_RETRY_MS, { detail: `${pinnedBox.address}: ${f.message}` });
			continue;
		}
		if (s.window && !isOpen(s.window, lead.zone, now)) {
			d.defer(i, 'outside_window', nextOpening(s.window, lead.zone, now), { detail: `Send window closed in ${lead.zone}` });
			continue;
		}
		candidates.push(lead);
	}

	// Leads holding a slot from an earlier run go first, so a re-run never hands their room to newcomers.
	candidates.sort((a, b) => (a.earlierSendAt ?? Infinity) - (b.earlierSendAt ?? Infinity) || a.index - b.index);
	const taken = new Map<Mailbox, Lead[]>();
	const waiting = new Map<Mailbox, Lead[]>();
	const unplaced: Lead[] = [];
	for (const lead of candidates) {
		const room = new Map(usable.map((b) => [b.address, b.room]));
		const box = lead.pinned ? byAddress.get(lead.pinned) : byAddress.get(chooseMailbox(room, lead.address) ?? '');
		if (box && box.room > 0) {
			box.room--;
			taken.set(box, [...(taken.get(box) ?? []), lead]);
		} else if (box) {
			waiting.set(box, [...(waiting.get(box) ?? []), lead]);
		} else {
			unplaced.push(lead);
		}
	}

	// Per mailbox: send times for what it takes, then the rule's retry times for what waits (its own leads first).
	const sendAt = new Map<number, number>();
	const slots = new Map<Mailbox, number[]>();
	for (const box of usable) {
		const mine = taken.get(box) ?? [];
		for (const [i, t] of pace(s, mine, now)) sendAt.set(i, t);
		const planned = mine.map((l) => sendAt.get(l.index) as number).sort((a, b) => a - b);
		const wanted = mine.length + (waiting.get(box)?.length ?? 0) + unplaced.length;
		const window = box.window!;
		let plan = await attempt(() => window.plan(s.limit, wanted, { plannedAt: planned, recipients: s.recipients }));
		// Without the send times the rule still answers, only later (every counted send taken as just sent).
		if (!plan.ok && plan.error instanceof GmailError) plan = await attempt(() => window.plan(s.limit, wanted, { plannedAt: planned, noReads: true }));
		if (!plan.ok) throw plan.error;
		box.plan = plan.value;
		slots.set(box, plan.value.retryAts.map((t) => t.getTime()));
	}

	for (const box of usable) {
		for (const lead of taken.get(box) ?? []) {
			const at = sendAt.get(lead.index) as number;
			// Version 2 leaves the row's own sender column alone: the mailbox goes to outreach.sender.
			const fields = { [d.nested ? 'sender' : s.senderField]: box.address, sendAt: iso(at), quota: quotaFields(box, s) };
			if (s.pacing === 'fast' || at <= now + s.horizonMs) {
				box.sendNow++;
				d.sendNow(lead.index, fields);
			} else {
				box.scheduled++;
				d.defer(lead.index, 'scheduled', at, fields);
			}
		}
		const own = slots.get(box) ?? [];
		for (const lead of waiting.get(box) ?? []) {
			box.deferred++;
			d.defer(lead.index, 'daily_cap', openAt(s, lead, own.shift() ?? now + 24 * 3600_000), { quota: quotaFields(box, s) });
		}
	}
	// Leads free to go anywhere take the earliest slot any mailbox frees next.
	for (const lead of unplaced) {
		const next = usable.filter((b) => slots.get(b)?.length).sort((a, b) => slots.get(a)![0] - slots.get(b)![0] || a.address.localeCompare(b.address))[0];
		if (!next) {
			d.defer(lead.index, 'transient', Date.now() + TRANSIENT_RETRY_MS, { detail: 'No mailbox could be measured.' });
			continue;
		}
		next.deferred++;
		d.defer(lead.index, 'daily_cap', openAt(s, lead, slots.get(next)!.shift() as number), { quota: quotaFields(next, s) });
	}

	const summary = s.addSummary ? boxes.map((b) => summaryItem(b, s, d)) : [];
	return d.outputs(summary);
}

/** A cap retry time moved to the lead's next window opening (no point in coming back while it is shut). */
function openAt(s: GuardSettings, lead: Lead, at: number): number {
	return s.window ? nextOpening(s.window, lead.zone, at) : at;
}

/** One Summary item per mailbox: what it sent in the window, its cap and room, what this run gave it, when it frees up next. */
function summaryItem(box: Mailbox, s: GuardSettings, d: Decisions): INodeExecutionData {
	const mine = d.out.flatMap((o, i) => ((o && (ourFieldsOf(o.json, d.nested).quota as IDataObject | undefined))?.mailbox === box.address && box.address ? [{ item: i }] : []));
	const json: IDataObject = {
		mailbox: box.address,
		accountType: s.accountType,
		...quotaFields(box, s),
		unindexed: box.window?.unindexed ?? null,
		sendNow: box.sendNow,
		scheduled: box.scheduled,
		deferred: box.deferred,
		windowStart: box.window ? iso(box.window.windowStart) : null,
		quotaUnitsSpent: box.client?.unitsSpent ?? 0,
	};
	if (box.failure) json.error = box.failure.message;
	return { json, pairedItem: mine.length ? mine : { item: 0 } };
}
