// The harness's credential side: n8n's built-in OAuth2 credential types (n8n-nodes-base is not installed)
// and an in-memory ICredentialsHelper that behaves like n8n's CLI one for what our nodes touch.
import {
	ICredentialsHelper,
	NodeHelpers,
	type ICredentialDataDecryptedObject,
	type ICredentials,
	type ICredentialType,
	type IHttpRequestHelper,
	type IHttpRequestOptions,
	type INode,
	type INodeCredentialsDetails,
	type INodeProperties,
	type IRequestOptionsSimplified,
	type IWorkflowExecuteAdditionalData,
} from 'n8n-workflow';

import { GmailOutreachOAuth2Api } from '../../credentials/GmailOutreachOAuth2Api.credentials';
import { GmailOutreachServiceAccountApi } from '../../credentials/GmailOutreachServiceAccountApi.credentials';

/** n8n's generic `oAuth2Api` credential type (the properties n8n-core's OAuth2 code reads). */
export const oAuth2Api: ICredentialType = {
	name: 'oAuth2Api',
	displayName: 'OAuth2 API',
	properties: [
		{
			displayName: 'Grant Type',
			name: 'grantType',
			type: 'options',
			options: [
				{ name: 'Authorization Code', value: 'authorizationCode' },
				{ name: 'Client Credentials', value: 'clientCredentials' },
				{ name: 'PKCE', value: 'pkce' },
			],
			default: 'authorizationCode',
		},
		{ displayName: 'Authorization URL', name: 'authUrl', type: 'string', default: '', required: true },
		{ displayName: 'Access Token URL', name: 'accessTokenUrl', type: 'string', default: '', required: true },
		{ displayName: 'Client ID', name: 'clientId', type: 'string', default: '', required: true },
		{
			displayName: 'Client Secret',
			name: 'clientSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
		},
		{ displayName: 'Scope', name: 'scope', type: 'string', default: '' },
		{ displayName: 'Auth URI Query Parameters', name: 'authQueryParameters', type: 'string', default: '' },
		{
			displayName: 'Authentication',
			name: 'authentication',
			type: 'options',
			options: [
				{ name: 'Body', value: 'body' },
				{ name: 'Header', value: 'header' },
			],
			default: 'header',
		},
		{ displayName: 'Ignore SSL Issues', name: 'ignoreSSLIssues', type: 'boolean', default: false },
	],
};

/** n8n-nodes-base's `googleOAuth2Api` (extends oAuth2Api; Google's URLs, offline access, client secret in the body). */
export const googleOAuth2Api: ICredentialType = {
	name: 'googleOAuth2Api',
	extends: ['oAuth2Api'],
	displayName: 'Google OAuth2 API',
	properties: [
		{ displayName: 'Grant Type', name: 'grantType', type: 'hidden', default: 'authorizationCode' },
		{
			displayName: 'Authorization URL',
			name: 'authUrl',
			type: 'hidden',
			default: 'https://accounts.google.com/o/oauth2/v2/auth',
		},
		{
			displayName: 'Access Token URL',
			name: 'accessTokenUrl',
			type: 'hidden',
			default: 'https://oauth2.googleapis.com/token',
		},
		{
			displayName: 'Auth URI Query Parameters',
			name: 'authQueryParameters',
			type: 'hidden',
			default: 'access_type=offline&prompt=consent',
		},
		{ displayName: 'Authentication', name: 'authentication', type: 'hidden', default: 'body' },
	],
};

/** Every credential type the harness knows, by name: n8n's OAuth2 chain plus the package's own. */
export const credentialTypes: Record<string, ICredentialType> = Object.fromEntries(
	[oAuth2Api, googleOAuth2Api, new GmailOutreachOAuth2Api(), new GmailOutreachServiceAccountApi()].map((t) => [
		t.name,
		t,
	]),
);

/** The id every harness credential gets in INode.credentials. */
export const HARNESS_CREDENTIAL_ID = '1';

const clone = <T>(v: T): T => structuredClone(v);

/** Resolves `={{$credentials.x}}` (and plain strings) the way n8n's generic authenticate does for simple templates. */
function resolveCredentialTemplate(value: unknown, credentials: ICredentialDataDecryptedObject): unknown {
	if (typeof value !== 'string' || !value.startsWith('=')) return value;
	return value
		.slice(1)
		.replace(/\{\{\s*\$credentials\.(\w+)\s*\}\}/g, (_m, key: string) => String(credentials[key] ?? ''));
}

/** An in-memory ICredentialsHelper: one credential per type, id '1', updates written back to the store. */
export class HarnessCredentialsHelper extends ICredentialsHelper {
	constructor(readonly store: Map<string, ICredentialDataDecryptedObject>) {
		super();
	}

	getParentTypes(name: string): string[] {
		const parents = credentialTypes[name]?.extends ?? [];
		return parents.flatMap((p) => [p, ...this.getParentTypes(p)]);
	}

	isCredentialUsableByNode(): boolean {
		return true;
	}

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		requestOptions: IHttpRequestOptions | IRequestOptionsSimplified,
	): Promise<IHttpRequestOptions> {
		const type = credentialTypes[typeName];
		const options = requestOptions as IHttpRequestOptions;
		const auth = type?.authenticate;
		if (!auth) return options;
		if (typeof auth === 'function') return await auth(credentials, options);
		const props = auth.properties as Record<string, Record<string, unknown> | undefined>;
		for (const key of ['headers', 'qs', 'body'] as const) {
			const add = props[key];
			if (!add) continue;
			const target = ((options as unknown as Record<string, Record<string, unknown>>)[key] ??= {});
			for (const [k, v] of Object.entries(add)) target[k] = resolveCredentialTemplate(v, credentials);
		}
		if (props.auth) {
			options.auth = {
				username: String(resolveCredentialTemplate(props.auth.username, credentials)),
				password: String(resolveCredentialTemplate(props.auth.password, credentials)),
			};
		}
		return options;
	}

	// Mirrors n8n CLI's CredentialsHelper.preAuthentication: refresh the expirable field when empty or expired.
	async preAuthentication(
		helpers: IHttpRequestHelper,
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		node: INode,
		credentialsExpired: boolean,
	): Promise<ICredentialDataDecryptedObject | undefined> {
		const type = credentialTypes[typeName];
		const expirable = type?.properties.find((p) => p.type === 'hidden' && p.typeOptions?.expirable === true);
		if (!expirable || typeof type.preAuthentication !== 'function') return undefined;
		if (credentials[expirable.name] !== '' && credentials[expirable.name] !== undefined && !credentialsExpired) {
			return undefined;
		}
		const output = await type.preAuthentication.call(helpers, credentials);
		if (output[expirable.name] === undefined) return undefined;
		const updated = Object.assign(credentials, output);
		const details = node.credentials?.[typeName];
		if (details) await this.updateCredentials(details, typeName, updated);
		return updated;
	}

	async runPreAuthentication(
		helpers: IHttpRequestHelper,
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
	): Promise<ICredentialDataDecryptedObject | undefined> {
		const type = credentialTypes[typeName];
		const expirable = type?.properties.find((p) => p.type === 'hidden' && p.typeOptions?.expirable === true);
		if (!expirable || typeof type.preAuthentication !== 'function') return undefined;
		if (credentials[expirable.name]) return undefined;
		return (await type.preAuthentication.call(helpers, credentials)) as ICredentialDataDecryptedObject;
	}

	async getCredentials(): Promise<ICredentials> {
		throw new Error('the harness keeps credentials decrypted; getCredentials is not supported');
	}

	async getDecrypted(
		_additionalData: IWorkflowExecuteAdditionalData,
		_nodeCredentials: INodeCredentialsDetails,
		type: string,
		_mode: unknown,
		_executeData?: unknown,
		raw?: boolean,
	): Promise<ICredentialDataDecryptedObject> {
		const data = this.store.get(type);
		if (!data) throw new Error(`harness: no credential of type "${type}" was given to the run`);
		if (raw) return clone(data);
		// Like n8n: fill every property's default (parents' too), keep extra fields such as oauthTokenData.
		const withDefaults = NodeHelpers.getNodeParameters(
			this.getCredentialsProperties(type),
			clone(data) as never,
			true,
			false,
			null,
			null,
		) as ICredentialDataDecryptedObject | null;
		return { ...clone(data), ...(withDefaults ?? {}) };
	}

	async updateCredentials(
		_nodeCredentials: INodeCredentialsDetails,
		type: string,
		data: ICredentialDataDecryptedObject,
	): Promise<void> {
		this.store.set(type, clone(data));
	}

	async updateCredentialsOauthTokenData(
		_nodeCredentials: INodeCredentialsDetails,
		type: string,
		data: ICredentialDataDecryptedObject,
	): Promise<void> {
		const current = this.store.get(type) ?? {};
		this.store.set(type, { ...current, oauthTokenData: clone(data.oauthTokenData) } as ICredentialDataDecryptedObject);
	}

	getCredentialsProperties(type: string): INodeProperties[] {
		const t = credentialTypes[type];
		if (!t) throw new Error(`harness: unknown credential type "${type}"`);
		const combined: INodeProperties[] = [];
		for (const parent of t.extends ?? []) {
			NodeHelpers.mergeNodeProperties(combined, this.getCredentialsProperties(parent));
		}
		NodeHelpers.mergeNodeProperties(combined, t.properties);
		return combined;
	}
}
