// Every shape in which Gmail (and Google's front end) says "limit reached", and what the transport makes of it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { IDataObject } from 'n8n-workflow';

import { classifyError, GmailError } from '../../nodes/shared/transport';
import { runNode, sandboxOAuthCredential, type HarnessCredentials } from '../support/n8n';
import { startSandbox, type TestSandbox } from '../support/sandbox';
import { TransportProbe, rawMail } from './probe';

const now = new Date('2026-03-01T12:00:00Z');
const google = (code: number, message: string, reason?: string, domain = 'usageLimits', status?: string) => ({
	error: { code, message, errors: reason ? [{ message, domain, reason }] : [], status },
});

interface Row {
	title: string;
	method: string;
	status: number;
	body: unknown;
	headers?: Record<string, string>;
	now?: string;
	name: string;
	/** Expected retryAt (ISO), or null for "no retryAt". */
	retryAt?: string | null;
	retryable?: boolean;
	/** What the message must (and must not) say. */
	says?: RegExp;
	saysNot?: RegExp;
}

const capText = 'User-rate limit exceeded.  Retry after 2026-03-02T08:15:00.000Z (Mail sending)';

const rows: Row[] = [
	// Gmail's daily sending cap: only the "(Mail sending)" marker or a sending-limit wording, on any method.
	{ title: 'cap 429 (Mail sending) with the time in the text, no header', method: 'messages.send', status: 429, body: google(429, capText, 'rateLimitExceeded', 'usageLimits', 'RESOURCE_EXHAUSTED'), name: 'DailyCapError', retryAt: '2026-03-02T08:15:00.000Z', retryable: false, says: /daily sending limit/ },
	{ title: 'cap 429 (Mail sending) with a Retry-After header and no time in the text', method: 'messages.send', status: 429, body: google(429, 'User-rate limit exceeded (Mail sending)', 'rateLimitExceeded'), headers: { 'Retry-After': '7200' }, name: 'DailyCapError', retryAt: '2026-03-01T14:00:00.000Z' },
	{ title: 'cap 429 (Mail sending), text later than header: text wins', method: 'messages.send', status: 429, body: google(429, capText, 'rateLimitExceeded'), headers: { 'retry-after': '7200' }, name: 'DailyCapError', retryAt: '2026-03-02T08:15:00.000Z' },
	{ title: 'cap 429 (Mail sending), header later than text: header wins', method: 'messages.send', status: 429, body: google(429, capText, 'rateLimitExceeded'), headers: { 'Retry-After': '86400' }, name: 'DailyCapError', retryAt: '2026-03-02T12:00:00.000Z' },
	{ title: 'cap 429 (Mail sending), HTTP-date header later than text', method: 'messages.send', status: 429, body: google(429, capText, 'rateLimitExceeded'), headers: { 'Retry-After': 'Mon, 02 Mar 2026 09:00:00 GMT' }, name: 'DailyCapError', retryAt: '2026-03-02T09:00:00.000Z' },
	{ title: 'cap 429 (Mail sending) with no time at all falls back to now + 24 h', method: 'messages.send', status: 429, body: google(429, 'User-rate limit exceeded (Mail sending)', 'rateLimitExceeded'), name: 'DailyCapError', retryAt: '2026-03-02T12:00:00.000Z' },
	{ title: 'cap sent as 403 (Mail sending)', method: 'messages.send', status: 403, body: google(403, capText, 'userRateLimitExceeded'), name: 'DailyCapError', retryAt: '2026-03-02T08:15:00.000Z', retryable: false },
	{ title: 'cap on drafts.send', method: 'drafts.send', status: 429, body: google(429, capText, 'rateLimitExceeded'), name: 'DailyCapError', retryAt: '2026-03-02T08:15:00.000Z' },
	{ title: 'cap marker on a non-send method is still the cap', method: 'messages.get', status: 429, body: google(429, capText, 'rateLimitExceeded'), name: 'DailyCapError', retryAt: '2026-03-02T08:15:00.000Z' },
	{ title: 'cap wording "Daily user sending limit exceeded"', method: 'messages.send', status: 429, body: google(429, 'Daily user sending limit exceeded.', 'rateLimitExceeded'), headers: { 'Retry-After': '3600' }, name: 'DailyCapError', retryAt: '2026-03-01T13:00:00.000Z' },
	{ title: 'cap wording "Mail sending limit exceeded"', method: 'messages.send', status: 429, body: google(429, 'Mail sending limit exceeded'), name: 'DailyCapError' },
	{ title: 'cap wording "Daily sending quota exceeded"', method: 'messages.send', status: 429, body: google(429, 'Daily sending quota exceeded'), name: 'DailyCapError' },

	// A plain "User-rate limit exceeded" is a per-user rate limit (bandwidth, per-minute units), not the cap.
	{ title: '429 "User-rate limit exceeded. Retry after <time>" without the marker on messages.send', method: 'messages.send', status: 429, body: google(429, 'User-rate limit exceeded.  Retry after 2026-03-01T12:20:00.000Z', 'rateLimitExceeded'), name: 'RateLimitError', retryAt: '2026-03-01T12:20:00.000Z', retryable: true, saysNot: /daily sending limit/ },
	{ title: '429 plain rate limit: the later Retry-After header wins over the text', method: 'messages.send', status: 429, body: google(429, 'User-rate limit exceeded.  Retry after 2026-03-01T12:20:00.000Z', 'rateLimitExceeded'), headers: { 'Retry-After': '1800' }, name: 'RateLimitError', retryAt: '2026-03-01T12:30:00.000Z' },
	{ title: '429 plain rate limit: the later text wins over the header', method: 'messages.get', status: 429, body: google(429, 'User-rate limit exceeded.  Retry after 2026-03-01T12:20:00.000Z'), headers: { 'Retry-After': '60' }, name: 'RateLimitError', retryAt: '2026-03-01T12:20:00.000Z' },
	{ title: '403 userRateLimitExceeded with Retry-After seconds', method: 'messages.list', status: 403, body: google(403, 'User Rate Limit Exceeded', 'userRateLimitExceeded'), headers: { 'Retry-After': '30' }, name: 'RateLimitError', retryAt: '2026-03-01T12:00:30.000Z', retryable: true },
	{ title: '403 rateLimitExceeded with Retry-After HTTP date', method: 'messages.get', status: 403, body: google(403, 'Rate Limit Exceeded', 'rateLimitExceeded'), headers: { 'Retry-After': 'Sun, 01 Mar 2026 12:02:00 GMT' }, name: 'RateLimitError', retryAt: '2026-03-01T12:02:00.000Z', retryable: true },
	{ title: '403 rateLimitExceeded without any time has no retryAt', method: 'messages.get', status: 403, body: google(403, 'Rate Limit Exceeded', 'rateLimitExceeded'), name: 'RateLimitError', retryAt: null, retryable: true },
	{ title: '429 per-minute quota metric is a rate limit', method: 'messages.get', status: 429, body: google(429, "Quota exceeded for quota metric 'Queries' and limit 'Queries per minute per user' of service 'gmail.googleapis.com'", 'rateLimitExceeded', 'global', 'RESOURCE_EXHAUSTED'), name: 'RateLimitError', retryAt: null },

	// Concurrency.
	{ title: '429 "Too many concurrent requests for user"', method: 'messages.send', status: 429, body: google(429, 'Too many concurrent requests for user', 'rateLimitExceeded'), name: 'ConcurrencyError', retryAt: null, retryable: true },
	{ title: '429 concurrency with a Retry-After header carries retryAt', method: 'messages.get', status: 429, body: google(429, 'Too many concurrent requests for user', 'rateLimitExceeded'), headers: { 'Retry-After': '5' }, name: 'ConcurrencyError', retryAt: '2026-03-01T12:00:05.000Z' },

	// The Cloud project's daily quota: not the credential, resets at midnight Pacific.
	{ title: '403 dailyLimitExceeded on a PST date', now: '2026-01-15T20:00:00Z', method: 'messages.send', status: 403, body: google(403, 'Daily Limit Exceeded', 'dailyLimitExceeded'), name: 'ProjectQuotaError', retryAt: '2026-01-16T08:00:00.000Z', retryable: false, says: /project's daily Gmail API quota.*Google Cloud Console.*2026-01-16T08:00:00\.000Z/, saysNot: /reconnect|fix the credential/i },
	{ title: '403 dailyLimitExceeded on a PDT date', now: '2026-07-04T18:00:00Z', method: 'messages.get', status: 403, body: google(403, 'Daily Limit Exceeded', 'dailyLimitExceeded'), name: 'ProjectQuotaError', retryAt: '2026-07-05T07:00:00.000Z', retryable: false },
	{ title: '403 dailyLimitExceeded a second before midnight Pacific', now: '2026-07-05T06:59:59Z', method: 'messages.get', status: 403, body: google(403, 'Daily Limit Exceeded', 'dailyLimitExceeded'), name: 'ProjectQuotaError', retryAt: '2026-07-05T07:00:00.000Z' },
	{ title: '403 dailyLimitExceeded with no reason, by its message', now: '2026-01-15T20:00:00Z', method: 'messages.get', status: 403, body: google(403, 'Daily Limit Exceeded'), name: 'ProjectQuotaError', retryAt: '2026-01-16T08:00:00.000Z' },
	{ title: '403 quotaExceeded', now: '2026-01-15T20:00:00Z', method: 'messages.list', status: 403, body: google(403, 'Quota exceeded', 'quotaExceeded'), name: 'ProjectQuotaError', retryAt: '2026-01-16T08:00:00.000Z', retryable: false },
	{ title: '403 dailyLimitExceededUnreg', now: '2026-01-15T20:00:00Z', method: 'getProfile', status: 403, body: google(403, 'Daily Limit for Unauthenticated Use Exceeded. Continued use requires signup.', 'dailyLimitExceededUnreg'), name: 'ProjectQuotaError', retryAt: '2026-01-16T08:00:00.000Z', says: /unregistered use/ },
	{ title: "429 quota metric with limit 'Queries per day'", now: '2026-01-15T20:00:00Z', method: 'messages.get', status: 429, body: google(429, "Quota exceeded for quota metric 'Queries' and limit 'Queries per day' of service 'gmail.googleapis.com' for consumer 'project_number:1'.", 'rateLimitExceeded', 'global', 'RESOURCE_EXHAUSTED'), name: 'ProjectQuotaError', retryAt: '2026-01-16T08:00:00.000Z' },

	// Permission problems stay what they are.
	{ title: '403 domainPolicy', method: 'messages.send', status: 403, body: google(403, 'The domain administrators have disabled Gmail apps.', 'domainPolicy', 'global'), name: 'PermissionError', retryable: false, says: /domain's policy/ },
	{ title: '403 insufficientPermissions', method: 'messages.send', status: 403, body: google(403, 'Request had insufficient authentication scopes.', 'insufficientPermissions', 'global', 'PERMISSION_DENIED'), name: 'ScopeError', retryable: false, says: /gmail\.send/ },
];

describe('classifyError: Gmail limit messages', () => {
	for (const row of rows) {
		test(row.title, () => {
			const at = row.now ? new Date(row.now) : now;
			const e = classifyError(row.method, row.status, row.body, row.headers ?? {}, undefined, at) as GmailError & { retryAt?: Date; retryAfterMs?: number };
			assert.equal(e.name, row.name, e.message);
			assert.equal(e.status, row.status);
			if (row.retryAt !== undefined) assert.equal(e.retryAt?.toISOString() ?? null, row.retryAt);
			if (row.retryable !== undefined) assert.equal(e.retryable, row.retryable);
			if (row.says) assert.match(e.message, row.says);
			if (row.saysNot) assert.doesNotMatch(e.message, row.saysNot);
			if (e.name === 'RateLimitError' || e.name === 'ConcurrencyError') {
				// retryAfterMs is the same hint as retryAt, measured from the classification time.
				assert.equal(e.retryAfterMs, e.retryAt ? e.retryAt.getTime() - at.getTime() : undefined);
			}
		});
	}
});

describe('the client waits for the time Gmail names, and never retries a daily limit', { timeout: 120_000 }, () => {
	let sb: TestSandbox;
	let n = 0;
	before(async () => {
		sb = await startSandbox();
	});
	after(async () => {
		await sb.close();
	});

	async function mailbox() {
		const mb = await sb.createMailbox({ email: `limits${++n}@example.com` });
		const credentials: HarnessCredentials = { gmailOutreachOAuth2Api: sandboxOAuthCredential(sb.url, mb) };
		return { ...mb, credentials };
	}

	async function probe(credentials: HarnessCredentials, op: string, items: IDataObject[], clientOptions: IDataObject = {}) {
		const parameters = { op, clientOptions: JSON.stringify({ budgetMs: 20000, credentialType: 'oAuth2', ...clientOptions }) };
		const r = await runNode({ node: TransportProbe, parameters, items, credentials });
		assert.equal(r.error, undefined, r.error?.message);
		return r.outputs[0].map((i) => i.json as IDataObject & { ok: boolean; result: any; error: any; client: any; ms: number });
	}

	test('a plain rate limit with "Retry after <time>" is retried no earlier than that time', async () => {
		const mb = await mailbox();
		const [sent] = await probe(mb.credentials, 'send', [{ raw: rawMail(mb.email, 'lead@example.org', 'Hi') }]);
		const retryAt = new Date(Date.now() + 3500).toISOString();
		await sb.faults({ mailbox: mb.email, rules: [{ method: 'messages.get', status: 429, reason: 'rateLimitExceeded', message: `User-rate limit exceeded.  Retry after ${retryAt}`, count: 1 }] });
		const [got] = await probe(mb.credentials, 'getMessage', [{ id: sent.result.id }]);
		await sb.clearFaults();
		assert.equal(got.ok, true, JSON.stringify(got.error));
		assert.equal(got.client.retries, 1);
		// Backoff alone would have retried after 1–2 s.
		assert.ok(Date.now() >= new Date(retryAt).getTime(), `retried before ${retryAt}`);
		assert.ok(got.ms >= 2500, `waited only ${got.ms} ms`);
	});

	test('a rate limit whose time is past the retry budget fails at once with that time', async () => {
		const mb = await mailbox();
		const retryAt = new Date(Date.now() + 10 * 60_000).toISOString();
		await sb.faults({ mailbox: mb.email, rules: [{ method: 'getProfile', status: 429, reason: 'rateLimitExceeded', message: `User-rate limit exceeded.  Retry after ${retryAt}`, count: 5 }] });
		const [got] = await probe(mb.credentials, 'getProfile', [{}]);
		await sb.clearFaults();
		assert.equal(got.ok, false);
		assert.equal(got.error.name, 'RateLimitError');
		assert.equal(got.client.retries, 0);
		assert.ok(got.ms < 2000, `took ${got.ms} ms`);
	});

	test("the project's daily quota is not retried and does not blame the credential", async () => {
		const mb = await mailbox();
		await sb.faults({ mailbox: mb.email, rules: [{ method: 'getProfile', status: 403, reason: 'dailyLimitExceeded', message: 'Daily Limit Exceeded', count: 5 }] });
		const [got] = await probe(mb.credentials, 'getProfile', [{}]);
		await sb.clearFaults();
		assert.equal(got.ok, false);
		assert.equal(got.error.name, 'ProjectQuotaError');
		assert.doesNotMatch(got.error.message, /reconnect/);
		assert.equal(got.client.calls['users.getProfile'], 1);
		assert.equal(got.client.retries, 0);
	});

	test('a 403 "(Mail sending)" on send is the daily cap, sent once and not retried', async () => {
		const mb = await mailbox();
		await sb.faults({ mailbox: mb.email, rules: [{ method: 'messages.send', status: 403, reason: 'userRateLimitExceeded', message: capText, count: 5 }] });
		const [got] = await probe(mb.credentials, 'send', [{ raw: rawMail(mb.email, 'lead@example.org', 'Capped') }]);
		await sb.clearFaults();
		assert.equal(got.ok, false);
		assert.equal(got.error.name, 'DailyCapError');
		assert.equal(got.client.calls['messages.send'], 1);
		assert.equal(got.client.retries, 0);
	});
});
