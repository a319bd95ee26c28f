import { NodeConnectionTypes, type INodeProperties, type INodeTypeDescription } from 'n8n-workflow';
import { authenticationProperty } from '../shared/node/descriptions';
import * as cancel from './actions/cancel.operation';
import * as list from './actions/list.operation';
import * as schedule from './actions/schedule.operation';
import * as sendDue from './actions/sendDue.operation';
import { toolDescriptionProperty } from '../shared/node/tool';

const main = (displayName: string) => ({ type: NodeConnectionTypes.Main, displayName });

/** The outputs of each operation, in output-index order. */
export const OPERATION_OUTPUTS = {
	schedule: [main('Scheduled'), main('Skipped'), main('Deferred'), main('Failed')],
	sendDue: [main('Sent'), main('Cancelled'), main('Deferred'), main('Failed')],
	list: [main('Drafts')],
	cancel: [main('Cancelled'), main('Failed')],
};

/** The node's outputs follow the chosen operation (n8n leaves a default value out of saved workflows: it is Schedule). */
export const operationOutputs: INodeTypeDescription['outputs'] = `={{(${JSON.stringify(OPERATION_OUTPUTS)})[$parameter["operation"] || "schedule"]}}`;

const operationProperty: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	options: [
		{
			name: 'Schedule',
			value: 'schedule',
			action: 'Schedule a threaded follow up draft',
			description: 'Create step N as a threaded draft with a send time the person can review and edit in Gmail',
		},
		{
			name: 'Send Due',
			value: 'sendDue',
			action: 'Send the scheduled drafts that are due',
			description: 'Send every scheduled draft whose time has come, unless the lead engaged; run it from a Schedule Trigger',
		},
		{ name: 'List', value: 'list', action: 'List scheduled drafts', description: 'The scheduled drafts, by campaign, lead or due time' },
		{
			name: 'Cancel',
			value: 'cancel',
			action: 'Cancel scheduled drafts',
			description: 'Delete a lead’s, a campaign’s or an address’s pending drafts (never the person’s own drafts)',
		},
	],
	default: 'schedule',
};

/** Every parameter of the Gmail Draft Scheduler node. */
export const draftSchedulerProperties: INodeProperties[] = [
	toolDescriptionProperty(
		'Schedules a campaign step as a threaded Gmail draft with a send time, sends the due drafts, lists or cancels them. Idempotent per campaign + step + address: scheduling the same lead and step again answers skipped / already_scheduled (or already_sent), never a second draft or email. Never retry under another campaign name or step.',
	),
	authenticationProperty,
	operationProperty,
	...schedule.description,
	...sendDue.description,
	...list.description,
	...cancel.description,
];
