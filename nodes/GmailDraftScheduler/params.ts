import { DateTime } from 'luxon';
import { NodeOperationError, type IDataObject, type IExecuteFunctions } from 'n8n-workflow';
import { allowedSends, CapacityError, dailyCap, type CapacityLimit } from '../shared/core/capacity';
import { FieldError } from '../shared/core/compose';
import type { ScheduleFilter, SendTimeRule } from '../shared/core/schedule';
import { lookupField } from '../shared/core/template';
import { isValidZone, parseSendWindow, WindowError, WORKDAYS, type SendWindow, type Weekday } from '../shared/core/window';
import { ParameterError } from '../shared/node/inputs';
import { str } from '../shared/node/params';
import { itemRow } from '../shared/node/rows';

/** Which operation the node runs. */
export type Operation = 'schedule' | 'sendDue' | 'list' | 'cancel';

/** The operation parameter (n8n omits a default value from saved workflows, so undefined is the default). */
export function operationOf(ctx: IExecuteFunctions): Operation {
	const op = str(ctx.getNodeParameter('operation', 0, 'schedule'));
	return op === 'sendDue' || op === 'list' || op === 'cancel' ? op : 'schedule';
}

/** Runs fn and captures its result or error (synchronously), so errors are rethrown as the right kind outside any catch. */
function captured<T>(fn: () => T): { ok: true; value: T } | { ok: false; error: unknown } {
	try {
		return { ok: true, value: fn() };
	} catch (error) {
		return { ok: false, error };
	}
}

const WEEKDAYS: Record<string, Weekday> = { monday: 1, tuesday: 2, wednesday: 3, thursday: 4, friday: 5, saturday: 6, sunday: 7 };

/** When item i's draft is due: the rule, read from the Schedule parameters; a bad setting names its parameter. */
export function readSendTimeRule(ctx: IExecuteFunctions, i: number): SendTimeRule {
	const get = <T>(name: string, fallback: T) => ctx.getNodeParameter(name, i, fallback) as T;
	if (get<unknown>('sendTime', 'businessDays') === 'absolute') {
		const at = str(get('sendAt', '')).trim();
		if (!at) throw new ParameterError(itemRow(ctx.getInputData(), i), 'sendAt', 'empty');
		return { kind: 'absolute', at, jitterMinutes: Math.max(0, Number(get('jitterMinutes', 0)) || 0) };
	}
	const days = Number(get('businessDays', 3));
	if (!Number.isInteger(days) || days < 0) throw new ParameterError(itemRow(ctx.getInputData(), i), 'businessDays', `must be a whole number ≥ 0, got ${days}`);
	const parsed = captured(() => parseSendWindow({ start: str(get('windowStart', '09:00')), end: str(get('windowEnd', '11:00')), days: WORKDAYS, holidays: str(get('holidays', '')) }));
	if (parsed.ok) return { kind: 'businessDays', days, window: parsed.value };
	const e = parsed.error;
	if (!(e instanceof WindowError)) throw e;
	const field = e.field === 'startTime' ? 'windowStart' : e.field === 'endTime' ? 'windowEnd' : e.field;
	throw new ParameterError(itemRow(ctx.getInputData(), i), field, e.message, { cause: e });
}

/** The lead's time zone: the item's field when it holds one, else the workflow's; a field with a wrong zone fails the item. */
export function leadZone(ctx: IExecuteFunctions, i: number, field: string): string {
	const zone = field ? str(lookupField(ctx.getInputData()[i].json, field)).trim() : '';
	if (!zone) return ctx.getTimezone();
	if (!isValidZone(zone)) throw new FieldError(itemRow(ctx.getInputData(), i), field, `"${zone}" is not an IANA time zone (e.g. Europe/Berlin, America/New_York)`, 'invalid_row');
	return zone;
}

/** Send due's settings, read once (they steer the whole run). */
export interface DueSettings {
	filter: ScheduleFilter;
	/** Undefined: the capacity check is off. */
	limit?: CapacityLimit;
	/** Undefined: any time of day. Applied at the lead's UTC offset as written in the schedule. */
	window?: SendWindow;
	waitUntilBack: boolean;
	applySentLabel: boolean;
}

/** Reads Send due's parameters; a setting that cannot work fails the node, naming the parameter. */
export function readDueSettings(ctx: IExecuteFunctions): DueSettings {
	const get = <T>(name: string, fallback: T) => ctx.getNodeParameter(name, 0, fallback) as T;
	const fail = (field: string, problem: string) => new NodeOperationError(ctx.getNode(), `Parameter "${field}": ${problem}`);
	const options = get<IDataObject>('options', {});
	let limit: CapacityLimit | undefined;
	if (get<unknown>('checkCapacity', true) !== false) {
		const accountType = str(get('accountType', 'gmail'));
		const checked = captured(() => {
			const cap = dailyCap(accountType === 'custom' ? Number(get('dailyCap', 500)) : (accountType as 'gmail'));
			const l: CapacityLimit = { cap, margin: Number(get('safetyMargin', 90)) / 100, reserve: Number(get('reserve', 0)) };
			allowedSends(l);
			return l;
		});
		if (!checked.ok) {
			if (checked.error instanceof CapacityError) throw fail(accountType === 'custom' ? 'dailyCap' : 'safetyMargin', checked.error.message);
			throw checked.error;
		}
		limit = checked.value;
	}
	let window: SendWindow | undefined;
	if (get<unknown>('sendWindow', 'anyTime') === 'hours') {
		const days = get<string[]>('days', ['monday', 'tuesday', 'wednesday', 'thursday', 'friday']).map((d) => WEEKDAYS[d] ?? Number(d));
		const parsed = captured(() => parseSendWindow({ start: str(get('startTime', '09:00')), end: str(get('endTime', '17:00')), days, holidays: str(get('windowHolidays', '')) }));
		if (!parsed.ok) {
			if (parsed.error instanceof WindowError) throw fail(parsed.error.field === 'holidays' ? 'windowHolidays' : parsed.error.field, parsed.error.message);
			throw parsed.error;
		}
		window = parsed.value;
	}
	const campaign = str(get('filterCampaign', '')).trim();
	return {
		filter: campaign ? { campaign } : {},
		limit,
		window,
		waitUntilBack: options.waitUntilBack !== false,
		applySentLabel: options.applySentLabel !== false,
	};
}

/** List's and Cancel's filter for item i: campaign, lead, due-before; a bad value names its parameter. */
export function readFilter(ctx: IExecuteFunctions, i: number, parts: { campaign: boolean; email: boolean; dueBefore: boolean }): ScheduleFilter {
	const get = (name: string) => str(ctx.getNodeParameter(name, i, '')).trim();
	const f: ScheduleFilter = {};
	if (parts.campaign && get('filterCampaign')) f.campaign = get('filterCampaign');
	if (parts.email && get('filterEmail')) f.lead = get('filterEmail');
	if (parts.dueBefore && get('dueBefore')) {
		// A time without an offset is the workflow's wall clock, never this machine's.
		const t = DateTime.fromISO(get('dueBefore'), { zone: ctx.getTimezone() }).toMillis();
		if (!Number.isFinite(t)) throw new ParameterError(itemRow(ctx.getInputData(), i), 'dueBefore', `"${get('dueBefore')}" is not a time (ISO 8601)`);
		f.dueBy = t;
	}
	return f;
}
