// The demo's data: one Workspace mailbox in the Gmail Sandbox and the leads the demo workflows mail.
import { DEMO_MAILBOX, seedDemoMailbox } from '../../sandbox/demo';

// The mailbox lives with the sandbox, which creates it itself with --demo.
export { DEMO_MAILBOX };

/** A demo lead, as a Google Sheet row would hold it. */
export interface DemoLead {
	email: string;
	first_name: string;
	company: string;
	pain_point: string;
	/** What the demo's "simulate" helper makes this lead do after the first email ('conversation': the lead replies and the founder answers by hand). */
	behaviour: 'conversation' | 'auto-reply' | 'bounce' | 'unsubscribe-mailto' | 'silent';
}

/** The demo leads (the same rows the demo workflows' Code node emits). */
export const DEMO_LEADS: DemoLead[] = [
	{ email: 'ada@analytical-engines.test', first_name: 'Ada', company: 'Analytical Engines', pain_point: 'slow month-end reporting', behaviour: 'conversation' },
	{ email: 'grace@cobol-works.test', first_name: 'Grace', company: 'COBOL Works', pain_point: 'legacy batch jobs', behaviour: 'silent' },
	{ email: 'linus@kernel-labs.test', first_name: 'Linus', company: 'Kernel Labs', pain_point: 'flaky release pipelines', behaviour: 'auto-reply' },
	{ email: 'margaret@apollo-guidance.test', first_name: 'Margaret', company: 'Apollo Guidance', pain_point: 'manual QA sign-off', behaviour: 'unsubscribe-mailto' },
	{ email: 'alan@bombe-decrypt.test', first_name: 'Alan', company: 'Bombe Decrypt', pain_point: 'too many spreadsheets', behaviour: 'bounce' },
];

/** The demo workflows, by their names in examples/demo-*.json. */
export const DEMO_WORKFLOWS = { coldCampaign: 'Demo: cold campaign', followUp: 'Demo: follow-up sequence' } as const;

/** One step of "Try the demo": `simulate.ts` commands to run (their arguments), then a workflow to open and execute. */
export interface DemoStep {
	run?: string[];
	open?: string;
}

/**
 * The demo's steps, in order: the one source of the README's "Try the demo" list and of the hints `npm start`
 * prints (test/unit/demo-hints.test.ts holds both to it).
 */
export const DEMO_STEPS: DemoStep[] = [
	{ open: DEMO_WORKFLOWS.coldCampaign },
	{ run: ['leads', 'advance P3D'] },
	{ open: DEMO_WORKFLOWS.followUp },
	{ run: ['advance P4D'], open: DEMO_WORKFLOWS.followUp },
];

/** The command line that runs `simulate.ts <args>` against the sandbox at `sandboxUrl` (from the repository folder). */
export function simulateCommand(sandboxUrl: string, args: string): string {
	return `SANDBOX_URL=${sandboxUrl} npx tsx scripts/demo/simulate.ts ${args}`;
}

/** Minimal admin-API access to a running sandbox. */
async function admin(sandboxUrl: string, method: string, path: string, body?: unknown): Promise<any> {
	const res = await fetch(sandboxUrl + path, {
		method,
		headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
		body: body === undefined ? undefined : JSON.stringify(body),
		signal: AbortSignal.timeout(30_000),
	});
	const text = await res.text();
	if (!res.ok) throw new Error(`sandbox ${method} ${path} → ${res.status}: ${text.slice(0, 300)}`);
	return text ? JSON.parse(text) : {};
}

/** Creates the demo mailbox unless the (persisted) sandbox already has it. Returns true when created. */
export async function seedSandbox(sandboxUrl: string): Promise<boolean> {
	return await seedDemoMailbox((method, path, body) => admin(sandboxUrl, method, path, body));
}

/** A message in the sandbox as its admin API lists it (the fields the demo uses). */
interface AdminMessage {
	id: string;
	threadId: string;
	labelIds: string[];
	subject: string;
	to: Array<{ address: string }>;
	internalDate: number;
}

/** Answers the sandbox can simulate (see POST /sandbox/deliver in the README), plus the demo's 'conversation'. */
export const SIMULATED = [
	'reply', 'reply-new-thread', 'colleague-reply', 'conversation', 'auto-reply', 'out-of-office', 'left-company', 'bounce', 'dsn', 'delay',
	'unsubscribe', 'unsubscribe-mailto', 'unsubscribe-new-thread', 'complaint',
] as const;

/**
 * Makes a lead answer the most recent email the demo mailbox sent them (a reply, an out-of-office, a bounce, an opt-out …;
 * the sandbox builds a realistic message). 'conversation': the lead replies and the founder answers that reply by hand.
 */
export async function simulate(
	sandboxUrl: string,
	leadEmail: string,
	kind: (typeof SIMULATED)[number],
	text?: string,
	mailbox: string = DEMO_MAILBOX.email,
): Promise<{ id: string; threadId: string }> {
	const { messages } = (await admin(sandboxUrl, 'GET', `/sandbox/mailboxes/${encodeURIComponent(mailbox)}/messages`)) as {
		messages: AdminMessage[];
	};
	const sent = messages
		.filter((m) => m.labelIds.includes('SENT') && m.to.some((t) => t.address.toLowerCase() === leadEmail.toLowerCase()))
		.sort((a, b) => b.internalDate - a.internalDate);
	if (!sent.length) throw new Error(`the demo mailbox has sent nothing to ${leadEmail} yet: run "Demo: cold campaign" first`);
	const deliver = (body: Record<string, unknown>) => admin(sandboxUrl, 'POST', '/sandbox/deliver', { to: mailbox, ...body });
	if (kind !== 'conversation') return await deliver({ replyTo: sent[0].id, kind, text });
	const reply = await deliver({ replyTo: sent[0].id, kind: 'reply', text: text ?? 'Interesting. What would it cost for a team of twelve?' });
	return await deliver({ replyTo: reply.id, kind: 'owner-reply', text: 'Hi! For twelve people it is 49 EUR a month. Shall we talk on Tuesday?' });
}

/** Moves the sandbox clock (e.g. "P3D"), so follow-ups become due without waiting days. */
export async function advanceClock(sandboxUrl: string, duration: string): Promise<string> {
	const { now } = await admin(sandboxUrl, 'POST', '/sandbox/clock', { advance: duration });
	return now;
}
