// Real n8n loads the package as a community package; our credential connects to the sandbox through
// n8n's own OAuth2 flow (the editor's Connect button) and passes n8n's "Test credential".
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CREDENTIAL_TYPE, nodeType, sandboxCredentialData } from '../../scripts/n8n/workflows';
import { declaredTypes } from '../support/package-types';
import { startRealN8n, type RealN8n } from '../support/real-n8n';

const declaredNodes = declaredTypes().nodes;

describe('real n8n with the package installed', { timeout: 300_000 }, () => {
	let env: RealN8n;
	before(async () => {
		env = await startRealN8n({ name: 'loads', connect: false });
	});
	after(async () => {
		await env?.close();
	});

	test('owner was created from the environment: no sign-up screen', async () => {
		assert.equal(await env.client.needsOwnerSetup(), false);
	});

	test('nodes.json lists every node the package declares, under the community package prefix', async () => {
		const types = await env.client.nodeTypes();
		const names = new Set(types.map((t) => t.name));
		for (const n of declaredNodes) assert.ok(names.has(nodeType(n)), `${nodeType(n)} not loaded; ours: ${[...names].filter((x) => x.includes('outreach') || x.includes('Outreach')).join(', ')}`);
	});

	test('credentials.json lists our credential', async () => {
		const creds = await env.client.credentialTypes();
		const ours = creds.find((c) => c.name === CREDENTIAL_TYPE);
		assert.ok(ours, 'gmailOutreachOAuth2Api not loaded');
		assert.equal(ours.displayName, 'Gmail Outreach OAuth2 API');
	});

	test('Connect (n8n OAuth2 flow against the sandbox) stores a token, and Test credential passes', async () => {
		const id = await env.client.createCredential('Sandbox', CREDENTIAL_TYPE, sandboxCredentialData(env.sandbox.url));
		const before = await env.client.testCredential(id);
		assert.notEqual(before.status, 'OK', 'an unconnected credential must not pass the test');
		await env.client.connectOAuth2(id);
		const verdict = await env.client.testCredential(id);
		assert.deepEqual(verdict, { status: 'OK', message: 'Connection successful!' });
		const stats = await env.sandbox.stats(env.mailbox.email);
		assert.ok((stats.calls.getProfile ?? stats.calls['users.getProfile'] ?? 0) >= 1, `getProfile not called: ${JSON.stringify(stats.calls)}`);
	});

	test('the credential API never returns the token', async () => {
		const creds = await env.client.api<Array<{ id: string }>>('GET', '/rest/credentials?includeData=true');
		const text = JSON.stringify(creds);
		assert.doesNotMatch(text, new RegExp(env.mailbox.accessToken));
		const tokens = await env.client.api<unknown>('GET', `/rest/credentials/${creds[0].id}?includeData=true`);
		assert.doesNotMatch(JSON.stringify(tokens), /"access_token":"[^*"]/);
	});
});
