import { NodeConnectionTypes, type IExecuteFunctions, type INodeExecutionData, type INodeType, type INodeTypeDescription } from 'n8n-workflow';
import { GMAIL_CREDENTIALS } from '../shared/node/descriptions';
import { OUTREACH_OUTPUTS } from '../shared/node/outcomes';
import { getSendAsAliases } from '../GmailOutreachSend/loadOptions';
import { threadedReplyProperties } from './description';
import { executeThreadedReply } from './execute';

/** Sends a follow-up into an existing thread (threadId, In-Reply-To, full References, Re: subject); skips leads who engaged. */
export class GmailThreadedReply implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Gmail Threaded Reply',
		name: 'gmailThreadedReply',
		icon: 'file:gmailThreadedReply.svg',
		group: ['output'],
		version: 1,
		subtitle: '={{$parameter["mode"] === "preview" ? "Preview: " : ""}}{{$parameter["campaign"]}} · step {{$parameter["step"]}}',
		description: 'Send a follow-up or templated reply into an existing Gmail thread, never after the lead replied',
		defaults: { name: 'Gmail Threaded Reply' },
		inputs: [NodeConnectionTypes.Main],
		outputs: OUTREACH_OUTPUTS,
		credentials: GMAIL_CREDENTIALS,
		properties: threadedReplyProperties,
		usableAsTool: true,
	};

	methods = { loadOptions: { getSendAsAliases } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return executeThreadedReply.call(this);
	}
}
