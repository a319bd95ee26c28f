import { DateTime, IANAZone } from 'luxon';
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { AddressError, normalizeAddress, parseAddress } from '../shared/core/address';
import { mailtoAddress } from '../shared/core/campaign';
import { lookupField } from '../shared/core/template';
import { earlierField } from '../shared/node/fields';
import { fieldValue } from '../shared/node/inputs';
import { csv, str } from '../shared/node/params';

/** Run-wide settings, read once from the first item (they steer the whole look-up, not one lead). */
export interface Settings {
	since: 'campaign' | 'date';
	lookBackDays: number;
	labelEvidence: boolean;
	markRead: boolean;
	softBounceStops: boolean;
	timezoneField: string;
	maxMessages: number;
	perMinuteUnits: number;
	budgetMs: number;
	unsubscribeAddresses: string[];
}

/** One valid input row: the lead and what ties mail to it. */
export interface Lead {
	itemIndex: number;
	/** Normalised address (the comparison key). */
	address: string;
	campaign: string;
	threadId?: string;
	/** Check Since = a date: this row's start (epoch ms). */
	sinceMs?: number;
	/** IANA zone of the lead's return morning. */
	zone: string;
}

/** How a failed row is named: its sheet row number when the item carries one, else its item index. */
export interface RowRef {
	row: number;
	rowSource: 'row_number' | 'item_index';
}

/** A row the node cannot check (bad address, campaign or date); the message names the row and the field. */
export class RowError extends Error {
	override name = 'RowError' as const;
	constructor(
		readonly ref: RowRef,
		readonly field: string,
		problem: string,
	) {
		super(`${describeRow(ref)}, field "${field}": ${problem}`);
	}
}

/** 'Row 7 (row_number)' or 'Item 3 (item index; the item has no row_number)'. */
export function describeRow(ref: RowRef): string {
	return ref.rowSource === 'row_number' ? `Row ${ref.row} (row_number)` : `Item ${ref.row} (item index; the item has no row_number)`;
}

/** The row's number in the sheet (Google Sheets items carry row_number), else its 0-based item index. */
export function rowOf(json: IDataObject | undefined, itemIndex: number): RowRef {
	const n = Number(json?.row_number);
	if (json?.row_number !== undefined && json.row_number !== '' && Number.isInteger(n) && n > 0) return { row: n, rowSource: 'row_number' };
	return { row: itemIndex, rowSource: 'item_index' };
}

/** Reads the run-wide settings from item 0. */
export function readSettings(ctx: IExecuteFunctions): Settings {
	const o = ctx.getNodeParameter('options', 0, {}) as IDataObject;
	const positive = (v: unknown, d: number) => (Number(v) > 0 ? Number(v) : d);
	const unsubscribeAddresses = csv(o.unsubscribeMailto)
		.map((a) => mailtoAddress(a))
		.filter((a): a is string => !!a);
	return {
		since: ctx.getNodeParameter('since', 0, 'campaign') === 'date' ? 'date' : 'campaign',
		lookBackDays: positive(o.lookBackDays, 90),
		labelEvidence: o.labelEvidence !== false,
		markRead: o.markRead === true,
		softBounceStops: o.continueAfterSoftBounce !== true,
		timezoneField: o.timezoneField === undefined ? 'timezone' : str(o.timezoneField).trim(),
		maxMessages: Math.floor(positive(o.maxMessages, 10_000)),
		perMinuteUnits: Math.max(100, positive(o.quotaUnitsPerMinute, 15_000)),
		budgetMs: Math.max(0, Number(o.retryBudgetSeconds ?? 60) || 0) * 1000,
		unsubscribeAddresses,
	};
}

/** A date parameter as epoch ms: an ISO string, a Luxon DateTime or Date (from expressions), or epoch ms/s; undefined if none of these. */
export function dateValue(value: unknown): number | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.getTime();
	if (DateTime.isDateTime(value)) return value.isValid ? value.toMillis() : undefined;
	if (typeof value === 'number') return Number.isFinite(value) ? (value < 1e11 ? value * 1000 : value) : undefined;
	const text = String(value).trim();
	if (/^\d+$/.test(text)) return dateValue(Number(text));
	const iso = DateTime.fromISO(text, { zone: 'UTC' });
	if (iso.isValid) return iso.toMillis();
	const parsed = Date.parse(text);
	return Number.isNaN(parsed) ? undefined : parsed;
}

/** Reads and checks one row; throws RowError for what the user fixes in the sheet or the parameters. */
export function readLead(ctx: IExecuteFunctions, i: number, settings: Settings): Lead {
	const json = ctx.getInputData()[i]?.json ?? {};
	const ref = rowOf(json, i);
	// A column name, or an expression giving the address (e.g. dragged in as {{ $json.email }}, or $fromAI as a tool).
	const picked = fieldValue(json, { value: str(ctx.getNodeParameter('emailField', i, 'email')), raw: str(ctx.getNodeParameter('emailField', i, 'email', { rawExpressions: true })) }, 'emailField');
	const emailField = picked.field;
	const raw = str(picked.value).trim();
	if (!raw) throw new RowError(ref, emailField, 'missing or empty');
	let address = '';
	let failure: unknown;
	try {
		address = normalizeAddress(parseAddress(raw).address);
	} catch (error) {
		failure = error;
	}
	if (failure instanceof AddressError) throw new RowError(ref, emailField, `invalid address "${raw}": ${failure.message}`);
	if (failure !== undefined) throw failure;
	const campaign = str(ctx.getNodeParameter('campaign', i, 'campaign')).trim();
	if (!campaign) throw new RowError(ref, 'campaign', 'empty');
	const threadIdField = str(ctx.getNodeParameter('threadIdField', i, 'threadId')).trim();
	const threadId = threadIdField ? str(earlierField(json, threadIdField)).trim() : '';
	let sinceMs: number | undefined;
	if (settings.since === 'date') {
		const value = ctx.getNodeParameter('sinceDate', i, '');
		sinceMs = dateValue(value);
		if (sinceMs === undefined) throw new RowError(ref, 'sinceDate', `not a date: "${str(value)}"`);
	}
	return { itemIndex: i, address, campaign, ...(threadId ? { threadId } : {}), ...(sinceMs !== undefined ? { sinceMs } : {}), zone: leadZone(ctx, json, settings) };
}

/** The lead's time zone: the item's field when it holds a valid IANA zone, else the workflow's. */
function leadZone(ctx: IExecuteFunctions, json: IDataObject, settings: Settings): string {
	const zone = settings.timezoneField ? str(lookupField(json, settings.timezoneField)).trim() : '';
	if (zone && IANAZone.isValidZone(zone)) return zone;
	return ctx.getTimezone();
}
