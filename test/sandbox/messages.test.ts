import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import PostalMime from 'postal-mime';
import { b64url, rawMessage, startSandbox, type TestMailbox, type TestSandbox } from '../support/sandbox';

const ME = 'alice@example.com';
let sb: TestSandbox;
let alice: TestMailbox;
const U = '/gmail/v1/users/me';

const send = (raw: string, threadId?: string, token = alice.accessToken) =>
	sb.gmail(token, 'POST', `${U}/messages/send`, { raw: b64url(raw), ...(threadId ? { threadId } : {}) });

async function sentHeader(id: string, name: string): Promise<string | undefined> {
	const r = await sb.gmail(alice.accessToken, 'GET', `${U}/messages/${id}?format=metadata&metadataHeaders=${name}`);
	return r.body.payload.headers.find((h: { name: string }) => h.name.toLowerCase() === name.toLowerCase())?.value;
}

before(async () => {
	// Search-index lag has its own tests (timing-search); here a search sees writes at once.
	sb = await startSandbox({ searchLagMs: 0 });
	alice = await sb.createMailbox({ email: ME, aliases: ['sales@example.com'] });
	await sb.createMailbox({ email: 'bob@example.org' });
});
after(() => sb.close());

describe('messages.send checks', () => {
	test('standard base64 with + or / is rejected in Gmail\'s words; base64url is accepted', async () => {
		const raw = rawMessage({ from: ME, to: 'lead@acme.com', subject: 'Hi?>>?', text: '??>>~~~' });
		const std = Buffer.from(raw).toString('base64');
		assert.match(std, /[+/]/);
		const bad = await sb.gmail(alice.accessToken, 'POST', `${U}/messages/send`, { raw: std });
		assert.equal(bad.status, 400);
		assert.equal(bad.body.error.status, 'INVALID_ARGUMENT');
		assert.equal(bad.body.error.errors[0].reason, 'invalidArgument');
		assert.match(bad.body.error.message, /^Invalid value at 'message\.raw' \(TYPE_BYTES\), Base64 decoding failed for "/);
		const good = await send(raw);
		assert.equal(good.status, 200);
		assert.deepEqual(good.body.labelIds, ['SENT']);
		assert.match(good.body.id, /^[0-9a-f]{16}$/);
	});
	test('padding is a setting (accepted by default)', async () => {
		const raw = Buffer.from(rawMessage({ from: ME, to: 'lead@acme.com', text: 'x' })).toString('base64url');
		const padded = raw + '='.repeat((4 - (raw.length % 4)) % 4 || 0);
		if (padded === raw) return;
		assert.equal((await sb.gmail(alice.accessToken, 'POST', `${U}/messages/send`, { raw: padded })).status, 200);
		await sb.settings({ acceptBase64Padding: false });
		assert.equal((await sb.gmail(alice.accessToken, 'POST', `${U}/messages/send`, { raw: padded })).status, 400);
		await sb.settings({ acceptBase64Padding: true });
	});
	test('missing raw, no recipient, too many recipients, foreign From → 400', async () => {
		const noRaw = await sb.gmail(alice.accessToken, 'POST', `${U}/messages/send`, {});
		assert.equal(noRaw.status, 400);
		const noRcpt = await send(rawMessage({ from: ME, subject: 'x' }));
		assert.equal(noRcpt.status, 400);
		assert.equal(noRcpt.body.error.message, 'Recipient address required');
		const many = Array.from({ length: 101 }, (_, i) => `l${i}@acme.com`);
		const tooMany = await send(rawMessage({ from: ME, to: many.slice(0, 60).join(', '), cc: many.slice(60).join(', ') }));
		assert.equal(tooMany.status, 400);
		assert.match(tooMany.body.error.message, /recipients/i);
		assert.equal((await send(rawMessage({ from: ME, to: many.slice(0, 100).join(', ') }))).status, 200);
		// Gmail's default rewrites a foreign From (timing-from tests it); this pins the 400 of fromPolicy 'reject'.
		await sb.settings({ fromPolicy: 'reject' });
		try {
			const foreign = await send(rawMessage({ from: 'Mallory <mallory@evil.com>', to: 'lead@acme.com' }));
			assert.equal(foreign.status, 400);
			assert.match(foreign.body.error.message, /From/);
			assert.match(foreign.body.error.message, /mallory@evil\.com/);
		} finally {
			await sb.settings({ fromPolicy: 'rewrite' });
		}
		assert.equal((await send(rawMessage({ from: 'Sales <SALES@example.com>', to: 'lead@acme.com' }))).status, 200, 'verified alias');
	});
	test('client Message-ID is replaced by default and kept when the setting says so', async () => {
		const a = await send(rawMessage({ from: ME, to: 'lead@acme.com', messageId: '<mine-1@client.test>' }));
		const replaced = await sentHeader(a.body.id, 'Message-ID');
		assert.notEqual(replaced, '<mine-1@client.test>');
		assert.match(replaced ?? '', /^<.+@mail\.gmail\.com>$/);
		await sb.settings({ keepClientMessageId: true });
		const b = await send(rawMessage({ from: ME, to: 'lead@acme.com', messageId: '<mine-2@client.test>' }));
		assert.equal(await sentHeader(b.body.id, 'Message-ID'), '<mine-2@client.test>');
		await sb.settings({ keepClientMessageId: false });
	});
	test('sent to yourself: SENT, INBOX and UNREAD', async () => {
		const r = await send(rawMessage({ from: ME, to: ME }));
		assert.deepEqual(r.body.labelIds.sort(), ['INBOX', 'SENT', 'UNREAD']);
	});
});

describe('search dates', () => {
	// Gmail's guide: a YYYY/MM/DD in q is midnight PST, whatever the account's zone; epoch seconds are exact.
	test('after:YYYY/MM/DD is midnight Pacific by default, the mailbox zone when the setting says so', async () => {
		const berlin = await sb.createMailbox({ email: 'berlin@example.com', timezone: 'Europe/Berlin' });
		const was = (await sb.clock()).now;
		await sb.clock({ now: '2026-11-21T05:00:00Z' }); // 21 Nov 06:00 in Berlin, 20 Nov 21:00 in California
		const m = await sb.deliver({ to: 'berlin@example.com', from: 'lead@acme.com', subject: 'early', text: 'hi' });
		const ids = async (q: string) => ((await sb.gmail(berlin.accessToken, 'GET', `${U}/messages?q=${encodeURIComponent(q)}`)).body.messages ?? []).map((x: { id: string }) => x.id);
		try {
			assert.deepEqual(await ids('after:2026/11/21'), [], 'midnight PST is 08:00 UTC, after the message');
			assert.deepEqual(await ids('before:2026/11/21'), [m.id]);
			assert.deepEqual(await ids(`after:${Date.parse('2026-11-21T04:59:59Z') / 1000 + 1}`), [m.id], 'epoch seconds are exact');
			await sb.settings({ searchDateZone: 'mailbox' });
			assert.deepEqual(await ids('after:2026/11/21'), [m.id], 'midnight in Berlin is 23:00 UTC the day before');
			assert.deepEqual(await ids('before:2026/11/21'), []);
		} finally {
			await sb.settings({ searchDateZone: 'pacific' });
			await sb.clock({ now: was });
		}
	});
});

describe('threading', () => {
	let first: { id: string; threadId: string };
	let firstMsgId: string;
	before(async () => {
		first = (await send(rawMessage({ from: ME, to: 'lead@acme.com', subject: 'Pricing for Acme' }))).body;
		firstMsgId = (await sentHeader(first.id, 'Message-ID')) as string;
	});
	test('joins the thread with right headers and Re: subject', async () => {
		const r = await send(rawMessage({ from: ME, to: 'lead@acme.com', subject: 'RE: pricing for  acme', inReplyTo: firstMsgId, references: firstMsgId }), first.threadId);
		assert.equal(r.status, 200);
		assert.equal(r.body.threadId, first.threadId);
	});
	test('changed subject → new thread', async () => {
		const r = await send(rawMessage({ from: ME, to: 'lead@acme.com', subject: 'Something else', inReplyTo: firstMsgId, references: firstMsgId }), first.threadId);
		assert.equal(r.status, 200);
		assert.notEqual(r.body.threadId, first.threadId);
		assert.equal(r.body.threadId, r.body.id);
	});
	test('missing References/In-Reply-To → new thread', async () => {
		const r = await send(rawMessage({ from: ME, to: 'lead@acme.com', subject: 'Re: Pricing for Acme' }), first.threadId);
		assert.notEqual(r.body.threadId, first.threadId);
	});
	test('right headers but no threadId → new thread (Gmail does not thread API sends by headers alone)', async () => {
		const r = await send(rawMessage({ from: ME, to: 'lead@acme.com', subject: 'Re: Pricing for Acme', inReplyTo: firstMsgId, references: firstMsgId }));
		assert.notEqual(r.body.threadId, first.threadId);
	});
	test('unknown threadId → 400 Invalid thread_id value', async () => {
		const r = await send(rawMessage({ from: ME, to: 'lead@acme.com' }), 'ffffffffffffffff');
		assert.equal(r.status, 400);
		assert.equal(r.body.error.message, 'Invalid thread_id value');
	});
	test('inbound reply threads by headers; other mailbox gets a local copy', async () => {
		const toBob = await send(rawMessage({ from: ME, to: 'Bob <bob@example.org>', subject: 'Intro', bcc: 'secret@example.com' }));
		const bobMsgs = await sb.messages('bob@example.org');
		const copy = bobMsgs.find((m) => m.subject === 'Intro');
		assert.ok(copy, 'delivered to the other sandbox mailbox');
		assert.deepEqual(copy.labelIds, ['INBOX', 'UNREAD']);
		assert.ok(!/^Bcc:/im.test(copy.raw), 'Bcc stripped from the delivered copy');
		const msgId = (await sentHeader(toBob.body.id, 'Message-ID')) as string;
		const reply = await sb.deliver({ to: ME, from: 'bob@example.org', subject: 'Re: Intro', text: 'yes', inReplyTo: msgId, references: msgId });
		assert.equal(reply.threadId, toBob.body.threadId);
		const unrelated = await sb.deliver({ to: ME, from: 'bob@example.org', subject: 'Other', text: 'yes', inReplyTo: msgId });
		assert.notEqual(unrelated.threadId, toBob.body.threadId);
	});
	test('reply, auto-reply, bounce and unsubscribe builders thread into the sent message and parse as such', async () => {
		const sent = (await send(rawMessage({ from: ME, to: 'Lead One <lead1@acme.com>', subject: 'Demo next week?' }))).body;
		for (const kind of ['reply', 'auto-reply', 'bounce', 'unsubscribe']) {
			const r = await sb.deliver({ to: ME, replyTo: sent.id, kind });
			assert.equal(r.threadId, sent.threadId, kind);
		}
		const msgs = (await sb.messages(ME)).filter((m) => m.threadId === sent.threadId);
		assert.equal(msgs.length, 5);
		const [, reply, auto, bounce, unsub] = msgs;
		assert.equal(reply.from?.address, 'lead1@acme.com');
		assert.equal(reply.subject, 'Re: Demo next week?');
		assert.ok(reply.inReplyTo);
		assert.equal(auto.headers.find((h) => h.name.toLowerCase() === 'auto-submitted')?.value, 'auto-replied');
		assert.match(bounce.from?.address ?? '', /mailer-daemon/);
		const parsed = await PostalMime.parse(bounce.raw);
		assert.ok(parsed.headers.find((h) => h.key === 'content-type')?.value.includes('multipart/report'));
		assert.match(bounce.raw, /Final-Recipient: rfc822; lead1@acme\.com/);
		assert.match(unsub.text, /remove me/i);
		const full = await sb.gmail(alice.accessToken, 'GET', `${U}/messages/${bounce.id}?format=full`);
		const types = full.body.payload.parts.map((p: { mimeType: string }) => p.mimeType);
		assert.deepEqual(types, ['text/plain', 'message/delivery-status', 'text/rfc822-headers']);
	});
});

describe('get, list, modify, labels, threads', () => {
	test('formats: minimal, metadata, raw, full with attachment', async () => {
		const boundary = 'b1';
		const raw = [
			`From: ${ME}`, 'To: lead@acme.com', 'Subject: =?UTF-8?B?w5xiZXIgdW5z?=', 'MIME-Version: 1.0',
			`Content-Type: multipart/mixed; boundary="${boundary}"`, '',
			`--${boundary}`, 'Content-Type: text/plain; charset=UTF-8', 'Content-Transfer-Encoding: quoted-printable', '', 'Gr=C3=BC=C3=9Fe',
			`--${boundary}`, 'Content-Type: application/pdf; name="deck.pdf"', 'Content-Disposition: attachment; filename="deck.pdf"', 'Content-Transfer-Encoding: base64', '', Buffer.from('%PDF-1.4 fake').toString('base64'),
			`--${boundary}--`, '',
		].join('\r\n');
		const { id } = (await send(raw)).body;
		const minimal = (await sb.gmail(alice.accessToken, 'GET', `${U}/messages/${id}?format=minimal`)).body;
		assert.equal(minimal.payload, undefined);
		assert.match(minimal.internalDate, /^\d+$/);
		assert.match(minimal.historyId, /^\d+$/);
		const meta = (await sb.gmail(alice.accessToken, 'GET', `${U}/messages/${id}?format=metadata&metadataHeaders=Subject&metadataHeaders=to`)).body;
		assert.deepEqual(meta.payload.headers.map((h: { name: string }) => h.name), ['To', 'Subject']);
		assert.equal(meta.payload.headers[1].value, 'Über uns');
		const rawFmt = (await sb.gmail(alice.accessToken, 'GET', `${U}/messages/${id}?format=raw`)).body;
		const reparsed = await PostalMime.parse(Buffer.from(rawFmt.raw, 'base64url').toString('utf8'));
		assert.equal(reparsed.subject, 'Über uns');
		assert.ok(reparsed.messageId);
		const full = (await sb.gmail(alice.accessToken, 'GET', `${U}/messages/${id}`)).body;
		assert.equal(full.payload.mimeType, 'multipart/mixed');
		assert.equal(Buffer.from(full.payload.parts[0].body.data, 'base64url').toString('utf8'), 'Grüße');
		const att = full.payload.parts[1];
		assert.equal(att.filename, 'deck.pdf');
		const data = (await sb.gmail(alice.accessToken, 'GET', `${U}/messages/${id}/attachments/${att.body.attachmentId}`)).body;
		assert.equal(Buffer.from(data.data, 'base64url').toString(), '%PDF-1.4 fake');
		const listed = (await sb.gmail(alice.accessToken, 'GET', `${U}/messages?q=${encodeURIComponent('has:attachment filename:deck.pdf')}`)).body;
		assert.deepEqual(listed.messages.map((m: { id: string }) => m.id), [id]);
		assert.equal((await sb.gmail(alice.accessToken, 'GET', `${U}/messages/0000000000000000`)).status, 404);
	});
	test('list: q, labelIds, paging, spam/trash excluded by default', async () => {
		const ids: string[] = [];
		for (let i = 0; i < 5; i++) ids.push((await send(rawMessage({ from: ME, to: `page${i}@paging.test`, subject: `Paging ${i}` }))).body.id);
		const first = (await sb.gmail(alice.accessToken, 'GET', `${U}/messages?q=to:paging.test&maxResults=2`)).body;
		assert.equal(first.messages.length, 2);
		assert.equal(first.resultSizeEstimate, 5);
		assert.ok(first.nextPageToken);
		const seen = [...first.messages];
		let token = first.nextPageToken;
		while (token) {
			const page = (await sb.gmail(alice.accessToken, 'GET', `${U}/messages?q=to:paging.test&maxResults=2&pageToken=${token}`)).body;
			seen.push(...page.messages);
			token = page.nextPageToken;
		}
		assert.deepEqual(seen.map((m) => m.id).sort(), [...ids].sort());
		assert.equal(seen[0].id, ids[4], 'newest first');
		await sb.gmail(alice.accessToken, 'POST', `${U}/messages/${ids[0]}/trash`);
		const after = (await sb.gmail(alice.accessToken, 'GET', `${U}/messages?q=to:paging.test`)).body;
		assert.equal(after.resultSizeEstimate, 4);
		const anywhere = (await sb.gmail(alice.accessToken, 'GET', `${U}/messages?q=${encodeURIComponent('to:paging.test in:anywhere')}`)).body;
		assert.equal(anywhere.resultSizeEstimate, 5);
		const inc = (await sb.gmail(alice.accessToken, 'GET', `${U}/messages?q=to:paging.test&includeSpamTrash=true`)).body;
		assert.equal(inc.resultSizeEstimate, 5);
		const none = (await sb.gmail(alice.accessToken, 'GET', `${U}/messages?q=nothingmatchesthis`)).body;
		assert.deepEqual(none, { resultSizeEstimate: 0 });
		const sent = (await sb.gmail(alice.accessToken, 'GET', `${U}/messages?labelIds=SENT&labelIds=TRASH`)).body;
		assert.deepEqual(sent.messages.map((m: { id: string }) => m.id), [ids[0]]);
	});
	test('labels: nested create, 409 on case-insensitive duplicate, modify, batchModify, search by label, delete', async () => {
		const parent = await sb.gmail(alice.accessToken, 'POST', `${U}/labels`, { name: 'Outreach' });
		const child = await sb.gmail(alice.accessToken, 'POST', `${U}/labels`, { name: 'Outreach/Replied' });
		assert.equal(parent.status, 200);
		assert.match(child.body.id, /^Label_\d+$/);
		const dup = await sb.gmail(alice.accessToken, 'POST', `${U}/labels`, { name: 'outreach/REPLIED' });
		assert.equal(dup.status, 409);
		assert.equal(dup.body.error.message, 'Label name exists or conflicts');
		assert.equal(dup.body.error.status, 'ALREADY_EXISTS');
		assert.equal((await sb.gmail(alice.accessToken, 'POST', `${U}/labels`, { name: 'inbox' })).status, 409);
		const list = (await sb.gmail(alice.accessToken, 'GET', `${U}/labels`)).body.labels;
		assert.ok(list.some((l: { id: string }) => l.id === 'INBOX'));
		assert.ok(list.some((l: { name: string }) => l.name === 'Outreach/Replied'));
		const m1 = (await send(rawMessage({ from: ME, to: 'lab@label.test' }))).body.id;
		const m2 = (await send(rawMessage({ from: ME, to: 'lab@label.test' }))).body.id;
		const mod = await sb.gmail(alice.accessToken, 'POST', `${U}/messages/${m1}/modify`, { addLabelIds: [child.body.id, 'STARRED'] });
		assert.deepEqual(mod.body.labelIds, ['SENT', child.body.id, 'STARRED']);
		assert.equal((await sb.gmail(alice.accessToken, 'POST', `${U}/messages/${m1}/modify`, { addLabelIds: ['Label_999'] })).status, 400);
		assert.equal((await sb.gmail(alice.accessToken, 'POST', `${U}/messages/${m1}/modify`, { addLabelIds: ['SENT'] })).status, 400);
		const bm = await sb.gmail(alice.accessToken, 'POST', `${U}/messages/batchModify`, { ids: [m1, m2], addLabelIds: ['IMPORTANT'], removeLabelIds: ['STARRED'] });
		assert.equal(bm.status, 204);
		const tooMany = await sb.gmail(alice.accessToken, 'POST', `${U}/messages/batchModify`, { ids: Array.from({ length: 1001 }, (_, i) => String(i)), addLabelIds: ['IMPORTANT'] });
		assert.equal(tooMany.status, 400);
		const byLabel = (await sb.gmail(alice.accessToken, 'GET', `${U}/messages?q=${encodeURIComponent('label:outreach-replied is:important -is:starred')}`)).body;
		assert.deepEqual(byLabel.messages.map((m: { id: string }) => m.id), [m1]);
		const got = (await sb.gmail(alice.accessToken, 'GET', `${U}/labels/${child.body.id}`)).body;
		assert.equal(got.messagesTotal, 1);
		assert.equal((await sb.gmail(alice.accessToken, 'DELETE', `${U}/labels/${child.body.id}`)).status, 204);
		const after = (await sb.gmail(alice.accessToken, 'GET', `${U}/messages/${m1}?format=minimal`)).body;
		assert.ok(!after.labelIds.includes(child.body.id));
	});
	test('threads.get / threads.list', async () => {
		const a = (await send(rawMessage({ from: ME, to: 'thr@thread.test', subject: 'Thread me' }))).body;
		const mid = (await sentHeader(a.id, 'Message-ID')) as string;
		const b = (await send(rawMessage({ from: ME, to: 'thr@thread.test', subject: 'Re: Thread me', inReplyTo: mid, references: mid }), a.threadId)).body;
		const t = (await sb.gmail(alice.accessToken, 'GET', `${U}/threads/${a.threadId}?format=metadata`)).body;
		assert.deepEqual(t.messages.map((m: { id: string }) => m.id), [a.id, b.id]);
		const list = (await sb.gmail(alice.accessToken, 'GET', `${U}/threads?q=to:thread.test`)).body;
		assert.deepEqual(list.threads.map((x: { id: string }) => x.id), [a.threadId]);
		assert.equal((await sb.gmail(alice.accessToken, 'GET', `${U}/threads/ffffffffffffffff`)).status, 404);
	});
	test('profile and sendAs', async () => {
		const p = (await sb.gmail(alice.accessToken, 'GET', `${U}/profile`)).body;
		assert.equal(p.emailAddress, ME);
		assert.match(p.historyId, /^\d+$/);
		const s = (await sb.gmail(alice.accessToken, 'GET', `${U}/settings/sendAs`)).body.sendAs;
		assert.deepEqual(s.map((x: { sendAsEmail: string }) => x.sendAsEmail), [ME, 'sales@example.com']);
		assert.equal(s[0].isPrimary, true);
	});
});
