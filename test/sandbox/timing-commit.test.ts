import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { b64url, rawMessage, startSandbox, type TestMailbox, type TestSandbox } from '../support/sandbox';

const U = '/gmail/v1/users/me';
let sb: TestSandbox;

before(async () => {
	sb = await startSandbox();
});
after(() => sb.close());

async function mailbox(email: string): Promise<{ box: TestMailbox; api: (method: string, path: string, body?: unknown) => Promise<{ status: number; body: any }> }> {
	const box = await sb.createMailbox({ email });
	return { box, api: (method, path, body) => sb.gmail(box.accessToken, method, U + path, body) };
}

const sentIds = async (api: Awaited<ReturnType<typeof mailbox>>['api']) =>
	((await api('GET', '/messages?labelIds=SENT')).body.messages ?? []).map((m: { id: string }) => m.id) as string[];

const addedSince = async (api: Awaited<ReturnType<typeof mailbox>>['api'], start: string) =>
	((await api('GET', `/history?startHistoryId=${start}&historyTypes=messageAdded`)).body.history ?? []).flatMap((h: any) =>
		h.messagesAdded.map((a: any) => a.message),
	) as Array<{ id: string; labelIds: string[] }>;

/** Polls until `check` holds (at most `ms`). */
async function until(check: () => Promise<boolean>, ms = 5000): Promise<void> {
	const end = Date.now() + ms;
	while (!(await check())) {
		if (Date.now() > end) throw new Error('timed out waiting');
		await sleep(25);
	}
}

describe('late commit (fault lateCommitMs)', () => {
	test('messages.send answers 503, the message is committed lateCommitMs later, and history records it then', async () => {
		const { box, api } = await mailbox('late503@example.com');
		await sb.faults({ mailbox: box.email, rules: [{ method: 'messages.send', status: 503, lateCommitMs: 500, count: 1 }] });
		const start = (await api('GET', '/profile')).body.historyId;
		const t0 = Date.parse((await sb.clock()).now);
		const failed = await api('POST', '/messages/send', { raw: b64url(rawMessage({ from: box.email, to: 'lead@acme.com' })) });
		assert.equal(failed.status, 503);
		assert.equal(failed.body.error.errors[0].reason, 'backendError');
		assert.deepEqual(await sentIds(api), [], 'not committed yet');
		assert.deepEqual(await addedSince(api, start), []);
		let stats = await sb.stats(box.email);
		assert.equal(stats.sent24h, 0);
		assert.equal(stats.pendingCommits, 1);
		await until(async () => (await sentIds(api)).length === 1);
		const [id] = await sentIds(api);
		const msg = (await api('GET', `/messages/${id}?format=minimal`)).body;
		assert.ok(Number(msg.internalDate) - t0 >= 450, `committed ${Number(msg.internalDate) - t0} ms after the call`);
		assert.deepEqual((await addedSince(api, start)).map((m) => m.id), [id], 'history records the commit');
		stats = await sb.stats(box.email);
		assert.equal(stats.sent24h, 1);
		assert.equal(stats.pendingCommits, 0);
		assert.equal(stats.errors['503'], 1);
	});

	test('no answer at all: the socket is held past the client\'s timeout, and the message commits anyway', async () => {
		const { box, api } = await mailbox('late-timeout@example.com');
		await sb.faults({ mailbox: box.email, rules: [{ method: 'messages.send', timeout: true, holdMs: 10_000, lateCommitMs: 700, count: 1 }] });
		const began = Date.now();
		await assert.rejects(
			fetch(`${sb.url}${U}/messages/send`, {
				method: 'POST',
				headers: { Authorization: `Bearer ${box.accessToken}`, 'Content-Type': 'application/json' },
				body: JSON.stringify({ raw: b64url(rawMessage({ from: box.email, to: 'lead@acme.com' })) }),
				signal: AbortSignal.timeout(300),
			}),
			(err: Error) => err.name === 'TimeoutError',
		);
		assert.ok(Date.now() - began >= 290, 'the server did not answer before the client gave up');
		assert.deepEqual(await sentIds(api), []);
		await until(async () => (await sentIds(api)).length === 1);
		assert.ok(Date.now() - began >= 650, `committed after ${Date.now() - began} ms`);
		assert.equal((await sb.stats(box.email)).sent24h, 1);
	});

	test('a late drafts.send does nothing when the draft was sent again meanwhile (a draft is sent once)', async () => {
		const { box, api } = await mailbox('late-draft@example.com');
		const d = (await api('POST', '/drafts', { message: { raw: b64url(rawMessage({ from: box.email, to: 'lead@acme.com', subject: 'Once' })) } })).body;
		await sb.faults({ mailbox: box.email, rules: [{ method: 'drafts.send', status: 500, lateCommitMs: 400, count: 1 }] });
		assert.equal((await api('POST', '/drafts/send', { id: d.id })).status, 500);
		assert.equal((await api('GET', `/drafts/${d.id}`)).status, 200, 'the draft is still there until the commit');
		const retried = await api('POST', '/drafts/send', { id: d.id });
		assert.equal(retried.status, 200);
		await until(async () => (await sb.stats(box.email)).pendingCommits === 0);
		assert.deepEqual(await sentIds(api), [retried.body.id], 'sent exactly once');
		assert.equal((await sb.stats(box.email)).sent24h, 1);
	});

	test('a late drafts.send commits the draft when nothing happened to it, and nothing when it was deleted', async () => {
		const { box, api } = await mailbox('late-draft2@example.com');
		const raw = (subject: string) => b64url(rawMessage({ from: box.email, to: 'lead@acme.com', subject }));
		const kept = (await api('POST', '/drafts', { message: { raw: raw('Kept') } })).body;
		const binned = (await api('POST', '/drafts', { message: { raw: raw('Binned') } })).body;
		await sb.faults({ mailbox: box.email, rules: [{ method: 'drafts.send', status: 503, lateCommitMs: 300, count: 2 }] });
		assert.equal((await api('POST', '/drafts/send', { id: kept.id })).status, 503);
		assert.equal((await api('POST', '/drafts/send', { id: binned.id })).status, 503);
		assert.equal((await api('DELETE', `/drafts/${binned.id}`)).status, 204);
		await until(async () => (await sb.stats(box.email)).pendingCommits === 0);
		const sent = await sentIds(api);
		assert.equal(sent.length, 1);
		assert.equal((await sb.messages(box.email)).find((m) => m.id === sent[0])?.subject, 'Kept');
		assert.equal((await api('GET', `/drafts/${kept.id}`)).status, 404, 'the sent draft is gone');
	});

	test('POST /sandbox/reset cancels pending late commits', async () => {
		const other = await startSandbox();
		try {
			const box = await other.createMailbox({ email: 'reset@example.com' });
			await other.faults({ rules: [{ method: 'messages.send', status: 503, lateCommitMs: 300 }] });
			const r = await other.gmail(box.accessToken, 'POST', `${U}/messages/send`, { raw: b64url(rawMessage({ from: box.email, to: 'a@acme.com' })) });
			assert.equal(r.status, 503);
			assert.equal((await other.stats()).pendingCommits, 1);
			await other.reset();
			assert.equal((await other.stats()).pendingCommits, 0);
			await other.createMailbox({ email: 'reset@example.com' });
			await sleep(450);
			assert.equal((await other.messages('reset@example.com')).length, 0);
		} finally {
			await other.close();
		}
	});

	test('fault rules that commit anyway are checked', async () => {
		await assert.rejects(sb.faults({ rules: [{ method: 'messages.get', status: 503, lateCommitMs: 10 }] }), /messages\.send/);
		await assert.rejects(sb.faults({ rules: [{ method: 'messages.send', status: 400, lateCommitMs: 10 }] }), /5xx/);
		await assert.rejects(sb.faults({ rules: [{ method: 'messages.send', status: 503, lateCommitMs: 10, errorAfterCommit: true }] }), /not both/);
		await assert.rejects(sb.faults({ rules: [{ method: 'messages.send', timeout: true, status: 503 }] }), /timeout/);
	});
});

describe('errors after a committed send', () => {
	test('errorAfterCommit: the message is committed at once, then the call answers 500 or 503', async () => {
		const { box, api } = await mailbox('after-commit@example.com');
		const start = (await api('GET', '/profile')).body.historyId;
		await sb.faults({
			mailbox: box.email,
			rules: [
				{ method: 'messages.send', status: 500, errorAfterCommit: true, count: 1 },
				{ method: 'drafts.send', status: 503, errorAfterCommit: true, count: 1 },
			],
		});
		const first = await api('POST', '/messages/send', { raw: b64url(rawMessage({ from: box.email, to: 'lead@acme.com' })) });
		assert.equal(first.status, 500);
		assert.equal((await sentIds(api)).length, 1, 'committed before the error');
		const d = (await api('POST', '/drafts', { message: { raw: b64url(rawMessage({ from: box.email, to: 'lead@acme.com' })) } })).body;
		assert.equal((await api('POST', '/drafts/send', { id: d.id })).status, 503);
		assert.equal((await sentIds(api)).length, 2);
		assert.equal((await api('GET', `/drafts/${d.id}`)).status, 404, 'the draft was sent');
		assert.equal((await addedSince(api, start)).filter((m) => m.labelIds.includes('SENT')).length, 2);
		assert.equal((await sb.stats(box.email)).sent24h, 2);
	});

	test('resetAfterSend: the connection is reset after the commit', async () => {
		const { box, api } = await mailbox('reset-after@example.com');
		await sb.faults({ mailbox: box.email, resetAfterSend: 1 });
		await assert.rejects(
			fetch(`${sb.url}${U}/messages/send`, {
				method: 'POST',
				headers: { Authorization: `Bearer ${box.accessToken}`, 'Content-Type': 'application/json' },
				body: JSON.stringify({ raw: b64url(rawMessage({ from: box.email, to: 'lead@acme.com' })) }),
			}),
		);
		assert.equal((await sentIds(api)).length, 1);
	});
});

describe('per-method latency (fault latencyMs)', () => {
	test('an object sets latency per method, with "*" for the rest; jitterMs adds to it', async () => {
		const { box, api } = await mailbox('latency@example.com');
		await sb.faults({ mailbox: box.email, latencyMs: { 'messages.send': 300, '*': 100 }, jitterMs: 50 });
		let t = Date.now();
		assert.equal((await api('POST', '/messages/send', { raw: b64url(rawMessage({ from: box.email, to: 'lead@acme.com' })) })).status, 200);
		assert.ok(Date.now() - t >= 290, `send took ${Date.now() - t} ms`);
		t = Date.now();
		assert.equal((await api('GET', '/profile')).status, 200);
		assert.ok(Date.now() - t >= 95, `getProfile took ${Date.now() - t} ms`);
	});

	test('a number still applies to every method; a bad value is refused', async () => {
		const { box, api } = await mailbox('latency2@example.com');
		await sb.faults({ mailbox: box.email, latencyMs: 150 });
		const t = Date.now();
		assert.equal((await api('GET', '/labels')).status, 200);
		assert.ok(Date.now() - t >= 145, `labels.list took ${Date.now() - t} ms`);
		await assert.rejects(sb.faults({ latencyMs: { 'messages.send': 'slow' } }), /latencyMs/);
		await assert.rejects(sb.faults({ jitterMs: -5 }), /jitterMs/);
	});
});
