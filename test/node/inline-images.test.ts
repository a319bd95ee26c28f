// Issue 15's inline-image case: a Gmail draft used as the template, with a signature logo the HTML shows as cid:logo,
// goes out with the logo still inline (multipart/related, Content-ID, Content-Disposition: inline), not as an attachment.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import PostalMime from 'postal-mime';
import { startSandbox, type TestSandbox } from '../support/sandbox';
import { baseParameters, leads, runSend, sentMessages } from './helpers-send';

let sb: TestSandbox;
before(async () => {
	sb = await startSandbox();
});
after(async () => {
	await sb?.close();
});

const LOGO = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

describe('inline images in draft templates', () => {
	test('inline image: a signature logo referenced as cid: stays inline in the sent message', { timeout: 60_000 }, async () => {
		const mb = await sb.createMailbox({ email: 'owner@inline.test' });
		const raw = [
			`From: ${mb.email}`,
			'Subject: Hello {{company}}',
			'MIME-Version: 1.0',
			'Content-Type: multipart/alternative; boundary="alt"',
			'',
			'--alt',
			'Content-Type: text/plain; charset=utf-8',
			'',
			'Hi {{first_name}}, our logo is below.',
			'--alt',
			'Content-Type: multipart/related; boundary="rel"',
			'',
			'--rel',
			'Content-Type: text/html; charset=utf-8',
			'',
			'<p>Hi {{first_name}},</p><p><img src="cid:logo@acme" alt="Acme"></p>',
			'--rel',
			'Content-Type: image/png',
			'Content-ID: <logo@acme>',
			'Content-Disposition: inline',
			'Content-Transfer-Encoding: base64',
			'',
			LOGO.toString('base64'),
			'--rel--',
			'--alt--',
			'',
		].join('\r\n');
		const draft = await sb.gmail(mb.accessToken, 'POST', '/gmail/v1/users/me/drafts', { message: { raw: Buffer.from(raw).toString('base64url') } });
		assert.equal(draft.status, 200);
		const o = await runSend(sb, mb, leads(1, 'inline-leads.test'), baseParameters({ templateSource: 'draft', draftId: String(draft.body.id) }));
		assert.equal(o.sent.length, 1, JSON.stringify(o.failed));
		const [m] = await sentMessages(sb, mb.email);
		const parsed = await PostalMime.parse(m.raw);
		assert.match(parsed.html ?? '', /src="cid:logo@acme"/);
		assert.equal(parsed.attachments.length, 1);
		const logo = parsed.attachments[0];
		assert.equal(logo.contentId, '<logo@acme>');
		assert.equal(logo.disposition, 'inline');
		assert.equal(Buffer.from(logo.content as ArrayBuffer).equals(LOGO), true);
		assert.match(m.raw, /Content-Type: multipart\/related/i, 'the HTML and its image travel together');
		assert.doesNotMatch(m.raw, /Content-Disposition: attachment/i);
	});
});
