// Send windows (business hours per weekday, holidays) in a lead's time zone, and pacing inside them. Pure; luxon for time.
import { createHash } from 'node:crypto';
import { DateTime, IANAZone } from 'luxon';

/** Weekdays as ISO 8601 (and luxon) number them: 1 = Monday … 7 = Sunday. */
export type Weekday = 1 | 2 | 3 | 4 | 5 | 6 | 7;

/** Hours on chosen weekdays, minus holidays, in whatever zone it is applied in. */
export interface SendWindow {
	/** Opening minute of the day (0–1439). */
	startMinute: number;
	/** Closing minute of the day (after the opening; 1440 = midnight at the day's end). */
	endMinute: number;
	days: Weekday[];
	/** Local dates (YYYY-MM-DD) on which the window stays shut. */
	holidays: string[];
}

/** A send-window setting that cannot be used; `field` names the parameter. */
export class WindowError extends Error {
	override name = 'WindowError' as const;
	field: string;
	constructor(field: string, message: string) {
		super(message);
		this.field = field;
	}
}

/** Monday to Friday. */
export const WORKDAYS: Weekday[] = [1, 2, 3, 4, 5];

/** Looks for an opening this many days ahead at most (a year of holidays is still found past). */
const SEARCH_DAYS = 400;

function minuteOf(field: string, value: string, allowMidnightEnd: boolean): number {
	const m = /^(\d{1,2}):(\d{2})$/.exec(value.trim());
	const h = m ? Number(m[1]) : NaN;
	const min = m ? Number(m[2]) : NaN;
	const ok = m && min < 60 && (h < 24 || (allowMidnightEnd && h === 24 && min === 0));
	if (!ok) throw new WindowError(field, `"${value}" is not a time of day (HH:mm, e.g. 09:00${allowMidnightEnd ? ' or 24:00' : ''})`);
	return h * 60 + min;
}

/** Splits a holiday list (commas, spaces or new lines) and checks each is a real YYYY-MM-DD date. */
export function parseHolidays(input: string | string[] | undefined): string[] {
	const parts = (Array.isArray(input) ? input : String(input ?? '').split(/[\s,;]+/)).map((s) => s.trim()).filter(Boolean);
	for (const p of parts) {
		if (!/^\d{4}-\d{2}-\d{2}$/.test(p) || !DateTime.fromISO(p, { zone: 'UTC' }).isValid) {
			throw new WindowError('holidays', `"${p}" is not a date (YYYY-MM-DD, e.g. 2026-12-25)`);
		}
	}
	return [...new Set(parts)];
}

/** Builds a window from 'HH:mm' times, weekdays and holidays; throws a WindowError naming the bad field. */
export function parseSendWindow(input: { start: string; end: string; days: Array<number | string>; holidays?: string | string[] }): SendWindow {
	const startMinute = minuteOf('startTime', input.start, false);
	const endMinute = minuteOf('endTime', input.end, true);
	if (endMinute <= startMinute) {
		throw new WindowError('endTime', `the window must close after it opens (${input.start}–${input.end}); windows across midnight are not supported`);
	}
	const days = [...new Set(input.days.map(Number))].sort() as Weekday[];
	if (!days.length) throw new WindowError('days', 'choose at least one weekday');
	for (const d of days) if (!Number.isInteger(d) || d < 1 || d > 7) throw new WindowError('days', `"${d}" is not a weekday (1 = Monday … 7 = Sunday)`);
	return { startMinute, endMinute, days, holidays: parseHolidays(input.holidays) };
}

/** Whether zone is an IANA time zone luxon knows (e.g. Europe/Berlin, Asia/Kolkata). */
export function isValidZone(zone: string): boolean {
	return typeof zone === 'string' && zone.trim() !== '' && IANAZone.isValidZone(zone.trim());
}

/** A local wall-clock minute of a local date as an instant; a time skipped by a DST change becomes the first valid moment after it. */
function instant(day: DateTime, minute: number, zone: string): number {
	if (minute >= 1440) return day.plus({ days: 1 }).startOf('day').toMillis();
	return DateTime.fromObject({ year: day.year, month: day.month, day: day.day, hour: Math.floor(minute / 60), minute: minute % 60 }, { zone }).toMillis();
}

/** The window's open interval on the local date `day`, or undefined when the window stays shut that day. */
function dayInterval(w: SendWindow, day: DateTime, zone: string): { start: number; end: number } | undefined {
	if (!w.days.includes(day.weekday as Weekday)) return undefined;
	if (w.holidays.includes(day.toISODate() ?? '')) return undefined;
	return { start: instant(day, w.startMinute, zone), end: instant(day, w.endMinute, zone) };
}

/** The open interval that contains `at`, or the next one after it (undefined only if none opens within ~13 months). */
export function openInterval(w: SendWindow, zone: string, at: number): { start: number; end: number } | undefined {
	let day = DateTime.fromMillis(at, { zone }).startOf('day');
	for (let i = 0; i < SEARCH_DAYS; i++, day = day.plus({ days: 1 })) {
		const iv = dayInterval(w, day, zone);
		if (iv && iv.end > at && iv.end > iv.start) return { start: Math.max(iv.start, at), end: iv.end };
	}
	return undefined;
}

/** Whether the window is open at `at` in `zone`. */
export function isOpen(w: SendWindow, zone: string, at: number): boolean {
	const iv = openInterval(w, zone, at);
	return !!iv && iv.start <= at;
}

/** `at` itself when the window is open then, else the instant it next opens; throws if it never opens (e.g. every day a holiday). */
export function nextOpening(w: SendWindow, zone: string, at: number): number {
	const iv = openInterval(w, zone, at);
	if (!iv) throw new WindowError('holidays', `the send window does not open within ${SEARCH_DAYS} days of ${new Date(at).toISOString()}`);
	return iv.start;
}

/** A stable number in [0, 1) for a text (a lead's address): jitter that is the same on every re-run. */
export function unitHash(text: string): number {
	return createHash('sha256').update(text).digest().readUInt32BE(0) / 2 ** 32;
}

/**
 * Send times for `seeds.length` emails spread over [from, until): the i-th in the i-th of equal slots, at a
 * stable random point of its middle 80 %, so sends look typed by a person and never bunch up.
 */
export function spreadSends(from: number, until: number, seeds: string[]): number[] {
	const n = seeds.length;
	if (!n) return [];
	const gap = Math.max(0, until - from) / n;
	return seeds.map((seed, i) => Math.floor(from + (i + 0.1 + 0.8 * unitHash(seed)) * gap));
}

/** Midnight at the end of `at`'s local day in zone (the end of "today" when no window is set). */
export function endOfDay(zone: string, at: number): number {
	return DateTime.fromMillis(at, { zone }).plus({ days: 1 }).startOf('day').toMillis();
}
