import { NodeConnectionTypes, type IExecuteFunctions, type INodeExecutionData, type INodeType, type INodeTypeDescription } from 'n8n-workflow';
import { GMAIL_CREDENTIALS } from '../shared/node/descriptions';
import { getSendAsAliases } from '../shared/node/loadOptions';
import { draftSchedulerProperties, operationOutputs } from './description';
import { executeDraftScheduler } from './execute';
import { NODE_VERSIONS } from '../shared/node/fields';

/** Follow-ups as scheduled drafts a person can review and edit in Gmail; sends the due ones, lists and cancels them. */
export class GmailDraftScheduler implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Gmail Draft Scheduler',
		name: 'gmailDraftScheduler',
		icon: { light: 'file:gmailDraftScheduler.svg', dark: 'file:gmailDraftScheduler.dark.svg' },
		group: ['output'],
		// Version 2 writes our fields under `outreach` (fields.ts); version 1 keeps older workflows' flat fields.
		version: NODE_VERSIONS,
		defaultVersion: 2,
		subtitle: '={{$parameter["operation"] === "sendDue" ? "Send due" : $parameter["operation"] === "list" ? "List" : $parameter["operation"] === "cancel" ? "Cancel" : "Schedule: " + $parameter["campaign"] + " · step " + $parameter["step"]}}',
		description: 'Schedule follow-ups as threaded Gmail drafts a person can edit, then send the due ones unless the lead engaged',
		defaults: { name: 'Gmail Draft Scheduler' },
		inputs: [NodeConnectionTypes.Main],
		outputs: operationOutputs,
		credentials: GMAIL_CREDENTIALS,
		properties: draftSchedulerProperties,
		usableAsTool: true,
	};

	methods = { loadOptions: { getSendAsAliases } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await executeDraftScheduler.call(this);
	}
}
