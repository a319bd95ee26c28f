import type { ICredentialTestRequest, ICredentialType, INodeProperties, Icon } from 'n8n-workflow';

/**
 * The one Gmail scope the nodes need: gmail.modify covers sending, drafts, labels, reading mail and history, and the
 * send-as list (gmail.send, .compose and .labels are parts of it; asking for them too only lengthens the consent screen).
 */
export const GMAIL_OUTREACH_SCOPES = ['https://www.googleapis.com/auth/gmail.modify'];

/** Google OAuth2 for a Gmail or Workspace mailbox, with an overridable API base URL for the Gmail Sandbox. */
export class GmailOutreachOAuth2Api implements ICredentialType {
	name = 'gmailOutreachOAuth2Api';

	extends = ['googleOAuth2Api'];

	displayName = 'Gmail Outreach OAuth2 API';

	documentationUrl = 'https://github.com/n8n-nodes-gmail-outreach/n8n-nodes-gmail-outreach#credentials';

	icon: Icon = { light: 'file:gmailOutreach.svg', dark: 'file:gmailOutreach.dark.svg' };

	properties: INodeProperties[] = [
		{
			displayName: 'Scope',
			name: 'scope',
			type: 'hidden',
			default: GMAIL_OUTREACH_SCOPES.join(' '),
		},
		{
			displayName: 'API Base URL',
			name: 'apiBaseUrl',
			type: 'string',
			default: 'https://gmail.googleapis.com',
			description:
				'Where the Gmail API lives. Keep the default for real Gmail; point it at the Gmail Sandbox (e.g. http://127.0.0.1:8787) to rehearse a campaign.',
		},
		{
			displayName: 'Authorization URL',
			name: 'authUrl',
			type: 'string',
			default: 'https://accounts.google.com/o/oauth2/v2/auth',
			description: 'Change only to connect to the Gmail Sandbox (its /o/oauth2/v2/auth page)',
		},
		{
			displayName: 'Access Token URL',
			name: 'accessTokenUrl',
			type: 'string',
			default: 'https://oauth2.googleapis.com/token',
			description: 'Change only to connect to the Gmail Sandbox (its /token endpoint)',
		},
	];

	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.apiBaseUrl}}',
			url: '/gmail/v1/users/me/profile',
		},
	};
}
