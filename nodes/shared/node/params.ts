import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { SUPPRESSING_STATUSES } from '../core/campaign';

/** Run-wide settings, read once from the first item (they steer the whole execution, not one lead). */
export interface RunSettings {
	mode: 'send' | 'preview';
	/** Preview items carry the whole raw MIME (attachments included) instead of its head and size. */
	previewRaw: boolean;
	pacing: 'quota' | 'delay';
	delayMs: number;
	jitterMs: number;
	budgetMs: number;
	perMinuteUnits: number;
	/** The daily cap to check before sending: an account type, a number, 'auto' (from the address) or 'off'. */
	dailyCap: 'auto' | 'off' | 'gmail' | 'workspace' | 'workspace-trial' | number;
	/** An item's sendAt holds its send until then (at most maxWaitMs away; later ones are deferred); undefined: sendAt is ignored. */
	maxWaitMs?: number;
}

/** One item's parameters that both sending nodes have, with the same names and meaning. */
export interface MessageParams {
	campaign: string;
	step: number;
	from: string;
	senderName: string;
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
	statusField: string;
	suppressStatuses: string[];
	suppressionList: string;
	checkMailboxSuppression: boolean;
	/** A soft bounce ends this campaign for the lead (the option "Continue After Soft Bounce" turns it off). */
	softBounceStops: boolean;
}

/** Splits 'a, b,c' into trimmed non-empty parts. */
export function csv(value: unknown): string[] {
	if (value === undefined || value === null) return [];
	return String(value)
		.split(',')
		.map((s) => s.trim())
		.filter((s) => s !== '');
}

/** A parameter value as text ('' for nothing). */
export function str(value: unknown): string {
	return value === undefined || value === null ? '' : String(value);
}

/** Reads the run-wide settings from item 0. */
export function readRunSettings(ctx: IExecuteFunctions): RunSettings {
	const options = ctx.getNodeParameter('options', 0, {}) as IDataObject;
	const seconds = (v: unknown, d: number) => Math.max(0, Number(v ?? d) || 0) * 1000;
	return {
		mode: ctx.getNodeParameter('mode', 0, 'send') === 'preview' ? 'preview' : 'send',
		previewRaw: options.previewRaw === true,
		pacing: options.pacing === 'delay' ? 'delay' : 'quota',
		delayMs: seconds(options.delaySeconds, 30),
		jitterMs: seconds(options.jitterSeconds, 15),
		budgetMs: seconds(options.retryBudgetSeconds, 60),
		perMinuteUnits: Math.max(100, Number(options.quotaUnitsPerMinute ?? 15000) || 15000),
		dailyCap: dailyCapOption(options),
		...(options.waitForSendAt === false ? {} : { maxWaitMs: Math.max(0, Number(options.maxWaitMinutes ?? 30) || 0) * 60_000 }),
	};
}

function dailyCapOption(options: IDataObject): RunSettings['dailyCap'] {
	const choice = str(options.dailyCapCheck ?? 'auto');
	if (choice === 'custom') return Math.max(1, Math.floor(Number(options.customDailyCap ?? 500) || 500));
	return (['off', 'gmail', 'workspace', 'workspace-trial'].includes(choice) ? choice : 'auto') as RunSettings['dailyCap'];
}

/** Reads item i's shared parameters; `bodyFromParameters` false when the body comes from elsewhere (a draft). */
export function readMessageParams(ctx: IExecuteFunctions, i: number, bodyFromParameters = true): MessageParams {
	const options = ctx.getNodeParameter('options', i, {}) as IDataObject;
	const bodyType = bodyFromParameters ? str(ctx.getNodeParameter('bodyType', i, 'text')) : '';
	return {
		campaign: str(ctx.getNodeParameter('campaign', i, 'campaign')).trim(),
		step: Number(ctx.getNodeParameter('step', i, 1)),
		from: str(ctx.getNodeParameter('from', i, '')).trim(),
		senderName: str(ctx.getNodeParameter('senderName', i, '')),
		text: bodyType === 'text' || bodyType === 'both' ? str(ctx.getNodeParameter('text', i, '')) : '',
		html: bodyType === 'html' || bodyType === 'both' ? str(ctx.getNodeParameter('html', i, '')) : '',
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
		statusField: options.statusField === undefined ? 'status' : str(options.statusField).trim(),
		suppressStatuses: options.suppressStatuses === undefined ? [...SUPPRESSING_STATUSES] : csv(options.suppressStatuses),
		suppressionList: str(options.suppressionList),
		checkMailboxSuppression: options.checkMailboxSuppression !== false,
		softBounceStops: options.continueAfterSoftBounce !== true,
	};
}

/** The node's credential choice (its Authentication parameter): the transport is told it, and never reads parameters itself. */
export function credentialTypeOf(ctx: IExecuteFunctions): 'oAuth2' | 'serviceAccount' {
	return ctx.getNodeParameter('authentication', 0, 'oAuth2') === 'serviceAccount' ? 'serviceAccount' : 'oAuth2';
}
