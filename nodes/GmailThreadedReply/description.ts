import type { INodeProperties } from 'n8n-workflow';
import { authenticationProperty, campaignProperties } from '../shared/node/descriptions';
import { bodyProperties, modeProperty, optionsCollection, senderProperties, TEMPLATE_HINT } from '../shared/node/options';
import { SEND_AS_MAILBOX_OPTION } from '../shared/node/mailboxes';
import { SENDING_TOOL_TEXT, toolDescriptionProperty } from '../shared/node/tool';

/** The Threaded Reply node's parameters; shared ones have the Send node's names and meaning. */
export const threadedReplyProperties: INodeProperties[] = [
	toolDescriptionProperty(SENDING_TOOL_TEXT('Sends the next step of a campaign as a reply in the lead\'s existing thread, unless the lead replied, bounced or opted out.')),
	authenticationProperty,
	modeProperty('Send the reply into the thread', 'Run every check and render the reply without sending anything'),
	...campaignProperties(2),
	{
		displayName: 'Find Thread By',
		name: 'threadBy',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Thread ID', value: 'threadId', description: 'The Gmail thread ID, e.g. from the Send node output' },
			{ name: 'Message ID', value: 'messageId', description: 'A Gmail message ID in the thread' },
			{
				name: 'Lead Address',
				value: 'lead',
				description: 'The most recent thread in which this mailbox wrote to the lead',
			},
		],
		default: 'threadId',
	},
	{
		displayName: 'Thread ID',
		name: 'threadId',
		type: 'string',
		default: '={{ $json.outreach?.threadId ?? $json.threadId }}',
		description: 'The Gmail thread ID: our earlier step\'s (outreach.threadId), else the row\'s threadId column',
		required: true,
		displayOptions: { show: { threadBy: ['threadId'] } },
	},
	{
		displayName: 'Message ID',
		name: 'messageId',
		type: 'string',
		default: '={{ $json.outreach?.messageId ?? $json.messageId }}',
		required: true,
		description: 'Gmail message ID (not the RFC 822 Message-ID header) of any message in the thread',
		displayOptions: { show: { threadBy: ['messageId'] } },
	},
	{
		displayName: 'Recipient Field',
		name: 'emailField',
		type: 'string',
		default: 'email',
		required: true,
		description:
			'Item field holding the lead\'s email address. Used to find the thread by lead address; otherwise the lead is taken from the thread.',
	},
	{
		displayName: 'Only Threads of This Campaign',
		name: 'campaignOnly',
		type: 'boolean',
		default: true,
		description: 'Whether to look only at messages labelled Outreach/<campaign>/Sent when finding the thread by lead address',
		displayOptions: { show: { threadBy: ['lead'] } },
	},
	{
		displayName: 'Reply To',
		name: 'replyMode',
		type: 'options',
		options: [
			{ name: 'Sender Only', value: 'sender', description: 'The lead (or whoever wrote the last message)' },
			{ name: 'Everyone on the Thread', value: 'all', description: 'Reply-all, never to this mailbox, no duplicates' },
		],
		default: 'sender',
	},
	...senderProperties,
	{
		displayName:
			'The reply keeps the thread’s subject ("Re: " + the subject the first email was sent with): a different subject would split the thread in Gmail and in the lead’s mail client. Write what changes into the body.',
		name: 'subjectNotice',
		type: 'notice',
		default: '',
	},
	...bodyProperties({ hint: TEMPLATE_HINT, textPlaceholder: '{Hi|Hello} {{first_name | "there"}}, just floating this up.' }),
	{
		displayName: 'Stop If the Lead Engaged',
		name: 'stopIfEngaged',
		type: 'boolean',
		default: true,
		description:
			'Whether to stop when the lead (or anyone in the lead\'s thread) wrote a human, not automatic, message at any time after the campaign\'s first email — wherever it is in the mailbox. Turn off only for templated answers to inbound mail.',
	},
	optionsCollection([
		SEND_AS_MAILBOX_OPTION,
		{
			displayName: 'Footer From First Email',
			name: 'footerFromFirst',
			type: 'boolean',
			default: true,
			description:
				'Whether a follow-up without a Footer Line or Postal Address of its own carries the footer lines of the campaign\'s first email in the thread (opt-out line and postal address, as that lead got them). Costs one message read per follow-up.',
		},
		{
			displayName: 'Quote Previous Message',
			name: 'quote',
			type: 'boolean',
			default: false,
			description: 'Whether to quote the previous message under the reply ("On <date>, <sender> wrote:" and "> " lines)',
		},
		{
			displayName: 'Wait Until the Lead Is Back',
			name: 'waitUntilBack',
			type: 'boolean',
			default: true,
			description:
				'Whether a lead whose out-of-office states a return date goes to Deferred until the first business morning (09:00, Mon–Fri) of that date in the lead\'s time zone, instead of getting the follow-up while away',
		},
		{
			displayName: 'Lead Time Zone Field',
			name: 'timezoneField',
			type: 'string',
			default: 'timezone',
			description: 'Item field with the lead\'s IANA time zone (e.g. Europe/Berlin) for the return morning; else the workflow\'s time zone',
		},
	]),
];
