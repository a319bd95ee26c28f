import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { b64url, rawMessage, startSandbox, type TestMailbox, type TestSandbox } from '../support/sandbox';

const U = '/gmail/v1/users/me';
const ME = 'owner@example.com';
let sb: TestSandbox;
let owner: TestMailbox;

before(async () => {
	sb = await startSandbox();
	owner = await sb.createMailbox({ email: ME, aliases: ['sales@example.com'], unverifiedAliases: ['pending@example.com'] });
	await sb.createMailbox({ email: 'lead@lead.test' });
});
after(() => sb.close());

const api = (method: string, path: string, body?: unknown) => sb.gmail(owner.accessToken, method, U + path, body);
const send = (from: string, subject: string) => api('POST', '/messages/send', { raw: b64url(rawMessage({ from, to: 'lead@lead.test', subject })) });
const stored = async (email: string, subject: string) => (await sb.messages(email)).find((m) => m.subject === subject);

describe('From handling (setting fromPolicy)', () => {
	test("'rewrite' (default): a foreign From is replaced by the primary address, the display name kept, and the mail goes out", async () => {
		const r = await send('Mallory Name <mallory@evil.com>', 'Foreign from');
		assert.equal(r.status, 200);
		const sent = await stored(ME, 'Foreign from');
		assert.deepEqual(sent?.from, { name: 'Mallory Name', address: ME });
		assert.deepEqual((await stored('lead@lead.test', 'Foreign from'))?.from, { name: 'Mallory Name', address: ME }, 'delivered, from the primary');
		const encoded = await send('=?UTF-8?B?SsO8cmdlbg==?= <x@evil.com>', 'Encoded name');
		assert.equal(encoded.status, 200);
		assert.deepEqual((await stored(ME, 'Encoded name'))?.from, { name: 'Jürgen', address: ME });
		assert.equal((await send('bare@evil.com', 'Bare from')).status, 200);
		assert.deepEqual((await stored(ME, 'Bare from'))?.from, { name: '', address: ME });
	});

	test('a verified alias is kept; an unverified one counts as foreign', async () => {
		assert.equal((await send('Sales <sales@example.com>', 'Verified alias')).status, 200);
		assert.equal((await stored(ME, 'Verified alias'))?.from?.address, 'sales@example.com');
		assert.equal((await send('Pending <pending@example.com>', 'Unverified alias')).status, 200);
		assert.deepEqual((await stored(ME, 'Unverified alias'))?.from, { name: 'Pending', address: ME });
	});

	test('drafts.create and drafts.update rewrite too', async () => {
		const d = await api('POST', '/drafts', { message: { raw: b64url(rawMessage({ from: 'Eve <eve@evil.com>', to: 'lead@lead.test', subject: 'Draft from' })) } });
		assert.equal(d.status, 200);
		assert.deepEqual((await stored(ME, 'Draft from'))?.from, { name: 'Eve', address: ME });
		const u = await api('PUT', `/drafts/${d.body.id}`, { message: { raw: b64url(rawMessage({ from: 'Eve <eve@evil.com>', to: 'lead@lead.test', subject: 'Draft from 2' })) } });
		assert.equal(u.status, 200);
		assert.deepEqual((await stored(ME, 'Draft from 2'))?.from, { name: 'Eve', address: ME });
	});

	test("'reject': messages.send, drafts.create/update/send with a foreign or unverified From answer 400", async () => {
		const d = await api('POST', '/drafts', { message: { raw: b64url(rawMessage({ from: ME, to: 'lead@lead.test', subject: 'Fine draft' })) } });
		await sb.settings({ fromPolicy: 'reject' });
		try {
			for (const from of ['Mallory <mallory@evil.com>', 'pending@example.com']) {
				const r = await send(from, 'Refused');
				assert.equal(r.status, 400);
				assert.match(r.body.error.message, /From/);
				const raw = b64url(rawMessage({ from, to: 'lead@lead.test', subject: 'Refused draft' }));
				assert.equal((await api('POST', '/drafts', { message: { raw } })).status, 400);
				assert.equal((await api('PUT', `/drafts/${d.body.id}`, { message: { raw } })).status, 400);
				assert.equal((await api('POST', '/drafts/send', { id: d.body.id, message: { raw } })).status, 400);
			}
			assert.equal(await stored(ME, 'Refused'), undefined);
			assert.equal((await send('sales@example.com', 'Alias still fine')).status, 200);
		} finally {
			await sb.settings({ fromPolicy: 'rewrite' });
		}
		await assert.rejects(sb.settings({ fromPolicy: 'ignore' as 'reject' }), /fromPolicy/);
	});

	test('settings.sendAs.list: the primary, verified aliases (accepted) and unverified ones (pending)', async () => {
		const list = (await api('GET', '/settings/sendAs')).body.sendAs as Array<Record<string, unknown>>;
		const by = Object.fromEntries(list.map((s) => [s.sendAsEmail, s]));
		assert.deepEqual(Object.keys(by).sort(), [ME, 'pending@example.com', 'sales@example.com']);
		assert.equal(by[ME].isPrimary, true);
		assert.equal(by[ME].verificationStatus, undefined, 'Gmail reports verification for aliases only');
		assert.equal(by['sales@example.com'].verificationStatus, 'accepted');
		assert.equal(by['pending@example.com'].verificationStatus, 'pending');
		assert.equal((await api('GET', '/settings/sendAs/pending@example.com')).body.verificationStatus, 'pending');
	});

	test('aliases may also be given as {email, verified:false}', async () => {
		const res = await fetch(`${sb.url}/sandbox/mailboxes`, {
			method: 'POST',
			headers: { 'Content-Type': 'application/json' },
			body: JSON.stringify({ email: 'objects@example.com', aliases: [{ email: 'ok@example.com' }, { email: 'Wait@Example.com', verified: false }] }),
		});
		const box = (await res.json()) as { accessToken: string };
		const list = (await sb.gmail(box.accessToken, 'GET', `${U}/settings/sendAs`)).body.sendAs as Array<Record<string, unknown>>;
		assert.deepEqual(
			list.map((s) => [s.sendAsEmail, s.verificationStatus ?? null]),
			[['objects@example.com', null], ['ok@example.com', 'accepted'], ['wait@example.com', 'pending']],
		);
	});
});
