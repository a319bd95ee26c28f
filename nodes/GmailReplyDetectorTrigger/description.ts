import type { INodeProperties } from 'n8n-workflow';
import { authenticationProperty } from '../shared/node/descriptions';

/** The statuses the trigger can emit, as options (every status but no_reply: a poll emits what came in). */
const STATUS_OPTIONS = [
	{ name: 'Replied (a Person Wrote)', value: 'replied' },
	{ name: 'Unsubscribed', value: 'unsubscribed' },
	{ name: 'Complained (Spam Report)', value: 'complained' },
	{ name: 'Bounced (Hard)', value: 'bounced_hard' },
	{ name: 'Bounced (Soft)', value: 'bounced_soft' },
	{ name: 'Left the Company', value: 'left_company' },
	{ name: 'Out of Office', value: 'out_of_office' },
	{ name: 'Other Automatic Reply', value: 'auto_reply' },
];

/** Every parameter of the Gmail Reply Detector Trigger. */
export const replyTriggerProperties: INodeProperties[] = [
	authenticationProperty,
	{
		displayName: 'Watch',
		name: 'scope',
		type: 'options',
		noDataExpression: true,
		options: [
			{
				name: 'Replies to Outreach',
				value: 'outreach',
				description:
					'Mail in a thread holding one of our campaign emails, a bounce or complaint naming our key, or mail from an address a campaign wrote to',
			},
			{ name: 'All Inbound Mail', value: 'all', description: 'Every message that comes in, classified (our own sends and drafts never)' },
		],
		default: 'outreach',
	},
	{
		displayName: 'Statuses',
		name: 'statuses',
		type: 'multiOptions',
		options: STATUS_OPTIONS,
		default: STATUS_OPTIONS.map((o) => o.value),
		description: 'Which kinds of events start the workflow',
	},
	{
		displayName: 'Campaigns',
		name: 'campaigns',
		type: 'string',
		default: '',
		placeholder: 'spring-outreach, q3-launch',
		description:
			'Campaign names as the sending nodes used them, comma-separated (optional). An event then names its campaign exactly; without them the campaign is read from the Outreach/<campaign>/Sent label.',
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
				description: 'Whether a soft bounce gets action "continue" instead of "stop"; a hard bounce always stops',
			},
			{
				displayName: 'First Run Look-Back (Hours)',
				name: 'firstRunLookBackHours',
				type: 'number',
				default: 24,
				typeOptions: { minValue: 0 },
				description: 'On the first poll after activation, emit what came in during this many hours before it (0: only what comes later)',
			},
			{
				displayName: 'Label Evidence',
				name: 'labelEvidence',
				type: 'boolean',
				default: false,
				description:
					'Whether to label each event’s message Outreach/Replied, Outreach/Bounced, Outreach/Unsubscribed or Outreach/Away (created if missing); the sending nodes read Outreach/Unsubscribed and Outreach/Bounced as suppression',
			},
			{
				displayName: 'Lead Time Zone',
				name: 'timezone',
				type: 'string',
				default: '',
				placeholder: 'Europe/Berlin',
				description: 'IANA time zone for the return morning (retryAt) of an out-of-office; empty: the workflow’s time zone',
			},
			{
				displayName: 'Mark as Read',
				name: 'markRead',
				type: 'boolean',
				default: false,
				description: 'Whether to mark each event’s message as read',
			},
			{
				displayName: 'Quota Units per Minute',
				name: 'quotaUnitsPerMinute',
				type: 'number',
				default: 15000,
				typeOptions: { minValue: 100 },
				description: 'Gmail API units one poll may spend per minute on the mailbox (Gmail allows 15,000)',
			},
			{
				displayName: 'Retry Budget (Seconds)',
				name: 'retryBudgetSeconds',
				type: 'number',
				default: 30,
				typeOptions: { minValue: 0 },
				description: 'How long one Gmail call may keep retrying transient errors; after that the poll fails and the next one starts from the same place',
			},
			{
				displayName: 'Unsubscribe Mailto',
				name: 'unsubscribeMailto',
				type: 'string',
				default: '',
				placeholder: 'unsubscribe@example.com',
				description: 'The List-Unsubscribe mailto address(es) of your campaigns, comma-separated: any mail to them is an opt-out',
			},
		],
	},
];
