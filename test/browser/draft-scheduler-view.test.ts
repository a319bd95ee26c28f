// Issue 14: the sandbox mail view shows the Draft Scheduler's drafts as the node really leaves them — each scheduled
// draft with its campaign, step and due time read from its schedule label (Outreach/Scheduled/…), a person's edit in
// Gmail still scheduled, a person's own draft not. The drafts are made by real in-process runs of Gmail Outreach Send
// (step 1) and Gmail Draft Scheduler (Schedule step 2). Screenshot: test-artifacts/draft-scheduler-view.png (the README's).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { IDataObject } from 'n8n-workflow';
import { DEMO_LEADS } from '../../scripts/demo/seed';
import { launchBrowser, type TestBrowser } from '../support/browser';
import { b64url, rawMessage, startSandbox, type TestSandbox } from '../support/sandbox';
import { mailbox, sendStep1 } from '../node/helpers-sequence';
import { personEdits, runScheduler, scheduleParams } from '../node/draft-scheduler-helpers';

const CAMPAIGN = 'spring-outreach';
/** Four leads in four zones: each gets step 2 on Tuesday 31 March 2026 between 09:00 and 11:00 of their own clock. */
const ZONES = ['Europe/London', 'America/New_York', 'Europe/Berlin', 'Asia/Tokyo'];

/** The access token a test mailbox's credential holds (for Gmail calls as the person). */
function tokenOf(mb: { credentials: Record<string, IDataObject> }): string {
	return String((mb.credentials.gmailOutreachOAuth2Api.oauthTokenData as IDataObject).access_token);
}

describe('issue 14: the Draft Scheduler\'s drafts in the sandbox mail view', { timeout: 180_000 }, () => {
	let sb: TestSandbox;
	let browser: TestBrowser;
	let email: string;
	let scheduled: IDataObject[];
	let editedDraft: string;
	let ownDraft: string;
	let token: string;
	before(async () => {
		// Tokens outlive the clock jump below, so the test can act as the person afterwards.
		sb = await startSandbox({ quotaUnitsPerWindow: 1_000_000, tokenLifetimeSec: 30 * 86_400 });
		await sb.clock({ now: '2026-03-26T09:00:00Z' });
		const mb = await mailbox(sb, { email: 'founder@acme-demo.test', type: 'workspace' });
		email = mb.email;
		const leads = DEMO_LEADS.slice(0, ZONES.length).map((l, i) => ({ email: l.email, first_name: l.first_name, company: l.company, timezone: ZONES[i] }));
		const sent = await sendStep1(leads, mb.credentials, { campaign: CAMPAIGN });
		const out = await runScheduler(scheduleParams(2, { campaign: CAMPAIGN }), sent, mb.credentials);
		assert.equal(out.scheduled.length, leads.length, JSON.stringify([...out.failed, ...out.skipped]));
		scheduled = out.scheduled;
		// A person rewrites one scheduled draft in Gmail (new message, our headers dropped) …
		editedDraft = String(scheduled[1].draftId);
		await personEdits(sb, email, editedDraft, { text: 'Hi Grace, a line I wrote myself in Gmail.' });
		// … and writes a draft of their own, which nothing schedules.
		token = tokenOf(mb);
		const own = await sb.gmail(token, 'POST', '/gmail/v1/users/me/drafts', {
			message: { raw: b64url(rawMessage({ from: email, to: 'investor@fund.test', subject: 'Notes for Thursday', text: 'Not for a campaign.' })) },
		});
		assert.equal(own.status, 200, JSON.stringify(own.body));
		ownDraft = String(own.body.id);
		// Early on Tuesday (UTC): Tokyo's window (00:00–02:00 UTC) has passed, nobody else's has begun.
		await sb.clock({ now: '2026-03-31T02:30:00Z' });
		browser = await launchBrowser({ viewport: { width: 1280, height: 640 } });
	});
	after(async () => {
		await browser?.close();
		await sb?.close();
	});

	test('each scheduled draft shows its campaign, step and due time from its label; the edit stays scheduled; the own draft does not', async () => {
		const { page } = browser;
		await page.goto(`${sb.url}/view/${encodeURIComponent(email)}`);
		const rows = page.locator('table.drafts tbody tr');
		await rows.first().waitFor();
		assert.equal(await rows.count(), scheduled.length + 1);
		for (const s of scheduled) {
			const row = page.locator(`tr[data-draft="${s.draftId}"]`);
			assert.equal(await row.getAttribute('data-scheduled'), s.label, `${s.email}: the row names the draft's schedule label`);
			const cells = await row.locator('td').allInnerTexts();
			assert.equal(cells[2], CAMPAIGN, `${s.email}: campaign`);
			assert.equal(cells[3], '2', `${s.email}: step`);
			assert.equal(await row.locator('td[data-due]').getAttribute('data-due'), s.sendAt, `${s.email}: due time`);
			assert.ok(cells[4].includes(String(s.sendAtLocal)), `${s.email}: the lead's local time ${s.sendAtLocal} in "${cells[4]}"`);
			const tokyo = s.timezone === 'Asia/Tokyo';
			assert.match(cells[4], tokyo ? /\ndue · / : /\nin \d+ h/, `${s.email} (${s.timezone}): "${cells[4]}"`);
			assert.equal(/edited in Gmail/.test(cells[1]), s.draftId === editedDraft, `${s.email}: edited mark`);
		}
		// Soonest first: the due Tokyo draft leads the table; the person's own draft comes last, unscheduled.
		const order = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-draft')));
		const byDue = [...scheduled].sort((a, b) => String(a.sendAt).localeCompare(String(b.sendAt))).map((s) => String(s.draftId));
		assert.deepEqual(order, [...byDue, ownDraft]);
		assert.match(await page.locator(`tr[data-draft="${ownDraft}"]`).innerText(), /not scheduled/);
		// The label also marks our step 1 in each lead's thread, as in Gmail.
		for (const s of scheduled) {
			const thread = page.locator(`section.thread[data-thread="${s.threadId}"]`);
			assert.equal(await thread.locator('.label.sched', { hasText: String(s.label) }).count(), 1, `${s.email}: label on the thread`);
		}
		await browser.screenshot('draft-scheduler-view');
		assert.deepEqual(browser.errors.filter((e) => !e.includes('/favicon.ico')), []);
	});

	test('a schedule label whose draft is gone (sent or deleted in Gmail) shows as such, not as a pending draft', async () => {
		const { page } = browser;
		const gone = scheduled[0];
		const del = await sb.gmail(token, 'DELETE', `/gmail/v1/users/me/drafts/${gone.draftId}`);
		assert.equal(del.status, 204, JSON.stringify(del.body));
		await page.reload();
		assert.equal(await page.locator(`tr[data-draft="${gone.draftId}"]`).count(), 0);
		assert.match(await page.locator(`tr[data-stale="${gone.label}"]`).innerText(), /draft gone/);
	});
});
