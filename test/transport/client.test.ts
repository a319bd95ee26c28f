import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import type { IDataObject } from 'n8n-workflow';

import { runNode, sandboxOAuthCredential, type HarnessCredentials } from '../support/n8n';
import { startSandbox, type TestSandbox } from '../support/sandbox';
import { TransportProbe, rawMail } from './probe';

let sb: TestSandbox;
let n = 0;

async function mailbox(type?: 'gmail' | 'workspace' | number) {
	const mb = await sb.createMailbox({ email: `sender${++n}@example.com`, type });
	const credentials: HarnessCredentials = { gmailOutreachOAuth2Api: sandboxOAuthCredential(sb.url, mb) };
	return { ...mb, credentials };
}

async function probe(credentials: HarnessCredentials, op: string, items: IDataObject[] = [{}], extra: IDataObject = {}) {
	const r = await runNode({ node: TransportProbe, parameters: { op, clientOptions: '{"budgetMs": 20000}', ...extra }, items, credentials });
	assert.equal(r.error, undefined, r.error?.message);
	return { ...r, json: r.outputs[0].map((i) => i.json as IDataObject & { ok: boolean; result: any; error: any; client: any }) };
}

describe('transport against the sandbox', { timeout: 120_000 }, () => {
	before(async () => {
		sb = await startSandbox();
	});
	after(async () => {
		await sb.close();
	});

	test('getProfile through n8n OAuth2, charged 1 unit', async () => {
		const mb = await mailbox();
		const { json } = await probe(mb.credentials, 'getProfile');
		assert.equal(json[0].ok, true, JSON.stringify(json[0].error));
		assert.equal(json[0].result.emailAddress, mb.email);
		assert.equal(json[0].client.unitsSpent, 1);
	});

	test('a burst of 5xx on messages.get is absorbed by retries', async () => {
		const mb = await mailbox();
		const sent = await probe(mb.credentials, 'send', [{ raw: rawMail(mb.email, 'lead@example.org', 'Hi') }]);
		await sb.faults({ mailbox: mb.email, rules: [{ method: 'messages.get', status: 503, count: 2 }] });
		const { json } = await probe(mb.credentials, 'getMessage', [{ id: sent.json[0].result.id }]);
		await sb.clearFaults();
		assert.equal(json[0].ok, true, JSON.stringify(json[0].error));
		assert.equal(json[0].client.retries, 2);
		assert.equal(json[0].client.calls['messages.get'], 3);
	});

	test('429 "too many concurrent requests" on send is retried and sends exactly once', async () => {
		const mb = await mailbox();
		await sb.faults({
			mailbox: mb.email,
			rules: [{ method: 'messages.send', status: 429, reason: 'rateLimitExceeded', message: 'Too many concurrent requests for user', count: 2 }],
		});
		const { json } = await probe(mb.credentials, 'send', [{ raw: rawMail(mb.email, 'lead@example.org', 'Once') }]);
		await sb.clearFaults();
		assert.equal(json[0].ok, true, JSON.stringify(json[0].error));
		assert.equal(json[0].client.retries, 2);
		const sentMail = (await sb.messages(mb.email)).filter((m) => m.labelIds.includes('SENT'));
		assert.equal(sentMail.length, 1);
	});

	test('a 5xx on send is an unknown outcome, not retried', async () => {
		const mb = await mailbox();
		await sb.faults({ mailbox: mb.email, rules: [{ method: 'messages.send', status: 500, count: 1 }] });
		const { json } = await probe(mb.credentials, 'send', [{ raw: rawMail(mb.email, 'lead@example.org', 'Maybe') }]);
		await sb.clearFaults();
		assert.equal(json[0].ok, false);
		assert.equal(json[0].error.name, 'UnknownOutcomeError');
		assert.equal(json[0].client.calls['messages.send'], 1);
	});

	test('the daily cap surfaces as DailyCapError with a retry time, without retries', async () => {
		const mb = await mailbox(2);
		const items = [1, 2, 3].map((i) => ({ raw: rawMail(mb.email, 'lead@example.org', `Cap ${i}`) }));
		const { json } = await probe(mb.credentials, 'send', items);
		assert.deepEqual(json.map((j) => j.ok), [true, true, false]);
		assert.equal(json[2].error.name, 'DailyCapError');
		const retryAt = new Date(json[2].error.retryAt);
		assert.ok(retryAt.getTime() > Date.now(), `retryAt ${json[2].error.retryAt} is in the future`);
		assert.match(json[2].error.message, /daily sending limit/);
		assert.equal(json[2].client.retries, 0);
	});

	test('an expired access token is refreshed once by n8n and stored; the next run reuses it', async () => {
		const mb = await mailbox();
		await sb.expireTokens(mb.email);
		const first = await probe(mb.credentials, 'getProfile');
		assert.equal(first.json[0].ok, true, JSON.stringify(first.json[0].error));
		const after1 = first.credentialsAfter.gmailOutreachOAuth2Api.oauthTokenData as IDataObject;
		assert.notEqual(after1.access_token, mb.accessToken);
		assert.equal(first.json[0].client.calls['users.getProfile'], 1);
		const second = await probe(first.credentialsAfter, 'getProfile');
		assert.equal(second.json[0].ok, true);
		assert.equal((second.credentialsAfter.gmailOutreachOAuth2Api.oauthTokenData as IDataObject).access_token, after1.access_token);
	});

	test('a revoked refresh token says to reconnect the credential', async () => {
		const mb = await mailbox();
		await sb.revokeRefreshTokens(mb.email);
		const { json } = await probe(mb.credentials, 'getProfile');
		assert.equal(json[0].ok, false);
		assert.equal(json[0].error.name, 'AuthError');
		assert.match(json[0].error.message, /reconnect the credential/);
	});

	test('a connection reset after a committed send is an unknown outcome and never a second send', async () => {
		const mb = await mailbox();
		await sb.faults({ mailbox: mb.email, resetAfterSend: 1 });
		const { json } = await probe(mb.credentials, 'send', [{ raw: rawMail(mb.email, 'lead@example.org', 'Reset') }]);
		await sb.clearFaults();
		assert.equal(json[0].ok, false);
		assert.equal(json[0].error.name, 'UnknownOutcomeError');
		assert.match(json[0].error.message, /check the mailbox/);
		const sentMail = (await sb.messages(mb.email)).filter((m) => m.labelIds.includes('SENT'));
		assert.equal(sentMail.length, 1, 'the committed send happened exactly once');
		assert.equal(json[0].client.calls['messages.send'], 1);
	});

	test('invalid requests name the field', async () => {
		const mb = await mailbox();
		// Gmail's default rewrites a foreign From; the 400 this test classifies is the sandbox's fromPolicy 'reject'.
		await sb.settings({ fromPolicy: 'reject' });
		try {
			const { json } = await probe(mb.credentials, 'send', [
				{ raw: 'not base64!!' },
				{ raw: rawMail(mb.email, '', 'No recipient') },
				{ raw: rawMail('stranger@evil.example', 'lead@example.org', 'Not my alias') },
			]);
			assert.deepEqual(json.map((j) => j.error?.name), ['InvalidRequestError', 'InvalidRequestError', 'InvalidRequestError']);
			assert.deepEqual(json.map((j) => j.error.field), ['raw', 'recipients', 'from']);
		} finally {
			await sb.settings({ fromPolicy: 'rewrite' });
		}
	});

	test('batch get returns per-item results, missing ids as NotFoundError', async () => {
		const mb = await mailbox();
		const sent = await probe(mb.credentials, 'send', [1, 2].map((i) => ({ raw: rawMail(mb.email, 'lead@example.org', `B${i}`) })));
		const ids = [sent.json[0].result.id, 'doesnotexist', sent.json[1].result.id];
		const { json } = await probe(mb.credentials, 'batchGetSettled', [{ ids }]);
		assert.equal(json[0].ok, true, JSON.stringify(json[0].error));
		assert.deepEqual(
			(json[0].result as Array<{ id: string; ok: boolean; error?: string }>).map((r) => [r.id, r.ok, r.error ?? null]),
			[
				[ids[0], true, null],
				[ids[1], false, 'NotFoundError'],
				[ids[2], true, null],
			],
		);
		assert.equal(json[0].client.unitsSpent, 15);
	});

	test('ensureLabels creates nested labels once and matches case-insensitively', async () => {
		const mb = await mailbox();
		const first = await probe(mb.credentials, 'ensureLabels', [{ names: ['Outreach/Replied', 'Outreach/Bounced'] }]);
		assert.equal(first.json[0].ok, true, JSON.stringify(first.json[0].error));
		const again = await probe(mb.credentials, 'ensureLabels', [{ names: ['outreach/replied'] }]);
		assert.equal(again.json[0].result['outreach/replied'], first.json[0].result['Outreach/Replied']);
		assert.equal(again.json[0].client.calls['labels.create'], undefined);
	});

	test('a too-old history id is HistoryTooOldError; listAll pages with a cap', async () => {
		const mb = await mailbox();
		await probe(mb.credentials, 'send', [1, 2, 3].map((i) => ({ raw: rawMail(mb.email, 'lead@example.org', `H${i}`) })));
		const listed = await probe(mb.credentials, 'listAll', [{ max: 2 }]);
		assert.equal(listed.json[0].result, 2);
		await sb.clock({ advance: 'P30D' });
		const { json } = await probe(mb.credentials, 'listHistory', [{ startHistoryId: '1' }]);
		assert.equal(json[0].error?.name, 'HistoryTooOldError');
	});

	test('a service-account credential sends as the delegated mailbox (RS256 JWT)', async () => {
		const mb = await sb.createMailbox({ email: `delegated${++n}@example.com`, type: 'workspace' });
		const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
		const clientEmail = 'outreach@project.iam.gserviceaccount.com';
		await sb.registerServiceAccount(clientEmail, publicKey.export({ type: 'spki', format: 'pem' }).toString());
		const credentials: HarnessCredentials = {
			gmailOutreachServiceAccountApi: {
				serviceAccountJson: JSON.stringify({
					type: 'service_account',
					client_email: clientEmail,
					private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
					token_uri: `${sb.url}/token`,
				}),
				delegatedUser: mb.email,
				apiBaseUrl: sb.url,
			},
		};
		const extra = { authentication: 'serviceAccount' };
		const r = await probe(credentials, 'send', [{ raw: rawMail(mb.email, 'lead@example.org', 'From the service account') }], extra);
		assert.equal(r.json[0].ok, true, JSON.stringify(r.json[0].error));
		const token = r.credentialsAfter.gmailOutreachServiceAccountApi.accessToken;
		assert.ok(token, 'the token is stored on the credential');
		const sentMail = (await sb.messages(mb.email)).filter((m) => m.labelIds.includes('SENT'));
		assert.equal(sentMail.length, 1);
		// Cached: the next run reuses the token; after expiry n8n's 401 path fetches a new one.
		const again = await probe(r.credentialsAfter, 'getProfile', [{}], extra);
		assert.equal(again.credentialsAfter.gmailOutreachServiceAccountApi.accessToken, token);
		await sb.expireTokens(mb.email);
		const renewed = await probe(again.credentialsAfter, 'getProfile', [{}], extra);
		assert.equal(renewed.json[0].ok, true, JSON.stringify(renewed.json[0].error));
		assert.notEqual(renewed.credentialsAfter.gmailOutreachServiceAccountApi.accessToken, token);
	});
});
