// "A person edits this draft in Gmail's web UI" (POST /sandbox/mailboxes/:email/drafts/:id/edit): the worst case by
// default (new message, unknown headers and labels dropped), each part a switch, tested both ways.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import PostalMime from 'postal-mime';
import { b64url, rawMessage, startSandbox, type TestMailbox, type TestSandbox } from '../support/sandbox';

const ME = 'fay@example.com';
const U = '/gmail/v1/users/me';
let sb: TestSandbox;
let fay: TestMailbox;

before(async () => {
	sb = await startSandbox({ searchLagMs: 0 });
	fay = await sb.createMailbox({ email: ME });
});
after(() => sb.close());

const api = (method: string, path: string, body?: unknown) => sb.gmail(fay.accessToken, method, U + path, body);

async function edit(draftId: string, body: Record<string, unknown>, email = ME): Promise<{ status: number; body: any }> {
	const res = await fetch(`${sb.url}/sandbox/mailboxes/${encodeURIComponent(email)}/drafts/${encodeURIComponent(draftId)}/edit`, {
		method: 'POST',
		headers: { 'Content-Type': 'application/json' },
		body: JSON.stringify(body),
	});
	return { status: res.status, body: await res.json() };
}

/** A sent first email and a threaded reply draft carrying custom headers and a user label. */
async function threadWithDraft(tag: string): Promise<{ threadId: string; draftId: string; messageId: string; parentId: string; labelId: string }> {
	const first = (await api('POST', '/messages/send', { raw: b64url(rawMessage({ from: ME, to: `lead-${tag}@acme.test`, subject: `Hello ${tag}` })) })).body;
	const parentId = (await sb.messages(ME)).find((m) => m.id === first.id)!.messageId!;
	const raw = rawMessage({
		from: ME,
		to: `lead-${tag}@acme.test`,
		subject: `Re: Hello ${tag}`,
		inReplyTo: parentId,
		references: parentId,
		headers: { 'X-Outreach-Key': `go-${tag}`, 'List-Unsubscribe': '<mailto:unsubscribe@example.com>' },
		text: 'Following up, as written by the node',
	});
	const d = (await api('POST', '/drafts', { message: { raw: b64url(raw), threadId: first.threadId } })).body;
	const label = (await api('POST', '/labels', { name: `Tag ${tag}` })).body;
	assert.equal((await api('POST', `/messages/${d.message.id}/modify`, { addLabelIds: [label.id] })).status, 200);
	return { threadId: first.threadId, draftId: d.id, messageId: d.message.id, parentId, labelId: label.id };
}

async function draftRaw(draftId: string): Promise<{ raw: string; message: any }> {
	const got = (await api('GET', `/drafts/${draftId}?format=raw`)).body;
	return { raw: Buffer.from(got.message.raw, 'base64url').toString('utf8'), message: got.message };
}

describe('a person edits a draft in Gmail (sandbox admin call)', () => {
	test('by default: same draft id and thread, a new message and Message-ID, the new words, custom headers and labels gone', async () => {
		const t = await threadWithDraft('worst');
		const before = await draftRaw(t.draftId);
		const cursor = (await api('GET', '/profile')).body.historyId;
		const r = await edit(t.draftId, { text: 'Hi Lead,\nwritten by a person.' });
		assert.equal(r.status, 200);
		assert.equal(r.body.id, t.draftId);
		assert.notEqual(r.body.message.id, t.messageId);
		assert.equal(r.body.message.threadId, t.threadId);
		assert.deepEqual(r.body.message.labelIds, ['DRAFT']);
		assert.equal((await api('GET', `/messages/${t.messageId}`)).status, 404, 'the old message is gone');
		const after = await draftRaw(t.draftId);
		assert.equal(after.message.id, r.body.message.id);
		const parsed = await PostalMime.parse(after.raw);
		assert.match(parsed.text ?? '', /written by a person/);
		assert.match(parsed.html ?? '', /<div dir="ltr">Hi Lead,<br>written by a person\.<\/div>/);
		assert.notEqual(parsed.messageId, (await PostalMime.parse(before.raw)).messageId);
		const names = parsed.headers.map((h) => h.key);
		assert.ok(!names.includes('x-outreach-key') && !names.includes('list-unsubscribe'), names.join(', '));
		// The composer's own headers stay: the reply still threads.
		assert.equal(parsed.inReplyTo, t.parentId);
		assert.equal(parsed.subject, 'Re: Hello worst');
		// History shows the swap (lag-free clients see it).
		const h = (await api('GET', `/history?startHistoryId=${cursor}&historyTypes=messageAdded&historyTypes=messageDeleted`)).body;
		const added = (h.history ?? []).flatMap((x: any) => x.messagesAdded ?? []).map((a: any) => a.message.id);
		const deleted = (h.history ?? []).flatMap((x: any) => x.messagesDeleted ?? []).map((a: any) => a.message.id);
		assert.ok(added.includes(r.body.message.id) && deleted.includes(t.messageId));
		// Sending the edited draft sends what the person wrote, in the thread.
		const sent = (await api('POST', '/drafts/send', { id: t.draftId })).body;
		assert.equal(sent.threadId, t.threadId);
		const stored = (await sb.messages(ME)).find((m) => m.id === sent.id)!;
		assert.match(stored.text, /written by a person/);
	});

	test('each switch the other way: the message kept in place, custom headers kept, labels kept', async () => {
		const t = await threadWithDraft('kind');
		const r = await edit(t.draftId, { text: 'Edited gently', replaceMessage: false, dropCustomHeaders: false, dropLabels: false });
		assert.equal(r.status, 200);
		assert.equal(r.body.message.id, t.messageId, 'same message id');
		assert.ok(r.body.message.labelIds.includes(t.labelId), 'label kept');
		const after = await draftRaw(t.draftId);
		const parsed = await PostalMime.parse(after.raw);
		assert.match(parsed.text ?? '', /Edited gently/);
		assert.equal(parsed.headers.find((h) => h.key === 'x-outreach-key')?.value, 'go-kind');
		assert.ok(parsed.headers.some((h) => h.key === 'list-unsubscribe'));

		const u = await threadWithDraft('mixed');
		const m = await edit(u.draftId, { dropCustomHeaders: false });
		assert.notEqual(m.body.message.id, u.messageId, 'a new message');
		assert.deepEqual(m.body.message.labelIds, ['DRAFT'], 'labels dropped');
		const kept = await PostalMime.parse((await draftRaw(u.draftId)).raw);
		assert.equal(kept.headers.find((h) => h.key === 'x-outreach-key')?.value, 'go-mixed');
		assert.match(kept.text ?? '', /as written by the node/, 'no text given: the body is kept');

		const v = await threadWithDraft('labels');
		const l = await edit(v.draftId, { dropLabels: false, replaceMessage: true });
		assert.ok(l.body.message.labelIds.includes(v.labelId));
		const inPlace = await threadWithDraft('inplace');
		const p = await edit(inPlace.draftId, { replaceMessage: false });
		assert.equal(p.body.message.id, inPlace.messageId);
		assert.deepEqual(p.body.message.labelIds, ['DRAFT'], 'labels dropped in place');
	});

	test('a new subject re-threads the draft, as Gmail threads by subject', async () => {
		const t = await threadWithDraft('subject');
		const r = await edit(t.draftId, { subject: 'Something else entirely' });
		assert.equal(r.status, 200);
		assert.notEqual(r.body.message.threadId, t.threadId);
		const same = await threadWithDraft('resubject');
		const ok = await edit(same.draftId, { subject: 'RE: Hello resubject' });
		assert.equal(ok.body.message.threadId, same.threadId, 'a Re: prefix keeps the thread');
	});

	test('unknown mailbox or draft is 404; wrong types are 400', async () => {
		assert.equal((await edit('r1', {}, 'nobody@example.com')).status, 404);
		assert.equal((await edit('r-does-not-exist', {})).status, 404);
		const t = await threadWithDraft('bad');
		assert.equal((await edit(t.draftId, { text: 42 })).status, 400);
		assert.equal((await edit(t.draftId, { replaceMessage: 'yes' })).status, 400);
	});
});
