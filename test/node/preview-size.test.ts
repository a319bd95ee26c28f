// A preview of a campaign with a large attachment must not fill n8n's execution data with MIME.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startSandbox, type TestSandbox, type TestMailbox } from '../support/sandbox';
import { baseParameters, leads, runSend } from './helpers-send';

let sb: TestSandbox;
before(async () => {
	sb = await startSandbox();
});
after(async () => {
	await sb.close();
});

const MB = 1024 * 1024;

/** A Gmail draft used as the template, with a 2 MB brochure attached. */
async function brochureDraft(mb: TestMailbox): Promise<string> {
	const boundary = 'b1';
	const raw = [
		`From: ${mb.email}`,
		'Subject: Offer for {{company}}',
		'MIME-Version: 1.0',
		`Content-Type: multipart/mixed; boundary="${boundary}"`,
		'',
		`--${boundary}`,
		'Content-Type: text/plain; charset=utf-8',
		'',
		'Dear {{first_name}}, see the brochure.',
		`--${boundary}`,
		'Content-Type: application/pdf; name="brochure.pdf"',
		'Content-Disposition: attachment; filename="brochure.pdf"',
		'Content-Transfer-Encoding: base64',
		'',
		randomBytes(2 * MB).toString('base64').replace(/.{76}/g, '$&\r\n'),
		`--${boundary}--`,
		'',
	].join('\r\n');
	const draft = await sb.gmail(mb.accessToken, 'POST', '/gmail/v1/users/me/drafts', { message: { raw: Buffer.from(raw).toString('base64url') } });
	assert.equal(draft.status, 200, JSON.stringify(draft.body).slice(0, 300));
	return String(draft.body.id);
}

describe('preview of 50 leads with a 2 MB brochure', () => {
	test('keeps the execution data under 1 MB: each item has the MIME head and size, not the message', { timeout: 120_000 }, async () => {
		const mb = await sb.createMailbox({ email: 'owner@preview-size.test' });
		const draftId = await brochureDraft(mb);
		const o = await runSend(sb, mb, leads(50, 'preview-size.test'), baseParameters({ mode: 'preview', templateSource: 'draft', draftId, options: { bcc: 'crm@preview-size.test' } }));
		assert.equal(o.result.error, undefined);
		assert.equal(o.sent.length, 50, JSON.stringify(o.failed.slice(0, 1)));
		for (const p of o.sent) {
			assert.equal(p.status, 'preview');
			assert.ok(Number(p.mimeSize) > 2 * MB, 'the size is the whole message, brochure included');
			assert.equal(p.raw, undefined);
			assert.match(String(p.mimeHead), /Subject: Offer for Company \d+/);
			assert.ok(Buffer.byteLength(String(p.mimeHead)) <= 2048);
			assert.equal(p.mimeTruncated, true);
		}
		const outputBytes = Buffer.byteLength(JSON.stringify(o.result.outputs));
		assert.ok(outputBytes < MB, `the node's output is ${outputBytes} bytes`);
		const executionBytes = Buffer.byteLength(JSON.stringify(o.result.run.data.resultData.runData));
		assert.ok(executionBytes < MB, `the execution's run data is ${executionBytes} bytes`);
	});

	test('Include Raw MIME in Preview puts the whole message back, for those who ask', { timeout: 60_000 }, async () => {
		const mb = await sb.createMailbox({ email: 'owner@preview-raw.test' });
		const draftId = await brochureDraft(mb);
		const o = await runSend(sb, mb, leads(2, 'preview-raw.test'), baseParameters({ mode: 'preview', templateSource: 'draft', draftId, options: { previewRaw: true } }));
		assert.equal(o.sent.length, 2);
		for (const p of o.sent) {
			const mime = Buffer.from(String(p.raw), 'base64url');
			assert.equal(mime.length, p.mimeSize);
			assert.match(mime.toString('latin1'), /filename="?brochure\.pdf/);
		}
	});
});
