// The sandbox's simulated answers (POST /sandbox/deliver with replyTo + kind) take the shapes real mail takes, and the
// package's classifier reads each one as what it is: an independent MIME parser checks the structure, classifyMessage the meaning.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import PostalMime from 'postal-mime';
import { classifyMessage } from '../../nodes/shared/core/classify';
import { b64url, rawMessage, startSandbox, type TestMailbox, type TestSandbox } from '../support/sandbox';

const U = '/gmail/v1/users/me';
let sb: TestSandbox;
let box: TestMailbox;
let n = 0;

before(async () => {
	sb = await startSandbox();
	box = await sb.createMailbox({ email: 'olivia@acme.test', aliases: ['optout@acme.test'] });
});
after(() => sb.close());

/** Sends one outreach email to a fresh lead; returns its id, thread and the lead. */
async function sendOne(headers: Record<string, string> = {}): Promise<{ id: string; threadId: string; lead: string }> {
	const lead = `lead${++n}@client${n}.test`;
	const raw = rawMessage({ from: `Olivia <${box.email}>`, to: `Lead ${n} <${lead}>`, subject: `Question ${n}`, headers: { 'X-Outreach-Key': `key-${n}`, ...headers } });
	const r = await sb.gmail(box.accessToken, 'POST', `${U}/messages/send`, { raw: b64url(raw) });
	assert.equal(r.status, 200);
	return { id: r.body.id, threadId: r.body.threadId, lead };
}

/** Delivers an answer and returns the stored message with its class. */
async function answer(to: { id: string }, body: Record<string, unknown>) {
	const r = await sb.deliver({ to: box.email, replyTo: to.id, ...body });
	const m = (await sb.messages(box.email)).find((x) => x.id === r.id)!;
	const cls = classifyMessage(m.raw, { ourAddresses: [box.email], unsubscribeAddresses: ['optout@acme.test'] });
	return { m, cls, parsed: await PostalMime.parse(m.raw) };
}

describe('simulated answers', () => {
	test('DSNs of eight MTAs: unthreaded (except Gmail), X-Failed-Recipients only from Exim and Gmail, each read as a bounce of the lead with its status', async () => {
		const cases: Array<[string, string, boolean]> = [
			['postfix', '5.1.1', true],
			['exim', '5.2.2', false],
			['sendmail', '5.1.1', true],
			['qmail', '5.1.1', true],
			['exchange', '5.1.10', true],
			['gmail', '5.1.1', true],
			['yahoo', '5.1.1', true],
			['outlook', '5.7.1', false],
		];
		for (const [format, status, hard] of cases) {
			const sent = await sendOne();
			const { m, cls } = await answer(sent, { kind: 'dsn', format, status });
			assert.equal(cls.kind, 'bounce', `${format}: ${cls.reason}`);
			assert.deepEqual(cls.recipients, [sent.lead], format);
			assert.equal(cls.hard, hard, `${format} ${status}: ${cls.reason}`);
			assert.equal(m.threadId === sent.threadId, format === 'gmail', `${format}: threaded only for Gmail's own`);
			const failedHeader = m.headers.some((h) => h.name.toLowerCase() === 'x-failed-recipients');
			assert.equal(failedHeader, format === 'exim' || format === 'gmail', format);
			assert.equal(cls.outreachKey, `key-${n}`, `${format}: the returned original names our key`);
		}
	});

	test('a 4.4.7 expiry is a soft bounce; delay warnings are delays, not bounces; qmail sends none (400)', async () => {
		const expired = await answer(await sendOne(), { kind: 'dsn', format: 'sendmail', status: '4.4.7' });
		assert.equal(expired.cls.kind, 'bounce');
		assert.equal(expired.cls.hard, false);
		for (const format of ['postfix', 'sendmail', 'exim', 'exchange', 'gmail']) {
			const sent = await sendOne();
			const { cls } = await answer(sent, { kind: 'delay', format });
			assert.equal(cls.kind, 'delivery_delay', `${format}: ${cls.reason}`);
		}
		await assert.rejects(sb.deliver({ to: box.email, replyTo: (await sendOne()).id, kind: 'delay', format: 'qmail' }), /400|no delay/);
		await assert.rejects(sb.deliver({ to: box.email, replyTo: (await sendOne()).id, kind: 'dsn', format: 'lotus' }), /format must be one of/);
	});

	test('out-of-office in ten languages, with and without auto-reply headers: "until" the day before, read back as the return date', async () => {
		for (const lang of ['en', 'de', 'fr', 'es', 'pt', 'it', 'nl', 'pl', 'sv', 'da']) {
			for (const headers of [true, false]) {
				const sent = await sendOne();
				const { m, cls, parsed } = await answer(sent, { kind: 'out-of-office', lang, headers, returnDate: '2027-01-12' });
				// Marked automatic answers are filed by their references; an unmarked one with a new subject starts its own thread.
				assert.equal(m.threadId === sent.threadId, headers, `${lang}/${headers}: thread`);
				assert.equal(cls.kind, 'auto_reply', `${lang}/${headers}: ${cls.reason} — ${parsed.text}`);
				assert.equal(cls.autoReplyType, 'out_of_office', `${lang}/${headers}: ${parsed.text}`);
				assert.equal(cls.returnDate, '2027-01-12', `${lang}: ${parsed.text}`);
				assert.equal(cls.language, lang, `${lang}: ${parsed.text}`);
				assert.equal(m.headers.some((h) => h.name.toLowerCase() === 'auto-submitted'), headers);
			}
		}
	});

	test('left-company answers name the contact to write to instead', async () => {
		for (const lang of ['en', 'de', 'fr', 'es', 'nl']) {
			const { cls, parsed } = await answer(await sendOne(), { kind: 'left-company', lang, alternateContact: 'sales@client.test' });
			assert.equal(cls.kind, 'auto_reply', `${lang}: ${cls.reason}`);
			assert.equal(cls.autoReplyType, 'left_company', `${lang}: ${parsed.text}`);
			assert.equal(cls.alternateContact, 'sales@client.test', `${lang}: ${parsed.text}`);
		}
	});

	test('a reply in a new thread and a colleague\'s reply are people; the owner\'s answer by hand is sent mail in the conversation', async () => {
		const sent = await sendOne();
		const fresh = await answer(sent, { kind: 'reply-new-thread', text: 'Yes, send me the deck.' });
		assert.notEqual(fresh.m.threadId, sent.threadId, 'no references: a thread of its own');
		assert.ok(!fresh.m.headers.some((h) => /^(in-reply-to|references)$/i.test(h.name)));
		assert.match(fresh.m.subject, /^AW: Question/);
		assert.equal(fresh.cls.kind, 'human');
		const colleague = await answer(sent, { kind: 'colleague-reply' });
		assert.equal(colleague.m.threadId, sent.threadId);
		assert.equal(colleague.m.from?.address, `colleague@client${n}.test`);
		assert.equal(colleague.cls.kind, 'human');
		const reply = await answer(sent, { kind: 'reply', text: 'What does it cost?' });
		const owner = await sb.deliver({ to: box.email, replyTo: reply.m.id, kind: 'owner-reply', text: '49 EUR a month.' });
		const mine = (await sb.messages(box.email)).find((x) => x.id === owner.id)!;
		assert.deepEqual(mine.labelIds, ['SENT']);
		assert.equal(mine.threadId, sent.threadId);
		assert.deepEqual(mine.to.map((t) => t.address), [sent.lead]);
		assert.ok(!mine.headers.some((h) => h.name.toLowerCase() === 'x-outreach-key'), 'written by hand: no key of ours');
		const stats = await sb.stats(box.email);
		assert.ok(stats.sent24h >= 1, 'it counts against the daily cap');
	});

	test('opt-outs: the List-Unsubscribe mailto (to an alias, subject from the URI) and a new-thread request; a mailto that misses the mailbox is refused', async () => {
		const sent = await sendOne({ 'List-Unsubscribe': '<mailto:optout@acme.test?subject=unsubscribe%20me>' });
		const mailto = await answer(sent, { kind: 'unsubscribe-mailto' });
		assert.deepEqual(mailto.m.to.map((t) => t.address), ['optout@acme.test']);
		assert.equal(mailto.m.subject, 'unsubscribe me');
		assert.notEqual(mailto.m.threadId, sent.threadId);
		assert.equal(mailto.cls.kind, 'unsubscribe', mailto.cls.reason);
		const plus = await sendOne({ 'List-Unsubscribe': `<mailto:olivia+unsub@acme.test>` });
		assert.equal((await answer(plus, { kind: 'unsubscribe-mailto' })).m.to[0].address, 'olivia+unsub@acme.test', 'a +tag of the mailbox reaches it');
		const request = await answer(await sendOne(), { kind: 'unsubscribe-new-thread' });
		assert.equal(request.cls.kind, 'unsubscribe', request.cls.reason);
		const elsewhere = await sendOne({ 'List-Unsubscribe': '<mailto:unsubscribe@esp.test>' });
		await assert.rejects(sb.deliver({ to: box.email, replyTo: elsewhere.id, kind: 'unsubscribe-mailto' }), /does not reach/);
		await assert.rejects(sb.deliver({ to: box.email, replyTo: (await sendOne()).id, kind: 'unsubscribe-mailto' }), /no List-Unsubscribe mailto/);
	});

	test('a spam complaint (ARF) names the lead and our key', async () => {
		const sent = await sendOne();
		const { m, cls, parsed } = await answer(sent, { kind: 'complaint' });
		assert.notEqual(m.threadId, sent.threadId);
		assert.ok(parsed.attachments.some((a) => a.mimeType === 'message/feedback-report'));
		assert.equal(cls.kind, 'feedback_report', cls.reason);
		assert.deepEqual(cls.recipients, [sent.lead]);
		assert.equal(cls.outreachKey, `key-${n}`);
	});

	test('an unknown kind is refused with the list of kinds', async () => {
		await assert.rejects(sb.deliver({ to: box.email, replyTo: (await sendOne()).id, kind: 'fax' }), /kind must be one of reply, reply-new-thread/);
	});
});
