import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

/** Run-wide settings, read once from the first item (they steer the whole execution, not one lead). */
export interface RunSettings {
	mode: 'send' | 'preview';
	pacing: 'quota' | 'delay';
	delayMs: number;
	jitterMs: number;
	budgetMs: number;
	perMinuteUnits: number;
}

/** One item's parameters, expressions resolved for that item. */
export interface ItemParams {
	campaign: string;
	step: number;
	emailField: string;
	nameFields: string[];
	from: string;
	senderName: string;
	templateSource: 'parameters' | 'draft';
	draftId: string;
	subject: string;
	text: string;
	html: string;
	strict: boolean;
	applySentLabel: boolean;
	labels: string[];
	attachments: string[];
	replyTo: string;
	cc: string;
	bcc: string;
	unsubscribeMailto: string;
	unsubscribeUrl: string;
	footer: string;
	postalAddress: string;
	suppressionList: string;
	statusField: string;
	suppressStatuses: string[];
	checkMailboxSuppression: boolean;
}

/** Splits 'a, b,c' into trimmed non-empty parts. */
export function csv(value: unknown): string[] {
	if (value === undefined || value === null) return [];
	return String(value)
		.split(',')
		.map((s) => s.trim())
		.filter((s) => s !== '');
}

function str(value: unknown): string {
	return value === undefined || value === null ? '' : String(value);
}

/** Reads the run-wide settings from item 0. */
export function readRunSettings(ctx: IExecuteFunctions): RunSettings {
	const options = ctx.getNodeParameter('options', 0, {}) as IDataObject;
	const seconds = (v: unknown, d: number) => Math.max(0, Number(v ?? d) || 0) * 1000;
	return {
		mode: ctx.getNodeParameter('mode', 0, 'send') === 'preview' ? 'preview' : 'send',
		pacing: options.pacing === 'delay' ? 'delay' : 'quota',
		delayMs: seconds(options.delaySeconds, 30),
		jitterMs: seconds(options.jitterSeconds, 15),
		budgetMs: seconds(options.retryBudgetSeconds, 60),
		perMinuteUnits: Math.max(100, Number(options.quotaUnitsPerMinute ?? 15000) || 15000),
	};
}

/** Reads one item's parameters; throws n8n's own error for an expression that cannot be resolved. */
export function readItemParams(ctx: IExecuteFunctions, i: number): ItemParams {
	const options = ctx.getNodeParameter('options', i, {}) as IDataObject;
	const templateSource = ctx.getNodeParameter('templateSource', i, 'parameters') === 'draft' ? 'draft' : 'parameters';
	const bodyType = templateSource === 'parameters' ? str(ctx.getNodeParameter('bodyType', i, 'text')) : 'text';
	return {
		campaign: str(ctx.getNodeParameter('campaign', i, 'campaign')).trim(),
		step: Number(ctx.getNodeParameter('step', i, 1)),
		emailField: str(ctx.getNodeParameter('emailField', i, 'email')).trim(),
		nameFields: csv(ctx.getNodeParameter('nameFields', i, '')),
		from: str(ctx.getNodeParameter('from', i, '')).trim(),
		senderName: str(ctx.getNodeParameter('senderName', i, '')),
		templateSource,
		draftId: templateSource === 'draft' ? str(ctx.getNodeParameter('draftId', i, '')).trim() : '',
		subject: templateSource === 'parameters' ? str(ctx.getNodeParameter('subject', i, '')) : '',
		text: bodyType === 'text' || bodyType === 'both' ? str(ctx.getNodeParameter('text', i, '')) : '',
		html:
			templateSource === 'parameters' && (bodyType === 'html' || bodyType === 'both')
				? str(ctx.getNodeParameter('html', i, ''))
				: '',
		strict: ctx.getNodeParameter('strict', i, true) !== false,
		applySentLabel: options.applySentLabel !== false,
		labels: csv(options.labels),
		attachments: csv(options.attachments),
		replyTo: str(options.replyTo),
		cc: str(options.cc),
		bcc: str(options.bcc),
		unsubscribeMailto: str(options.unsubscribeMailto),
		unsubscribeUrl: str(options.unsubscribeUrl),
		footer: str(options.footer),
		postalAddress: str(options.postalAddress),
		suppressionList: str(options.suppressionList),
		statusField: options.statusField === undefined ? 'status' : str(options.statusField).trim(),
		suppressStatuses:
			options.suppressStatuses === undefined
				? ['unsubscribed', 'bounced', 'replied', 'do_not_contact']
				: csv(options.suppressStatuses),
		checkMailboxSuppression: options.checkMailboxSuppression !== false,
	};
}
