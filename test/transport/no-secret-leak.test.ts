import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { generateKeyPairSync } from 'node:crypto';
import type { IDataObject } from 'n8n-workflow';

import { captured, runNode, sandboxOAuthCredential, type HarnessCredentials } from '../support/n8n';
import { startSandbox, type TestSandbox } from '../support/sandbox';
import { TransportProbe, rawMail } from './probe';

let sb: TestSandbox;

// Every error path the transport has, run through n8n; everything they produce is searched for secrets.
describe('no token, refresh token, client secret or private key in any output, error or log line', { timeout: 120_000 }, () => {
	const secrets = new Set<string>();
	const haystack: string[] = [];

	async function run(credentials: HarnessCredentials, op: string, items: IDataObject[], extra: IDataObject = {}) {
		const r = await runNode({ node: TransportProbe, parameters: { op, clientOptions: '{"budgetMs": 8000}', ...extra }, items, credentials });
		haystack.push(JSON.stringify(r.outputs), ...r.logs);
		if (r.error) haystack.push(r.error.message, String(r.error.stack), JSON.stringify(r.error), inspect(r.error, { depth: 8 }));
		for (const cred of Object.values(r.credentialsAfter)) {
			const t = cred.oauthTokenData as IDataObject | undefined;
			if (t?.access_token) secrets.add(String(t.access_token));
			if (t?.refresh_token) secrets.add(String(t.refresh_token));
			if (cred.accessToken) secrets.add(String(cred.accessToken));
		}
		return r;
	}

	before(async () => {
		sb = await startSandbox();
	});
	after(async () => {
		await sb.close();
	});

	test('the scenarios run', async () => {
		const mb = await sb.createMailbox({ email: 'leak@example.com', type: 2 });
		const cred = sandboxOAuthCredential(sb.url, mb);
		secrets.add(mb.accessToken).add(mb.refreshToken).add(String(cred.clientSecret));
		let creds: HarnessCredentials = { gmailOutreachOAuth2Api: cred };
		const send = (s: string) => ({ raw: rawMail(mb.email, 'lead@example.org', s) });

		creds = (await run(creds, 'send', [send('a'), send('b'), send('cap'), { raw: '!!' }])).credentialsAfter;
		await sb.expireTokens(mb.email);
		creds = (await run(creds, 'getProfile', [{}])).credentialsAfter;
		await sb.faults({ mailbox: mb.email, rules: [{ method: 'messages.get', status: 503 }] });
		await run(creds, 'getMessage', [{ id: 'x' }], { clientOptions: '{"budgetMs": 2500}' });
		await sb.clearFaults();
		await sb.faults({ mailbox: mb.email, resetAfterSend: 1 });
		await run(creds, 'send', [send('reset')]);
		await sb.clearFaults();
		await run(creds, 'listHistory', [{ startHistoryId: '1' }]);
		await sb.revokeRefreshTokens(mb.email);
		await run(creds, 'getProfile', [{}]);

		const sa = await sb.createMailbox({ email: 'leak-sa@example.com', type: 'workspace' });
		const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
		const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
		await sb.registerServiceAccount('leak@p.iam.gserviceaccount.com', publicKey.export({ type: 'spki', format: 'pem' }).toString());
		const key = { client_email: 'leak@p.iam.gserviceaccount.com', private_key: pem, token_uri: `${sb.url}/token` };
		const saCreds = { gmailOutreachServiceAccountApi: { serviceAccountJson: JSON.stringify(key), delegatedUser: sa.email, apiBaseUrl: sb.url } };
		await run(saCreds, 'getProfile', [{}], { authentication: 'serviceAccount' });
		// An unknown key: the token endpoint refuses it.
		const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
		const bad = { gmailOutreachServiceAccountApi: { ...saCreds.gmailOutreachServiceAccountApi, serviceAccountJson: JSON.stringify({ ...key, private_key: other }) } };
		const refused = await run(bad, 'getProfile', [{}], { authentication: 'serviceAccount' });
		assert.equal((refused.outputs[0][0].json as IDataObject).ok, false);
		// The private key's body (the PEM minus its armour) must not leak either.
		secrets.add(pem.split('\n')[1]).add(other.split('\n')[1]);
		assert.ok(secrets.size >= 6);
	});

	test('none of the secrets appears anywhere', () => {
		const all = [...haystack, ...captured()].join('\n');
		assert.ok(all.length > 1000, 'there is something to search');
		for (const s of secrets) {
			assert.ok(s.length >= 8);
			assert.equal(all.includes(s), false, `a secret (${s.slice(0, 4)}…) leaked`);
		}
	});
});
