import { NodeConnectionTypes, type IExecuteFunctions, type INodeExecutionData, type INodeType, type INodeTypeDescription } from 'n8n-workflow';
import { GMAIL_CREDENTIALS } from '../shared/node/descriptions';
import { GUARD_OUTPUTS, quotaGuardProperties } from './description';
import { executeQuotaGuard } from './execute';
import { NODE_VERSIONS } from '../shared/node/fields';

/** Splits leads into send now and deferred (retry at …) by what the mailbox sent in the rolling 24 h, send windows and pacing. */
export class GmailQuotaGuard implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Gmail Quota Guard',
		name: 'gmailQuotaGuard',
		icon: { light: 'file:gmailQuotaGuard.svg', dark: 'file:gmailQuotaGuard.dark.svg' },
		group: ['transform'],
		// Version 2 writes our fields under `outreach` (fields.ts); version 1 keeps older workflows' flat fields.
		version: NODE_VERSIONS,
		defaultVersion: 2,
		subtitle: '={{$parameter["accountType"] === "custom" ? $parameter["dailyCap"] : $parameter["accountType"]}} · {{$parameter["safetyMargin"]}} %',
		description: 'Keep a Gmail or Workspace mailbox under its daily sending cap: send now, or defer with the exact retry time',
		defaults: { name: 'Gmail Quota Guard' },
		inputs: [NodeConnectionTypes.Main],
		outputs: GUARD_OUTPUTS,
		credentials: GMAIL_CREDENTIALS,
		properties: quotaGuardProperties,
		usableAsTool: true,
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await executeQuotaGuard.call(this);
	}
}
