// The Draft Scheduler's convention — where a scheduled draft's schedule lives — and its send times. Pure; luxon for time.
//
// Gmail keeps a draft's id when its message is replaced (every save in the web UI makes a new message), but a
// person's edit may drop headers it does not know, and a draft's message can carry no label but DRAFT (Gmail's
// drafts guide). So nothing of the schedule is kept in the draft: each scheduled draft has a label of its own whose
// NAME is the schedule, e.g. `Outreach/Scheduled/spring/2026-03-31 09:37 +02:00 · ana@client.test · step 2 · r123`.
// A label lives in the mailbox's label list whatever happens to the draft's message, labels.list reads every one for
// 1 quota unit and without the search index's lag, and the person sees every scheduled draft and its time in Gmail.
// The step's key is recomputed from the label's campaign segment; only a campaign name the segment cannot hold exactly
// (a '/', a control character) adds the key itself at the end — the real name is in no message we send.
import { DateTime } from 'luxon';
import { normalizeAddress } from './address';
import { labelSegment, sameLabelName } from './campaign';
import { outreachKey } from './idempotency';
import { openInterval, unitHash, type SendWindow, type Weekday } from './window';

/** Parent of every schedule label. */
export const SCHEDULE_ROOT = 'Outreach/Scheduled';

/** Between the parts of a schedule label's last segment. */
const SEP = ' · ';

/** Local time and UTC offset as a schedule label writes them. */
const TIME_FORMAT = 'yyyy-MM-dd HH:mm ZZ';

/** One scheduled draft, as its label names it. */
export interface ScheduleEntry {
	/** The campaign as a label segment (`labelSegment(campaign)`). */
	campaign: string;
	step: number;
	/** The lead's address, normalised. */
	lead: string;
	draftId: string;
	/** When the draft is due (whole minutes). */
	sendAt: Date;
	/** The UTC offset the time is written in (the lead's, at that time), e.g. '+02:00'. */
	offset: string;
	/** The step's outreach key, when the label holds it (a campaign name its segment cannot reproduce). */
	key?: string;
}

/** A schedule that cannot be written or computed; `field` names the parameter or item field at fault. */
export class ScheduleError extends Error {
	override name = 'ScheduleError' as const;
	field: string;
	constructor(field: string, message: string) {
		super(message);
		this.field = field;
	}
}

/** The label folder of one campaign's scheduled drafts. */
export function campaignScheduleFolder(campaign: string): string {
	return `${SCHEDULE_ROOT}/${labelSegment(campaign)}`;
}

/** The time as a schedule label shows it: the lead's wall clock and its UTC offset, e.g. '2026-03-31 09:37 +02:00'. */
export function scheduleTime(sendAt: Date, zone: string): string {
	return DateTime.fromJSDate(sendAt, { zone }).toFormat(TIME_FORMAT);
}

/** The label that schedules one draft; `zone` is the lead's time zone (it only sets how the time is written). */
export function scheduleLabelName(e: { campaign: string; step: number; lead: string; draftId: string; sendAt: Date; zone: string; key?: string }): string {
	const lead = normalizeAddress(e.lead);
	// '/' nests labels in Gmail; a draft id or address with one (or a space) could not be read back.
	if (/[\s/]/.test(lead)) throw new ScheduleError('email', `the address "${e.lead}" contains "/" or a space, which a schedule label cannot hold`);
	if (!/^[^\s/]+$/.test(e.draftId)) throw new ScheduleError('draftId', `unexpected draft id "${e.draftId}"`);
	if (!Number.isInteger(e.step) || e.step < 1) throw new ScheduleError('step', `must be a whole number ≥ 1, got ${e.step}`);
	const key = e.key ?? outreachKey(e.campaign, e.step, lead);
	const own = key === outreachKey(labelSegment(e.campaign), e.step, lead) ? '' : `${SEP}${key}`;
	return `${campaignScheduleFolder(e.campaign)}/${scheduleTime(e.sendAt, e.zone)}${SEP}${lead}${SEP}step ${e.step}${SEP}${e.draftId}${own}`;
}

const LABEL_PATTERN = /^outreach\/scheduled\/([^/]+)\/(\d{4}-\d{2}-\d{2} \d{2}:\d{2}) ([+-]\d{2}:\d{2}) · ([^\s/]+@[^\s/]+) · step (\d+) · ([^\s/]+)(?: · (go-[a-z2-7]{20}))?$/i;

/** Reads a schedule label's name; undefined for any other label (or one a person renamed into something unreadable). */
export function parseScheduleLabel(name: string): ScheduleEntry | undefined {
	const m = LABEL_PATTERN.exec(name.trim());
	if (!m) return undefined;
	const at = DateTime.fromFormat(`${m[2]} ${m[3]}`, TIME_FORMAT, { setZone: true });
	const step = Number(m[5]);
	if (!at.isValid || !(step >= 1)) return undefined;
	const lead = normalizeAddress(m[4]);
	return { campaign: m[1], step, lead, draftId: m[6], sendAt: at.toJSDate(), offset: m[3], ...(m[7] ? { key: m[7].toLowerCase() } : {}) };
}

/** The same label name with another time (written in the same zone or offset as given). */
export function rescheduledName(e: ScheduleEntry, sendAt: Date, zone = `UTC${e.offset}`): string {
	return scheduleLabelName({ ...e, sendAt, zone });
}

/** The zone a schedule entry's time is written in, as luxon reads a fixed offset ('UTC+02:00'). */
export function entryZone(e: ScheduleEntry): string {
	return `UTC${e.offset}`;
}

/** Whether two entries schedule the same step for the same lead of the same campaign. */
export function sameStep(a: Pick<ScheduleEntry, 'campaign' | 'lead' | 'step'>, b: Pick<ScheduleEntry, 'campaign' | 'lead' | 'step'>): boolean {
	return sameLabelName(a.campaign, b.campaign) && a.lead === b.lead && a.step === b.step;
}

/** Which scheduled drafts a List or Cancel is about; every given part must match. */
export interface ScheduleFilter {
	campaign?: string;
	lead?: string;
	step?: number;
	/** Only drafts due at or before this instant (epoch ms). */
	dueBy?: number;
}

/** Whether a scheduled draft matches the filter. */
export function matchesSchedule(e: ScheduleEntry, f: ScheduleFilter): boolean {
	if (f.campaign !== undefined && !sameLabelName(e.campaign, labelSegment(f.campaign))) return false;
	if (f.lead !== undefined && e.lead !== normalizeAddress(f.lead)) return false;
	if (f.step !== undefined && e.step !== f.step) return false;
	if (f.dueBy !== undefined && e.sendAt.getTime() > f.dueBy) return false;
	return true;
}

/** Due first (oldest time first), then by draft id, so every execution works through the same list in the same order. */
export function bySendTime(a: ScheduleEntry, b: ScheduleEntry): number {
	return a.sendAt.getTime() - b.sendAt.getTime() || (a.draftId < b.draftId ? -1 : a.draftId > b.draftId ? 1 : 0);
}

function isBusinessDay(w: SendWindow, day: DateTime): boolean {
	return w.days.includes(day.weekday as Weekday) && !w.holidays.includes(day.toISODate() ?? '');
}

/** The local date `days` business days after `from`'s date in `zone` (0: that date, or the next business day). */
export function businessDaysAfter(from: number, days: number, zone: string, w: SendWindow): DateTime {
	if (!Number.isInteger(days) || days < 0) throw new ScheduleError('businessDays', `must be a whole number ≥ 0, got ${days}`);
	let day = DateTime.fromMillis(from, { zone }).startOf('day');
	// Calendar days in the zone, not 24-hour steps: a DST change that week moves no date.
	for (let n = 0; n < days; ) {
		day = day.plus({ days: 1 });
		if (isBusinessDay(w, day)) n++;
	}
	for (let guard = 0; !isBusinessDay(w, day); guard++) {
		if (guard > 400) throw new ScheduleError('holidays', 'no business day within 400 days');
		day = day.plus({ days: 1 });
	}
	return day;
}

/** A stable point of an interval (whole minutes, never its end): the same seed always gets the same minute. */
function pointIn(iv: { start: number; end: number }, seed: string): number {
	const span = Math.max(0, iv.end - iv.start - 60_000);
	const at = iv.start + Math.floor(unitHash(seed) * span);
	return Math.min(Math.ceil(at / 60_000) * 60_000, Math.max(iv.start, iv.end - 60_000));
}

/** How a send time is chosen. */
export type SendTimeRule =
	| { kind: 'businessDays'; days: number; window: SendWindow }
	| { kind: 'absolute'; at: string; jitterMinutes: number };

/** Everything a send time depends on besides the rule. */
export interface SendTimeInput {
	/** When our previous message in the thread went (epoch ms, Gmail's clock). */
	previousAt: number;
	/** The mailbox's now (epoch ms): a time already past moves to the next opening of the window. */
	now: number;
	/** The lead's IANA time zone. */
	zone: string;
	/** Stable per lead and step (the outreach key): the jitter, and so the time, is the same on every re-run. */
	seed: string;
	/** The lead is out of the office until this instant: the draft waits for the first opening after it. */
	notBefore?: number;
}

/** The moment a scheduled draft becomes due: N business days after our previous message inside the window, or an absolute time; DST-safe. */
export function sendTimeFor(rule: SendTimeRule, input: SendTimeInput): Date {
	if (rule.kind === 'absolute') {
		const given = rule.at.trim();
		let at = DateTime.fromISO(given, { zone: input.zone });
		if (!at.isValid) at = DateTime.fromFormat(given, 'yyyy-MM-dd HH:mm', { zone: input.zone });
		if (!at.isValid) throw new ScheduleError('sendAt', `"${rule.at}" is not a time (ISO 8601, e.g. 2026-12-07T09:30 or 2026-12-07T09:30:00+01:00)`);
		const jitter = Math.max(0, Math.floor(rule.jitterMinutes || 0));
		const ms = at.toMillis() + Math.floor(unitHash(input.seed) * (jitter + 1)) * 60_000;
		return new Date(Math.max(ms, input.notBefore ?? ms));
	}
	const earliest = Math.max(input.now, input.notBefore ?? input.now);
	const day = businessDaysAfter(input.previousAt, rule.days, input.zone, rule.window);
	let iv = openInterval(rule.window, input.zone, day.toMillis());
	// Scheduled late (or the lead is away): the first window that is still open then.
	if (!iv || iv.end <= earliest + 60_000) iv = openInterval(rule.window, input.zone, earliest);
	else if (iv.start < earliest) iv = { start: earliest, end: iv.end };
	if (!iv) throw new ScheduleError('holidays', 'the send window does not open within 400 days');
	return new Date(pointIn(iv, input.seed));
}
