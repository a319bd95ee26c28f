import { NodeConnectionTypes, type INodeExecutionData, type INodeType, type INodeTypeDescription, type IPollFunctions } from 'n8n-workflow';
import { GMAIL_CREDENTIALS } from '../shared/node/descriptions';
import { replyTriggerProperties } from './description';
import { pollReplies } from './poll';

/** Starts a workflow for every reply, out-of-office, bounce, opt-out or complaint that comes back to outreach, polling Gmail's history. */
export class GmailReplyDetectorTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Gmail Reply Detector Trigger',
		name: 'gmailReplyDetectorTrigger',
		icon: { light: 'file:gmailReplyDetectorTrigger.svg', dark: 'file:gmailReplyDetectorTrigger.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{$parameter["scope"] === "all" ? "All inbound mail" : "Replies to outreach"}}',
		description: 'Starts the workflow when a lead replies, is away, bounces, opts out or complains (one item per event)',
		defaults: { name: 'Gmail Reply Detector Trigger' },
		polling: true,
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: GMAIL_CREDENTIALS,
		properties: replyTriggerProperties,
	};

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		return await pollReplies(this);
	}
}
