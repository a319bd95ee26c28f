import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { readMessageParams, str, type MessageParams } from '../shared/node/params';

/** One item's parameters: the shared ones plus how to find the thread and whom to answer. */
export interface ReplyParams extends MessageParams {
	threadBy: 'threadId' | 'messageId' | 'lead';
	threadId: string;
	messageId: string;
	emailField: string;
	campaignOnly: boolean;
	replyAll: boolean;
	stopIfEngaged: boolean;
	quote: boolean;
	/** Without a footer or postal address of its own, the step carries the first email's footer. */
	footerFromFirst: boolean;
	/** An out-of-office with a return date defers the lead to that date's first business morning. */
	waitUntilBack: boolean;
	/** Item field holding the lead's IANA time zone (for the return morning). */
	timezoneField: string;
}

/** Reads one item's parameters; throws n8n's own error for an expression that cannot be resolved. */
export function readReplyParams(ctx: IExecuteFunctions, i: number): ReplyParams {
	const get = <T>(name: string, fallback: T): T => ctx.getNodeParameter(name, i, fallback) as T;
	const threadBy = get<ReplyParams['threadBy']>('threadBy', 'threadId');
	const options = get<IDataObject>('options', {});
	return {
		...readMessageParams(ctx, i),
		threadBy,
		threadId: threadBy === 'threadId' ? str(get('threadId', '')).trim() : '',
		messageId: threadBy === 'messageId' ? str(get('messageId', '')).trim() : '',
		emailField: str(get('emailField', 'email')).trim() || 'email',
		campaignOnly: threadBy === 'lead' ? get<unknown>('campaignOnly', true) !== false : false,
		replyAll: get<unknown>('replyMode', 'sender') === 'all',
		stopIfEngaged: get<unknown>('stopIfEngaged', true) !== false,
		quote: (options.quote ?? false) === true,
		footerFromFirst: options.footerFromFirst !== false,
		waitUntilBack: options.waitUntilBack !== false,
		timezoneField: options.timezoneField === undefined ? 'timezone' : str(options.timezoneField).trim(),
	};
}
