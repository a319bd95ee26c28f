import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { SENDING_NODE, SENDING_SUBTITLE } from '../shared/node/descriptions';
import { getSendAsAliases } from '../shared/node/loadOptions';
import { threadedReplyProperties } from './description';
import { executeThreadedReply } from './execute';

/** Sends a follow-up into an existing thread (threadId, In-Reply-To, full References, Re: subject); skips leads who engaged. */
export class GmailThreadedReply implements INodeType {
	description: INodeTypeDescription = {
		...SENDING_NODE,
		displayName: 'Gmail Threaded Reply',
		name: 'gmailThreadedReply',
		icon: { light: 'file:gmailThreadedReply.svg', dark: 'file:gmailThreadedReply.dark.svg' },
		subtitle: SENDING_SUBTITLE,
		description: 'Send a follow-up or templated reply into an existing Gmail thread, never after the lead replied',
		defaults: { name: 'Gmail Threaded Reply' },
		properties: threadedReplyProperties,
		usableAsTool: true,
	};

	methods = { loadOptions: { getSendAsAliases } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await executeThreadedReply.call(this);
	}
}
