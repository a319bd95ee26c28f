// The demo as a user sees it: run the demo cold campaign from the editor's "Execute workflow" button,
// then the follow-up after a simulated reply; screenshots of the canvases (with run counts) and of the
// sandbox mail view. These are the README screenshots (copied to docs/screenshots/ by hand).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { bindCredential, readExample } from '../../scripts/n8n/workflows';
import { DEMO_LEADS, DEMO_MAILBOX, advanceClock, simulate } from '../../scripts/demo/seed';
import { errorsFromOurNodes, launchBrowser, type TestBrowser } from '../support/browser';
import { startRealN8n, type RealN8n } from '../support/real-n8n';

describe('demo in the editor and the sandbox view', { timeout: 420_000 }, () => {
	let env: RealN8n;
	let browser: TestBrowser;
	const ids: Record<string, string> = {};
	before(async () => {
		env = await startRealN8n({ name: 'demo-screens', mailbox: DEMO_MAILBOX });
		for (const file of ['demo-cold-campaign.json', 'demo-follow-up-sequence.json']) {
			const wf = readExample(file);
			ids[file] = (await env.client.createWorkflow(bindCredential(wf, env.credential!))).id;
		}
		browser = await launchBrowser({ viewport: { width: 1400, height: 800 } });
		const { page } = browser;
		await page.goto(`${env.n8n.url}/signin`);
		await page.fill('input[name=emailOrLdapLoginId]', env.owner.email);
		await page.fill('input[name=password]', env.owner.password);
		await page.click('[data-test-id=form-submit-button]');
		await page.waitForURL((u) => !u.pathname.startsWith('/signin'), { timeout: 60_000 });
	});
	after(async () => {
		await browser?.close();
		await env?.close();
	});

	/** Opens a workflow, clicks "Execute workflow", waits for n8n's success, screenshots the canvas. */
	async function executeInEditor(file: string, shot: string): Promise<void> {
		const { page } = browser;
		await page.goto(`${env.n8n.url}/workflow/${ids[file]}`);
		await page.locator('[data-test-id=canvas-node]').first().waitFor({ timeout: 60_000 });
		await page.locator('[data-test-id=execute-workflow-button]').first().click();
		const toast = page.getByText('Workflow executed successfully').first();
		await toast.waitFor({ timeout: 120_000 });
		await toast.waitFor({ state: 'hidden', timeout: 20_000 }).catch(() => undefined);
		await page.click('[data-test-id=zoom-to-fit]');
		await page.waitForTimeout(800);
		await browser.screenshot(shot);
	}

	test('cold campaign executed from the editor: the sandbox shows one thread per lead', async () => {
		await executeInEditor('demo-cold-campaign.json', 'demo-cold-campaign-canvas');
		const sent = (await env.sandbox.messages(DEMO_MAILBOX.email)).filter((m) => m.labelIds.includes('SENT'));
		assert.equal(sent.length, 5);
	});

	test('follow-up after a live conversation, an opt-out outside the thread and a bounce (3 days later): canvas and the mail view', async () => {
		for (const lead of DEMO_LEADS) if (lead.behaviour !== 'silent') await simulate(env.sandbox.url, lead.email, lead.behaviour, undefined, DEMO_MAILBOX.email);
		await advanceClock(env.sandbox.url, 'P3D');
		await executeInEditor('demo-follow-up-sequence.json', 'demo-follow-up-canvas');
		const { page } = browser;
		await page.goto(`${env.sandbox.url}/view/${encodeURIComponent(DEMO_MAILBOX.email)}`);
		await page.locator('section.thread').first().waitFor();
		// One thread per lead, plus Margaret's opt-out: a message of its own to the List-Unsubscribe address.
		assert.equal(await page.locator('section.thread').count(), 6);
		await browser.screenshot('demo-sandbox-view');
		assert.deepEqual(errorsFromOurNodes(browser.errors), []);
	});
});
