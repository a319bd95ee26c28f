import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { AddressError, normalizeAddress, parseAddressList, type ParsedAddress } from '../shared/core/address';
import { parseSuppressionList, sentLabelName, suppressionReason, SuppressionListError } from '../shared/core/campaign';
import { composeMessage, FieldError, leadRecipient, senderAddress, type Composed, type Templates } from '../shared/core/compose';
import { lookupField } from '../shared/core/template';
import { DraftTemplateError } from './draft';
import type { ItemParams } from './params';
import { attempt } from './attempt';

/** A lead that passed validation and local suppression, ready for the mailbox checks and the send. */
export interface Lead {
	itemIndex: number;
	row: IDataObject;
	to: ParsedAddress;
	address: string;
	campaign: string;
	step: number;
	composed: Composed;
	labels: string[];
	checkMailbox: boolean;
}

/** Why an item cannot be sent, decided before any Gmail call. */
export interface Rejection {
	kind: 'skipped' | 'failed';
	reason: string;
	error?: string;
	extra?: IDataObject;
}

/** Loads what an item needs from outside its row: the template (parameters or a draft) and its attachments. */
export interface PrepareContext {
	ctx: IExecuteFunctions;
	mailbox: () => Promise<string>;
	draftTemplate: (draftId: string) => Promise<{ templates: Templates; attachments: Composed['spec']['attachments'] }>;
}

/** An error the user fixes in the node's parameters or the sheet; the message names the row and the field. */
export class ParameterError extends Error {
	override name = 'ParameterError' as const;
	field: string;
	constructor(row: number, field: string, problem: string, options?: { cause?: unknown }) {
		super(`Row ${row}, parameter "${field}": ${problem}`, options);
		this.field = field;
	}
}

function parameterAddressList(row: number, field: string, value: string): string | undefined {
	if (!value.trim()) return undefined;
	const problem = addressProblem(() => parseAddressList(value));
	if (problem) throw new ParameterError(row, field, problem.message, { cause: problem });
	return value;
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

/** Validates one item and composes its message, or says why it leaves early (Failed or Skipped). */
export async function prepareLead(
	pc: PrepareContext,
	itemIndex: number,
	row: IDataObject,
	p: ItemParams,
): Promise<Lead | Rejection> {
	const rowNumber = itemIndex + 1;
	const r = await attempt(() => buildLead(pc, itemIndex, row, p));
	if (r.ok) return r.value;
	const error = r.error;
	if (error instanceof FieldError) {
		return { kind: 'failed', reason: error.reason, error: error.message, extra: { field: error.field } };
	}
	if (error instanceof DraftTemplateError) {
		return { kind: 'failed', reason: 'invalid_parameter', error: `Row ${rowNumber}, parameter "draftId": ${error.message}`, extra: { field: 'draftId' } };
	}
	if (error instanceof ParameterError) {
		return { kind: 'failed', reason: 'invalid_parameter', error: error.message, extra: { field: error.field } };
	}
	throw error;
}

async function buildLead(pc: PrepareContext, itemIndex: number, row: IDataObject, p: ItemParams): Promise<Lead | Rejection> {
	const rowNumber = itemIndex + 1;
	if (!p.campaign) throw new ParameterError(rowNumber, 'campaign', 'empty');
	if (!Number.isInteger(p.step) || p.step < 1) throw new ParameterError(rowNumber, 'step', `must be a whole number ≥ 1, got ${p.step}`);
	if (!p.emailField) throw new ParameterError(rowNumber, 'emailField', 'empty');
	const to = leadRecipient(row, { emailField: p.emailField, nameFields: p.nameFields }, rowNumber);
	const address = normalizeAddress(to.address);

	const parsedList = await attempt(() => parseSuppressionList(p.suppressionList));
	if (!parsedList.ok) {
		const e = parsedList.error;
		if (e instanceof SuppressionListError) throw new ParameterError(rowNumber, 'suppressionList', e.message, { cause: e });
		throw e;
	}
	const list = parsedList.value;
	const status = p.statusField ? lookupField(row, p.statusField) : undefined;
	const suppressed = suppressionReason(to.address, { list, status, statuses: p.suppressStatuses });
	if (suppressed) return { kind: 'skipped', reason: 'suppressed', extra: { suppression: suppressed, to: to.address } };

	const fromValue = p.from || (await pc.mailbox());
	const fromProblem = addressProblem(() => senderAddress(fromValue, p.senderName));
	if (fromProblem) throw new ParameterError(rowNumber, 'from', fromProblem.message, { cause: fromProblem });
	const from: ParsedAddress = senderAddress(fromValue, p.senderName);
	const replyTo = parameterAddressList(rowNumber, 'replyTo', p.replyTo);
	const cc = parameterAddressList(rowNumber, 'cc', p.cc);
	const bcc = parameterAddressList(rowNumber, 'bcc', p.bcc);

	let templates: Templates;
	let attachments: Composed['spec']['attachments'] = [];
	if (p.templateSource === 'draft') {
		if (!p.draftId) throw new ParameterError(rowNumber, 'draftId', 'no draft chosen');
		const draft = await pc.draftTemplate(p.draftId);
		templates = draft.templates;
		attachments = [...(draft.attachments ?? [])];
	} else {
		if (!p.subject.trim()) throw new ParameterError(rowNumber, 'subject', 'empty');
		if (!p.text.trim() && !p.html.trim()) throw new ParameterError(rowNumber, 'text', 'the body is empty');
		templates = { subject: p.subject, text: p.text || undefined, html: p.html || undefined };
	}
	for (const prop of p.attachments) attachments.push(await binaryAttachment(pc.ctx, itemIndex, prop));

	const composed = composeMessage(row, templates, {
		from,
		to,
		campaign: p.campaign,
		step: p.step,
		replyTo,
		cc,
		bcc,
		attachments,
		unsubscribe: {
			mailto: p.unsubscribeMailto,
			url: p.unsubscribeUrl,
			footer: p.footer,
			postalAddress: p.postalAddress,
		},
	});
	if (p.strict && composed.missing.length) {
		const field = composed.missing[0];
		return {
			kind: 'failed',
			reason: 'missing_fields',
			error: `Row ${rowNumber}, field${composed.missing.length > 1 ? 's' : ''} ${composed.missing.map((f) => `"${f}"`).join(', ')}: missing or empty (strict mode)`,
			extra: { field, missingFields: composed.missing },
		};
	}
	const labels = [...(p.applySentLabel ? [sentLabelName(p.campaign)] : []), ...p.labels];
	return {
		itemIndex,
		row,
		to,
		address,
		campaign: p.campaign,
		step: p.step,
		composed,
		labels,
		checkMailbox: p.checkMailboxSuppression,
	};
}

/** Reads a binary property of the item as an attachment; a missing property names the field. */
async function binaryAttachment(ctx: IExecuteFunctions, itemIndex: number, prop: string) {
	const binary = ctx.getInputData()[itemIndex]?.binary?.[prop];
	if (!binary) throw new ParameterError(itemIndex + 1, 'attachments', `the item has no binary property "${prop}"`);
	const content = await ctx.helpers.getBinaryDataBuffer(itemIndex, prop);
	return {
		filename: binary.fileName || prop,
		contentType: binary.mimeType || 'application/octet-stream',
		content,
	};
}
