import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { SENDING_NODE, SENDING_SUBTITLE } from '../shared/node/descriptions';
import { getDrafts, getSendAsAliases } from '../shared/node/loadOptions';
import { sendProperties } from './description';
import { executeSend } from './execute';

/** Sends one personalised email per lead: suppression, idempotency, labels, unsubscribe headers, dry-run preview. */
export class GmailOutreachSend implements INodeType {
	description: INodeTypeDescription = {
		...SENDING_NODE,
		displayName: 'Gmail Outreach Send',
		name: 'gmailOutreachSend',
		icon: { light: 'file:gmailOutreachSend.svg', dark: 'file:gmailOutreachSend.dark.svg' },
		subtitle: SENDING_SUBTITLE,
		description: 'Send personalised outreach emails from a Gmail or Workspace mailbox, once per lead',
		defaults: { name: 'Gmail Outreach Send' },
		properties: sendProperties,
		usableAsTool: true,
	};

	methods = { loadOptions: { getSendAsAliases, getDrafts } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await executeSend.call(this);
	}
}
