import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createSign, generateKeyPairSync } from 'node:crypto';
import { startSandbox, type TestMailbox, type TestSandbox } from '../support/sandbox';

const G = 'https://www.googleapis.com/auth/gmail.';
let sb: TestSandbox;
let carol: TestMailbox;

const form = (body: Record<string, string>, headers: Record<string, string> = {}) =>
	fetch(`${sb.url}/token`, {
		method: 'POST',
		headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
		body: new URLSearchParams(body),
	});

before(async () => {
	sb = await startSandbox();
	await sb.createMailbox({ email: 'first@example.com' });
	carol = await sb.createMailbox({ email: 'carol@example.com', scopes: [`${G}send`, `${G}readonly`, `${G}labels`] });
});
after(() => sb.close());

describe('OAuth', () => {
	test('authorize page redirects at once with code and state; code → tokens (Basic client auth); code is single-use', async () => {
		const auth = new URL(`${sb.url}/o/oauth2/v2/auth`);
		auth.search = new URLSearchParams({ client_id: 'cid', redirect_uri: 'http://localhost:5678/cb', state: 's t', scope: `${G}send ${G}modify`, response_type: 'code' }).toString();
		const res = await fetch(auth, { redirect: 'manual' });
		assert.equal(res.status, 302);
		const loc = new URL(res.headers.get('location') as string);
		assert.equal(loc.origin + loc.pathname, 'http://localhost:5678/cb');
		assert.equal(loc.searchParams.get('state'), 's t');
		const code = loc.searchParams.get('code') as string;
		const basic = 'Basic ' + Buffer.from('cid:secret').toString('base64');
		const tok = await form({ grant_type: 'authorization_code', code, redirect_uri: 'http://localhost:5678/cb' }, { Authorization: basic });
		assert.equal(tok.status, 200);
		const body = await tok.json();
		assert.equal(body.token_type, 'Bearer');
		assert.equal(body.expires_in, 3600);
		assert.ok(body.refresh_token);
		// newest mailbox, and only the requested scopes it has
		assert.equal(body.scope, `${G}send`);
		const prof = await sb.gmail(body.access_token, 'GET', '/gmail/v1/users/me/profile');
		assert.equal(prof.body.emailAddress, 'carol@example.com');
		const again = await form({ grant_type: 'authorization_code', code, redirect_uri: 'http://localhost:5678/cb' });
		assert.equal(again.status, 400);
		assert.equal((await again.json()).error, 'invalid_grant');
	});
	test('login_hint picks the mailbox', async () => {
		const res = await fetch(`${sb.url}/o/oauth2/v2/auth?redirect_uri=${encodeURIComponent('http://x.test/cb')}&login_hint=first@example.com`, { redirect: 'manual' });
		const code = new URL(res.headers.get('location') as string).searchParams.get('code') as string;
		const body = await (await form({ grant_type: 'authorization_code', code, client_id: 'a', client_secret: 'b' })).json();
		assert.equal((await sb.gmail(body.access_token, 'GET', '/gmail/v1/users/me/profile')).body.emailAddress, 'first@example.com');
	});
	test('expired, bad and missing tokens → 401 in Google\'s shape; refresh works until revoked', async () => {
		const ok = await sb.gmail(carol.accessToken, 'GET', '/gmail/v1/users/me/labels');
		assert.equal(ok.status, 200);
		await sb.expireTokens('carol@example.com');
		const expired = await sb.gmail(carol.accessToken, 'GET', '/gmail/v1/users/me/labels');
		assert.equal(expired.status, 401);
		assert.equal(expired.body.error.status, 'UNAUTHENTICATED');
		assert.equal(expired.body.error.errors[0].reason, 'authError');
		assert.equal(expired.body.error.errors[0].message, 'Invalid Credentials');
		assert.match(expired.body.error.message, /^Request had invalid authentication credentials/);
		assert.equal((await sb.gmail('nonsense', 'GET', '/gmail/v1/users/me/labels')).status, 401);
		const missing = await fetch(`${sb.url}/gmail/v1/users/me/labels`);
		assert.equal(missing.status, 401);
		const refreshed = await (await form({ grant_type: 'refresh_token', refresh_token: carol.refreshToken })).json();
		assert.equal(refreshed.refresh_token, undefined);
		assert.equal((await sb.gmail(refreshed.access_token, 'GET', '/gmail/v1/users/me/labels')).status, 200);
		await sb.revokeTokens('carol@example.com');
		assert.equal((await sb.gmail(refreshed.access_token, 'GET', '/gmail/v1/users/me/labels')).status, 401);
		const revoked = await form({ grant_type: 'refresh_token', refresh_token: carol.refreshToken });
		assert.equal(revoked.status, 400);
		assert.deepEqual(await revoked.json(), { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' });
		assert.equal((await form({ grant_type: 'password' })).status, 400);
	});
	test('tokens expire with the sandbox clock after tokenLifetimeSec', async () => {
		const box = await sb.createMailbox({ email: 'clocky@example.com' });
		await sb.clock({ advance: 'PT59M' });
		assert.equal((await sb.gmail(box.accessToken, 'GET', '/gmail/v1/users/me/profile')).status, 200);
		await sb.clock({ advance: 'PT2M' });
		assert.equal((await sb.gmail(box.accessToken, 'GET', '/gmail/v1/users/me/profile')).status, 401);
	});
	test('scopes: 403 insufficientPermissions when no accepted scope is held', async () => {
		const box = await sb.createMailbox({ email: 'scoped@example.com', scopes: [`${G}send`] });
		const r = await sb.gmail(box.accessToken, 'GET', '/gmail/v1/users/me/messages');
		assert.equal(r.status, 403);
		assert.equal(r.body.error.message, 'Request had insufficient authentication scopes.');
		assert.equal(r.body.error.errors[0].reason, 'insufficientPermissions');
		assert.equal(r.body.error.status, 'PERMISSION_DENIED');
		assert.equal((await sb.gmail(box.accessToken, 'GET', '/gmail/v1/users/me/profile')).status, 200, 'any gmail scope reads the profile');
		const meta = await sb.createMailbox({ email: 'meta@example.com', scopes: [`${G}metadata`] });
		assert.equal((await sb.gmail(meta.accessToken, 'GET', '/gmail/v1/users/me/messages')).status, 200);
		assert.equal((await sb.gmail(meta.accessToken, 'GET', '/gmail/v1/users/me/messages?q=from:x')).status, 403, 'q is not allowed with gmail.metadata');
	});
	test('userId must be me or the mailbox itself', async () => {
		const box = await sb.createMailbox({ email: 'dave@example.com' });
		assert.equal((await sb.gmail(box.accessToken, 'GET', '/gmail/v1/users/dave@example.com/profile')).status, 200);
		const other = await sb.gmail(box.accessToken, 'GET', '/gmail/v1/users/carol@example.com/profile');
		assert.equal(other.status, 403);
		assert.match(other.body.error.message, /Delegation denied/);
	});
	test('service account JWT bearer grant acts as sub', async () => {
		const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
		await sb.registerServiceAccount('robot@proj.iam.gserviceaccount.com', publicKey.export({ type: 'spki', format: 'pem' }) as string);
		const now = Math.floor(Date.now() / 1000);
		const jwt = (claims: Record<string, unknown>, key = privateKey) => {
			const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
			const unsigned = `${enc({ alg: 'RS256', typ: 'JWT' })}.${enc(claims)}`;
			const sig = createSign('RSA-SHA256').update(unsigned).sign(key).toString('base64url');
			return `${unsigned}.${sig}`;
		};
		const claims = { iss: 'robot@proj.iam.gserviceaccount.com', sub: 'dave@example.com', scope: `${G}modify`, aud: `${sb.url}/token`, iat: now, exp: now + 3600 };
		const res = await form({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: jwt(claims) });
		assert.equal(res.status, 200);
		const body = await res.json();
		assert.equal((await sb.gmail(body.access_token, 'GET', '/gmail/v1/users/me/profile')).body.emailAddress, 'dave@example.com');
		const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
		assert.equal((await form({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: jwt(claims, other) })).status, 400);
		assert.equal((await form({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: jwt({ ...claims, sub: 'nobody@example.com' }) })).status, 400);
	});
});
