// The demo as a new user sees it: follow the hints `npm start` prints (the README's "Try the demo" steps, from the
// same list) — open the printed link of the demo cold campaign, sign in on the page n8n shows, land on the workflow,
// click "Execute workflow"; then the follow-up after the leads' simulated answers. Screenshots of the canvases (with
// run counts) and of the sandbox mail view. These are the README screenshots (copied to docs/screenshots/ by hand).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { bindCredential, readExample } from '../../scripts/n8n/workflows';
import { demoHints } from '../../scripts/demo/start';
import { DEMO_LEADS, DEMO_MAILBOX, DEMO_WORKFLOWS, advanceClock, simulate } from '../../scripts/demo/seed';
import { errorsFromOurNodes, launchBrowser, type TestBrowser } from '../support/browser';
import { startRealN8n, type RealN8n } from '../support/real-n8n';

describe('demo in the editor and the sandbox view', { timeout: 420_000 }, () => {
	let env: RealN8n;
	let browser: TestBrowser;
	let hints: string;
	const ids = new Map<string, string>();
	before(async () => {
		env = await startRealN8n({ name: 'demo-screens', mailbox: DEMO_MAILBOX });
		for (const file of ['demo-cold-campaign.json', 'demo-follow-up-sequence.json']) {
			const wf = readExample(file);
			ids.set(wf.name, (await env.client.createWorkflow(bindCredential(wf, env.credential!))).id);
		}
		hints = demoHints({ n8nUrl: env.n8n.url, sandboxUrl: env.sandbox.url, workflowIds: ids }).join('\n');
		browser = await launchBrowser({ viewport: { width: 1400, height: 800 } });
	});
	after(async () => {
		await browser?.close();
		await env?.close();
	});

	/** The link the hints give for a demo workflow. */
	function printedLink(name: string): string {
		const link = new RegExp(`Open "${name}": (\\S+?),? `).exec(hints)?.[1];
		assert.ok(link, `the hints give no link for "${name}":\n${hints}`);
		return link;
	}

	/** On the open workflow: the button reads just "Execute workflow"; click it, wait for n8n's success, screenshot. */
	async function executeInEditor(name: string, shot: string): Promise<void> {
		const { page } = browser;
		await page.locator('[data-test-id=canvas-node]').first().waitFor({ timeout: 60_000 });
		const button = page.locator('[data-test-id=execute-workflow-button]').first();
		// Two enabled triggers would make it "Execute workflow from <trigger>", which reads as if it waits for that one.
		assert.equal((await button.innerText()).trim(), 'Execute workflow', `${name}: the button`);
		await button.click();
		const toast = page.getByText('Workflow executed successfully').first();
		await toast.waitFor({ timeout: 120_000 });
		await toast.waitFor({ state: 'hidden', timeout: 20_000 }).catch(() => undefined);
		await page.click('[data-test-id=zoom-to-fit]');
		await page.waitForTimeout(800);
		await browser.screenshot(shot);
	}

	test('a new user opens the printed "Demo: cold campaign" link, signs in, lands on it and executes it: one thread per lead', async () => {
		const { page } = browser;
		const link = printedLink(DEMO_WORKFLOWS.coldCampaign);
		assert.equal(link, `${env.n8n.url}/workflow/${ids.get(DEMO_WORKFLOWS.coldCampaign)}`);
		await page.goto(link);
		// Signed out, n8n shows its sign-in page first, then the page asked for — not its start page (the Assistant).
		await page.waitForURL((u) => u.pathname.startsWith('/signin'), { timeout: 60_000 });
		await page.fill('input[name=emailOrLdapLoginId]', env.owner.email);
		await page.fill('input[name=password]', env.owner.password);
		await page.click('[data-test-id=form-submit-button]');
		await page.waitForURL((u) => u.pathname === new URL(link).pathname, { timeout: 60_000 });
		await executeInEditor(DEMO_WORKFLOWS.coldCampaign, 'demo-cold-campaign-canvas');
		const sent = (await env.sandbox.messages(DEMO_MAILBOX.email)).filter((m) => m.labelIds.includes('SENT'));
		assert.equal(sent.length, 5);
	});

	test('follow-up after a live conversation, an opt-out outside the thread and a bounce (3 days later): canvas and the mail view', async () => {
		// What the printed `simulate.ts leads` and `advance P3D` do (scripts/demo/simulate.ts).
		assert.match(hints, /simulate\.ts leads\n.*simulate\.ts advance P3D\n/);
		for (const lead of DEMO_LEADS) if (lead.behaviour !== 'silent') await simulate(env.sandbox.url, lead.email, lead.behaviour, undefined, DEMO_MAILBOX.email);
		await advanceClock(env.sandbox.url, 'P3D');
		const { page } = browser;
		await page.goto(printedLink(DEMO_WORKFLOWS.followUp));
		await executeInEditor(DEMO_WORKFLOWS.followUp, 'demo-follow-up-canvas');
		await page.goto(`${env.sandbox.url}/view/${encodeURIComponent(DEMO_MAILBOX.email)}`);
		await page.locator('section.thread').first().waitFor();
		// One thread per lead, plus Margaret's opt-out: a message of its own to the List-Unsubscribe address.
		assert.equal(await page.locator('section.thread').count(), 6);
		await browser.screenshot('demo-sandbox-view');
		assert.deepEqual(errorsFromOurNodes(browser.errors), []);
	});
});
