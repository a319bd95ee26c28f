import type {
	IAuthenticateGeneric,
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestHelper,
	INodeProperties,
	Icon,
} from 'n8n-workflow';

import { fetchServiceAccountToken } from '../nodes/shared/transport/serviceAccount';
import { GMAIL_OUTREACH_SCOPES } from './GmailOutreachOAuth2Api.credentials';

/** A Google service account with domain-wide delegation, acting as one Workspace mailbox (no per-person consent). */
export class GmailOutreachServiceAccountApi implements ICredentialType {
	name = 'gmailOutreachServiceAccountApi';

	displayName = 'Gmail Outreach Service Account API';

	documentationUrl = 'https://github.com/n8n-nodes-gmail-outreach/n8n-nodes-gmail-outreach#service-account';

	icon: Icon = { light: 'file:gmailOutreach.svg', dark: 'file:gmailOutreach.dark.svg' };

	properties: INodeProperties[] = [
		// eslint-disable-next-line @n8n/community-nodes/credential-unnecessary-password -- the JSON key holds the private key
		{
			displayName: 'Service Account JSON Key',
			name: 'serviceAccountJson',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				'The whole JSON key file downloaded from Google Cloud (client_email, private_key, token_uri). Leave empty to fill Email and Private Key instead.',
		},
		{
			displayName: 'Service Account Email',
			name: 'email',
			type: 'string',
			default: '',
			placeholder: 'outreach@my-project.iam.gserviceaccount.com',
			description: 'Only when no JSON key is given',
		},
		{
			displayName: 'Private Key',
			name: 'privateKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description: 'PEM private key (BEGIN PRIVATE KEY), only when no JSON key is given',
		},
		{
			displayName: 'Delegated User',
			name: 'delegatedUser',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'name@example.com',
			description:
				'The Workspace mailbox to send as. Domain-wide delegation for this client and the Gmail scopes must be granted in the Google Admin console.',
		},
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
			description: 'Keep the default for real Gmail; point it at the Gmail Sandbox to rehearse',
		},
		{
			displayName: 'Token URL',
			name: 'tokenUrl',
			type: 'string',
			default: '',
			placeholder: 'https://oauth2.googleapis.com/token',
			description: "Leave empty to use the key's token_uri (Google's token endpoint); set it for the Gmail Sandbox's /token",
		},
		{
			displayName: 'Access Token',
			name: 'accessToken',
			type: 'hidden',
			typeOptions: { expirable: true, password: true },
			default: '',
		},
	];

	// n8n calls this when accessToken is empty or a request got 401, and stores the result until then.
	async preAuthentication(this: IHttpRequestHelper, credentials: ICredentialDataDecryptedObject) {
		const { accessToken } = await fetchServiceAccountToken(this.helpers, credentials);
		return { accessToken };
	}

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: { Authorization: '=Bearer {{$credentials.accessToken}}' },
		},
	};

	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.apiBaseUrl}}',
			url: '/gmail/v1/users/me/profile',
		},
	};
}
