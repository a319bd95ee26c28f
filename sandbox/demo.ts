// The demo mailbox: one source for `npm start` (scripts/demo/seed.ts) and the sandbox's own --demo flag.
import type { Sandbox } from './index';

/** The demo sender mailbox (a Workspace account: 2,000 sends a day). */
export const DEMO_MAILBOX = {
	email: 'founder@acme-demo.test',
	type: 'workspace' as const,
	timezone: 'Europe/Berlin',
	// The demo campaign's List-Unsubscribe mailto: an alias, so opt-outs sent to it land in this mailbox.
	aliases: ['unsubscribe@acme-demo.test'],
};

/** One call to the sandbox's admin API (over HTTP or in process); resolves to the parsed JSON answer, throws on an error status. */
export type AdminCall = (method: 'GET' | 'POST', path: string, body?: unknown) => Promise<any>;

/** Admin calls answered by the sandbox in process, without a socket (the CLI seeds before it listens). */
export function inProcessAdmin(sandbox: Pick<Sandbox, 'dispatch'>): AdminCall {
	return async (method, path, body) => {
		const res = await sandbox.dispatch({
			method,
			path,
			query: new URLSearchParams(),
			headers: body === undefined ? {} : { 'content-type': 'application/json' },
			body: body === undefined ? '' : JSON.stringify(body),
		});
		if (res.status >= 400) throw new Error(`sandbox ${method} ${path} → ${res.status}: ${JSON.stringify(res.body).slice(0, 300)}`);
		return res.body;
	};
}

/** Creates the demo mailbox unless the (persisted) sandbox already has it. Returns true when created. */
export async function seedDemoMailbox(admin: AdminCall): Promise<boolean> {
	const { mailboxes } = (await admin('GET', '/sandbox/mailboxes')) as { mailboxes: Array<{ email: string }> };
	if (mailboxes.some((m) => m.email === DEMO_MAILBOX.email)) return false;
	await admin('POST', '/sandbox/mailboxes', DEMO_MAILBOX);
	return true;
}
