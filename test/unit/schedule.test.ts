import { test } from 'node:test';
import assert from 'node:assert/strict';
import { outreachKey } from '../../nodes/shared/core/idempotency';
import { DateTime } from 'luxon';
import {
	businessDaysAfter,
	bySendTime,
	matchesSchedule,
	parseScheduleLabel,
	rescheduledName,
	scheduleLabelName,
	ScheduleError,
	scheduleTime,
	sendTimeFor,
	type ScheduleEntry,
} from '../../nodes/shared/core/schedule';
import { parseSendWindow, WORKDAYS } from '../../nodes/shared/core/window';

const window = (holidays = '') => parseSendWindow({ start: '09:00', end: '11:00', days: WORKDAYS, holidays });
const at = (iso: string, zone = 'UTC') => DateTime.fromISO(iso, { zone }).toMillis();
const local = (ms: number | Date, zone: string) => DateTime.fromMillis(Number(ms), { zone }).toFormat("ccc yyyy-MM-dd HH:mm ZZ");

test('a schedule label names campaign, time (lead-local with offset), lead, step and draft, and reads back the same', () => {
	const cases: Array<{ zone: string; sendAt: string; shown: string }> = [
		{ zone: 'Europe/Berlin', sendAt: '2026-03-27T08:37:00Z', shown: '2026-03-27 09:37 +01:00' },
		{ zone: 'Europe/Berlin', sendAt: '2026-03-31T07:37:00Z', shown: '2026-03-31 09:37 +02:00' },
		{ zone: 'America/New_York', sendAt: '2026-11-03T14:05:00Z', shown: '2026-11-03 09:05 -05:00' },
		{ zone: 'Asia/Kolkata', sendAt: '2026-06-01T04:00:00Z', shown: '2026-06-01 09:30 +05:30' },
	];
	for (const c of cases) {
		const name = scheduleLabelName({ campaign: 'Spring Outreach', step: 2, lead: 'Ana@Client.test', draftId: 'r-123', sendAt: new Date(c.sendAt), zone: c.zone });
		assert.equal(name, `Outreach/Scheduled/Spring Outreach/${c.shown} · ana@client.test · step 2 · r-123`);
		const e = parseScheduleLabel(name)!;
		assert.deepEqual({ ...e, sendAt: e.sendAt.toISOString() }, {
			campaign: 'Spring Outreach',
			step: 2,
			lead: 'ana@client.test',
			draftId: 'r-123',
			sendAt: new Date(c.sendAt).toISOString(),
			offset: c.shown.slice(-6),
		});
	}
});

test('a campaign name with "/" becomes one label segment; addresses a label cannot hold are refused', () => {
	const name = scheduleLabelName({ campaign: 'q2/launch', step: 3, lead: 'a@b.test', draftId: 'r1', sendAt: new Date('2026-01-05T09:00:00Z'), zone: 'UTC' });
	const e = parseScheduleLabel(name)!;
	assert.equal(e.campaign, 'q2-launch');
	// The segment cannot recompute the real name's key, so the label holds it, and keeps it when the draft moves.
	assert.equal(e.key, outreachKey('q2/launch', 3, 'a@b.test'));
	assert.ok(name.endsWith(` · r1 · ${e.key}`), name);
	assert.equal(parseScheduleLabel(rescheduledName(e, new Date('2026-01-06T09:00:00Z')))?.key, e.key);
	// A name the segment holds exactly needs no key in the label.
	const plain = scheduleLabelName({ campaign: 'Spring Outreach', step: 3, lead: 'a@b.test', draftId: 'r1', sendAt: new Date('2026-01-05T09:00:00Z'), zone: 'UTC' });
	assert.ok(plain.endsWith(' · r1'), plain);
	assert.equal(parseScheduleLabel(plain)?.key, undefined);
	assert.throws(() => scheduleLabelName({ campaign: 'c', step: 2, lead: 'sales/eu@x.test', draftId: 'r1', sendAt: new Date(), zone: 'UTC' }), ScheduleError);
	assert.throws(() => scheduleLabelName({ campaign: 'c', step: 0, lead: 'a@x.test', draftId: 'r1', sendAt: new Date(), zone: 'UTC' }), ScheduleError);
});

test('other labels and names a person mangled are not schedule entries', () => {
	for (const name of [
		'Outreach/spring/Sent',
		'Outreach/Scheduled/spring',
		'Outreach/Scheduled/spring/2026-03-27 09:37 · a@b.test · step 2 · r1',
		'Outreach/Scheduled/spring/2026-13-45 09:37 +01:00 · a@b.test · step 2 · r1',
		'Outreach/Scheduled/spring/2026-03-27 09:37 +01:00 · not-an-address · step 2 · r1',
		'Outreach/Scheduled/spring/2026-03-27 09:37 +01:00 · a@b.test · step two · r1',
		'Outreach/Scheduled/spring/2026-03-27 09:37 +01:00 · a@b.test · step 0 · r1',
		'My label',
	]) {
		assert.equal(parseScheduleLabel(name), undefined, name);
	}
	// Gmail compares label names case-insensitively; a person's renaming of the case still reads.
	assert.equal(parseScheduleLabel('outreach/scheduled/spring/2026-03-27 09:37 +01:00 · a@b.test · step 2 · r1')?.step, 2);
});

test('moving a draft renames only the time; the draft id and the rest stay', () => {
	const e = parseScheduleLabel('Outreach/Scheduled/spring/2026-03-27 09:37 +01:00 · a@b.test · step 2 · r9')!;
	assert.equal(rescheduledName(e, new Date('2026-04-06T07:00:00Z'), 'Europe/Berlin'), 'Outreach/Scheduled/spring/2026-04-06 09:00 +02:00 · a@b.test · step 2 · r9');
	assert.equal(rescheduledName(e, new Date('2026-04-06T07:00:00Z')), 'Outreach/Scheduled/spring/2026-04-06 08:00 +01:00 · a@b.test · step 2 · r9');
});

test('N business days after a local date: weekends and holidays skipped, counted in the lead’s calendar', () => {
	const rows: Array<{ from: string; zone: string; days: number; holidays?: string; want: string }> = [
		{ from: '2026-03-26T10:00', zone: 'Europe/Berlin', days: 3, want: '2026-03-31' }, // Thu → Tue, over the DST change on Sunday
		{ from: '2026-03-27T10:00', zone: 'Europe/Berlin', days: 3, want: '2026-04-01' }, // Fri → Wed
		{ from: '2026-03-28T10:00', zone: 'Europe/Berlin', days: 1, want: '2026-03-30' }, // Sat → Mon
		{ from: '2026-03-28T10:00', zone: 'Europe/Berlin', days: 0, want: '2026-03-30' }, // 0 on a weekend: next business day
		{ from: '2026-03-26T10:00', zone: 'Europe/Berlin', days: 3, holidays: '2026-03-30', want: '2026-04-01' },
		{ from: '2026-12-23T16:00', zone: 'America/New_York', days: 2, holidays: '2026-12-24, 2026-12-25', want: '2026-12-29' },
		{ from: '2026-10-29T09:00', zone: 'America/New_York', days: 3, want: '2026-11-03' }, // over the end of DST
	];
	for (const r of rows) {
		const day = businessDaysAfter(at(r.from, r.zone), r.days, r.zone, window(r.holidays));
		assert.equal(day.toISODate(), r.want, JSON.stringify(r));
	}
	// 23:30 UTC on a Thursday is already Friday in Tokyo: the lead's date counts.
	assert.equal(businessDaysAfter(at('2026-03-26T23:30:00Z'), 1, 'Asia/Tokyo', window()).toISODate(), '2026-03-30');
});

test('the send time lies in the lead-local window on the right day, in whole minutes, the same on every re-run, DST-safe', () => {
	const rule = { kind: 'businessDays' as const, days: 3, window: window() };
	const zones = ['Europe/Berlin', 'America/New_York', 'Asia/Tokyo', 'Australia/Sydney'];
	const previousAt = at('2026-03-26T09:00:00Z');
	const now = previousAt + 60_000;
	for (const zone of zones) {
		const times = Array.from({ length: 40 }, (_v, k) => sendTimeFor(rule, { previousAt, now, zone, seed: `lead${k}` }));
		for (const t of times) {
			const l = DateTime.fromJSDate(t, { zone });
			assert.equal(l.toISODate(), '2026-03-31', `${zone} ${local(t, zone)}`);
			assert.ok(l.hour >= 9 && (l.hour < 10 || (l.hour === 10 && l.minute < 60)), `${zone} ${local(t, zone)}`);
			assert.equal(t.getTime() % 60_000, 0);
		}
		assert.ok(new Set(times.map(Number)).size > 20, `${zone}: jitter spreads the leads`);
		assert.equal(sendTimeFor(rule, { previousAt, now, zone, seed: 'lead7' }).getTime(), times[7].getTime(), 'stable');
	}
	// Berlin after the change is UTC+2: 09:00–11:00 is 07:00–09:00 UTC.
	const berlin = sendTimeFor(rule, { previousAt, now, zone: 'Europe/Berlin', seed: 'x' });
	assert.ok(berlin.getTime() >= at('2026-03-31T07:00:00Z') && berlin.getTime() < at('2026-03-31T09:00:00Z'), berlin.toISOString());
});

test('scheduled late, the draft takes the next opening after now; an away lead waits for the first opening after the return', () => {
	const rule = { kind: 'businessDays' as const, days: 1, window: window() };
	const zone = 'Europe/Berlin';
	const previousAt = at('2026-03-02T10:00', zone);
	const late = sendTimeFor(rule, { previousAt, now: at('2026-03-10T10:30', zone), zone, seed: 's' });
	assert.ok(late.getTime() >= at('2026-03-10T10:30', zone) && late.getTime() < at('2026-03-10T11:00', zone), local(late, zone));
	const evening = sendTimeFor(rule, { previousAt, now: at('2026-03-10T18:00', zone), zone, seed: 's' });
	assert.equal(DateTime.fromJSDate(evening, { zone }).toISODate(), '2026-03-11');
	const away = sendTimeFor(rule, { previousAt, now: at('2026-03-02T12:00', zone), zone, seed: 's', notBefore: at('2026-03-16T09:00', zone) });
	assert.equal(DateTime.fromJSDate(away, { zone }).toISODate(), '2026-03-16');
});

test('an exact time: with its offset, or the lead’s wall clock; jitter adds up to N minutes; nonsense is refused', () => {
	const base = { previousAt: 0, now: 0, seed: 'k' };
	const rule = (v: string, jitterMinutes = 0) => ({ kind: 'absolute' as const, at: v, jitterMinutes });
	assert.equal(sendTimeFor(rule('2026-12-07T09:30:00+01:00'), { ...base, zone: 'America/New_York' }).toISOString(), '2026-12-07T08:30:00.000Z');
	assert.equal(sendTimeFor(rule('2026-12-07T09:30'), { ...base, zone: 'America/New_York' }).toISOString(), '2026-12-07T14:30:00.000Z');
	assert.equal(sendTimeFor(rule('2026-12-07 09:30'), { ...base, zone: 'Asia/Tokyo' }).toISOString(), '2026-12-07T00:30:00.000Z');
	const jittered = sendTimeFor(rule('2026-12-07T09:30:00Z', 20), { ...base, zone: 'UTC' }).getTime() - at('2026-12-07T09:30:00Z');
	assert.ok(jittered >= 0 && jittered <= 20 * 60_000 && jittered % 60_000 === 0, String(jittered));
	assert.throws(() => sendTimeFor(rule('next tuesday'), { ...base, zone: 'UTC' }), (e: unknown) => e instanceof ScheduleError && e.field === 'sendAt');
});

test('filters: campaign (as its label segment, any case), lead (normalised), step, due by', () => {
	const e: ScheduleEntry = { campaign: 'q2-launch', step: 2, lead: 'ana@client.test', draftId: 'r1', sendAt: new Date('2026-03-31T08:00:00Z'), offset: '+02:00' };
	const rows: Array<[object, boolean]> = [
		[{}, true],
		[{ campaign: 'q2/launch' }, true],
		[{ campaign: 'Q2-LAUNCH' }, true],
		[{ campaign: 'other' }, false],
		[{ lead: 'ANA@client.test' }, true],
		[{ lead: 'bob@client.test' }, false],
		[{ step: 3 }, false],
		[{ dueBy: at('2026-03-31T08:00:00Z') }, true],
		[{ dueBy: at('2026-03-31T07:59:59Z') }, false],
	];
	for (const [f, want] of rows) assert.equal(matchesSchedule(e, f), want, JSON.stringify(f));
	const later = { ...e, draftId: 'r0', sendAt: new Date('2026-04-01T08:00:00Z') };
	const same = { ...e, draftId: 'r0' };
	assert.deepEqual([later, e, same].sort(bySendTime).map((x) => x.draftId), ['r0', 'r1', 'r0']);
	assert.equal(scheduleTime(e.sendAt, 'Europe/Berlin'), '2026-03-31 10:00 +02:00');
});
