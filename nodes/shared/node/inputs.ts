import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { AddressError, parseAddressList, type ParsedAddress } from '../core/address';
import { parseSuppressionList, SuppressionListError, type SuppressionList } from '../core/campaign';
import { senderAddress, type Composed } from '../core/compose';
import type { MessageSpec } from '../core/mime';
import type { MessageParams } from './params';

/** An error the user fixes in the node's parameters or the sheet; the message names the row and the field. */
export class ParameterError extends Error {
	override name = 'ParameterError' as const;
	field: string;
	constructor(row: number, field: string, problem: string, options?: { cause?: unknown }) {
		super(`Row ${row}, parameter "${field}": ${problem}`, options);
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
export function suppressionListParameter(row: number, value: string): SuppressionList {
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
export function checkSequence(row: number, p: Pick<MessageParams, 'campaign' | 'step'>): void {
	if (!p.campaign) throw new ParameterError(row, 'campaign', 'empty');
	if (!Number.isInteger(p.step) || p.step < 1) throw new ParameterError(row, 'step', `must be a whole number ≥ 1, got ${p.step}`);
}

/** Validates an address-list parameter (cc, bcc, replyTo); undefined when empty. */
export function addressListParameter(row: number, field: string, value: string): string | undefined {
	if (!value.trim()) return undefined;
	const problem = addressProblem(() => parseAddressList(value));
	if (problem) throw new ParameterError(row, field, problem.message, { cause: problem });
	return value;
}

/** The From address: the parameter (or the mailbox itself) with the sender name applied. */
export function senderParameter(row: number, from: string, senderName: string): ParsedAddress {
	const problem = addressProblem(() => senderAddress(from, senderName));
	if (problem) throw new ParameterError(row, 'from', problem.message, { cause: problem });
	return senderAddress(from, senderName);
}

/** Reads the item's binary properties as attachments; a missing property names the field. */
export async function binaryAttachments(ctx: IExecuteFunctions, itemIndex: number, props: string[]): Promise<NonNullable<MessageSpec['attachments']>> {
	const out: NonNullable<MessageSpec['attachments']> = [];
	for (const prop of props) {
		const binary = ctx.getInputData()[itemIndex]?.binary?.[prop];
		if (!binary) throw new ParameterError(itemIndex + 1, 'attachments', `the item has no binary property "${prop}"`);
		const content = await ctx.helpers.getBinaryDataBuffer(itemIndex, prop);
		out.push({ filename: binary.fileName || prop, contentType: binary.mimeType || 'application/octet-stream', content });
	}
	return out;
}

/** In strict mode, a row whose merge tags lack values fails, listing every field. */
export function strictRejection(composed: Composed, row: number, strict: boolean): Rejection | undefined {
	if (!strict || !composed.missing.length) return undefined;
	const missing = composed.missing;
	return {
		kind: 'failed',
		reason: 'missing_fields',
		error: `Row ${row}, field${missing.length > 1 ? 's' : ''} ${missing.map((f) => `"${f}"`).join(', ')}: missing or empty (strict mode)`,
		extra: { field: missing[0], missingFields: missing },
	};
}
