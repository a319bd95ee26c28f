// The Gmail Sandbox's web view in a real (headless) Chromium: index, one mailbox with a thread,
// a nested label and a draft, escaping of hostile content; screenshots in test-artifacts/.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, type TestBrowser } from '../support/browser';
import { startSandbox, type TestMailbox, type TestSandbox } from '../support/sandbox';

const b64url = (s: string) => Buffer.from(s).toString('base64url');

describe('sandbox web view in Chromium', { timeout: 120_000 }, () => {
	let sandbox: TestSandbox;
	let browser: TestBrowser;
	let mb: TestMailbox;
	before(async () => {
		sandbox = await startSandbox();
		mb = await sandbox.createMailbox({ email: 'founder@acme-view.test', type: 'workspace' });
		const sent = await sandbox.gmail(mb.accessToken, 'POST', '/gmail/v1/users/me/messages/send', {
			raw: b64url(
				'From: Founder <founder@acme-view.test>\r\nTo: Ada <ada@lovelace.test>\r\nSubject: Quick question about Analytical Engines\r\n' +
					'Message-ID: <first@acme-view.test>\r\n\r\nHi Ada,\r\nwould a 10-minute call next week help?\r\n',
			),
		});
		assert.equal(sent.status, 200, JSON.stringify(sent.body));
		await sandbox.deliver({ to: mb.email, replyTo: sent.body.id, kind: 'reply', text: 'Yes, Tuesday works <script>alert(1)</script>' });
		const label = await sandbox.gmail(mb.accessToken, 'POST', '/gmail/v1/users/me/labels', { name: 'Outreach/Demo/Sent' });
		assert.equal(label.status, 200, JSON.stringify(label.body));
		await sandbox.gmail(mb.accessToken, 'POST', `/gmail/v1/users/me/messages/${sent.body.id}/modify`, { addLabelIds: [label.body.id] });
		const draft = await sandbox.gmail(mb.accessToken, 'POST', '/gmail/v1/users/me/drafts', {
			message: { raw: b64url('From: founder@acme-view.test\r\nTo: grace@hopper.test\r\nSubject: Draft for Grace\r\n\r\nLater.\r\n') },
		});
		assert.equal(draft.status, 200, JSON.stringify(draft.body));
		browser = await launchBrowser({ viewport: { width: 1200, height: 800 } });
	});
	after(async () => {
		await browser?.close();
		await sandbox?.close();
	});

	test('index lists the mailbox with its sent count against the cap', async () => {
		const { page } = browser;
		const res = await page.goto(`${sandbox.url}/`);
		assert.equal(res?.status(), 200);
		const row = page.locator('tr', { hasText: mb.email });
		await row.waitFor();
		assert.match(await row.innerText(), /1 \/ 2000/);
		await browser.screenshot('sandbox-index');
	});

	test('mailbox view shows the thread in order, labels, drafts; hostile text stays text', async () => {
		const { page } = browser;
		await page.click(`a[href="/view/${encodeURIComponent(mb.email)}"]`);
		await page.waitForURL(/\/view\//);
		const thread = page.locator('section.thread', { hasText: 'Quick question about Analytical Engines' });
		await thread.waitFor();
		const msgs = thread.locator('.msg');
		assert.equal(await msgs.count(), 2);
		assert.match(await msgs.nth(0).innerText(), /would a 10-minute call/);
		assert.match(await msgs.nth(1).innerText(), /Tuesday works <script>alert\(1\)<\/script>/);
		assert.equal(await page.locator('main script').count(), 0);
		assert.match(await page.locator('main').innerText(), /Outreach\/Demo\/Sent/);
		assert.match(await page.locator('tr[data-draft]').innerText(), /Draft for Grace/);
		const file = await browser.screenshot('sandbox-view', { fullPage: true });
		console.log(`screenshot: ${file}`);
		// Browsers ask every site for /favicon.ico; the sandbox has none, which is not a page error.
		assert.deepEqual(browser.errors.filter((e) => !e.includes('/favicon.ico')), []);
	});
});
