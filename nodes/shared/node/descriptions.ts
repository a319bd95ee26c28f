import { NodeConnectionTypes, type INodeCredentialDescription, type INodeProperties, type INodeTypeDescription } from 'n8n-workflow';
import { NODE_VERSIONS } from './fields';
import { OUTREACH_OUTPUTS } from './outcomes';

/** Credentials every Gmail Outreach node accepts: OAuth2 per mailbox, or a Workspace service account. */
export const GMAIL_CREDENTIALS: INodeCredentialDescription[] = [
	{ name: 'gmailOutreachOAuth2Api', required: true, displayOptions: { show: { authentication: ['oAuth2'] } } },
	{
		name: 'gmailOutreachServiceAccountApi',
		required: true,
		displayOptions: { show: { authentication: ['serviceAccount'] } },
	},
];

/** The credential chooser; the transport reads it to pick the credential. */
export const authenticationProperty: INodeProperties = {
	displayName: 'Authentication',
	name: 'authentication',
	type: 'options',
	options: [
		{ name: 'OAuth2 (Mailbox Owner Connects)', value: 'oAuth2' },
		{ name: 'Service Account (Workspace, Domain-Wide Delegation)', value: 'serviceAccount' },
	],
	default: 'oAuth2',
};

/** Campaign name and step (first step `firstStep`): they key labels and idempotency, so keep them stable for a sequence. */
export function campaignProperties(firstStep: number): INodeProperties[] {
	return [
		{
			displayName: 'Campaign',
			name: 'campaign',
			type: 'string',
			default: 'campaign',
			required: true,
			description:
				'Name of the sequence. Used in labels (Outreach/<campaign>/…) and to recognise what was already sent, so keep it stable across runs.',
		},
		{
			displayName: 'Step',
			name: 'step',
			type: 'number',
			default: firstStep,
			typeOptions: { minValue: 1 },
			description: 'Which email of the sequence this is (1 = first email, 2 = first follow-up, …)',
		},
	];
}

/** Subtitle of the sending nodes: campaign and step, marked when previewing. */
export const SENDING_SUBTITLE = '={{$parameter["mode"] === "preview" ? "Preview: " : ""}}{{$parameter["campaign"]}} · step {{$parameter["step"]}}';

/** What every sending node's description shares: one input, the four outcome outputs, the Gmail credentials. */
export const SENDING_NODE: Pick<INodeTypeDescription, 'group' | 'version' | 'defaultVersion' | 'inputs' | 'outputs' | 'credentials'> = {
	group: ['output'],
	version: NODE_VERSIONS,
	defaultVersion: 2,
	inputs: [NodeConnectionTypes.Main],
	outputs: OUTREACH_OUTPUTS,
	credentials: GMAIL_CREDENTIALS,
};
