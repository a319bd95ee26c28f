import type { INodeProperties } from 'n8n-workflow';
import { authenticationProperty } from '../shared/node/descriptions';
import { toolDescriptionProperty } from '../shared/node/tool';

/** Every parameter of the Gmail Reply Detector node. */
export const replyDetectorProperties: INodeProperties[] = [
	toolDescriptionProperty('Checks this Gmail mailbox for what each lead did since the campaign began: replied, auto-replied (out of office), bounced or asked to be removed. It sends nothing, so calling it again is safe.'),
	authenticationProperty,
	{
		displayName: 'Campaign',
		name: 'campaign',
		type: 'string',
		default: 'campaign',
		required: true,
		description:
			'The campaign name the Send node used (an expression such as {{ $json.campaign }} reads it from the row). Ties bounces and complaints to the lead by our key, and dates the campaign\'s first message.',
	},
	{
		displayName: 'Lead Email Field',
		name: 'emailField',
		type: 'string',
		default: 'email',
		required: true,
		description: 'Column of the item holding the lead’s email address',
	},
	{
		displayName: 'Thread ID Field',
		name: 'threadIdField',
		type: 'string',
		default: 'threadId',
		description:
			'Column holding the lead’s thread (the Send node’s threadId), optional. In that thread anyone’s reply counts, e.g. a colleague’s.',
	},
	{
		displayName: 'Check Since',
		name: 'since',
		type: 'options',
		noDataExpression: true,
		options: [
			{
				name: 'The Campaign’s First Message',
				value: 'campaign',
				description: 'Per lead, from the first email of this campaign found in Sent (at most Look-Back days ago)',
			},
			{ name: 'A Date', value: 'date', description: 'Everything that came in since a date, e.g. the last check' },
		],
		default: 'campaign',
	},
	{
		displayName: 'Since',
		name: 'sinceDate',
		type: 'dateTime',
		default: '',
		required: true,
		displayOptions: { show: { since: ['date'] } },
		description: 'Mail that came in from this time on is checked; an expression may give each row its own time',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Continue After Soft Bounce',
				name: 'continueAfterSoftBounce',
				type: 'boolean',
				default: false,
				description:
					'Whether a soft bounce (mailbox full, blocked, refused for now) leaves on Continue as bounced_soft instead of Stop; a hard bounce always stops',
			},
			{
				displayName: 'Label Evidence',
				name: 'labelEvidence',
				type: 'boolean',
				default: true,
				description:
					'Whether to label the message behind each status Outreach/Replied, Outreach/Bounced, Outreach/Unsubscribed or Outreach/Away (created if missing). The sending nodes read Outreach/Unsubscribed and Outreach/Bounced as suppression.',
			},
			{
				displayName: 'Lead Time Zone Field',
				name: 'timezoneField',
				type: 'string',
				default: 'timezone',
				description: 'Item field with the lead’s IANA time zone (e.g. Europe/Berlin) for the return morning of an out-of-office; else the workflow’s time zone',
			},
			{
				displayName: 'Look-Back (Days)',
				name: 'lookBackDays',
				type: 'number',
				default: 90,
				typeOptions: { minValue: 1 },
				displayOptions: { show: { '/since': ['campaign'] } },
				description: 'How far back the mailbox is read when checking since the campaign’s first message',
			},
			{
				displayName: 'Mark Evidence as Read',
				name: 'markRead',
				type: 'boolean',
				default: false,
				description: 'Whether to mark the message behind each status as read',
			},
			{
				displayName: 'Max Messages to Read',
				name: 'maxMessages',
				type: 'number',
				default: 10000,
				typeOptions: { minValue: 1 },
				description:
					'Most inbound messages one run reads (newest first). If more came in, leads without a finding say so (checkedSince is later than asked).',
			},
			{
				displayName: 'Quota Units per Minute',
				name: 'quotaUnitsPerMinute',
				type: 'number',
				default: 15000,
				typeOptions: { minValue: 100 },
				description: 'Gmail API units this node may spend per minute on the mailbox (Gmail allows 15,000)',
			},
			{
				displayName: 'Retry Budget (Seconds)',
				name: 'retryBudgetSeconds',
				type: 'number',
				default: 60,
				typeOptions: { minValue: 0 },
				description: 'How long one Gmail call may keep retrying transient errors before the leads go to Failed with a retryAt',
			},
			{
				displayName: 'Unsubscribe Mailto',
				name: 'unsubscribeMailto',
				type: 'string',
				default: '',
				placeholder: 'unsubscribe@example.com',
				description: 'The List-Unsubscribe mailto address(es) the campaign used, comma-separated: any mail to them is an opt-out',
			},
		],
	},
];
