import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { normalizeAddress, type ParsedAddress } from '../shared/core/address';
import { sentLabelName, suppressionReason } from '../shared/core/campaign';
import { composeMessage, type Composed, type Templates } from '../shared/core/compose';
import { lookupField } from '../shared/core/template';
import { attempt } from '../shared/node/attempt';
import {
	addressListParameter,
	binaryAttachments,
	checkSequence,
	ParameterError,
	recipientOf,
	senderParameter,
	strictRejection,
	suppressionListParameter,
	type RecipientSource,
	type Rejection,
} from '../shared/node/inputs';
import { rowLabel } from '../shared/node/rows';
import { checkFrom, type Senders } from '../shared/node/senders';
import { DraftTemplateError, type DraftTemplate } from './draft';
import type { ItemParams } from './params';

/** A lead that passed validation and local suppression, ready for the mailbox checks and the send. */
export interface Lead {
	itemIndex: number;
	row: IDataObject;
	to: ParsedAddress;
	/** Whether Recipient Field named a column or was an expression giving the address. */
	recipientSource: RecipientSource;
	address: string;
	campaign: string;
	step: number;
	composed: Composed;
	labels: string[];
	checkMailbox: boolean;
	softBounceStops: boolean;
}

/** Loads what an item needs from outside its row: who the mailbox is (and may send as) and a draft used as template. */
export interface PrepareContext {
	ctx: IExecuteFunctions;
	senders: () => Promise<Senders>;
	draftTemplate: (draftId: string) => Promise<DraftTemplate>;
}

/** Validates one item and composes its message, or says why it is skipped or fails; bad input throws a FieldError or ParameterError. */
export async function prepareLead(pc: PrepareContext, itemIndex: number, row: IDataObject, p: ItemParams): Promise<Lead | Rejection> {
	const rowNumber = rowLabel(row, itemIndex);
	checkSequence(rowNumber, p);
	const { to, source } = recipientOf(row, { value: p.emailField, raw: p.emailFieldRaw }, p.nameFields, rowNumber);
	const address = normalizeAddress(to.address);

	const list = suppressionListParameter(rowNumber, p.suppressionList);
	const status = p.statusField ? lookupField(row, p.statusField) : undefined;
	const suppressed = suppressionReason(to.address, { list, status, statuses: p.suppressStatuses });
	if (suppressed) return { kind: 'skipped', reason: 'suppressed', extra: { suppression: suppressed, to: to.address } };

	const senders = await pc.senders();
	const from = senderParameter(rowNumber, p.from || senders.mailbox, p.senderName);
	checkFrom(senders, rowNumber, from.address);
	const replyTo = addressListParameter(rowNumber, 'replyTo', p.replyTo);
	const cc = addressListParameter(rowNumber, 'cc', p.cc);
	const bcc = addressListParameter(rowNumber, 'bcc', p.bcc);

	let templates: Templates;
	const attachments: NonNullable<Composed['spec']['attachments']> = [];
	if (p.templateSource === 'draft') {
		if (!p.draftId) throw new ParameterError(rowNumber, 'draftId', 'no draft chosen');
		const draft = await attempt(() => pc.draftTemplate(p.draftId));
		if (!draft.ok) {
			const e = draft.error;
			if (e instanceof DraftTemplateError) throw new ParameterError(rowNumber, 'draftId', e.message, { cause: e });
			throw e;
		}
		templates = draft.value.templates;
		attachments.push(...draft.value.attachments);
	} else {
		if (!p.subject.trim()) throw new ParameterError(rowNumber, 'subject', 'empty');
		if (!p.text.trim() && !p.html.trim()) throw new ParameterError(rowNumber, 'text', 'the body is empty');
		templates = { subject: p.subject, text: p.text || undefined, html: p.html || undefined };
	}
	attachments.push(...(await binaryAttachments(pc.ctx, itemIndex, p.attachments)));

	const composed = composeMessage(row, templates, {
		from,
		to,
		campaign: p.campaign,
		step: p.step,
		replyTo,
		cc,
		bcc,
		attachments,
		unsubscribe: { mailto: p.unsubscribeMailto, url: p.unsubscribeUrl, footer: p.footer, postalAddress: p.postalAddress },
	});
	const strict = strictRejection(composed, rowNumber, p.strict);
	if (strict) return strict;
	return {
		itemIndex,
		row,
		to,
		recipientSource: source,
		address,
		campaign: p.campaign,
		step: p.step,
		composed,
		labels: [...(p.applySentLabel ? [sentLabelName(p.campaign)] : []), ...p.labels],
		checkMailbox: p.checkMailboxSuppression,
		softBounceStops: p.softBounceStops,
	};
}
