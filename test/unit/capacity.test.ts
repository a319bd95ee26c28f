import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
	allowedSends,
	CapacityError,
	capacityOf,
	capacityPlan,
	dailyCap,
	timesNeeded,
	WINDOW_MS,
	type AccountType,
} from '../../nodes/shared/core/capacity';

const NOW = Date.parse('2026-03-10T12:00:00.000Z');

/** `count` send times spread evenly over the 24 h before NOW, oldest first. */
function spread(count: number, now = NOW): number[] {
	return Array.from({ length: count }, (_v, k) => now - WINDOW_MS + Math.round(((k + 1) * WINDOW_MS) / (count + 1)));
}

/** The largest number of sends inside any 24 h window, given every send time. */
function maxInWindow(times: number[]): number {
	const s = [...times].sort((a, b) => a - b);
	let lo = 0;
	let best = 0;
	for (let hi = 0; hi < s.length; hi++) {
		while (s[lo] <= s[hi] - WINDOW_MS) lo++;
		best = Math.max(best, hi - lo + 1);
	}
	return best;
}

describe('capacity table: account types × sends already in the window', () => {
	const types: Array<[string, AccountType | number, number]> = [
		['gmail', 'gmail', 450],
		['workspace', 'workspace', 1800],
		['workspace-trial', 'workspace-trial', 450],
		['custom 300', 300, 270],
	];
	for (const [label, type, allowed] of types) {
		for (const sent of [0, 200, 449, 450, 500]) {
			test(`${label} with ${sent} sent: send-now = capacity, retryAt = when the oldest counted sends leave`, () => {
				const times = spread(sent);
				const capacity = Math.max(0, allowed - sent);
				const over = Math.max(0, sent - allowed);
				const extra = 5;
				const plan = capacityPlan({ cap: dailyCap(type), sentTimes: times, now: NOW, wanted: capacity + extra });
				assert.equal(plan.allowed, allowed);
				assert.equal(plan.capacity, capacity);
				assert.equal(plan.sendNow, capacity);
				assert.equal(plan.retryAts.length, extra);
				plan.retryAts.forEach((at, j) => {
					// The (over + j + 1)-th oldest send frees item j's slot; past them, the sends made now do, 24 h later.
					const rank = over + j;
					const expected = rank < sent ? times[rank] + WINDOW_MS : NOW + WINDOW_MS;
					assert.equal(at.toISOString(), new Date(expected).toISOString(), `item ${j}`);
				});
				assert.ok(plan.nextFreeAt.getTime() >= plan.retryAts[extra - 1].getTime());
			});
		}
	}
});

describe('capacityPlan', () => {
	test('margin and reserve: floor(cap × margin) − reserve − sent, never below 0', () => {
		assert.equal(allowedSends({ cap: 500 }), 450);
		assert.equal(allowedSends({ cap: 500, margin: 1 }), 500);
		assert.equal(allowedSends({ cap: 2000, margin: 0.95, reserve: 100 }), 1800);
		assert.equal(allowedSends({ cap: 7, margin: 0.5 }), 3);
		assert.deepEqual(capacityOf({ cap: 500, reserve: 50 }, 420), { allowed: 400, over: 20, capacity: 0 });
		assert.throws(() => allowedSends({ cap: 10, reserve: 9 }), CapacityError);
		assert.throws(() => allowedSends({ cap: 500, margin: 0 }), CapacityError);
		assert.throws(() => allowedSends({ cap: 500, margin: 1.2 }), CapacityError);
		assert.throws(() => dailyCap(0), CapacityError);
		assert.throws(() => dailyCap('hotmail' as AccountType), CapacityError);
	});

	test('room left: everything goes now and the next slot is free now', () => {
		const plan = capacityPlan({ cap: 500, sentTimes: spread(10), now: NOW, wanted: 3 });
		assert.equal(plan.sendNow, 3);
		assert.deepEqual(plan.retryAts, []);
		assert.equal(plan.nextFreeAt.getTime(), NOW);
	});

	test('sends that already left the window do not count', () => {
		const old = [NOW - WINDOW_MS - 1000, NOW - WINDOW_MS];
		const plan = capacityPlan({ cap: 10, margin: 1, sent: 0, sentTimes: [], now: NOW, wanted: 10 });
		const withOld = capacityPlan({ cap: 10, margin: 1, sent: 2, sentTimes: old, now: NOW, wanted: 10 });
		assert.equal(plan.sendNow, 10);
		// Counted sends are taken as in the window (the caller counted them); their times only say when they leave.
		assert.equal(withOld.sendNow, 8);
		assert.equal(withOld.retryAts[0].getTime(), NOW, 'a send already 24 h old frees its slot at once');
	});

	test('a send timed after "now" (a clock read to the whole second) keeps its own time: the retry is never early', () => {
		const plan = capacityPlan({ cap: 2, margin: 1, sentTimes: [NOW + 322, NOW + 324], now: NOW, wanted: 1 });
		assert.equal(plan.retryAts[0].getTime(), NOW + 322 + WINDOW_MS);
		const blind = capacityPlan({ cap: 2, margin: 1, sent: 2, sentTimes: [NOW + 500], timesFrom: 1, now: NOW, wanted: 2 });
		assert.deepEqual(blind.retryAts.map((d) => d.getTime()), [NOW + 500 + WINDOW_MS, NOW + 500 + WINDOW_MS]);

		// This run's sends go after the hand-sent ones of the same second: those leave the window first.
		const run = capacityPlan({ cap: 6, margin: 1, sentTimes: [NOW + 148, NOW + 150], now: NOW, wanted: 8 });
		assert.equal(run.sendNow, 4);
		assert.deepEqual(run.retryAts.map((d) => d.getTime() - WINDOW_MS), [NOW + 148, NOW + 150, NOW + 150, NOW + 150]);
	});

	test('only the times that matter: a partial list gives the same plan as the full one', () => {
		for (const [sent, wanted] of [[500, 30], [300, 200], [449, 3], [450, 0], [120, 400]]) {
			const times = spread(sent);
			const full = capacityPlan({ cap: 500, sentTimes: times, now: NOW, wanted });
			const need = timesNeeded({ cap: 500 }, sent, wanted);
			const part = capacityPlan({ cap: 500, sent, sentTimes: times.slice(need.from, need.to), timesFrom: need.from, now: NOW, wanted });
			assert.deepEqual(part, full, `sent ${sent}, wanted ${wanted}`);
			assert.ok(need.to - need.from <= Math.min(sent, wanted + 1), 'reads at most one time per deferred item, plus one');
		}
		assert.deepEqual(timesNeeded({ cap: 500 }, 100, 10), { from: 0, to: 0 }, 'room left: no time needed');
	});

	test('missing times are assumed late, never early', () => {
		const times = spread(450);
		const exact = capacityPlan({ cap: 500, sentTimes: times, now: NOW, wanted: 2 });
		const blind = capacityPlan({ cap: 500, sent: 450, sentTimes: [], now: NOW, wanted: 2 });
		assert.equal(blind.sendNow, 0);
		for (let j = 0; j < 2; j++) assert.ok(blind.retryAts[j] >= exact.retryAts[j]);
		assert.equal(blind.retryAts[0].getTime(), NOW + WINDOW_MS);
	});

	test('past the counted sends, deferred items wait for the planned sends (and then for each other) to turn 24 h old', () => {
		const planned = [NOW + 60_000, NOW + 120_000, NOW + 180_000];
		const plan = capacityPlan({ cap: 3, margin: 1, sentTimes: [], now: NOW, wanted: 8, plannedAt: planned });
		assert.equal(plan.sendNow, 3);
		assert.deepEqual(
			plan.retryAts.map((d) => d.getTime()),
			[planned[0] + WINDOW_MS, planned[1] + WINDOW_MS, planned[2] + WINDOW_MS, planned[0] + 2 * WINDOW_MS, planned[1] + 2 * WINDOW_MS],
		);
	});

	test('a send planned for later still counts: an earlier slot would overflow the window when it goes', () => {
		// One slot free now, but the one Send-Now item goes in an hour: the deferred one must wait for a slot that stays free.
		const times = spread(2);
		const plan = capacityPlan({ cap: 3, margin: 1, sentTimes: times, now: NOW, wanted: 2, plannedAt: [NOW + 3600_000] });
		assert.equal(plan.sendNow, 1);
		assert.equal(plan.retryAts[0].getTime(), times[0] + WINDOW_MS);
	});

	test('the plan never lets any 24 h window hold more than allowed (all items sent at their times)', () => {
		for (const [cap, sent, wanted] of [[50, 40, 200], [500, 500, 1200], [20, 0, 95], [2000, 1999, 30]]) {
			const times = spread(sent);
			const allowed = allowedSends({ cap });
			const plan = capacityPlan({ cap, sentTimes: times, now: NOW, wanted });
			const all = [...times, ...Array.from({ length: plan.sendNow }, () => NOW), ...plan.retryAts.map((d) => d.getTime())];
			assert.ok(maxInWindow(all) <= Math.max(allowed, sent), `cap ${cap}, sent ${sent}: ${maxInWindow(all)} > ${allowed}`);
			// And no slot is wasted: each retryAt is the earliest one that keeps the window within the limit.
			for (let j = 0; j < plan.retryAts.length; j++) {
				const earlier = plan.retryAts[j].getTime() - 1;
				if (earlier < NOW) continue;
				const trial = [...all];
				trial[times.length + plan.sendNow + j] = earlier;
				assert.ok(maxInWindow(trial) > allowed || sent > allowed, `cap ${cap}: item ${j} could go 1 ms earlier`);
			}
		}
	});

	test('a second limit by weight (recipients): both must have room; retryAt waits for the later of the two', () => {
		const times = spread(10);
		// 10 messages with 30 recipients each fill a 320-recipient limit to 300: two more single-recipient emails fit.
		const recipients = times.map((at) => ({ at, weight: 30 }));
		const plan = capacityPlan({ cap: 500, sentTimes: times, now: NOW, wanted: 5, extra: [{ allowed: 302, sent: recipients, perItem: 1 }] });
		assert.equal(plan.sendNow, 2);
		assert.equal(plan.retryAts.length, 3);
		for (const at of plan.retryAts) assert.equal(at.getTime(), times[0] + WINDOW_MS, 'the oldest message frees 30 recipients');
		assert.throws(() => capacityPlan({ cap: 500, sentTimes: [], now: NOW, wanted: 1, extra: [{ allowed: 5, sent: [], perItem: 6 }] }), CapacityError);
	});
});
