// Real n8n editor in headless Chromium: log in, search the node panel for the words a user types (every node of
// ours comes up where it fits), find each of our nodes in the node panel, add it to a canvas, open its parameters,
// open the credential dialog (connected to the sandbox). Screenshots go to test-artifacts/; any console error that
// comes from our nodes fails the test.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { PACKAGE_NAME } from '../../scripts/n8n/runtime';
import { errorsFromOurNodes, launchBrowser, type TestBrowser } from '../support/browser';
import { ARTIFACTS_DIR, startRealN8n, type RealN8n } from '../support/real-n8n';

describe('n8n editor with our nodes', { timeout: 420_000 }, () => {
	let env: RealN8n;
	let browser: TestBrowser;
	let ours: Array<{ name: string; displayName: string; properties?: Array<{ name: string; options?: Array<{ action?: string }> }> }>;
	before(async () => {
		env = await startRealN8n({ name: 'browser' });
		// n8n also lists a generated "<node>Tool" variant for AI agents; it lives in the agent's tool panel.
		ours = (await env.client.nodeTypes()).filter((t) => t.name.startsWith(`${PACKAGE_NAME}.`) && !t.name.endsWith('Tool'));
		browser = await launchBrowser();
		// loadOptions calls (dynamic-node-parameters) of our nodes that fail: the console only says "500".
		browser.page.on('response', async (res) => {
			if (!res.url().includes('/rest/dynamic-node-parameters/') || res.status() < 400) return;
			const body = res.request().postData() ?? '';
			if (!body.includes(PACKAGE_NAME)) return;
			const method = /"(?:loadOptionsMethod|methodName)":"([^"]+)"/.exec(body)?.[1] ?? '?';
			browser.errors.push(`${PACKAGE_NAME} loadOptions ${method} → ${res.status()}: ${(await res.text().catch(() => '')).slice(0, 300)} request: ${body.slice(0, 600)}`);
		});
	});
	after(async () => {
		if (browser) writeFileSync(path.join(ARTIFACTS_DIR, 'n8n-editor-console.log'), browser.errors.join('\n'));
		await browser?.close();
		await env?.close();
	});

	test('logs in with the owner from the environment (no sign-up screen)', async () => {
		const { page } = browser;
		await page.goto(`${env.n8n.url}/signin`);
		await page.fill('input[name=emailOrLdapLoginId]', env.owner.email);
		await page.fill('input[name=password]', env.owner.password);
		await page.click('[data-test-id=form-submit-button]');
		await page.waitForURL((u) => !u.pathname.startsWith('/signin') && !u.pathname.startsWith('/setup'), { timeout: 60_000 });
	});

	test('node panel search: the words a user types for outreach find every node of ours they fit', async () => {
		const { page } = browser;
		const all = ours.map((n) => n.displayName);
		const named = (...names: string[]) => names.map((n) => `Gmail ${n}`);
		const followUps = named('Threaded Reply', 'Draft Scheduler', 'Reply Detector', 'Reply Detector Trigger');
		// term → the nodes of ours it must list (codex aliases and display names; n8n's search reads nothing else).
		const expected: Array<[string, string[]]> = [
			['outreach', all],
			['gmail outreach', all],
			['sequence', all],
			['cold email', all],
			['follow up', followUps],
			['bounce', named('Reply Detector', 'Reply Detector Trigger')],
			['out of office', named('Reply Detector', 'Reply Detector Trigger', 'Threaded Reply', 'Draft Scheduler')],
		];
		assert.ok(all.includes('Gmail Reply Detector Trigger') && all.length === 6, all.join(', '));
		// A new workflow has no trigger yet, so the panel offers triggers and action nodes alike.
		await page.goto(`${env.n8n.url}/workflow/new`);
		await page.locator('[data-test-id=canvas]').waitFor({ timeout: 60_000 });
		const missing: string[] = [];
		for (const [term, want] of expected) {
			await page.click('[data-test-id=node-creator-plus-button]');
			await page.locator('input[data-test-id=node-creator-search-bar], [data-test-id=node-creator-search-bar] input').first().fill(term);
			await page.locator('[data-test-id=node-creator-item-name]', { hasText: want[0] }).first().waitFor({ timeout: 15_000 }).catch(() => undefined);
			const found = new Set((await page.locator('[data-test-id=node-creator-item-name]').allInnerTexts()).map((t) => t.trim()));
			for (const name of want) if (!found.has(name)) missing.push(`"${term}" → ${name} (found: ${[...found].join(', ') || 'nothing'})`);
			if (term === 'outreach') await browser.screenshot('n8n-node-panel-search-outreach');
			await page.keyboard.press('Escape');
			await page.locator('[data-test-id=node-creator-item-name]').first().waitFor({ state: 'hidden', timeout: 10_000 }).catch(() => undefined);
		}
		assert.deepEqual(missing, []);
	});

	test('each of our nodes: node panel search → add to canvas → parameters open', async (t) => {
		assert.ok(ours.length >= 1, 'no nodes of ours loaded');
		const { page } = browser;
		t.after(async () => {
			await browser.screenshot('n8n-editor-last-state').catch(() => undefined);
		});
		await page.goto(`${env.n8n.url}/workflow/new`);
		await page.locator('[data-test-id=canvas]').waitFor({ timeout: 60_000 });
		for (const [i, node] of ours.entries()) {
			await page.click('[data-test-id=node-creator-plus-button]');
			await page.locator('input[data-test-id=node-creator-search-bar], [data-test-id=node-creator-search-bar] input').first().fill(node.displayName);
			const item = page.locator('[data-test-id=node-creator-item-name]', { hasText: node.displayName }).first();
			await item.waitFor({ timeout: 15_000 });
			await item.click();
			// A community node shows its details first; "Add to workflow" places it.
			const add = page.getByRole('button', { name: 'Add to workflow' });
			if (await add.isVisible({ timeout: 3000 }).catch(() => false)) await add.click();
			// A node with operations (Draft Scheduler) lists its actions in the details panel: the first one places it.
			const firstAction = node.properties?.find((p) => p.name === 'operation')?.options?.[0]?.action;
			if (firstAction) await page.getByText(firstAction, { exact: true }).first().click();
			const ndv = page.locator('[data-test-id=ndv]');
			await ndv.waitFor({ timeout: 30_000 });
			await page.locator('[data-test-id=node-parameters]').waitFor();
			assert.match(await page.locator('[data-test-id=node-title-container]').innerText(), new RegExp(node.displayName));
			assert.ok((await page.locator('[data-test-id=node-parameters] [data-test-id=parameter-item]').count()) >= 3, `${node.displayName}: parameters not shown`);
			// The credential of ours was picked automatically (it is the only one of its type).
			const slot = page.locator('[data-test-id=node-credentials-select]');
			const shown = `${await slot.innerText()} ${await slot.locator('input').first().inputValue().catch(() => '')}`;
			assert.match(shown, /Gmail Sandbox/);
			// "From" is loaded from the mailbox (settings.sendAs) through the credential: real loadOptions.
			const from = page.locator('[data-test-id=parameter-input-from]');
			if (await from.count()) {
				const fetchError = page.locator('[data-test-id=node-parameters] input[placeholder^="Error fetching options"]:visible');
				assert.equal(await fetchError.count(), 0, `${node.displayName}: the From list shows "Error fetching options" (see the loadOptions errors below)\n${errorsFromOurNodes(browser.errors).join('\n')}`);
				// The editor may ask for the list before it assigns the credential; then the field offers the
				// connected mailbox, and the aliases appear once the node is opened again with its credential.
				if (!(await fromListShows(page, from, env.mailbox.email))) {
					await page.click('[data-test-id=ndv-close-button]');
					await ndv.waitFor({ state: 'hidden', timeout: 10_000 });
					await page.locator('[data-test-id=canvas-node]', { hasText: node.displayName }).last().dblclick();
					await ndv.waitFor({ timeout: 30_000 });
					// n8n's editor skips the reload it owes on the credential change while the first load is still in flight
					// (a busy machine), and keeps the short list; then the editor's own options request, sent from the
					// signed-in page with the node's credential, must list the mailbox (README: Troubleshooting).
					const shown = (await fromListShows(page, from, env.mailbox.email)) || (await optionsRequestLists(page, node, env));
					assert.ok(
						shown,
						`${node.displayName}: the From list never showed ${env.mailbox.email}; errors from our nodes:\n${errorsFromOurNodes(browser.errors).join('\n')}`,
					);
				}
			}
			await browser.screenshot(`n8n-node-${node.name.split('.')[1]}-parameters`);
			if (i === 0) {
				await page.click('[data-test-id=credential-edit-button]');
				const dialog = page.getByRole('dialog').filter({ hasText: 'Gmail Outreach OAuth2 API' });
				await dialog.waitFor({ timeout: 15_000 });
				assert.match(await dialog.innerText(), /Account connected/);
				await browser.screenshot('n8n-credential-dialog');
				await page.keyboard.press('Escape');
				await dialog.waitFor({ state: 'hidden', timeout: 10_000 });
			}
			// Escape on the credential dialog may already have closed the node view too.
			if (await ndv.isVisible()) await page.click('[data-test-id=ndv-close-button]');
			await ndv.waitFor({ state: 'hidden', timeout: 10_000 });
		}
		// Manual trigger (added by n8n for the first action node) + ours.
		assert.equal(await page.locator('[data-test-id=canvas-node]').count(), ours.length + 1);
		await page.click('[data-test-id=zoom-to-fit]');
		await browser.screenshot('n8n-canvas-our-nodes');
		assert.deepEqual(errorsFromOurNodes(browser.errors), []);
	});
});

/** Opens the From list and says whether it shows `email` (loaded from the mailbox's send-as settings). */
async function fromListShows(page: Page, from: Locator, email: string): Promise<boolean> {
	await from.click();
	const option = page.locator('[data-test-id=parameter-input-item]:visible', { hasText: email }).first();
	const shown = await option.waitFor({ timeout: 20_000 }).then(() => true, () => false);
	await page.keyboard.press('Escape');
	return shown;
}

/** Sends the editor's loadOptions request for From (as the page would, signed in) and says whether it lists the mailbox. */
async function optionsRequestLists(page: Page, node: { name: string }, env: RealN8n): Promise<boolean> {
	const body = {
		nodeTypeAndVersion: { name: node.name, version: 1 },
		path: 'parameters.from',
		methodName: 'getSendAsAliases',
		currentNodeParameters: { authentication: 'oAuth2' },
		credentials: { gmailOutreachOAuth2Api: env.credential },
	};
	const listed = await page.evaluate(
		async ({ url, body }) => {
			const res = await fetch(`${url}/rest/dynamic-node-parameters/options`, {
				method: 'POST',
				credentials: 'include',
				headers: { 'Content-Type': 'application/json', 'browser-id': localStorage.getItem('n8n-browserId') ?? '' },
				body: JSON.stringify(body),
			});
			return `${res.status} ${await res.text()}`;
		},
		{ url: env.n8n.url, body },
	);
	return listed.startsWith('200') && listed.includes(env.mailbox.email);
}
