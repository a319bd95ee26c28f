import type { IDataObject } from 'n8n-workflow';
import { AddressError, normalizeAddress, parseAddress } from '../shared/core/address';
import { isValidZone } from '../shared/core/window';
import { earlierField } from '../shared/node/fields';
import type { GuardSettings } from './params';

/** Version 1's output fields: replaced on every run (a row's `status` is never touched). */
export const GUARD_FIELDS = ['quotaStatus', 'reason', 'retryAt', 'sendAt', 'error', 'field', 'quota', 'detail'];

/** One input item the node can decide about. */
export interface Lead {
	index: number;
	/** The lead's address, normalised. */
	address: string;
	zone: string;
	/** The mailbox the row says the lead was mailed from (normalised): the lead keeps it. */
	pinned?: string;
	/** The send time an earlier run gave it (its slot), if any. */
	earlierSendAt?: number;
}

/** An item the node cannot decide about: the field and what is wrong, with the row named. */
export interface BadItem {
	index: number;
	reason: 'invalid_address' | 'invalid_timezone' | 'invalid_sender';
	field: string;
	error: string;
}

/** "Row 12" from the item's row_number (Google Sheets), else "Item 3" counting the input from 1 — and which one it is. */
export function rowLabel(json: IDataObject, index: number): string {
	const row = json.row_number;
	if (typeof row === 'number' || (typeof row === 'string' && row.trim() !== '')) return `Row ${String(row).trim()} (row_number)`;
	return `Item ${index + 1} (input position; the item has no row_number)`;
}

function text(v: unknown): string {
	return v === undefined || v === null ? '' : typeof v === 'string' ? v.trim() : typeof v === 'number' ? String(v) : '';
}

/** Reads the lead's address, time zone, sender and earlier send time; a bad value names the row and the field. */
export function readLead(json: IDataObject, index: number, s: GuardSettings): Lead | BadItem {
	const bad = (reason: BadItem['reason'], field: string, problem: string): BadItem => ({
		index,
		reason,
		field,
		error: `${rowLabel(json, index)}, field "${field}": ${problem}`,
	});
	const rawEmail = text(json[s.emailField]);
	if (!rawEmail) return bad('invalid_address', s.emailField, 'missing or empty');
	let address: string;
	try {
		address = normalizeAddress(parseAddress(rawEmail).address);
	} catch (error) {
		if (error instanceof AddressError) return bad('invalid_address', s.emailField, error.message);
		throw error as Error;
	}
	const rawZone = s.timezoneField ? text(json[s.timezoneField]) : '';
	if (rawZone && !isValidZone(rawZone)) return bad('invalid_timezone', s.timezoneField, `"${rawZone}" is not an IANA time zone (e.g. America/New_York, Asia/Kolkata)`);
	const rawSender = text(json[s.senderField]);
	let pinned: string | undefined;
	if (rawSender) {
		try {
			pinned = normalizeAddress(parseAddress(rawSender).address);
		} catch (error) {
			if (error instanceof AddressError) return bad('invalid_sender', s.senderField, error.message);
			throw error as Error;
		}
	}
	const sendAt = earlierField(json, 'sendAt');
	const earlier = typeof sendAt === 'string' ? Date.parse(sendAt) : NaN;
	return {
		index,
		address,
		zone: rawZone || s.mailboxZone,
		...(pinned ? { pinned } : {}),
		...(Number.isFinite(earlier) ? { earlierSendAt: earlier } : {}),
	};
}

