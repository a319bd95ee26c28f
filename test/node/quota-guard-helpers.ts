// Shared set-up for the Quota Guard's workflow tests (and bench/quota.ts): mailboxes with a seeded window, a service
// account, one call to run the node, and a multi-day campaign through Quota Guard → Gmail Outreach Send.
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';
import { GmailOutreachSend } from '../../nodes/GmailOutreachSend/GmailOutreachSend.node.js';
import { GmailQuotaGuard } from '../../nodes/GmailQuotaGuard/GmailQuotaGuard.node.js';
import { HARNESS_START, runNode, runWorkflow, sandboxOAuthCredential, type HarnessCredentials, type RunNodeResult } from '../support/n8n';
import { b64url, rawMessage, type TestMailbox, type TestSandbox } from '../support/sandbox';

/** The node's outputs by name. */
export interface GuardOutputs {
	sendNow: IDataObject[];
	deferred: IDataObject[];
	failed: IDataObject[];
	summary: IDataObject[];
	all: INodeExecutionData[][];
	result: RunNodeResult;
}

/** Parameters for a run at any time, as fast as the quota allows; tests override what they exercise. */
export function guardParameters(over: INodeParameters = {}): INodeParameters {
	return { accountType: 'gmail', sendWindow: 'anyTime', pacing: 'fast', ...over, options: { addSummary: true, ...((over.options as IDataObject) ?? {}) } };
}

/** Runs the Quota Guard once over the items with the given credentials; outputs split by name. */
export async function runGuard(items: IDataObject[] | INodeExecutionData[], parameters: INodeParameters, credentials: HarnessCredentials): Promise<GuardOutputs> {
	const result = await runNode({ node: GmailQuotaGuard, parameters, items, credentials });
	if (result.error) throw result.error;
	const json = (i: number) => (result.outputs[i] ?? []).map((x) => x.json);
	return { sendNow: json(0), deferred: json(1), failed: json(2), summary: json(3), all: result.outputs, result };
}

/** OAuth2 credentials of one sandbox mailbox. */
export function oauth(sb: TestSandbox, mb: TestMailbox): HarnessCredentials {
	return { gmailOutreachOAuth2Api: sandboxOAuthCredential(sb.url, mb) };
}

/** n leads lead{i}@{domain} with a row_number, as a Google Sheets read gives them. */
export function leads(n: number, domain = 'prospects.test', extra: IDataObject = {}): IDataObject[] {
	return Array.from({ length: n }, (_v, i) => ({ email: `lead${i}@${domain}`, first_name: `First${i}`, company: `Company ${i}`, row_number: i + 2, ...extra }));
}

/** A fresh access token for the mailbox (the refresh-token grant): the sandbox clock may have moved past the old one. */
export async function freshToken(sb: TestSandbox, mb: TestMailbox): Promise<string> {
	const res = await fetch(`${sb.url}/token`, {
		method: 'POST',
		headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
		body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: mb.refreshToken, client_id: 'harness-client-id', client_secret: 'harness-client-secret-3f9a7c' }).toString(),
	});
	const body = (await res.json()) as { access_token?: string };
	if (!body.access_token) throw new Error(`no token: ${JSON.stringify(body)}`);
	return body.access_token;
}

/** Sends `count` API messages (messages.send) from the mailbox, one call each. */
export async function apiSends(sb: TestSandbox, mb: TestMailbox, count: number, to = 'someone@elsewhere.test'): Promise<void> {
	const token = count ? await freshToken(sb, mb) : '';
	for (let i = 0; i < count; i++) {
		const r = await sb.gmail(token, 'POST', '/gmail/v1/users/me/messages/send', { raw: b64url(rawMessage({ from: mb.email, to, subject: `API ${i}` })) });
		if (r.status !== 200) throw new Error(`seed send failed: ${r.status} ${JSON.stringify(r.body)}`);
	}
}

/**
 * Fills the mailbox's last 24 h with `count` sends in four batches 5 h apart (hand-sent and API sends mixed),
 * the last batch just now, so some are not searchable yet. Returns their send times, oldest first.
 */
export async function seedWindow(sb: TestSandbox, mb: TestMailbox, count: number): Promise<number[]> {
	const batches = [0, 1, 2, 3].map((k) => Math.floor((count * (k + 1)) / 4) - Math.floor((count * k) / 4));
	for (const [k, n] of batches.entries()) {
		if (k > 0) await sb.clock({ advance: 'PT5H' });
		const api = Math.min(n, 5);
		if (n - api > 0) await sb.manualSend({ from: mb.email, to: 'friend@elsewhere.test', count: n - api });
		await apiSends(sb, mb, api);
	}
	return await sendTimes(sb, mb.email);
}

/** The send times (internalDate) of a mailbox's sent messages, oldest first. */
export async function sendTimes(sb: TestSandbox, email: string): Promise<number[]> {
	return (await sb.messages(email))
		.filter((m) => m.labelIds.includes('SENT'))
		.map((m) => m.internalDate)
		.sort((a, b) => a - b);
}

/** A service account registered with the sandbox, and a credential for it acting as `delegatedUser`. */
export async function serviceAccount(sb: TestSandbox, delegatedUser: string): Promise<HarnessCredentials> {
	const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
	const clientEmail = `quota-guard-${Math.random().toString(36).slice(2, 8)}@project.iam.gserviceaccount.com`;
	await sb.registerServiceAccount(clientEmail, publicKey.export({ type: 'spki', format: 'pem' }).toString());
	return {
		gmailOutreachServiceAccountApi: {
			serviceAccountJson: JSON.stringify({
				type: 'service_account',
				client_email: clientEmail,
				private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
				token_uri: `${sb.url}/token`,
			}),
			delegatedUser,
			apiBaseUrl: sb.url,
		},
	};
}

/** ISO text of an epoch ms. */
export const iso = (ms: number): string => new Date(ms).toISOString();

/** One simulated day of a campaign: what was sent, what the guard deferred, and anything else (must stay empty). */
export interface CampaignDay {
	sent: IDataObject[];
	deferred: IDataObject[];
	/** Items the Send node did not send (skipped, deferred, failed) and items the guard failed. */
	other: IDataObject[];
}

/** What a campaign run came to. */
export interface CampaignResult {
	days: number;
	perDay: number[];
	sent: IDataObject[];
	/** Per day: count in ≠ count out, or anything on `other`. */
	problems: string[];
	done: boolean;
}

/** Runs a campaign day by day (the guard's Deferred fed back the next day) until every lead is sent or maxDays pass. */
export async function runCampaign(sb: TestSandbox, rows: IDataObject[], day: (pending: IDataObject[]) => Promise<CampaignDay>, opts: { advance?: string; maxDays?: number } = {}): Promise<CampaignResult> {
	let pending = rows;
	const out: CampaignResult = { days: 0, perDay: [], sent: [], problems: [], done: false };
	for (let d = 1; d <= (opts.maxDays ?? 10); d++) {
		const r = await day(pending);
		out.days = d;
		if (r.other.length) out.problems.push(`day ${d}: ${r.other.length} items neither sent nor deferred by the guard (${[...new Set(r.other.map((o) => o.reason))].join(', ')})`);
		if (r.sent.length + r.deferred.length + r.other.length !== pending.length) out.problems.push(`day ${d}: ${pending.length} in, ${r.sent.length + r.deferred.length + r.other.length} out`);
		out.sent.push(...r.sent);
		out.perDay.push(r.sent.length);
		pending = r.deferred;
		if (!pending.length) {
			out.done = true;
			break;
		}
		// A day and a minute: the mailbox's clock (Gmail's Date header) is read to the second, and rounding down counts a send made in the last second before the window closed.
		await sb.clock({ advance: opts.advance ?? 'P1DT1M' });
	}
	return out;
}

/** Send node parameters for a campaign (a plain first email), with the per-minute budget the guard gets too. */
export function campaignSendParameters(over: INodeParameters = {}): INodeParameters {
	return {
		mode: 'send',
		campaign: 'quota-campaign',
		step: 1,
		emailField: 'email',
		subject: 'A question for {{company}}',
		bodyType: 'text',
		text: 'Hi {{first_name}}, a short note about {{company}}.',
		...over,
		options: { quotaUnitsPerMinute: 200_000, retryBudgetSeconds: 10, ...((over.options as IDataObject) ?? {}) },
	};
}

/** One day for one mailbox: Start → Quota Guard → (Send Now) → Gmail Outreach Send, as one workflow. */
export function oneSenderDay(guard: INodeParameters, send: INodeParameters, credentials: HarnessCredentials) {
	return async (pending: IDataObject[]): Promise<CampaignDay> => {
		const run = await runWorkflow({
			nodes: [
				{ id: randomUUID(), name: 'Start', type: HARNESS_START, typeVersion: 1, position: [0, 0], parameters: {} },
				{ id: randomUUID(), name: 'Quota Guard', type: 'gmailQuotaGuard', typeVersion: 1, position: [200, 0], parameters: guard },
				{ id: randomUUID(), name: 'Send', type: 'gmailOutreachSend', typeVersion: 1, position: [400, 0], parameters: send },
			],
			connections: {
				Start: { main: [[{ node: 'Quota Guard', type: 'main', index: 0 }]] },
				'Quota Guard': { main: [[{ node: 'Send', type: 'main', index: 0 }]] },
			},
			nodeTypes: { gmailQuotaGuard: GmailQuotaGuard, gmailOutreachSend: GmailOutreachSend },
			credentials,
			startItems: pending,
		});
		if (run.error) throw run.error;
		const [, deferred, failed] = run.outputsOf('Quota Guard').map((o) => o.map((i) => i.json));
		const outcomes = run.outputsOf('Send').map((o) => o.map((i) => i.json));
		return { sent: outcomes[0] ?? [], deferred: deferred ?? [], other: [...(failed ?? []), ...outcomes.slice(1).flat()] };
	};
}

/**
 * One day for several mailboxes of one service account, as one workflow: Quota Guard assigns each lead a sender, and
 * one Gmail Outreach Send sends each item as its `sender` (Send As Mailbox = {{ $json.sender }}).
 */
export function serviceAccountDay(guard: INodeParameters, send: INodeParameters, credentials: HarnessCredentials) {
	const options = { ...((send.options as IDataObject) ?? {}), sendAsMailbox: '={{ $json.sender }}' };
	return oneSenderDay(guard, { ...send, authentication: 'serviceAccount', options }, credentials);
}
