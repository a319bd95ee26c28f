import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { b64url, rawMessage, startSandbox, type TestMailbox, type TestSandbox } from '../support/sandbox';

const U = '/gmail/v1/users/me';
let sb: TestSandbox;

// Default settings: searchLagMs 2000, labelListingLag false.
before(async () => {
	sb = await startSandbox({ tokenLifetimeSec: 30 * 24 * 3600 });
});
after(() => sb.close());

async function mailbox(email: string): Promise<{ box: TestMailbox; api: (method: string, path: string, body?: unknown) => Promise<any> }> {
	const box = await sb.createMailbox({ email });
	return { box, api: async (method, path, body) => (await sb.gmail(box.accessToken, method, U + path, body)).body };
}

const ids = (list: { messages?: Array<{ id: string }> }) => (list.messages ?? []).map((m) => m.id);
const q = (query: string) => `q=${encodeURIComponent(query)}`;

describe('search-index lag (searchLagMs, sandbox clock)', () => {
	test('a sent message: found by labelIds=SENT, get and history at once; by q=to: only once the clock passes the lag', async () => {
		const { box, api } = await mailbox('lagging@example.com');
		const start = (await api('GET', '/profile')).historyId;
		const sent = await api('POST', '/messages/send', { raw: b64url(rawMessage({ from: box.email, to: 'x@lead.test', subject: 'Lag check' })) });
		assert.deepEqual(ids(await api('GET', '/messages?labelIds=SENT')), [sent.id], 'a label listing sees the write at once');
		assert.equal((await api('GET', `/messages/${sent.id}?format=minimal`)).id, sent.id);
		const history = await api('GET', `/history?startHistoryId=${start}`);
		assert.deepEqual(history.history.flatMap((h: any) => h.messagesAdded ?? []).map((a: any) => a.message.id), [sent.id]);
		assert.deepEqual(ids(await api('GET', `/messages?${q('to:x@lead.test')}`)), [], 'the search index has not caught up');
		assert.equal((await api('GET', `/threads?${q('subject:"lag check"')}`)).resultSizeEstimate, 0);
		assert.deepEqual(ids(await api('GET', `/messages?labelIds=SENT&${q('to:x@lead.test')}`)), [], 'labelIds with q is a search too');
		await sb.clock({ advance: 'PT2S' });
		assert.deepEqual(ids(await api('GET', `/messages?${q('to:x@lead.test')}`)), [sent.id], 'found once the clock passed the lag');
		assert.equal((await api('GET', `/threads?${q('subject:"lag check"')}`)).threads[0].id, sent.threadId);
	});

	test('real time passing indexes the write too', async () => {
		await sb.settings({ searchLagMs: 300 });
		try {
			const { box, api } = await mailbox('realtime@example.com');
			const sent = await api('POST', '/messages/send', { raw: b64url(rawMessage({ from: box.email, to: 'rt@lead.test' })) });
			assert.deepEqual(ids(await api('GET', `/messages?${q('to:rt@lead.test')}`)), []);
			await sleep(400);
			assert.deepEqual(ids(await api('GET', `/messages?${q('to:rt@lead.test')}`)), [sent.id]);
		} finally {
			await sb.settings({ searchLagMs: 2000 });
		}
	});

	test('a label change: the search sees the labels from before it until the lag passes; a label listing sees it at once', async () => {
		const { box, api } = await mailbox('labels-lag@example.com');
		const inbound = await sb.deliver({ to: box.email, from: 'Pat <pat@lead.test>', subject: 'Question', text: 'Can we talk?' });
		await sb.clock({ advance: 'PT3S' });
		assert.deepEqual(ids(await api('GET', `/messages?${q('in:inbox from:pat@lead.test')}`)), [inbound.id]);
		const label = await api('POST', '/labels', { name: 'Outreach/Replied' });
		await api('POST', `/messages/${inbound.id}/modify`, { addLabelIds: [label.id], removeLabelIds: ['INBOX'] });
		assert.deepEqual(ids(await api('GET', `/messages?labelIds=${label.id}`)), [inbound.id]);
		assert.deepEqual(ids(await api('GET', '/messages?labelIds=INBOX')), []);
		assert.deepEqual(ids(await api('GET', `/messages?${q('label:outreach-replied')}`)), [], 'the new label is not indexed yet');
		assert.deepEqual(ids(await api('GET', `/messages?${q('in:inbox from:pat@lead.test')}`)), [inbound.id], 'still searched as in the inbox');
		await sb.clock({ advance: 'PT2S' });
		assert.deepEqual(ids(await api('GET', `/messages?${q('label:outreach-replied')}`)), [inbound.id]);
		assert.deepEqual(ids(await api('GET', `/messages?${q('in:inbox from:pat@lead.test')}`)), []);
	});

	test('drafts: drafts.list with q lags, drafts.list and drafts.get without q do not', async () => {
		const { box, api } = await mailbox('drafts-lag@example.com');
		const d = await api('POST', '/drafts', { message: { raw: b64url(rawMessage({ from: box.email, to: 'd@lead.test', subject: 'Draft lag' })) } });
		assert.deepEqual((await api('GET', '/drafts')).drafts.map((x: { id: string }) => x.id), [d.id]);
		assert.equal((await api('GET', `/drafts/${d.id}`)).id, d.id);
		assert.equal((await api('GET', `/drafts?${q('subject:"draft lag"')}`)).resultSizeEstimate, 0);
		assert.equal((await api('GET', `/messages?${q('in:drafts to:d@lead.test')}`)).resultSizeEstimate, 0);
		await sb.clock({ advance: 'PT2S' });
		assert.deepEqual((await api('GET', `/drafts?${q('subject:"draft lag"')}`)).drafts.map((x: { id: string }) => x.id), [d.id]);
	});

	test('searchLagMs 0: a search sees the write at once', async () => {
		await sb.settings({ searchLagMs: 0 });
		try {
			const { box, api } = await mailbox('nolag@example.com');
			const sent = await api('POST', '/messages/send', { raw: b64url(rawMessage({ from: box.email, to: 'now@lead.test' })) });
			assert.deepEqual(ids(await api('GET', `/messages?${q('to:now@lead.test')}`)), [sent.id]);
		} finally {
			await sb.settings({ searchLagMs: 2000 });
		}
	});
});

describe('labelListingLag: listings without q lag too', () => {
	test('true: labelIds listings, threads.list and drafts.list lag like searches; get and history still see writes at once', async () => {
		await sb.settings({ labelListingLag: true });
		try {
			const { box, api } = await mailbox('listing-lag@example.com');
			const start = (await api('GET', '/profile')).historyId;
			const sent = await api('POST', '/messages/send', { raw: b64url(rawMessage({ from: box.email, to: 'l@lead.test' })) });
			const d = await api('POST', '/drafts', { message: { raw: b64url(rawMessage({ from: box.email, to: 'l@lead.test', subject: 'later' })) } });
			assert.deepEqual(ids(await api('GET', '/messages?labelIds=SENT')), []);
			assert.equal((await api('GET', '/threads?labelIds=SENT')).resultSizeEstimate, 0);
			assert.equal((await api('GET', '/drafts')).resultSizeEstimate, 0);
			assert.equal((await api('GET', `/messages/${sent.id}`)).id, sent.id);
			assert.equal((await api('GET', `/drafts/${d.id}`)).id, d.id);
			assert.equal((await api('GET', `/history?startHistoryId=${start}`)).history.length, 2);
			await sb.clock({ advance: 'PT2S' });
			assert.deepEqual(ids(await api('GET', '/messages?labelIds=SENT')), [sent.id]);
			assert.deepEqual((await api('GET', '/drafts')).drafts.map((x: { id: string }) => x.id), [d.id]);
		} finally {
			await sb.settings({ labelListingLag: false });
		}
	});

	test('false (default): the same listings see the writes at once', async () => {
		const { box, api } = await mailbox('listing-now@example.com');
		const sent = await api('POST', '/messages/send', { raw: b64url(rawMessage({ from: box.email, to: 'n@lead.test' })) });
		const d = await api('POST', '/drafts', { message: { raw: b64url(rawMessage({ from: box.email, to: 'n@lead.test', subject: 'later' })) } });
		assert.deepEqual(ids(await api('GET', '/messages?labelIds=SENT')), [sent.id]);
		assert.equal((await api('GET', '/threads?labelIds=SENT')).threads[0].id, sent.threadId);
		assert.deepEqual((await api('GET', '/drafts')).drafts.map((x: { id: string }) => x.id), [d.id]);
	});

	test('settings are checked', async () => {
		await assert.rejects(sb.settings({ searchLagMs: -1 }), /searchLagMs/);
		await assert.rejects(sb.settings({ labelListingLag: 'yes' as unknown as boolean }), /labelListingLag/);
	});
});
