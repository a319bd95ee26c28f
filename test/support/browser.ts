// Browser helper: Debian's Chromium (scripts/install-chromium.sh) driven by playwright-core, headless,
// offline-safe flags, a fresh profile per launch; screenshots go to test-artifacts/.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type ConsoleMessage, type Page } from 'playwright-core';
import { ARTIFACTS_DIR } from './real-n8n';

/** Chromium binary (override with CHROMIUM_PATH). */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** A launched browser with one context, collecting console errors and page errors. */
export interface TestBrowser {
	browser: Browser;
	context: BrowserContext;
	page: Page;
	/** Console errors and uncaught page errors seen so far (text, with the source URL when known). */
	errors: string[];
	/** Saves a PNG under test-artifacts/<name>.png and returns its path. */
	screenshot(name: string, opts?: { fullPage?: boolean }): Promise<string>;
	close(): Promise<void>;
}

/** Launches headless Chromium with flags that keep it off the (closed) network. */
export async function launchBrowser(opts: { viewport?: { width: number; height: number } } = {}): Promise<TestBrowser> {
	mkdirSync(ARTIFACTS_DIR, { recursive: true });
	const profile = mkdtempSync(path.join(os.tmpdir(), 'chromium-profile-'));
	const context = await chromium.launchPersistentContext(profile, {
		executablePath: CHROMIUM_PATH,
		headless: true,
		viewport: opts.viewport ?? { width: 1440, height: 900 },
		args: [
			'--no-sandbox',
			'--disable-gpu',
			'--disable-dev-shm-usage',
			'--disable-quic',
			'--no-first-run',
			'--disable-background-networking',
			'--disable-component-update',
			'--disable-sync',
			'--disable-default-apps',
			'--disable-extensions',
		],
		timeout: 60_000,
	});
	const browser = context.browser();
	const page = context.pages()[0] ?? (await context.newPage());
	const errors: string[] = [];
	const onConsole = (msg: ConsoleMessage) => {
		if (msg.type() !== 'error') return;
		const loc = msg.location();
		errors.push(`${msg.text()}${loc?.url ? ` (${loc.url}:${loc.lineNumber})` : ''}`);
	};
	context.on('console', onConsole);
	page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}\n${err.stack ?? ''}`));
	return {
		browser: browser!,
		context,
		page,
		errors,
		async screenshot(name, shotOpts = {}) {
			const file = path.join(ARTIFACTS_DIR, `${name}.png`);
			await page.screenshot({ path: file, fullPage: shotOpts.fullPage ?? false });
			return file;
		},
		async close() {
			await context.close();
			rmSync(profile, { recursive: true, force: true });
		},
	};
}

/** Console errors that point at our package (its nodes, credential, icons or code). */
export function errorsFromOurNodes(errors: string[]): string[] {
	return errors.filter(
		(e) =>
			/gmail-?outreach|gmailOutreach|gmailThreadedReply|GmailThreadedReply|GmailDraftScheduler|GmailReplyDetector|GmailQuotaGuard/i.test(e) &&
			// The editor looks community packages up on registry.npmjs.org; this machine is offline.
			!/registry\.npmjs\.org/.test(e) &&
			// The editor asks for an optional output-schema preview (/schemas/<type>/<version>.json, a
			// node's __schema__ folder) for every node it opens; a 404 only means "no preview".
			!/404 \(Not Found\) \(http:\/\/[^/]+\/schemas\//.test(e),
	);
}
