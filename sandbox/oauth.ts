import { createPublicKey, verify } from 'node:crypto';
import { HttpError, OAuthError } from './errors';
import type { ApiRequest, ApiResponse } from './router';
import { randomToken, type AccessToken, type Mailbox, type Store } from './store';

const INVALID_CREDENTIALS =
	'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.';
const MISSING_CREDENTIALS =
	'Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.';

/** Google's 401 for a bad or expired token. */
export function invalidCredentials(): HttpError {
	return new HttpError(401, INVALID_CREDENTIALS, {
		reason: 'authError',
		itemMessage: 'Invalid Credentials',
		location: 'Authorization',
		locationType: 'header',
		headers: { 'WWW-Authenticate': 'Bearer realm="https://accounts.google.com/", error="invalid_token"' },
	});
}

/** Resolves the bearer token of an API request to its mailbox, or throws Google's 401. */
export function authenticate(store: Store, req: ApiRequest): { token: AccessToken; mailbox: Mailbox } {
	const header = req.headers.authorization ?? '';
	const m = /^Bearer\s+(\S+)$/i.exec(header.trim());
	const raw = m?.[1] ?? req.query.get('access_token') ?? undefined;
	if (!raw) {
		throw new HttpError(401, MISSING_CREDENTIALS, {
			reason: 'required',
			itemMessage: 'Login Required.',
			location: 'Authorization',
			locationType: 'header',
			headers: { 'WWW-Authenticate': 'Bearer realm="https://accounts.google.com/"' },
		});
	}
	const token = store.accessTokens.get(raw);
	const mailbox = token && store.mailbox(token.email);
	if (!token || !mailbox || token.expiresAt <= store.clock.now()) throw invalidCredentials();
	return { token, mailbox };
}

/** 403 unless the token holds one of the accepted scopes. */
export function requireScope(token: AccessToken, accepted: string[]): void {
	if (!accepted.some((s) => token.scopes.includes(s))) {
		throw new HttpError(403, 'Request had insufficient authentication scopes.', {
			reason: 'insufficientPermissions',
			headers: { 'WWW-Authenticate': 'Bearer realm="https://accounts.google.com/", error="insufficient_scope"' },
		});
	}
}

function html(status: number, text: string): ApiResponse {
	const safe = text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
	return { status, headers: { 'Content-Type': 'text/html; charset=utf-8' }, body: `<!doctype html><title>Sandbox sign-in</title><p>${safe}</p>` };
}

/** GET /o/oauth2/v2/auth: approves at once and redirects back with a code (mailbox = login_hint or the newest). */
export function authorizePage(store: Store, req: ApiRequest): ApiResponse {
	const redirectUri = req.query.get('redirect_uri');
	if (!redirectUri) return html(400, 'Error 400: invalid_request. Missing required parameter: redirect_uri');
	const hint = req.query.get('login_hint');
	// Maps keep insertion order, so the last entry is the most recently created mailbox.
	const all = [...store.mailboxes.values()];
	const mb = hint ? store.mailbox(hint) : all[all.length - 1];
	if (!mb) return html(400, hint ? `No sandbox mailbox ${hint}. Create it first (POST /sandbox/mailboxes).` : 'The sandbox has no mailbox yet. Create one first (POST /sandbox/mailboxes).');
	const requested = (req.query.get('scope') ?? '').split(/[\s,]+/).filter(Boolean);
	const scopes = requested.length ? requested.filter((s) => mb.scopes.includes(s)) : [...mb.scopes];
	const code = `4/sandbox-${randomToken(18)}`;
	store.codes.set(code, { email: mb.email, scopes, redirectUri });
	const target = new URL(redirectUri);
	target.searchParams.set('code', code);
	const state = req.query.get('state');
	if (state !== null) target.searchParams.set('state', state);
	target.searchParams.set('scope', scopes.join(' '));
	return { status: 302, headers: { Location: target.toString() }, body: '' };
}

function formOf(req: ApiRequest): URLSearchParams {
	const type = req.headers['content-type'] ?? '';
	if (type.includes('application/json')) {
		const obj = JSON.parse(req.body || '{}') as Record<string, unknown>;
		return new URLSearchParams(Object.entries(obj).map(([k, v]) => [k, String(v)]));
	}
	return new URLSearchParams(req.body);
}

function grantResponse(store: Store, email: string, scopes: string[], withRefresh: boolean): ApiResponse {
	const t = store.issueTokens(email, scopes, withRefresh);
	const body: Record<string, unknown> = {
		access_token: t.accessToken,
		expires_in: t.expiresIn,
		token_type: 'Bearer',
		scope: scopes.join(' '),
	};
	if (t.refreshToken) body.refresh_token = t.refreshToken;
	return { status: 200, headers: { 'Cache-Control': 'no-store' }, body };
}

/** POST /token: authorization_code, refresh_token and jwt-bearer grants, Google's token endpoint shape. */
export function tokenEndpoint(store: Store, req: ApiRequest): ApiResponse {
	const form = formOf(req);
	const grant = form.get('grant_type');
	if (grant === 'authorization_code') {
		const code = form.get('code') ?? '';
		const entry = store.codes.get(code);
		if (!entry) throw new OAuthError(400, 'invalid_grant', 'Malformed auth code.');
		const redirect = form.get('redirect_uri');
		if (redirect && redirect !== entry.redirectUri) throw new OAuthError(400, 'redirect_uri_mismatch', 'Bad Request');
		store.codes.delete(code);
		return grantResponse(store, entry.email, entry.scopes, true);
	}
	if (grant === 'refresh_token') {
		const entry = store.refreshTokens.get(form.get('refresh_token') ?? '');
		if (!entry || entry.revoked || !store.mailbox(entry.email)) {
			throw new OAuthError(400, 'invalid_grant', 'Token has been expired or revoked.');
		}
		return grantResponse(store, entry.email, entry.scopes, false);
	}
	if (grant === 'urn:ietf:params:oauth:grant-type:jwt-bearer') {
		const { email, scopes } = checkAssertion(store, form.get('assertion') ?? '');
		return grantResponse(store, email, scopes, false);
	}
	throw new OAuthError(400, 'unsupported_grant_type', `Invalid grant_type: ${grant ?? ''}`);
}

/** Verifies a service account's RS256 JWT and says which mailbox and scopes it asks for. */
function checkAssertion(store: Store, assertion: string): { email: string; scopes: string[] } {
	const parts = assertion.split('.');
	if (parts.length !== 3) throw new OAuthError(400, 'invalid_grant', 'Invalid JWT: malformed assertion.');
	let header: { alg?: string };
	let claims: { iss?: string; sub?: string; scope?: string; aud?: string; exp?: number; iat?: number };
	try {
		header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
		claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
	} catch {
		throw new OAuthError(400, 'invalid_grant', 'Invalid JWT: malformed assertion.');
	}
	if (header.alg !== 'RS256') throw new OAuthError(400, 'invalid_grant', 'Invalid JWT: alg must be RS256.');
	const pem = store.serviceAccounts.get(claims.iss ?? '');
	if (!pem) throw new OAuthError(401, 'invalid_client', 'The OAuth client was not found.');
	const ok = verify('RSA-SHA256', Buffer.from(`${parts[0]}.${parts[1]}`), createPublicKey(pem), Buffer.from(parts[2], 'base64url'));
	if (!ok) throw new OAuthError(400, 'invalid_grant', 'Invalid JWT Signature.');
	// JWT times are set by the client from real time, so they are checked against real time, not the sandbox clock.
	const nowSec = Date.now() / 1000;
	if (typeof claims.exp !== 'number' || claims.exp < nowSec - 60) {
		throw new OAuthError(400, 'invalid_grant', 'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe.');
	}
	if (!claims.aud || !/\/token$/.test(claims.aud)) throw new OAuthError(400, 'invalid_grant', 'Invalid JWT: aud must be the token URL.');
	const email = claims.sub ?? claims.iss ?? '';
	const mb = store.mailbox(email);
	if (!mb) throw new OAuthError(400, 'invalid_grant', 'Invalid email or User ID');
	const scopes = (claims.scope ?? '').split(/\s+/).filter(Boolean);
	if (!scopes.length) throw new OAuthError(400, 'invalid_scope', 'Empty or missing scope not allowed.');
	return { email: mb.email, scopes: scopes.filter((s) => mb.scopes.includes(s)) };
}
