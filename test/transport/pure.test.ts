import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { backoffDelay, classifyError, METHOD_UNITS, nextPacificMidnight, parseRetryAfter, Pacer, retryAtOf, unitsFor } from '../../nodes/shared/transport';
import { buildBatchBody, parseBatchResponse } from '../../nodes/shared/transport/batch';

const now = new Date('2026-03-01T12:00:00Z');
const google = (code: number, message: string, reason?: string, status?: string) => ({
	error: { code, message, errors: reason ? [{ message, domain: 'global', reason }] : [], status },
});

describe('classifyError', () => {
	const table: Array<[string, string, number | undefined, unknown, string, Record<string, unknown>?]> = [
		['daily cap with Retry after text', 'messages.send', 429, google(429, 'User-rate limit exceeded.  Retry after 2026-03-02T08:15:00.000Z (Mail sending)', 'rateLimitExceeded', 'RESOURCE_EXHAUSTED'), 'DailyCapError', { retryable: false }],
		['daily cap without a time falls back to now+24h', 'messages.send', 429, google(429, 'User-rate limit exceeded (Mail sending)', 'rateLimitExceeded'), 'DailyCapError'],
		['per-minute 429', 'messages.get', 429, google(429, 'Quota exceeded for quota metric', 'rateLimitExceeded'), 'RateLimitError', { retryable: true }],
		['per-minute 403 userRateLimitExceeded', 'messages.list', 403, google(403, 'User Rate Limit Exceeded', 'userRateLimitExceeded'), 'RateLimitError', { retryable: true }],
		['concurrency', 'messages.send', 429, google(429, 'Too many concurrent requests for user', 'rateLimitExceeded'), 'ConcurrencyError', { retryable: true }],
		['backend 503 on a read', 'messages.get', 503, google(503, 'Backend Error', 'backendError'), 'BackendError', { retryable: true }],
		['backend 500 on send is unknown outcome', 'messages.send', 500, google(500, 'Backend Error', 'backendError'), 'UnknownOutcomeError', { retryable: false }],
		['network error on a read', 'messages.get', undefined, undefined, 'NetworkError', { retryable: true }],
		['network error on drafts.send', 'drafts.send', undefined, undefined, 'UnknownOutcomeError', { retryable: false }],
		['401', 'users.getProfile', 401, google(401, 'Request had invalid authentication credentials.', 'authError', 'UNAUTHENTICATED'), 'AuthError'],
		['invalid_grant', 'users.getProfile', 400, { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' }, 'AuthError'],
		['scope', 'messages.send', 403, google(403, 'Request had insufficient authentication scopes.', 'insufficientPermissions', 'PERMISSION_DENIED'), 'ScopeError'],
		['domain policy', 'messages.send', 403, google(403, 'Domain policy has disabled third-party Drive apps', 'domainPolicy'), 'PermissionError'],
		['raw', 'messages.send', 400, google(400, "Invalid value at 'message.raw' (TYPE_BYTES), Base64 decoding failed", 'invalidArgument'), 'InvalidRequestError', { field: 'raw' }],
		['recipients', 'messages.send', 400, google(400, 'Recipient address required', 'invalidArgument'), 'InvalidRequestError', { field: 'recipients' }],
		['thread', 'messages.send', 400, google(400, 'Invalid thread_id value', 'invalidArgument'), 'InvalidRequestError', { field: 'threadId' }],
		['from', 'messages.send', 400, google(400, 'Invalid From header: not a verified send-as alias', 'invalidArgument'), 'InvalidRequestError', { field: 'from' }],
		['not found', 'messages.get', 404, google(404, 'Requested entity was not found.', 'notFound', 'NOT_FOUND'), 'NotFoundError'],
		['history too old', 'history.list', 404, google(404, 'Requested entity was not found.', 'notFound'), 'HistoryTooOldError'],
		['label conflict', 'labels.create', 409, google(409, 'Label name exists or conflicts', 'failedPrecondition'), 'ConflictError'],
		['body as a JSON string', 'messages.get', 404, JSON.stringify(google(404, 'Not Found', 'notFound')), 'NotFoundError'],
	];
	for (const [title, method, status, body, name, fields] of table) {
		test(title, () => {
			const e = classifyError(method, status, body, {}, status === undefined ? Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }) : undefined, now);
			assert.equal(e.name, name);
			assert.equal(e.method, method);
			for (const [k, v] of Object.entries(fields ?? {})) assert.equal((e as unknown as Record<string, unknown>)[k], v, k);
		});
	}
	test('daily cap retry time comes from the text, else Retry-After, else now+24h', () => {
		const fromText = classifyError('messages.send', 429, google(429, 'User-rate limit exceeded.  Retry after 2026-03-02T08:15:00.000Z (Mail sending)'), {}, undefined, now);
		assert.equal((fromText as { retryAt?: Date }).retryAt?.toISOString(), '2026-03-02T08:15:00.000Z');
		const fromHeader = classifyError('messages.send', 429, google(429, 'User-rate limit exceeded (Mail sending)'), { 'Retry-After': '3600' }, undefined, now);
		assert.equal((fromHeader as { retryAt?: Date }).retryAt?.toISOString(), '2026-03-01T13:00:00.000Z');
		const fallback = classifyError('messages.send', 429, google(429, 'User-rate limit exceeded (Mail sending)'), {}, undefined, now);
		assert.equal((fallback as { retryAt?: Date }).retryAt?.toISOString(), '2026-03-02T12:00:00.000Z');
	});
	test('messages keep Gmail reason and say what to do', () => {
		const e = classifyError('users.getProfile', 400, { error: 'invalid_grant' }, {}, undefined, now);
		assert.match(e.message, /reconnect the credential/);
		assert.equal(e.reason, 'invalid_grant');
		const s = classifyError('messages.send', 403, google(403, 'insufficient scopes', 'insufficientPermissions'), {}, undefined, now);
		assert.match(s.message, /gmail\.send/);
	});
});

describe('parseRetryAfter', () => {
	const table: Array<[string | undefined, string | undefined]> = [
		['120', '2026-03-01T12:02:00.000Z'],
		['0', '2026-03-01T12:00:00.000Z'],
		['Sun, 01 Mar 2026 12:00:30 GMT', '2026-03-01T12:00:30.000Z'],
		['User-rate limit exceeded.  Retry after 2026-03-01T18:00:00Z (Mail sending)', '2026-03-01T18:00:00.000Z'],
		['Retry after 2026-03-01T18:00:00.123+02:00', '2026-03-01T16:00:00.123Z'],
		['soon', undefined],
		['', undefined],
		[undefined, undefined],
	];
	for (const [input, expected] of table) {
		test(String(input), () => assert.equal(parseRetryAfter(input, now)?.toISOString(), expected));
	}
});

describe('retryAtOf (header, message): the later one wins', () => {
	const table: Array<[string, string | undefined, string | undefined, string | undefined]> = [
		['header seconds only', '60', 'User-rate limit exceeded', '2026-03-01T12:01:00.000Z'],
		['message time only', undefined, 'User-rate limit exceeded. Retry after 2026-03-01T15:00:00.000Z', '2026-03-01T15:00:00.000Z'],
		['message later than header', '60', 'Retry after 2026-03-01T15:00:00Z (Mail sending)', '2026-03-01T15:00:00.000Z'],
		['header later than message', '86400', 'Retry after 2026-03-01T15:00:00Z (Mail sending)', '2026-03-02T12:00:00.000Z'],
		['HTTP-date header later than message', 'Sun, 01 Mar 2026 16:00:00 GMT', 'Retry after 2026-03-01T15:00:00Z', '2026-03-01T16:00:00.000Z'],
		['a number in the message is not a wait', undefined, '429', undefined],
		['neither', undefined, 'Rate Limit Exceeded', undefined],
	];
	for (const [title, header, message, expected] of table) {
		test(title, () => assert.equal(retryAtOf(header, message, now)?.toISOString(), expected));
	}
});

describe('nextPacificMidnight (when Google resets daily project quotas)', () => {
	const table: Array<[string, string, string]> = [
		['PST afternoon', '2026-01-15T20:00:00Z', '2026-01-16T08:00:00.000Z'],
		['PDT morning', '2026-07-04T18:00:00Z', '2026-07-05T07:00:00.000Z'],
		['a millisecond before midnight PDT', '2026-07-05T06:59:59.999Z', '2026-07-05T07:00:00.000Z'],
		['exactly midnight PDT is the next day', '2026-07-05T07:00:00.000Z', '2026-07-06T07:00:00.000Z'],
		['evening before spring-forward (PST → next midnight PST)', '2026-03-08T07:30:00Z', '2026-03-08T08:00:00.000Z'],
		['spring-forward day (next midnight is PDT)', '2026-03-08T19:00:00Z', '2026-03-09T07:00:00.000Z'],
		['evening before fall-back (PDT)', '2026-11-01T06:00:00Z', '2026-11-01T07:00:00.000Z'],
		['fall-back day (next midnight is PST)', '2026-11-01T20:00:00Z', '2026-11-02T08:00:00.000Z'],
		['UTC midnight is afternoon in Los Angeles', '2026-01-16T00:00:00Z', '2026-01-16T08:00:00.000Z'],
	];
	for (const [title, at, expected] of table) {
		test(title, () => assert.equal(nextPacificMidnight(new Date(at)).toISOString(), expected));
	}
});

describe('backoffDelay', () => {
	const table: Array<[number, number, number]> = [
		// attempt, random, expected ms
		[0, 0, 1000],
		[0, 1, 2000],
		[1, 0.5, 2500],
		[3, 1, 16000],
		[10, 1, 32000],
		[10, 0, 1000],
	];
	for (const [attempt, random, expected] of table) {
		test(`attempt ${attempt}, random ${random}`, () => assert.equal(backoffDelay(attempt, { random: () => random }), expected));
	}
	test('first wait is at least 1 s and never above the cap', () => {
		for (let i = 0; i < 200; i++) {
			const d = backoffDelay(i % 12);
			assert.ok(d >= 1000 && d <= 32000);
		}
	});
});

describe('quota units', () => {
	const table: Array<[string, number]> = [
		['users.getProfile', 1], ['labels.list', 1], ['history.list', 2], ['messages.get', 5], ['messages.list', 5],
		['drafts.create', 10], ['threads.get', 10], ['drafts.update', 15], ['messages.batchModify', 50], ['messages.send', 100], ['drafts.send', 100],
	];
	for (const [method, units] of table) test(method, () => assert.equal(METHOD_UNITS[method], units));
	test('unknown methods cost 5', () => assert.equal(unitsFor('messages.whatever'), 5));
});

describe('Pacer', () => {
	test('never exceeds the concurrency cap, and holds calls over the window budget', async () => {
		const pacer = new Pacer({ unitsPerWindow: 10, windowMs: 300, concurrency: 2 });
		let inFlight = 0;
		let peak = 0;
		const starts: number[] = [];
		const t0 = Date.now();
		await Promise.all(
			Array.from({ length: 6 }, async () => {
				const release = await pacer.acquire(5);
				starts.push(Date.now() - t0);
				peak = Math.max(peak, ++inFlight);
				await new Promise((r) => setTimeout(r, 10));
				inFlight--;
				release();
			}),
		);
		assert.equal(peak, 2);
		starts.sort((a, b) => a - b);
		// 10 units per 300 ms = 2 calls of 5 per window: calls 3-4 wait one window, 5-6 two.
		assert.ok(starts[2] >= 300, `third call started at ${starts[2]}`);
		assert.ok(starts[4] >= 600, `fifth call started at ${starts[4]}`);
	});

	test('a per-minute refusal cuts the budget to 70 % of the window\'s spend, once per burst, never under 1/8', async () => {
		const pacer = new Pacer({ unitsPerWindow: 1000, windowMs: 60_000, concurrency: 4 });
		const t = Date.now();
		for (let i = 0; i < 8; i++) (await pacer.acquire(100))();
		pacer.refused(t - 5, t, () => 0);
		assert.equal(pacer.budget(t), 560, '70 % of the 800 units spent');
		pacer.refused(t - 3, t + 1, () => 0);
		assert.equal(pacer.budget(t), 560, 'a call in flight at the cut is the same news');
		for (let i = 1; i <= 5; i++) pacer.refused(t + 10 * i, t + 10 * i + 1, () => 0);
		assert.equal(pacer.budget(t), 125, 'at most down to an eighth');
	});

	test('a cut budget grows back a tenth per window without a refusal, counted after the jitter wait', () => {
		const pacer = new Pacer({ unitsPerWindow: 1000, windowMs: 1000, concurrency: 4 });
		const t = Date.now();
		pacer.refused(t, t, () => 0.5);
		assert.equal(pacer.budget(t), 125, 'nothing spent: the floor');
		// Held 0.5 x 20 % of a window (100 ms), then a window of sending earns a tenth.
		assert.equal(pacer.budget(t + 1050), 125);
		assert.equal(pacer.budget(t + 1100), 225);
		assert.equal(pacer.budget(t + 9100), 1000, 'a pacer alone gets it all back');
	});

	test('after a refusal the pacer waits out the jitter, and retries go before first tries', async () => {
		const pacer = new Pacer({ unitsPerWindow: 1000, windowMs: 1000, concurrency: 1 });
		const order: string[] = [];
		const first = await pacer.acquire(10);
		const t = Date.now();
		pacer.refused(t, t, () => 1);
		const waits = ['new 1', 'new 2'].map((n) => pacer.acquire(10).then((r) => (order.push(n), r())));
		const retry = pacer.acquire(10, true).then((r) => (order.push('retry'), r()));
		first();
		await Promise.all([...waits, retry]);
		assert.deepEqual(order, ['retry', 'new 1', 'new 2']);
		assert.ok(Date.now() - t >= 195, `the hold of 20 % of a window was not kept: ${Date.now() - t} ms`);
	});
});

describe('batch wire format', () => {
	test('round trip of parts and answers', () => {
		const { boundary, body } = buildBatchBody([
			{ id: '0', verb: 'GET', path: '/gmail/v1/users/me/messages/a?format=minimal' },
			{ id: '1', verb: 'POST', path: '/gmail/v1/users/me/messages/b/modify', body: { addLabelIds: ['X'] } },
		]);
		assert.match(body, /GET \/gmail\/v1\/users\/me\/messages\/a\?format=minimal HTTP\/1\.1/);
		assert.ok(body.endsWith(`--${boundary}--\r\n`));
		const answer = [
			'--resp_1',
			'Content-Type: application/http',
			'Content-ID: <response-item-1>',
			'',
			'HTTP/1.1 404 Not Found',
			'Content-Type: application/json; charset=UTF-8',
			'',
			JSON.stringify(google(404, 'Not Found', 'notFound')),
			'--resp_1',
			'Content-Type: application/http',
			'Content-ID: <response-item-0>',
			'',
			'HTTP/1.1 200 OK',
			'Content-Type: application/json; charset=UTF-8',
			'',
			'{"id":"a","threadId":"t"}',
			'--resp_1--',
			'',
		].join('\r\n');
		const parsed = parseBatchResponse(answer, 'multipart/mixed; boundary=resp_1');
		assert.deepEqual(parsed.get('0'), { status: 200, headers: { 'content-type': 'application/json; charset=UTF-8' }, body: { id: 'a', threadId: 't' } });
		assert.equal(parsed.get('1')?.status, 404);
	});
});
