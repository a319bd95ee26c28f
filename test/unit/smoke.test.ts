import { test } from 'node:test';
import assert from 'node:assert/strict';
import PostalMime from 'postal-mime';
import * as core from 'n8n-core';
import { GmailOutreachOAuth2Api } from '../../credentials/GmailOutreachOAuth2Api.credentials';

test('toolchain loads', async () => {
	assert.equal(typeof core.WorkflowExecute, 'function');
	assert.equal(new GmailOutreachOAuth2Api().name, 'gmailOutreachOAuth2Api');
	const parsed = await PostalMime.parse('Subject: hi\r\n\r\nbody');
	assert.equal(parsed.subject, 'hi');
});
