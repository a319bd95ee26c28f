import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { b64url, rawMessage, startSandbox, type TestMailbox, type TestSandbox } from '../support/sandbox';

const ME = 'erin@example.com';
const U = '/gmail/v1/users/me';
let sb: TestSandbox;
let erin: TestMailbox;

before(async () => {
	// Search-index lag has its own tests (timing-search); here a search sees writes at once.
	sb = await startSandbox({ tokenLifetimeSec: 30 * 24 * 3600, searchLagMs: 0 });
	erin = await sb.createMailbox({ email: ME });
});
after(() => sb.close());

const api = (method: string, path: string, body?: unknown) => sb.gmail(erin.accessToken, method, U + path, body);

describe('drafts', () => {
	test('create in a thread, get, list with q, update keeps the id, send deletes the draft and makes a SENT message', async () => {
		const first = (await api('POST', '/messages/send', { raw: b64url(rawMessage({ from: ME, to: 'lead@acme.com', subject: 'Hello Acme' })) })).body;
		const mid = (await sb.messages(ME)).find((m) => m.id === first.id)?.messageId as string;
		const raw = rawMessage({ from: ME, to: 'lead@acme.com', subject: 'Re: Hello Acme', inReplyTo: mid, references: mid, headers: { 'X-Outreach-Send-At': '2026-11-24T09:00:00Z' }, text: 'Following up' });
		const created = await api('POST', '/drafts', { message: { raw: b64url(raw), threadId: first.threadId } });
		assert.equal(created.status, 200);
		assert.match(created.body.id, /^r\d+$/);
		assert.deepEqual(created.body.message.labelIds, ['DRAFT']);
		assert.equal(created.body.message.threadId, first.threadId);
		const got = (await api('GET', `/drafts/${created.body.id}?format=full`)).body;
		assert.equal(got.message.snippet, 'Following up');
		const list = (await api('GET', `/drafts?q=${encodeURIComponent('subject:"hello acme"')}`)).body;
		assert.deepEqual(list.drafts.map((d: { id: string }) => d.id), [created.body.id]);
		assert.equal((await api('GET', `/messages?q=in:drafts`)).body.resultSizeEstimate, 1);
		const updated = await api('PUT', `/drafts/${created.body.id}`, { id: created.body.id, message: { raw: b64url(raw.replace('Following up', 'Following up, v2')), threadId: first.threadId } });
		assert.equal(updated.body.id, created.body.id);
		assert.notEqual(updated.body.message.id, created.body.message.id);
		assert.equal((await api('GET', `/messages/${created.body.message.id}`)).status, 404);
		const view = await (await fetch(`${sb.url}/view/${ME}`)).text();
		// A header schedules nothing (an edit in Gmail may drop it): the view goes by the Draft Scheduler's labels.
		assert.match(view, new RegExp(`<tr data-draft="${created.body.id}"><td>lead@acme.com</td><td>Re: Hello Acme</td><td class="meta" colspan="3">not scheduled`));
		const sent = await api('POST', '/drafts/send', { id: created.body.id });
		assert.equal(sent.status, 200);
		assert.deepEqual(sent.body.labelIds, ['SENT']);
		assert.equal(sent.body.threadId, first.threadId);
		assert.equal((await api('GET', `/drafts/${created.body.id}`)).status, 404);
		assert.equal((await api('GET', '/drafts')).body.resultSizeEstimate, 0);
		const stored = (await sb.messages(ME)).find((m) => m.id === sent.body.id);
		assert.match(stored?.text ?? '', /v2/);
		assert.equal((await sb.stats(ME)).sent24h, 2);
	});
	test('send with a replacement message; delete; sending a draft without recipients is 400', async () => {
		const d = (await api('POST', '/drafts', { message: { raw: b64url(rawMessage({ from: ME, subject: 'no one yet' })) } })).body;
		const noRcpt = await api('POST', '/drafts/send', { id: d.id });
		assert.equal(noRcpt.status, 400);
		const replaced = await api('POST', '/drafts/send', { id: d.id, message: { raw: b64url(rawMessage({ from: ME, to: 'x@acme.com', subject: 'now someone' })) } });
		assert.equal(replaced.status, 200);
		const d2 = (await api('POST', '/drafts', { message: { raw: b64url(rawMessage({ from: ME, subject: 'bin me' })) } })).body;
		assert.equal((await api('DELETE', `/drafts/${d2.id}`)).status, 204);
		assert.equal((await api('GET', `/drafts/${d2.id}`)).status, 404);
		assert.equal((await api('DELETE', `/drafts/${d2.id}`)).status, 404);
	});
});

describe('history', () => {
	test('records messagesAdded, labelsAdded, labelsRemoved, messagesDeleted in increasing non-contiguous ids; filters; 404 after retention', async () => {
		const start = (await api('GET', '/profile')).body.historyId as string;
		const m = (await api('POST', '/messages/send', { raw: b64url(rawMessage({ from: ME, to: 'h@acme.com', subject: 'hist' })) })).body;
		const inbound = await sb.deliver({ to: ME, from: 'h@acme.com', subject: 'incoming', text: 'hi' });
		await api('POST', `/messages/${inbound.id}/modify`, { removeLabelIds: ['UNREAD'], addLabelIds: ['STARRED'] });
		await api('POST', `/messages/${m.id}/modify`, { addLabelIds: ['STARRED'] });
		await api('POST', `/messages/${m.id}/modify`, { addLabelIds: ['STARRED'] });
		const d = (await api('POST', '/drafts', { message: { raw: b64url(rawMessage({ from: ME, subject: 'tmp' })) } })).body;
		await api('DELETE', `/drafts/${d.id}`);
		const h = (await api('GET', `/history?startHistoryId=${start}`)).body;
		const ids = h.history.map((r: { id: string }) => Number(r.id));
		assert.deepEqual(ids, [...ids].sort((a, b) => a - b));
		assert.ok(ids.every((id: number) => id > Number(start)));
		assert.ok(ids.some((id: number, i: number) => i > 0 && id - ids[i - 1] > 1) || ids.length < 3, 'not contiguous');
		const kinds = h.history.map((r: Record<string, unknown>) => Object.keys(r).filter((k) => k !== 'id' && k !== 'messages').sort().join('+'));
		assert.deepEqual(kinds, ['messagesAdded', 'messagesAdded', 'labelsAdded+labelsRemoved', 'labelsAdded', 'messagesAdded', 'messagesDeleted'], 'a no-op modify records nothing');
		assert.equal(h.history[1].messagesAdded[0].message.id, inbound.id);
		assert.deepEqual(h.history[1].messagesAdded[0].message.labelIds, ['INBOX', 'UNREAD']);
		assert.equal(h.historyId, (await api('GET', '/profile')).body.historyId);
		const onlyAdded = (await api('GET', `/history?startHistoryId=${start}&historyTypes=messageAdded&labelId=INBOX`)).body;
		assert.deepEqual(onlyAdded.history.map((r: { messagesAdded: Array<{ message: { id: string } }> }) => r.messagesAdded[0].message.id), [inbound.id]);
		const paged = (await api('GET', `/history?startHistoryId=${start}&maxResults=2`)).body;
		assert.equal(paged.history.length, 2);
		assert.ok(paged.nextPageToken);
		const empty = (await api('GET', `/history?startHistoryId=${h.historyId}`)).body;
		assert.equal(empty.history, undefined);
		assert.equal((await api('GET', '/history')).status, 400);
		await sb.clock({ advance: 'P8D' });
		await sb.deliver({ to: ME, from: 'h@acme.com', subject: 'later', text: 'hi' });
		const stale = await api('GET', `/history?startHistoryId=${start}`);
		assert.equal(stale.status, 404);
		assert.equal(stale.body.error.status, 'NOT_FOUND');
		const fresh = (await api('GET', '/profile')).body.historyId;
		assert.equal((await api('GET', `/history?startHistoryId=${h.historyId}`)).status, 200, 'the last pruned id is still a valid start');
		assert.equal((await api('GET', `/history?startHistoryId=${fresh}`)).status, 200);
	});
});

describe('batch endpoint', () => {
	test('multipart/mixed with get, modify, list; inner errors keep Google\'s envelope; > 100 parts is 400', async () => {
		const m = (await api('POST', '/messages/send', { raw: b64url(rawMessage({ from: ME, to: 'b@acme.com', subject: 'batched' })) })).body;
		const boundary = 'batch_abc';
		const part = (id: number, line: string, body?: unknown) =>
			`--${boundary}\r\nContent-Type: application/http\r\nContent-ID: <item${id}>\r\n\r\n${line}\r\n` +
			(body ? `Content-Type: application/json\r\n\r\n${JSON.stringify(body)}\r\n` : '\r\n');
		const payload =
			part(1, `GET ${U}/messages/${m.id}?format=minimal HTTP/1.1`) +
			part(2, `POST ${U}/messages/${m.id}/modify HTTP/1.1`, { addLabelIds: ['STARRED'] }) +
			part(3, `GET ${U}/messages?q=subject:batched HTTP/1.1`) +
			part(4, `GET ${U}/messages/ffffffffffffffff HTTP/1.1`) +
			`--${boundary}--\r\n`;
		const res = await fetch(`${sb.url}/batch/gmail/v1`, {
			method: 'POST',
			headers: { Authorization: `Bearer ${erin.accessToken}`, 'Content-Type': `multipart/mixed; boundary=${boundary}` },
			body: payload,
		});
		assert.equal(res.status, 200);
		const ct = res.headers.get('content-type') as string;
		const outB = /boundary=(\S+)/.exec(ct)?.[1] as string;
		const text = await res.text();
		const parts = text.split(`--${outB}`).slice(1, -1);
		assert.equal(parts.length, 4);
		assert.match(parts[0], /Content-ID: <response-item1>/);
		assert.match(parts[0], /HTTP\/1\.1 200 OK/);
		assert.match(parts[1], /"STARRED"/);
		assert.match(parts[2], new RegExp(m.id));
		assert.match(parts[3], /HTTP\/1\.1 404/);
		assert.match(parts[3], /"NOT_FOUND"/);
		assert.equal((await sb.stats(ME)).calls['messages.modify'] >= 1, true);
		const many = Array.from({ length: 101 }, (_, i) => part(i, `GET ${U}/profile HTTP/1.1`)).join('') + `--${boundary}--\r\n`;
		const tooMany = await fetch(`${sb.url}/batch/gmail/v1`, {
			method: 'POST',
			headers: { Authorization: `Bearer ${erin.accessToken}`, 'Content-Type': `multipart/mixed; boundary=${boundary}` },
			body: many,
		});
		assert.equal(tooMany.status, 400);
	});
});
