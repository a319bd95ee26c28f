// The Send node's editor lists (send-as aliases, drafts) loaded through n8n-core against the sandbox.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startBenchSandbox } from '../../bench/sandbox';
import { GmailOutreachSend } from '../../nodes/GmailOutreachSend/GmailOutreachSend.node.js';
import { claimNote, outreachKey } from '../../nodes/shared/core/idempotency';
import { sandboxOAuthCredential } from '../support/n8n';
import { startSandbox, type TestSandbox } from '../support/sandbox';
import { loadOptions } from './helpers-load-options';

let sb: TestSandbox;
before(async () => {
	sb = await startSandbox();
});
after(async () => {
	await sb.close();
});

test('From lists the mailbox first, then its send-as aliases; drafts are listed by subject (not a run\'s claim)', { timeout: 30_000 }, async () => {
	const mb = await sb.createMailbox({ email: 'owner@aliases.test', aliases: ['sales@aliases.test'] });
	const draftRaw = Buffer.from(`From: ${mb.email}\r\nSubject: Template {{company}}\r\n\r\nHi {{first_name}}\r\n`).toString('base64url');
	const draft = await sb.gmail(mb.accessToken, 'POST', '/gmail/v1/users/me/drafts', { message: { raw: draftRaw } });
	// A run's claim draft in the mailbox at the same time is not offered as a template.
	await sb.gmail(mb.accessToken, 'POST', '/gmail/v1/users/me/drafts', { message: { raw: claimNote([outreachKey('c', 1, 'a@b.test')], new Date()) } });
	const credentials = { gmailOutreachOAuth2Api: sandboxOAuthCredential(sb.url, mb) };
	const node = new GmailOutreachSend();
	const from = await loadOptions(node, 'getSendAsAliases', { authentication: 'oAuth2' }, credentials);
	assert.deepEqual(from.map((o) => o.value), ['', 'owner@aliases.test', 'sales@aliases.test'], 'the default (connected mailbox) is always listed');
	const drafts = await loadOptions(node, 'getDrafts', { authentication: 'oAuth2' }, credentials);
	assert.deepEqual(drafts, [{ name: 'Template {{company}}', value: draft.body.id }]);
});

test('the drafts list reads every subject in one batch request, not one drafts.get call per draft', { timeout: 30_000 }, async () => {
	// A sandbox behind a counting front door: HTTP requests, not only Gmail method calls.
	const b = await startBenchSandbox();
	try {
		const mb = await b.sb.createMailbox({ email: 'owner@many-drafts.test' });
		for (let k = 0; k < 10; k++) {
			const raw = Buffer.from(`From: ${mb.email}\r\nSubject: Template ${k}\r\n\r\nHi {{first_name}}\r\n`).toString('base64url');
			await b.sb.gmail(mb.accessToken, 'POST', '/gmail/v1/users/me/drafts', { message: { raw } });
		}
		const before = b.requests();
		const drafts = await loadOptions(new GmailOutreachSend(), 'getDrafts', { authentication: 'oAuth2' }, { gmailOutreachOAuth2Api: sandboxOAuthCredential(b.apiUrl, mb) });
		assert.deepEqual(drafts.map((d) => d.name).sort(), Array.from({ length: 10 }, (_v, k) => `Template ${k}`).sort());
		assert.equal((await b.sb.stats(mb.email)).calls['drafts.get'], 10, 'ten reads');
		assert.equal(b.requests() - before, 2, 'drafts.list and one batch request');
	} finally {
		await b.close();
	}
});

// Regression: the editor loads From as soon as a node is added, before a credential is chosen;
// Threaded Reply's field then showed "Error fetching options" and never recovered.
test('before a credential is chosen, From offers the connected mailbox and Drafts is empty (no error)', async () => {
	const { GmailThreadedReply } = await import('../../nodes/GmailThreadedReply/GmailThreadedReply.node.js');
	for (const node of [new GmailOutreachSend(), new GmailThreadedReply()]) {
		const from = await loadOptions(node, 'getSendAsAliases', { authentication: 'oAuth2' }, {});
		assert.deepEqual(from.map((o) => o.value), [''], node.description.name);
	}
	assert.deepEqual(await loadOptions(new GmailOutreachSend(), 'getDrafts', { authentication: 'oAuth2' }, {}), []);
});
