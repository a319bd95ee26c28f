import { NodeConnectionTypes, type IExecuteFunctions, type INodeExecutionData, type INodeType, type INodeTypeDescription } from 'n8n-workflow';
import { GMAIL_CREDENTIALS } from '../shared/node/descriptions';
import { replyDetectorProperties } from './description';
import { executeDetect } from './execute';
import { DETECTOR_OUTPUTS } from './outcomes';
import { NODE_VERSIONS } from '../shared/node/fields';

/** Checks a list of leads against what came back to the mailbox: replies, out-of-office, bounces, opt-outs, complaints. */
export class GmailReplyDetector implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Gmail Reply Detector',
		name: 'gmailReplyDetector',
		icon: { light: 'file:gmailReplyDetector.svg', dark: 'file:gmailReplyDetector.dark.svg' },
		group: ['transform'],
		// Version 2 writes our fields under `outreach` (fields.ts); version 1 keeps older workflows' flat fields.
		version: NODE_VERSIONS,
		defaultVersion: 2,
		subtitle: '={{$parameter["campaign"]}}',
		description: 'Check which leads replied, bounced, opted out or are away, with a few mailbox-wide look-ups for any number of leads',
		defaults: { name: 'Gmail Reply Detector' },
		inputs: [NodeConnectionTypes.Main],
		outputs: DETECTOR_OUTPUTS,
		credentials: GMAIL_CREDENTIALS,
		properties: replyDetectorProperties,
		usableAsTool: true,
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await executeDetect.call(this);
	}
}
