import { NodeConnectionTypes, type IExecuteFunctions, type INodeExecutionData, type INodeType, type INodeTypeDescription } from 'n8n-workflow';
import { GMAIL_CREDENTIALS } from '../shared/node/descriptions';
import { OUTREACH_OUTPUTS } from '../shared/node/outcomes';
import { sendProperties } from './description';
import { executeSend } from './execute';
import { getDrafts, getSendAsAliases } from './loadOptions';

/** Sends one personalised email per lead: suppression, idempotency, labels, unsubscribe headers, dry-run preview. */
export class GmailOutreachSend implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Gmail Outreach Send',
		name: 'gmailOutreachSend',
		icon: 'file:gmailOutreachSend.svg',
		group: ['output'],
		version: 1,
		subtitle: '={{$parameter["mode"] === "preview" ? "Preview: " : ""}}{{$parameter["campaign"]}} · step {{$parameter["step"]}}',
		description: 'Send personalised outreach emails from a Gmail or Workspace mailbox, once per lead',
		defaults: { name: 'Gmail Outreach Send' },
		inputs: [NodeConnectionTypes.Main],
		outputs: OUTREACH_OUTPUTS,
		credentials: GMAIL_CREDENTIALS,
		properties: sendProperties,
		usableAsTool: true,
	};

	methods = { loadOptions: { getSendAsAliases, getDrafts } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return executeSend.call(this);
	}
}
