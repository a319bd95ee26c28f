import { createPrivateKey, sign } from 'node:crypto';
import type { ICredentialDataDecryptedObject, IHttpRequestHelper } from 'n8n-workflow';

import { AuthError, InvalidRequestError } from './errors';

/** Google's token endpoint, used when neither the key nor the credential names another. */
export const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';

/** The parts of a service-account credential needed to mint a token. */
export interface ServiceAccountKey {
	clientEmail: string;
	privateKey: string;
	subject: string;
	scopes: string[];
	tokenUrl: string;
}

const b64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

/** Reads the JSON key (or the separate email/private-key fields) and the delegated user from the credential. */
export function readServiceAccountKey(credentials: ICredentialDataDecryptedObject): ServiceAccountKey {
	const rawJson = String(credentials.serviceAccountJson ?? '').trim();
	// Never echo the key in an error: it holds the private key.
	const json = rawJson ? (safeJson(rawJson) as Record<string, unknown> | undefined) : {};
	if (!json || typeof json !== 'object') {
		throw new InvalidRequestError('token.jwtBearer', 'The service account JSON key is not valid JSON.', { field: 'serviceAccountJson' });
	}
	const clientEmail = String(json.client_email ?? credentials.email ?? '').trim();
	const privateKey = String(json.private_key ?? credentials.privateKey ?? '').replace(/\\n/g, '\n').trim();
	const subject = String(credentials.delegatedUser ?? '').trim();
	if (!clientEmail) throw new InvalidRequestError('token.jwtBearer', 'The service account credential has no client email (JSON key "client_email" or the Email field).', { field: 'email' });
	if (!privateKey) throw new InvalidRequestError('token.jwtBearer', 'The service account credential has no private key (JSON key "private_key" or the Private Key field).', { field: 'privateKey' });
	if (!subject) throw new InvalidRequestError('token.jwtBearer', 'The service account credential needs the mailbox to act as (Delegated User).', { field: 'delegatedUser' });
	const scopes = String(credentials.scope ?? '').split(/\s+/).filter(Boolean);
	const tokenUrl = String(credentials.tokenUrl || json.token_uri || GOOGLE_TOKEN_URL);
	return { clientEmail, privateKey, subject, scopes, tokenUrl };
}

/** An RS256 JWT assertion for Google's jwt-bearer grant (RFC 7523), signed with node:crypto. */
export function signServiceAccountJwt(key: ServiceAccountKey, nowSec = Math.floor(Date.now() / 1000)): string {
	const header = b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT' }));
	const claims = b64url(
		JSON.stringify({
			iss: key.clientEmail,
			sub: key.subject,
			scope: key.scopes.join(' '),
			aud: key.tokenUrl,
			iat: nowSec,
			exp: nowSec + 3600,
		}),
	);
	let pk;
	try {
		pk = createPrivateKey(key.privateKey);
	} catch {
		pk = undefined;
	}
	if (!pk) {
		throw new InvalidRequestError('token.jwtBearer', 'The service account private key could not be read (expected a PEM "BEGIN PRIVATE KEY" block).', { field: 'privateKey' });
	}
	const signature = sign('RSA-SHA256', Buffer.from(`${header}.${claims}`), pk);
	return `${header}.${claims}.${b64url(signature)}`;
}

/** Exchanges a signed JWT for an access token of the delegated user; errors never carry the key or the token. */
export async function fetchServiceAccountToken(
	helpers: IHttpRequestHelper['helpers'],
	credentials: ICredentialDataDecryptedObject,
): Promise<{ accessToken: string; expiresIn: number }> {
	const key = readServiceAccountKey(credentials);
	const assertion = signServiceAccountJwt(key);
	let response: { access_token?: string; expires_in?: number } = {};
	let failure: AuthError | undefined;
	try {
		response = (await helpers.httpRequest({
			method: 'POST',
			url: key.tokenUrl,
			headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
			body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion }).toString(),
			json: true,
		})) as typeof response;
	} catch (error) {
		const data = (error as { response?: { data?: unknown; status?: number } }).response;
		const body = typeof data?.data === 'string' ? safeJson(data.data) : data?.data;
		const code = (body as { error?: string } | undefined)?.error;
		const hint =
			code === 'unauthorized_client'
				? ' Domain-wide delegation is not granted for this client and these scopes in the Workspace admin console.'
				: code === 'invalid_grant'
					? ` Check that ${key.subject} exists in the Workspace domain and the key is still valid.`
					: '';
		failure = new AuthError(
			'token.jwtBearer',
			`The service account ${key.clientEmail} could not get a token to act as ${key.subject}${code ? ` (${code})` : ''}.${hint}`,
			{ status: data?.status, reason: code },
		);
	}
	if (failure) throw failure;
	if (!response?.access_token) {
		throw new AuthError('token.jwtBearer', 'The token endpoint answered without an access token.');
	}
	return { accessToken: response.access_token, expiresIn: Number(response.expires_in ?? 3600) };
}

function safeJson(text: string): unknown {
	try {
		return JSON.parse(text);
	} catch {
		return undefined;
	}
}
