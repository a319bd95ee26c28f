import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { b64url, rawMessage, startSandbox, type TestSandbox } from '../support/sandbox';

let sb: TestSandbox;
const U = '/gmail/v1/users/me';

before(async () => {
	// Tokens outlive the clock jumps of these tests.
	sb = await startSandbox({ tokenLifetimeSec: 30 * 24 * 3600 });
});
after(() => sb.close());

const sendAs = (token: string, from: string, to = 'lead@acme.com') =>
	sb.gmail(token, 'POST', `${U}/messages/send`, { raw: b64url(rawMessage({ from, to })) });

describe('daily sending cap (rolling 24 h of the sandbox clock)', () => {
	test('a numeric cap, manual sends counting, 429 (Mail sending) with Retry after = when the oldest send leaves', async () => {
		const box = await sb.createMailbox({ email: 'cap@example.com', type: 3 });
		const t0 = Date.parse((await sb.clock()).now);
		const manual = await sb.manualSend({ from: 'cap@example.com', to: 'friend@example.net', subject: 'lunch?' });
		assert.equal(manual.sent, 1);
		await sb.clock({ advance: 'PT1H' });
		assert.equal((await sendAs(box.accessToken, 'cap@example.com')).status, 200);
		assert.equal((await sendAs(box.accessToken, 'cap@example.com')).status, 200);
		const refused = await sendAs(box.accessToken, 'cap@example.com');
		assert.equal(refused.status, 429);
		assert.equal(refused.body.error.errors[0].reason, 'userRateLimitExceeded');
		assert.equal(refused.body.error.status, 'RESOURCE_EXHAUSTED');
		const m = /^User-rate limit exceeded\. Retry after (\S+) \(Mail sending\)$/.exec(refused.body.error.message);
		assert.ok(m, refused.body.error.message);
		const retryAt = Date.parse(m[1]);
		assert.ok(Math.abs(retryAt - (t0 + 24 * 3600_000)) < 5000, `retry at ${m[1]} = first send + 24 h`);
		const ra = Number(refused.headers.get('retry-after'));
		assert.ok(ra > 22 * 3600 && ra <= 23 * 3600 + 5, `Retry-After ${ra}`);
		assert.equal((await sb.manualSend({ from: 'cap@example.com', to: 'x@example.net', count: 2 })).refused, 2);
		const stats = await sb.stats('cap@example.com');
		assert.equal(stats.sent24h, 3);
		assert.equal(stats.cap, 3);
		assert.equal(stats.errors['429'], 1);
		await sb.clock({ advance: 'PT23H1M' });
		assert.equal((await sendAs(box.accessToken, 'cap@example.com')).status, 200, 'the first send left the window');
		assert.equal((await sendAs(box.accessToken, 'cap@example.com')).status, 429);
	});
	test('mailbox types have Gmail\'s caps', async () => {
		await sb.createMailbox({ email: 'g@gmail.com' });
		await sb.createMailbox({ email: 'w@corp.test', type: 'workspace' });
		await sb.createMailbox({ email: 't@trial.test', type: 'workspace-trial' });
		assert.equal((await sb.stats('g@gmail.com')).cap, 500);
		assert.equal((await sb.stats('w@corp.test')).cap, 2000);
		assert.equal((await sb.stats('t@trial.test')).cap, 500);
	});
	test('capLagSends lets the cap bite N sends late', async () => {
		const box = await sb.createMailbox({ email: 'lag@example.com', type: 1 });
		await sb.settings({ capLagSends: 2 });
		try {
			for (let i = 0; i < 3; i++) assert.equal((await sendAs(box.accessToken, 'lag@example.com')).status, 200);
			assert.equal((await sendAs(box.accessToken, 'lag@example.com')).status, 429);
		} finally {
			await sb.settings({ capLagSends: 0 });
		}
	});
});

describe('per-minute quota, concurrency and faults', () => {
	test('sliding quota window: units per method, 429 rateLimitExceeded without "(Mail sending)"', async () => {
		const box = await sb.createMailbox({ email: 'quota@example.com' });
		await sb.faults({ mailbox: 'quota@example.com', quota: { unitsPerWindow: 210, windowMs: 1500 } });
		try {
			assert.equal((await sendAs(box.accessToken, 'quota@example.com')).status, 200);
			assert.equal((await sendAs(box.accessToken, 'quota@example.com')).status, 200);
			for (let i = 0; i < 2; i++) assert.equal((await sb.gmail(box.accessToken, 'GET', `${U}/messages`)).status, 200);
			const refused = await sb.gmail(box.accessToken, 'GET', `${U}/messages`);
			assert.equal(refused.status, 429);
			assert.equal(refused.body.error.message, 'User-rate limit exceeded');
			assert.equal(refused.body.error.errors[0].reason, 'rateLimitExceeded');
			assert.equal(refused.body.error.errors[0].domain, 'usageLimits');
			assert.ok(Number(refused.headers.get('retry-after')) >= 1);
			assert.equal((await sb.gmail(box.accessToken, 'GET', `${U}/profile`)).status, 429, '1 unit does not fit either');
			assert.equal((await sb.stats('quota@example.com')).quotaUnits, 210);
			await new Promise((r) => setTimeout(r, 1600));
			assert.equal((await sb.gmail(box.accessToken, 'GET', `${U}/messages`)).status, 200, 'window slid');
			await sb.settings({ rateLimitStatus: 403 });
			const box2 = await sb.createMailbox({ email: 'quota2@example.com' });
			await sb.faults({ mailbox: 'quota2@example.com', quota: { unitsPerWindow: 1, windowMs: 60000 } });
			const r403 = await sb.gmail(box2.accessToken, 'GET', `${U}/labels/INBOX`);
			assert.equal(r403.status, 200);
			const r403b = await sb.gmail(box2.accessToken, 'GET', `${U}/labels/INBOX`);
			assert.equal(r403b.status, 403);
			assert.equal(r403b.body.error.errors[0].reason, 'userRateLimitExceeded');
		} finally {
			await sb.settings({ rateLimitStatus: 429 });
			await sb.clearFaults();
		}
	});
	test('latency + concurrency limit → 429 Too many concurrent requests for user', async () => {
		const box = await sb.createMailbox({ email: 'conc@example.com' });
		await sb.faults({ mailbox: 'conc@example.com', latencyMs: 300, concurrency: 2 });
		try {
			const started = Date.now();
			const results = await Promise.all(Array.from({ length: 4 }, () => sb.gmail(box.accessToken, 'GET', `${U}/profile`)));
			const codes = results.map((r) => r.status).sort();
			assert.deepEqual(codes, [200, 200, 429, 429]);
			const err = results.find((r) => r.status === 429)?.body.error;
			assert.equal(err.message, 'Too many concurrent requests for user');
			assert.ok(Date.now() - started >= 290, 'latency applied');
		} finally {
			await sb.clearFaults();
		}
	});
	test('fault rules: count, method filter, custom reason/message, rate, and stats', async () => {
		const box = await sb.createMailbox({ email: 'fault@example.com' });
		await sb.faults({ mailbox: 'fault@example.com', rules: [{ method: 'messages.send', status: 503, count: 2 }, { method: 'labels.list', status: 403, reason: 'domainPolicy', message: 'The domain administrators have disabled Gmail apps.' }] });
		try {
			const a = await sendAs(box.accessToken, 'fault@example.com');
			assert.equal(a.status, 503);
			assert.equal(a.body.error.errors[0].reason, 'backendError');
			assert.equal((await sendAs(box.accessToken, 'fault@example.com')).status, 503);
			assert.equal((await sendAs(box.accessToken, 'fault@example.com')).status, 200);
			assert.equal((await sb.gmail(box.accessToken, 'GET', `${U}/profile`)).status, 200, 'other methods untouched');
			const dp = await sb.gmail(box.accessToken, 'GET', `${U}/labels`);
			assert.equal(dp.status, 403);
			assert.equal(dp.body.error.errors[0].reason, 'domainPolicy');
			assert.equal(dp.body.error.message, 'The domain administrators have disabled Gmail apps.');
			const st = await sb.stats('fault@example.com');
			assert.equal(st.calls['messages.send'], 3);
			assert.equal(st.errors['503'], 2);
			assert.equal(st.sent24h, 1);
			await sb.clearFaults();
			await sb.faults({ rules: [{ status: 500, rate: 0 }] });
			assert.equal((await sb.gmail(box.accessToken, 'GET', `${U}/labels`)).status, 200, 'rate 0 never fires');
		} finally {
			await sb.clearFaults();
		}
	});
	test('resetAfterSend: the socket dies after the send was committed', async () => {
		const box = await sb.createMailbox({ email: 'reset@example.com' });
		await sb.faults({ mailbox: 'reset@example.com', resetAfterSend: 1 });
		try {
			const body = JSON.stringify({ raw: b64url(rawMessage({ from: 'reset@example.com', to: 'lead@acme.com', subject: 'lost answer' })) });
			const err = await new Promise<Error | undefined>((resolve) => {
				const req = http.request(`${sb.url}${U}/messages/send`, { method: 'POST', headers: { Authorization: `Bearer ${box.accessToken}`, 'Content-Type': 'application/json' } }, (res) => {
					res.resume();
					res.on('end', () => resolve(undefined));
				});
				req.on('error', resolve);
				req.end(body);
			});
			assert.ok(err, 'connection reset');
			const msgs = await sb.messages('reset@example.com');
			assert.equal(msgs.length, 1);
			assert.equal(msgs[0].subject, 'lost answer');
		} finally {
			await sb.clearFaults();
		}
	});
	test('clock: advance and set; reset empties everything', async () => {
		const before = Date.parse((await sb.clock()).now);
		const after = Date.parse((await sb.clock({ advance: 'P3DT2H' })).now);
		assert.ok(Math.abs(after - before - (3 * 24 + 2) * 3600_000) < 5000);
		assert.equal((await sb.clock({ now: '2030-01-01T00:00:00Z' })).now.slice(0, 16), '2030-01-01T00:00');
		await assert.rejects(sb.clock({ advance: '3 days' }), /400/);
		await sb.reset();
		assert.equal((await (await fetch(`${sb.url}/sandbox/mailboxes`)).json()).mailboxes.length, 0);
		assert.ok(Math.abs(Date.parse((await sb.clock()).now) - Date.now()) < 5000);
	});
});
