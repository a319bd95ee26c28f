import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { AddressError, parseAddressList, type ParsedAddress } from '../core/address';
import { parseSuppressionList, SuppressionListError, type SuppressionList } from '../core/campaign';
import { leadRecipient, senderAddress, type Composed } from '../core/compose';
import { lookupField } from '../core/template';
import type { MessageSpec } from '../core/mime';
import type { MessageParams } from './params';
import { itemRow } from './rows';

/** An error the user fixes in the node's parameters or the sheet; the message names the row (see rowLabel) and the field. */
export class ParameterError extends Error {
	override name = 'ParameterError' as const;
	field: string;
	constructor(row: number | string, field: string, problem: string, options?: { cause?: unknown }) {
		super(`${typeof row === 'number' ? `Row ${row}` : row}, parameter "${field}": ${problem}`, options);
		this.field = field;
	}
}

/** Why an item leaves before any send: skipped (by a rule) or failed (bad input). */
export interface Rejection {
	kind: 'skipped' | 'failed';
	reason: string;
	error?: string;
	extra?: IDataObject;
}

/** The AddressError fn throws, if any (other errors propagate). */
function addressProblem(fn: () => unknown): AddressError | undefined {
	let failure: unknown;
	try {
		fn();
	} catch (error) {
		failure = error;
	}
	if (failure === undefined || failure instanceof AddressError) return failure;
	throw failure;
}

/** The Suppression List option, parsed; an entry that is neither an address nor a domain names the parameter. */
export function suppressionListParameter(row: string, value: string): SuppressionList {
	let failure: unknown;
	try {
		return parseSuppressionList(value);
	} catch (error) {
		failure = error;
	}
	if (failure instanceof SuppressionListError) throw new ParameterError(row, 'suppressionList', failure.message, { cause: failure });
	throw failure;
}

/** Checks campaign and step, the two parameters that key labels and idempotency. */
export function checkSequence(row: string, p: Pick<MessageParams, 'campaign' | 'step'>): void {
	if (!p.campaign) throw new ParameterError(row, 'campaign', 'empty');
	if (!Number.isInteger(p.step) || p.step < 1) throw new ParameterError(row, 'step', `must be a whole number ≥ 1, got ${p.step}`);
}

/** Validates an address-list parameter (cc, bcc, replyTo); undefined when empty. */
export function addressListParameter(row: string, field: string, value: string): string | undefined {
	if (!value.trim()) return undefined;
	const problem = addressProblem(() => parseAddressList(value));
	if (problem) throw new ParameterError(row, field, problem.message, { cause: problem });
	return value;
}

/** The From address: the parameter (or the mailbox itself) with the sender name applied. */
export function senderParameter(row: string, from: string, senderName: string): ParsedAddress {
	const problem = addressProblem(() => senderAddress(from, senderName));
	if (problem) throw new ParameterError(row, 'from', problem.message, { cause: problem });
	return senderAddress(from, senderName);
}

/** Reads the item's binary properties as attachments; a missing property names the field. */
export async function binaryAttachments(ctx: IExecuteFunctions, itemIndex: number, props: string[]): Promise<NonNullable<MessageSpec['attachments']>> {
	const out: NonNullable<MessageSpec['attachments']> = [];
	const items = ctx.getInputData();
	let shared = SHARED_BUFFERS.get(items);
	if (!shared) SHARED_BUFFERS.set(items, (shared = new Map()));
	for (const prop of props) {
		const binary = items[itemIndex]?.binary?.[prop];
		if (!binary) throw new ParameterError(itemRow(items, itemIndex), 'attachments', `the item has no binary property "${prop}"`);
		// The same file on every item (a brochure for all leads) is read once per run: one Buffer, not one per lead.
		// Keyed by the stored file's id, or by the base64 text itself (no copy: V8 hashes a string once and keeps the hash).
		const key = binary.id ? `\u0000id:${binary.id}` : (binary.data ?? '');
		let content = shared.get(key);
		if (!content) shared.set(key, (content = await ctx.helpers.getBinaryDataBuffer(itemIndex, prop)));
		out.push({ filename: binary.fileName || prop, contentType: binary.mimeType || 'application/octet-stream', content });
	}
	return out;
}

// Per execution (keyed by its input array, dropped with it): binary files already read, by id or content.
const SHARED_BUFFERS = new WeakMap<INodeExecutionData[], Map<string, Buffer>>();

/** In strict mode, a row whose merge tags lack values fails, listing every field. */
export function strictRejection(composed: Composed, row: string, strict: boolean): Rejection | undefined {
	if (!strict || !composed.missing.length) return undefined;
	const missing = composed.missing;
	return {
		kind: 'failed',
		reason: 'missing_fields',
		error: `${row}, field${missing.length > 1 ? 's' : ''} ${missing.map((f) => `"${f}"`).join(', ')}: missing or empty (strict mode)`,
		extra: { field: missing[0], missingFields: missing },
	};
}

/** Where the lead's address came from: the column Recipient Field names, or the address its expression gave. */
export type RecipientSource = 'column' | 'expression';

/** Recipient Field as the user set it: its value for this item, and whether it is an expression (raw text starting with "="). */
export interface RecipientSetting {
	value: string;
	/** The parameter before n8n resolved it, e.g. '={{ $json.email }}'. */
	raw: string;
}

/** The column a plain `{{ $json.email }}` / `{{ $json["E-mail"] }}` expression reads; errors name it. */
function expressionColumn(raw: string): string | undefined {
	const m = /^=\s*\{\{\s*\$json(?:\.([A-Za-z_$][\w$]*)|\[\s*(['"])(.+?)\2\s*\])\s*\}\}\s*$/.exec(raw);
	return m ? (m[1] ?? m[3]) : undefined;
}

/**
 * A field parameter's value for the row. The parameter may name a column ("email") or — the n8n habit of dragging a
 * field in — be an expression whose value is the value itself. A value naming a column of the row is a column; an
 * expression's other values are the value; a fixed text is always a column (a typed address would mail every lead).
 * `field` is what errors name: the column, or the one a plain `{{ $json.x }}` reads, else the parameter.
 */
export function fieldValue(row: IDataObject, setting: RecipientSetting, parameter: string): { value: unknown; field: string; source: RecipientSource } {
	const value = setting.value.trim();
	if ((value && lookupField(row, value) !== undefined) || !setting.raw.trimStart().startsWith('=')) {
		return { value: value ? lookupField(row, value) : undefined, field: value || parameter, source: 'column' };
	}
	return { value, field: expressionColumn(setting.raw) ?? parameter, source: 'expression' };
}

/** The lead's address and display name from Recipient Field (a column name or an expression; see fieldValue). */
export function recipientOf(
	row: IDataObject,
	setting: RecipientSetting,
	nameFields: string[],
	rowNumber: string,
): { to: ParsedAddress; source: RecipientSource } {
	if (!setting.value.trim() && !setting.raw.trimStart().startsWith('=')) throw new ParameterError(rowNumber, 'emailField', 'empty');
	const picked = fieldValue(row, setting, 'emailField');
	return { to: leadRecipient(row, { emailField: picked.field, nameFields, address: picked.value }, rowNumber), source: picked.source };
}
