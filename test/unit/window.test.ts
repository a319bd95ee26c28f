import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
	isOpen,
	isValidZone,
	nextOpening,
	openInterval,
	parseHolidays,
	parseSendWindow,
	spreadSends,
	WindowError,
	WORKDAYS,
} from '../../nodes/shared/core/window';

const BUSINESS = parseSendWindow({ start: '09:00', end: '17:00', days: WORKDAYS });
const at = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();

describe('send windows across DST change weeks', () => {
	// [zone, moment outside the window, next opening] — each row straddles a DST change (or, for Kolkata, the same week).
	const rows: Array<[string, string, string, string]> = [
		['Europe/Berlin: EU spring forward (Sun 29 Mar 2026)', 'Europe/Berlin', '2026-03-27T16:30:00Z', '2026-03-30T07:00:00.000Z'],
		['Europe/Berlin: EU fall back (Sun 25 Oct 2026)', 'Europe/Berlin', '2026-10-23T15:30:00Z', '2026-10-26T08:00:00.000Z'],
		['Europe/London: EU spring forward, Friday night', 'Europe/London', '2026-03-27T22:00:00Z', '2026-03-30T08:00:00.000Z'],
		['America/New_York: US spring forward (Sun 8 Mar 2026)', 'America/New_York', '2026-03-06T23:00:00Z', '2026-03-09T13:00:00.000Z'],
		['America/New_York: US fall back (Sun 1 Nov 2026)', 'America/New_York', '2026-10-30T22:00:00Z', '2026-11-02T14:00:00.000Z'],
		['America/Los_Angeles: before opening on the Monday after', 'America/Los_Angeles', '2026-03-09T14:00:00Z', '2026-03-09T16:00:00.000Z'],
		['Asia/Kolkata (+05:30, no DST) in the EU change week', 'Asia/Kolkata', '2026-03-27T12:00:00Z', '2026-03-30T03:30:00.000Z'],
		['Asia/Kolkata: early morning of a workday', 'Asia/Kolkata', '2026-03-10T01:00:00Z', '2026-03-10T03:30:00.000Z'],
		['Australia/Sydney: southern fall back (Sun 5 Apr 2026)', 'Australia/Sydney', '2026-04-03T07:00:00Z', '2026-04-05T23:00:00.000Z'],
		['Asia/Kathmandu (+05:45)', 'Asia/Kathmandu', '2026-03-28T06:00:00Z', '2026-03-30T03:15:00.000Z'],
	];
	for (const [label, zone, outside, opening] of rows) {
		test(label, () => {
			assert.equal(isOpen(BUSINESS, zone, at(outside)), false);
			assert.equal(iso(nextOpening(BUSINESS, zone, at(outside))), opening);
			assert.equal(isOpen(BUSINESS, zone, at(opening)), true);
			assert.equal(isOpen(BUSINESS, zone, at(opening) - 1), false, 'opens exactly then');
		});
	}

	test('inside the window: open now, the interval runs to today’s closing in local time', () => {
		const monday = at('2026-03-30T12:00:00Z'); // 14:00 CEST, the day after spring forward
		assert.equal(nextOpening(BUSINESS, 'Europe/Berlin', monday), monday);
		assert.deepEqual(openInterval(BUSINESS, 'Europe/Berlin', monday), { start: monday, end: at('2026-03-30T15:00:00Z') });
		// The Friday before, 17:00 CET is 16:00Z: the offset changed in between.
		assert.equal(openInterval(BUSINESS, 'Europe/Berlin', at('2026-03-27T12:00:00Z'))?.end, at('2026-03-27T16:00:00Z'));
	});

	test('a window that opens in the hour a DST change skips opens when the clocks reach the next valid time', () => {
		const night = parseSendWindow({ start: '02:30', end: '04:00', days: [7] });
		assert.equal(iso(nextOpening(night, 'America/New_York', at('2026-03-08T05:00:00Z'))), '2026-03-08T07:30:00.000Z'); // 03:30 EDT
		assert.equal(iso(nextOpening(night, 'Europe/Berlin', at('2026-03-28T23:00:00Z'))), '2026-03-29T01:30:00.000Z'); // 03:30 CEST
	});

	test('holidays and weekends are skipped in the lead’s own calendar', () => {
		const xmas = parseSendWindow({ start: '09:00', end: '17:00', days: WORKDAYS, holidays: '2026-12-24, 2026-12-25\n2026-12-28' });
		// Wed 23 Dec 18:00 in New York → Tue 29 Dec 09:00 EST.
		assert.equal(iso(nextOpening(xmas, 'America/New_York', at('2026-12-23T23:00:00Z'))), '2026-12-29T14:00:00.000Z');
		// The same instant is already Thu 24 Dec in Kolkata: also a holiday there.
		assert.equal(iso(nextOpening(xmas, 'Asia/Kolkata', at('2026-12-23T23:00:00Z'))), '2026-12-29T03:30:00.000Z');
	});

	test('a window to midnight (24:00) and weekend-only days', () => {
		const late = parseSendWindow({ start: '20:00', end: '24:00', days: [6, 7] });
		assert.deepEqual(openInterval(late, 'UTC', at('2026-03-14T21:00:00Z')), { start: at('2026-03-14T21:00:00Z'), end: at('2026-03-15T00:00:00Z') });
		assert.equal(iso(nextOpening(late, 'UTC', at('2026-03-16T10:00:00Z'))), '2026-03-21T20:00:00.000Z');
	});

	test('bad settings name their field', () => {
		const bad: Array<[Parameters<typeof parseSendWindow>[0], string]> = [
			[{ start: '9am', end: '17:00', days: WORKDAYS }, 'startTime'],
			[{ start: '09:00', end: '25:00', days: WORKDAYS }, 'endTime'],
			[{ start: '17:00', end: '09:00', days: WORKDAYS }, 'endTime'],
			[{ start: '09:00', end: '17:00', days: [] }, 'days'],
			[{ start: '09:00', end: '17:00', days: [8] }, 'days'],
			[{ start: '09:00', end: '17:00', days: WORKDAYS, holidays: '2026-02-30' }, 'holidays'],
			[{ start: '09:00', end: '17:00', days: WORKDAYS, holidays: '25/12/2026' }, 'holidays'],
		];
		for (const [input, field] of bad) {
			assert.throws(() => parseSendWindow(input), (e: unknown) => e instanceof WindowError && e.field === field, JSON.stringify(input));
		}
		assert.deepEqual(parseHolidays(''), []);
		const never = parseSendWindow({ start: '09:00', end: '17:00', days: [1], holidays: [] });
		assert.throws(() => nextOpening({ ...never, holidays: Array.from({ length: 60 }, (_v, k) => new Date(Date.UTC(2026, 0, 5 + 7 * k)).toISOString().slice(0, 10)) }, 'UTC', at('2026-01-01T00:00:00Z')), WindowError);
	});

	test('time zones are IANA names', () => {
		for (const z of ['Europe/Berlin', 'Asia/Kolkata', 'America/New_York', 'UTC']) assert.equal(isValidZone(z), true, z);
		for (const z of ['', 'CEST', 'Mars/Olympus', 'GMT+25']) assert.equal(isValidZone(z), false, z);
	});
});

describe('spreadSends', () => {
	test('one send per equal slot, inside the slot’s middle 80 %, stable per lead', () => {
		const seeds = Array.from({ length: 40 }, (_v, i) => `lead${i}@example.com`);
		const from = at('2026-03-10T09:00:00Z');
		const until = from + 8 * 3600_000;
		const times = spreadSends(from, until, seeds);
		const gap = (until - from) / seeds.length;
		times.forEach((t, i) => {
			assert.ok(t >= from + (i + 0.1) * gap - 1 && t <= from + (i + 0.9) * gap, `send ${i}`);
		});
		assert.deepEqual(spreadSends(from, until, seeds), times, 'the same on a re-run');
		const gaps = times.slice(1).map((t, i) => t - times[i]);
		assert.ok(new Set(gaps.map((g) => Math.round(g / 1000))).size > 10, 'the gaps vary like a person’s');
		assert.deepEqual(spreadSends(from, until, []), []);
	});
});
