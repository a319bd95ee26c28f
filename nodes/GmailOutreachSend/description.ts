import type { INodeProperties } from 'n8n-workflow';
import { authenticationProperty, campaignProperties } from '../shared/node/descriptions';
import { bodyProperties, modeProperty, optionsCollection, senderProperties, TEMPLATE_HINT } from '../shared/node/options';
import { SEND_AS_MAILBOX_OPTION } from '../shared/node/mailboxes';
import { SENDING_TOOL_TEXT, toolDescriptionProperty } from '../shared/node/tool';

const fromParameters = { templateSource: ['parameters'] };

/** Every parameter of the Gmail Outreach Send node. */
export const sendProperties: INodeProperties[] = [
	toolDescriptionProperty(SENDING_TOOL_TEXT('Sends one personalised outreach email per lead from this Gmail mailbox.')),
	authenticationProperty,
	modeProperty('Send one email per lead', 'Render every email and run every check, but send nothing'),
	...campaignProperties(1),
	{
		displayName: 'Recipient Field',
		name: 'emailField',
		type: 'string',
		default: 'email',
		required: true,
		description: 'Column of the item holding the lead’s email address',
		hint: 'A column name (email), or an expression that gives the address, e.g. {{ $json.email }}. The run’s hint says which one was used.',
	},
	{
		displayName: 'Name Fields',
		name: 'nameFields',
		type: 'string',
		default: '',
		placeholder: 'first_name, last_name',
		description: 'Columns joined with a space to form the recipient’s display name (optional)',
	},
	...senderProperties,
	{
		displayName: 'Template Source',
		name: 'templateSource',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Parameters', value: 'parameters', description: 'Write the subject and body here' },
			{
				name: 'Gmail Draft',
				value: 'draft',
				description: 'Use a draft whose subject and body hold the merge tags; its attachments come along',
			},
		],
		default: 'parameters',
	},
	{
		displayName: 'Draft Name or ID',
		name: 'draftId',
		type: 'options',
		typeOptions: { loadOptionsMethod: 'getDrafts' },
		default: '',
		required: true,
		displayOptions: { show: { templateSource: ['draft'] } },
		description:
			'The draft used as template. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
	},
	{
		displayName: 'Subject',
		name: 'subject',
		type: 'string',
		default: '',
		required: true,
		displayOptions: { show: fromParameters },
		placeholder: '{Quick|Short} question about {{company}}',
		hint: `${TEMPLATE_HINT}. Follow-ups (Gmail Threaded Reply) keep the subject this email was sent with.`,
	},
	...bodyProperties({ hint: TEMPLATE_HINT, textPlaceholder: '{Hi|Hello} {{first_name | "there"}},', show: fromParameters }),
	optionsCollection([SEND_AS_MAILBOX_OPTION]),
];
