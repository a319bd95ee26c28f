import type { IDisplayOptions, INodeProperties } from 'n8n-workflow';

/** What merge tags and spintax look like, for the hints under template fields. */
export const TEMPLATE_HINT =
	'Merge tags {{column}} or {{column | "fallback"}}, spintax {Hi|Hello|Hey} (chosen per lead, stable across re-runs)';

/** Send or dry run; the descriptions say what one item does in this node. */
export function modeProperty(send: string, preview: string): INodeProperties {
	return {
		displayName: 'Mode',
		name: 'mode',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Send', value: 'send', description: send },
			{ name: 'Preview (Dry Run)', value: 'preview', description: preview },
		],
		default: 'send',
	};
}

/** From (the mailbox or a verified alias) and the sender's display name. */
export const senderProperties: INodeProperties[] = [
	{
		displayName: 'From',
		name: 'from',
		type: 'options',
		typeOptions: { loadOptionsMethod: 'getSendAsAliases' },
		default: '',
		description:
			'The mailbox itself or one of its verified send-as aliases. Choose from the list, or specify an address using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
	},
	{
		displayName: 'Sender Name',
		name: 'senderName',
		type: 'string',
		default: '',
		description: 'Display name shown next to the From address (optional)',
	},
];

/** Body format, text and HTML templates; `show` adds the node's own display conditions. */
export function bodyProperties(opts: { hint: string; textPlaceholder: string; show?: IDisplayOptions['show'] }): INodeProperties[] {
	const show = opts.show ?? {};
	const when = (extra: IDisplayOptions['show']) => (Object.keys({ ...show, ...extra }).length ? { displayOptions: { show: { ...show, ...extra } } } : {});
	return [
		{
			displayName: 'Body Format',
			name: 'bodyType',
			type: 'options',
			...when({}),
			options: [
				{ name: 'Text', value: 'text' },
				{ name: 'HTML', value: 'html', description: 'A plain-text alternative is derived from the HTML' },
				{ name: 'Text and HTML', value: 'both' },
			],
			default: 'text',
		},
		{
			displayName: 'Text Body',
			name: 'text',
			type: 'string',
			typeOptions: { rows: 8 },
			default: '',
			...when({ bodyType: ['text', 'both'] }),
			placeholder: opts.textPlaceholder,
			hint: opts.hint,
		},
		{
			displayName: 'HTML Body',
			name: 'html',
			type: 'string',
			typeOptions: { rows: 8 },
			default: '',
			...when({ bodyType: ['html', 'both'] }),
			hint: `${opts.hint}; merged values are HTML-escaped`,
		},
		{
			displayName: 'Strict Fields',
			name: 'strict',
			type: 'boolean',
			default: true,
			description:
				'Whether to reject a row (output Failed, listing every field) when a merge tag without a fallback has no value, before anything is sent',
		},
	];
}

/** Preview items carry the whole raw MIME only when asked: every item stays in the execution data. */
export const PREVIEW_RAW_OPTION: INodeProperties = {
	displayName: 'Include Raw MIME in Preview',
	name: 'previewRaw',
	type: 'boolean',
	default: false,
	displayOptions: { show: { '/mode': ['preview'] } },
	description:
		'Whether each preview item carries the whole message as raw (base64url MIME, every attachment and the Bcc included). Off: only its first 2 KB (mimeHead) and its size (mimeSize), so previewing many leads with a large attachment keeps the execution small.',
};

/** Options with the same name and meaning on every sending node. */
const SHARED_OPTIONS: INodeProperties[] = [
	PREVIEW_RAW_OPTION,
	{
		displayName: 'Apply Campaign Sent Label',
		name: 'applySentLabel',
		type: 'boolean',
		default: true,
		description: 'Whether to label every sent message Outreach/<campaign>/Sent (created if missing)',
	},
	{
		displayName: 'Attachments (Binary Properties)',
		name: 'attachments',
		type: 'string',
		default: '',
		placeholder: 'data, brochure',
		description: 'Comma-separated names of the item’s binary properties to attach',
	},
	{ displayName: 'BCC', name: 'bcc', type: 'string', default: '', description: 'Comma-separated addresses' },
	{
		displayName: 'CC',
		name: 'cc',
		type: 'string',
		default: '',
		description: 'Comma-separated addresses (a threaded reply keeps the thread’s own recipients too)',
	},
	{
		displayName: 'Delay Between Sends (Seconds)',
		name: 'delaySeconds',
		type: 'number',
		default: 30,
		typeOptions: { minValue: 0 },
		displayOptions: { show: { pacing: ['delay'] } },
	},
	{
		displayName: 'Extra Labels',
		name: 'labels',
		type: 'string',
		default: '',
		placeholder: 'Outreach/Q3, Prospects',
		description: 'Comma-separated label names to apply after sending; nested with "/", created if missing',
	},
	{
		displayName: 'Footer Line',
		name: 'footer',
		type: 'string',
		default: '',
		placeholder: 'Not interested? Reply "stop" or visit {{unsubscribe_url}}',
		description: 'Plain line appended to the text and HTML bodies; merge tags allowed',
	},
	{
		displayName: 'Jitter (Seconds)',
		name: 'jitterSeconds',
		type: 'number',
		default: 15,
		typeOptions: { minValue: 0 },
		displayOptions: { show: { pacing: ['delay'] } },
		description: 'Random extra wait (0 to this many seconds) added to every delay so sends do not look robotic',
	},
	{
		displayName: 'Pacing',
		name: 'pacing',
		type: 'options',
		options: [
			{ name: 'As Fast as Quota Allows', value: 'quota' },
			{ name: 'Delay With Random Jitter', value: 'delay' },
		],
		default: 'quota',
	},
	{
		displayName: 'Postal Address',
		name: 'postalAddress',
		type: 'string',
		default: '',
		description: 'Sender’s postal address, added under the footer line (required by CAN-SPAM for commercial email)',
	},
	{
		displayName: 'Quota Units per Minute',
		name: 'quotaUnitsPerMinute',
		type: 'number',
		default: 15000,
		typeOptions: { minValue: 100 },
		description:
			'Gmail API units this node may spend per minute on the mailbox (Gmail allows 15,000; a send costs 100). Lower it to leave room for other tools.',
	},
	{ displayName: 'Reply-To', name: 'replyTo', type: 'string', default: '' },
	{
		displayName: 'Retry Budget (Seconds)',
		name: 'retryBudgetSeconds',
		type: 'number',
		default: 60,
		typeOptions: { minValue: 0 },
		description: 'How long one Gmail call may keep retrying transient errors, from its first failure, before the lead is deferred. A refusal for the per-minute quota always gets at least three minutes: that quota frees within one.',
	},
	{
		displayName: 'Check Mailbox for Opt-Outs',
		name: 'checkMailboxSuppression',
		type: 'boolean',
		default: true,
		description:
			'Whether to skip leads named by messages labelled Outreach/Unsubscribed or Outreach/Bounced in the mailbox (replies, opt-outs, bounces and complaints in the mail itself are always checked)',
	},
	{
		displayName: 'Daily Cap Check',
		name: 'dailyCapCheck',
		type: 'options',
		options: [
			{ name: 'From the Address (Gmail.com 500, Else Workspace 2,000)', value: 'auto' },
			{ name: 'Gmail.com (500)', value: 'gmail' },
			{ name: 'Workspace (2,000)', value: 'workspace' },
			{ name: 'Workspace Trial (500)', value: 'workspace-trial' },
			{ name: 'Custom (Daily Cap Below)', value: 'custom' },
			{ name: 'Off', value: 'off' },
		],
		default: 'auto',
		description:
			'Before sending, count what the mailbox sent in the last 24 hours (hand-sent mail included) and defer what would go over the cap, with the minute it frees up — before Gmail refuses (the Quota Guard rule)',
	},
	{
		displayName: 'Custom Daily Cap',
		name: 'customDailyCap',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 500,
		description: 'Sends per rolling 24 hours when Daily Cap Check is Custom',
	},
	{
		displayName: 'Wait for Send At',
		name: 'waitForSendAt',
		type: 'boolean',
		default: true,
		description:
			"Whether the sendAt Quota Guard gives its Send Now items holds each send until that time, by the mailbox's clock; one due later than Max Wait leaves on Deferred (reason scheduled, retryAt = sendAt)",
	},
	{
		displayName: 'Max Wait (Minutes)',
		name: 'maxWaitMinutes',
		type: 'number',
		typeOptions: { minValue: 0 },
		default: 30,
		description: 'The longest this execution waits for an item\'s sendAt; executions stay short (a Schedule trigger runs the rest later)',
	},
	{
		displayName: 'Continue After Soft Bounce',
		name: 'continueAfterSoftBounce',
		type: 'boolean',
		default: false,
		description:
			'Whether a soft bounce (mailbox full, blocked, message refused for now) lets the sequence go on; a hard bounce always stops it, for every campaign',
	},
	{
		displayName: 'Suppression List',
		name: 'suppressionList',
		type: 'string',
		typeOptions: { rows: 3 },
		default: '',
		placeholder: 'ceo@example.com, @competitor.com',
		description: 'Addresses and whole domains (@domain.com) never to mail; comma or newline separated',
	},
	{
		displayName: 'Status Field',
		name: 'statusField',
		type: 'string',
		default: 'status',
		description: 'Column whose value (e.g. unsubscribed, bounced, replied, do_not_contact) skips the lead without sending',
	},
	{
		displayName: 'Suppressing Statuses',
		name: 'suppressStatuses',
		type: 'string',
		default: 'unsubscribed, bounced, replied, do_not_contact',
		description: 'Comma-separated status values that mean "never mail"',
	},
	{
		displayName: 'Unsubscribe Mailto',
		name: 'unsubscribeMailto',
		type: 'string',
		default: '',
		placeholder: 'mailto:unsubscribe@example.com?subject=unsubscribe',
		description: 'Emitted in the List-Unsubscribe header; merge tags such as {{email}} are URL-encoded',
	},
	{
		displayName: 'Unsubscribe URL (One-Click)',
		name: 'unsubscribeUrl',
		type: 'string',
		default: '',
		placeholder: 'https://example.com/unsubscribe?e={{email}}',
		description:
			'HTTPS one-click unsubscribe URL (RFC 8058): emitted in List-Unsubscribe with List-Unsubscribe-Post; merge tags are URL-encoded',
	},
];

/** The Options collection: the shared options plus the node's own, in display-name order as n8n lists them. */
export function optionsCollection(own: INodeProperties[]): INodeProperties {
	return {
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [...SHARED_OPTIONS, ...own].sort((a, b) => a.displayName.localeCompare(b.displayName)),
	};
}
