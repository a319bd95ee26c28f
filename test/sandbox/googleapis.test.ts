import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
// Only Gmail's part of googleapis: loading all of its APIs takes seconds on a busy machine.
import { auth as googleAuth, gmail as gmailClient, type gmail_v1 } from 'googleapis/build/src/apis/gmail';
import { b64url, rawMessage, startSandbox, type TestMailbox, type TestSandbox } from '../support/sandbox';

// The official Google client, pointed at the sandbox: an independent check that the sandbox speaks Gmail's wire format.
const ME = 'frank@example.com';
let sb: TestSandbox;
let frank: TestMailbox;
let gmail: gmail_v1.Gmail;

async function status(p: Promise<unknown>): Promise<{ code: number; message: string; reason?: string }> {
	try {
		await p;
		return { code: 200, message: '' };
	} catch (err) {
		const e = err as { status?: number; message: string; response?: { data?: { error?: { errors?: Array<{ reason?: string }> } } } };
		return { code: Number(e.status), message: e.message, reason: e.response?.data?.error?.errors?.[0]?.reason };
	}
}

before(async () => {
	// Search-index lag has its own tests (timing-search); here a search sees writes at once.
	sb = await startSandbox({ searchLagMs: 0 });
	frank = await sb.createMailbox({ email: ME, type: 4 });
	const auth = new googleAuth.OAuth2({ clientId: 'sandbox-client', clientSecret: 'sandbox-secret', endpoints: { oauth2TokenUrl: `${sb.url}/token` } });
	auth.setCredentials({ access_token: frank.accessToken, refresh_token: frank.refreshToken });
	gmail = gmailClient({ version: 'v1', rootUrl: `${sb.url}/`, auth, retry: false });
});
after(() => sb.close());

describe('googleapis client against the sandbox', () => {
	let first: gmail_v1.Schema$Message;
	test('send and read back', async () => {
		const sent = await gmail.users.messages.send({ userId: 'me', requestBody: { raw: b64url(rawMessage({ from: ME, to: 'Lead <lead@acme.com>', subject: 'Quick idea for Acme', text: 'Hi Lead' })) } });
		assert.equal(sent.status, 200);
		first = sent.data;
		assert.deepEqual(first.labelIds, ['SENT']);
		const got = await gmail.users.messages.get({ userId: 'me', id: first.id as string, format: 'full' });
		assert.equal(got.data.threadId, first.threadId);
		const subject = got.data.payload?.headers?.find((h) => h.name === 'Subject')?.value;
		assert.equal(subject, 'Quick idea for Acme');
		assert.equal(Buffer.from(got.data.payload?.body?.data as string, 'base64url').toString(), 'Hi Lead\r\n');
	});
	test('reply into the thread; a changed subject does not thread', async () => {
		const meta = await gmail.users.messages.get({ userId: 'me', id: first.id as string, format: 'metadata', metadataHeaders: ['Message-ID'] });
		const mid = meta.data.payload?.headers?.[0]?.value as string;
		assert.match(mid, /^<.+>$/);
		const reply = await gmail.users.messages.send({ userId: 'me', requestBody: { threadId: first.threadId, raw: b64url(rawMessage({ from: ME, to: 'lead@acme.com', subject: 'Re: Quick idea for Acme', inReplyTo: mid, references: mid })) } });
		assert.equal(reply.data.threadId, first.threadId);
		const other = await gmail.users.messages.send({ userId: 'me', requestBody: { threadId: first.threadId, raw: b64url(rawMessage({ from: ME, to: 'lead@acme.com', subject: 'A new topic', inReplyTo: mid, references: mid })) } });
		assert.notEqual(other.data.threadId, first.threadId);
		const thread = await gmail.users.threads.get({ userId: 'me', id: first.threadId as string });
		assert.equal(thread.data.messages?.length, 2);
	});
	test('list with q', async () => {
		const r = await gmail.users.messages.list({ userId: 'me', q: 'to:lead@acme.com subject:(quick acme) in:sent', maxResults: 10 });
		assert.equal(r.data.messages?.length, 2);
		assert.equal(r.data.resultSizeEstimate, 2);
	});
	test('nested labels; 409 on a duplicate', async () => {
		const a = await gmail.users.labels.create({ userId: 'me', requestBody: { name: 'Outreach' } });
		const b = await gmail.users.labels.create({ userId: 'me', requestBody: { name: 'Outreach/Replied' } });
		assert.match(a.data.id as string, /^Label_/);
		assert.equal(b.data.name, 'Outreach/Replied');
		const dup = await status(gmail.users.labels.create({ userId: 'me', requestBody: { name: 'OUTREACH/replied' } }));
		assert.equal(dup.code, 409);
		assert.equal(dup.message, 'Label name exists or conflicts');
	});
	test('drafts: create and send', async () => {
		const d = await gmail.users.drafts.create({ userId: 'me', requestBody: { message: { raw: b64url(rawMessage({ from: ME, to: 'lead2@acme.com', subject: 'Draft for later' })) } } });
		assert.deepEqual(d.data.message?.labelIds, ['DRAFT']);
		const listed = await gmail.users.drafts.list({ userId: 'me' });
		assert.equal(listed.data.drafts?.[0]?.id, d.data.id);
		const sent = await gmail.users.drafts.send({ userId: 'me', requestBody: { id: d.data.id } });
		assert.deepEqual(sent.data.labelIds, ['SENT']);
		assert.equal((await gmail.users.drafts.list({ userId: 'me' })).data.drafts, undefined);
	});
	test('history.list; 404 on a stale start id', async () => {
		const profile = await gmail.users.getProfile({ userId: 'me' });
		const start = profile.data.historyId as string;
		const inbound = await sb.deliver({ to: ME, from: 'lead@acme.com', subject: 'Re: Quick idea for Acme', text: 'Tell me more' });
		const h = await gmail.users.history.list({ userId: 'me', startHistoryId: start, historyTypes: ['messageAdded'] });
		assert.equal(h.data.history?.[0]?.messagesAdded?.[0]?.message?.id, inbound.id);
		assert.ok(Number(h.data.historyId) > Number(start));
		await sb.clock({ advance: 'P8D' });
		await sb.deliver({ to: ME, from: 'lead@acme.com', subject: 'ping', text: 'ping' });
		// The access token has expired with the clock jump: the client refreshes it at the sandbox's /token by itself.
		const stale = await status(gmail.users.history.list({ userId: 'me', startHistoryId: start }));
		assert.equal(stale.code, 404);
	});
	test('429 at the daily cap', async () => {
		// 4 per day: 3 sent above (first, reply, other) are 8 days old now, the draft too; fill the window again.
		for (let i = 0; i < 4; i++) {
			await gmail.users.messages.send({ userId: 'me', requestBody: { raw: b64url(rawMessage({ from: ME, to: `l${i}@acme.com`, subject: `n${i}` })) } });
		}
		const refused = await status(gmail.users.messages.send({ userId: 'me', requestBody: { raw: b64url(rawMessage({ from: ME, to: 'one-too-many@acme.com' })) } }));
		assert.equal(refused.code, 429);
		assert.equal(refused.reason, 'userRateLimitExceeded');
		assert.match(refused.message, /^User-rate limit exceeded\. Retry after \S+ \(Mail sending\)$/);
	});
});
