import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import PostalMime from 'postal-mime';
import type { IDataObject } from 'n8n-workflow';
import { startSandbox } from '../support/sandbox';
import { followParams, leads, mailbox as mailboxOf, OUT, runOne, SEND_PARAMS, sendStep1 } from './helpers-sequence';

type Sandbox = Awaited<ReturnType<typeof startSandbox>>;
type AdminMessage = {
	id: string;
	threadId: string;
	labelIds: string[];
	subject: string;
	messageId?: string;
	raw: string;
	headers: unknown;
};

let sandbox: Sandbox;

before(async () => {
	sandbox = await startSandbox();
});
after(async () => {
	await sandbox?.close();
});

const mailbox = (type?: number) => mailboxOf(sandbox, type !== undefined ? { type } : {});

async function messagesOf(email: string): Promise<AdminMessage[]> {
	const res = await fetch(`${sandbox.url}/sandbox/mailboxes/${encodeURIComponent(email)}/messages`);
	assert.equal(res.status, 200);
	return ((await res.json()) as { messages: AdminMessage[] }).messages;
}

async function sendCount(email: string): Promise<number> {
	const stats = (await sandbox.stats(email)) as { calls: Record<string, number> };
	return stats.calls['messages.send'] ?? 0;
}

async function deliver(to: string, replyTo: string, kind: 'reply' | 'auto-reply' | 'bounce' | 'unsubscribe'): Promise<void> {
	await sandbox.deliver({ to, replyTo, kind });
}

describe('Gmail Threaded Reply against the sandbox', { timeout: 60_000 }, () => {
	test('3-step sequence: one thread of three per lead, In-Reply-To = previous, References = full chain, one Re:', async () => {
		const { email, credentials } = await mailbox();
		const step1 = await sendStep1(leads(3, 'seq'), credentials);

		const out2 = await runOne('gmailThreadedReply', followParams(2), step1, credentials);
		assert.equal(out2[OUT.sent].length, 3, JSON.stringify([...out2[OUT.skipped], ...out2[OUT.failed]].map((i) => i.json)));
		await sandbox.clock({ advance: 'P3D' });
		const out3 = await runOne(
			'gmailThreadedReply',
			followParams(3),
			out2[OUT.sent].map((i) => i.json),
			credentials,
		);
		assert.equal(out3[OUT.sent].length, 3, JSON.stringify([...out3[OUT.skipped], ...out3[OUT.failed]].map((i) => i.json)));

		const all = await messagesOf(email);
		for (const [i, first] of step1.entries()) {
			const thread = all.filter((m) => m.threadId === first.threadId);
			assert.equal(thread.length, 3, `lead ${i}: one thread of three`);
			assert.equal(out3[OUT.sent][i].json.threadId, first.threadId);
			const parsed = await Promise.all(thread.map((m) => PostalMime.parse(m.raw)));
			const ids = parsed.map((p) => p.messageId);
			assert.ok(ids.every(Boolean));
			assert.equal(parsed[0].subject, `Quick question about Company ${i}`);
			for (let k = 1; k < 3; k++) {
				assert.equal(parsed[k].inReplyTo, ids[k - 1], `step ${k + 1} In-Reply-To`);
				assert.deepEqual(parsed[k].references?.split(/\s+/), ids.slice(0, k), `step ${k + 1} References`);
				assert.equal(parsed[k].subject, `Re: Quick question about Company ${i}`);
				assert.equal((parsed[k].subject ?? '').match(/re:/gi)?.length, 1, 'a single Re:');
				const to = parsed[k].to?.map((a) => a.address);
				assert.deepEqual(to, [first.email]);
			}
			// The node's own output carries the read-back Message-ID of what it sent.
			assert.equal(out3[OUT.sent][i].json.rfc822MessageId, ids[2]);
		}
	});

	test('replied, auto-replied, bounced and opted-out leads: only the auto-replied one gets step 2 (when not waiting for the return date)', async () => {
		const { email, credentials } = await mailbox();
		const step1 = await sendStep1(leads(4, 'engage'), credentials);
		await deliver(email, String(step1[0].messageId), 'reply');
		await deliver(email, String(step1[1].messageId), 'auto-reply');
		await deliver(email, String(step1[2].messageId), 'bounce');
		await deliver(email, String(step1[3].messageId), 'unsubscribe');
		const before = await sendCount(email);

		const out = await runOne('gmailThreadedReply', followParams(2, { options: { waitUntilBack: false } }), step1, credentials);
		assert.deepEqual(
			out[OUT.sent].map((i) => i.json.email),
			[step1[1].email],
		);
		const skipped = Object.fromEntries(out[OUT.skipped].map((i) => [String(i.json.email), i.json.reason]));
		assert.deepEqual(skipped, {
			[String(step1[0].email)]: 'replied',
			[String(step1[2].email)]: 'bounced',
			[String(step1[3].email)]: 'unsubscribed',
		});
		assert.equal((await sendCount(email)) - before, 1, 'exactly one send');
		const thread = (await messagesOf(email)).filter((m) => m.threadId === step1[1].threadId);
		assert.equal(thread.length, 3, 'step 1, the auto-reply, step 2');
		const reply = await PostalMime.parse(thread[2].raw);
		assert.equal(reply.to?.[0].address, step1[1].email, 'to the lead, not the auto-reply');
	});

	test('changing the Send node\'s subject template between steps still threads: each follow-up keeps the subject its lead received', async () => {
		const { email, credentials } = await mailbox();
		const [a, b] = leads(2, 'subj');
		// Step 1 goes to lead a with subject template A.
		const first = await sendStep1([a], credentials);
		// The user then edits the Send node's subject (template B) and the sheet gains lead b; the re-run mails only b.
		const templateB = { ...SEND_PARAMS, subject: 'A totally new angle for {{company}}' };
		const rerun = await runOne('gmailOutreachSend', templateB, [a, b], credentials);
		assert.deepEqual(
			rerun[OUT.skipped].map((i) => [i.json.email, i.json.reason]),
			[[a.email, 'already_sent']],
		);
		assert.equal(rerun[OUT.sent].length, 1);
		const step1 = [first[0], rerun[OUT.sent][0].json];

		// Step 2 (no subject parameter exists on the Threaded Reply node) answers both threads.
		const out = await runOne('gmailThreadedReply', followParams(2), step1, credentials);
		assert.equal(out[OUT.sent].length, 2, JSON.stringify(out.flat().map((i) => i.json)));
		const expected = ['Re: Quick question about Company 0', 'Re: A totally new angle for Company 1'];
		const all = await messagesOf(email);
		for (const [k, sent] of out[OUT.sent].entries()) {
			assert.equal(sent.json.subject, expected[k]);
			assert.equal(sent.json.threadId, step1[k].threadId, 'the follow-up joined the lead\'s thread');
			assert.equal(sent.json.templateSubject, undefined, 'no template subject that is never sent');
			const thread = all.filter((m) => m.threadId === step1[k].threadId);
			assert.equal(thread.length, 2);
			const parsed = await Promise.all(thread.map((m) => PostalMime.parse(m.raw)));
			assert.equal(parsed[1].subject, expected[k]);
			assert.equal(parsed[1].inReplyTo, parsed[0].messageId);
		}
	});

	test('connection resets after committed sends: every reply is found in its thread, none is sent twice', async () => {
		const { email, credentials } = await mailbox();
		const step1 = await sendStep1(leads(3, 'reset'), credentials);
		const before = await sendCount(email);
		await sandbox.faults({ mailbox: email, resetAfterSend: 1 });
		const out = await runOne('gmailThreadedReply', followParams(2), step1, credentials).finally(() => sandbox.clearFaults());
		assert.equal(out[OUT.sent].length, 3, JSON.stringify(out.flat().map((i) => i.json)));
		for (const sent of out[OUT.sent]) {
			assert.equal(sent.json.status, 'sent');
			assert.equal(sent.json.recoveredAfter, 'unknown_outcome');
			assert.match(String(sent.json.rfc822MessageId), /^<.+>$/);
		}
		assert.equal((await sendCount(email)) - before, 3, 'one send call per lead, no resend');
		const all = await messagesOf(email);
		for (const first of step1) assert.equal(all.filter((m) => m.threadId === first.threadId).length, 2, 'step 1 and one step 2');
	});

	test('re-running step 2 sends nothing new', async () => {
		const { email, credentials } = await mailbox();
		const step1 = await sendStep1(leads(2, 'rerun'), credentials);
		const first = await runOne('gmailThreadedReply', followParams(2), step1, credentials);
		assert.equal(first[OUT.sent].length, 2);
		const before = await sendCount(email);
		const again = await runOne('gmailThreadedReply', followParams(2), step1, credentials);
		assert.equal(again[OUT.skipped].length, 2);
		for (const [i, item] of again[OUT.skipped].entries()) {
			assert.equal(item.json.reason, 'already_sent');
			assert.equal(item.json.messageId, first[OUT.sent][i].json.messageId, 'points at the step-2 message');
		}
		assert.equal(await sendCount(email), before, 'no send on the re-run');
		// The step-2 replies carry the campaign label, applied in one batchModify for the run.
		const stats = await sandbox.stats(email);
		assert.equal(stats.calls['messages.batchModify'], 2, 'one for step 1 (Send), one for step 2');
		const step2 = (await messagesOf(email)).filter((m) => m.id === first[OUT.sent][0].json.messageId);
		assert.ok(step2[0].labelIds.some((l) => l.startsWith('Label_')), JSON.stringify(step2[0].labelIds));
	});

	test('finds the thread by lead address or message id; unknown threads and bad rows are named', async () => {
		const { credentials } = await mailbox();
		const step1 = await sendStep1(leads(2, 'find'), credentials);
		const items: IDataObject[] = [
			{ email: step1[0].email, first_name: 'Lead0' },
			{ email: 'nobody@client9.test', first_name: 'Nobody' },
			{ email: 'bob@', first_name: 'Bob' },
		];
		const out = await runOne(
			'gmailThreadedReply',
			followParams(2, { threadBy: 'lead', campaignOnly: true }),
			items,
			credentials,
		);
		assert.equal(out[OUT.sent].length, 1);
		assert.equal(out[OUT.sent][0].json.threadId, step1[0].threadId);
		assert.equal(out[OUT.skipped][0].json.reason, 'thread_not_found');
		assert.equal(out[OUT.failed][0].json.field, 'email');
		assert.match(String(out[OUT.failed][0].json.error), /Item 3 \(input position; the item has no row_number\), field "email"/);

		const byMessage = await runOne(
			'gmailThreadedReply',
			followParams(2, { threadBy: 'messageId', messageId: '={{ $json.messageId }}' }),
			[step1[1], step1[1], { ...step1[1], messageId: '0000000000000000' }],
			credentials,
		);
		assert.equal(byMessage[OUT.sent].length, 1);
		assert.equal(byMessage[OUT.sent][0].json.threadId, step1[1].threadId);
		assert.deepEqual(
			byMessage[OUT.skipped].map((i) => i.json.reason),
			['already_sent', 'thread_not_found'],
			'the same lead twice in a run gets step 2 once',
		);
	});

	test('reply-all with a quote of the previous message; preview sends nothing', async () => {
		const { email, credentials } = await mailbox();
		const step1 = await sendStep1(leads(1, 'quote'), credentials);
		const before = await sendCount(email);
		const preview = await runOne(
			'gmailThreadedReply',
			followParams(2, { mode: 'preview', replyMode: 'all', options: { quote: true, cc: 'boss@client0.test', previewRaw: true } }),
			step1,
			credentials,
		);
		assert.equal(await sendCount(email), before, 'preview calls no send endpoint');
		const p = preview[OUT.sent][0].json;
		assert.equal(p.status, 'preview');
		const parsed = await PostalMime.parse(Buffer.from(String(p.raw), 'base64url').toString('utf8'));
		assert.match(parsed.text ?? '', /just floating this up[\s\S]*wrote:\n> Hi Lead0,/);
		assert.deepEqual(
			parsed.cc?.map((a) => a.address),
			['boss@client0.test'],
		);
		assert.equal(parsed.inReplyTo, step1[0].rfc822MessageId);
	});

	test('daily cap: the rest is deferred with retryAt and nothing is sent after the cap', async () => {
		const { email, credentials } = await mailbox(4);
		const step1 = await sendStep1(leads(3, 'cap'), credentials);
		const out = await runOne('gmailThreadedReply', followParams(2), step1, credentials);
		assert.equal(out[OUT.sent].length, 1);
		assert.equal(out[OUT.deferred].length, 2);
		for (const d of out[OUT.deferred]) {
			assert.equal(d.json.reason, 'daily_cap');
			assert.ok(!Number.isNaN(Date.parse(String(d.json.retryAt))));
		}
		// One refused attempt at most: the hard stop means the third item is never tried.
		assert.ok((await sendCount(email)) <= 3 + 1 + 1);
	});
});
