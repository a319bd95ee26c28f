import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import PostalMime from 'postal-mime';
import { b64url, rawMessage, startSandbox, type TestMailbox, type TestSandbox } from '../support/sandbox';

const U = '/gmail/v1/users/me';
let sb: TestSandbox;

before(async () => {
	sb = await startSandbox({ capLagSends: 2 });
	await sb.createMailbox({ email: 'lead@lead.test' });
});
after(() => sb.close());

const partText = (a: { content: ArrayBuffer | Uint8Array | string }) => (typeof a.content === 'string' ? a.content : new TextDecoder().decode(a.content));

async function sendFive(box: TestMailbox, tag: string): Promise<Array<{ status: number; body: any }>> {
	const out = [];
	for (let i = 1; i <= 5; i++) {
		const raw = rawMessage({ from: box.email, to: 'Lead <lead@lead.test>', subject: `${tag} ${i}`, headers: { 'X-Outreach-Key': `${tag}-${i}` } });
		out.push(await sb.gmail(box.accessToken, 'POST', `${U}/messages/send`, { raw: b64url(raw) }));
	}
	return out;
}

describe("Gmail's over-cap notice (capLagSends with senderLimitNotice)", () => {
	test('sends past the cap answer 200 and sit in SENT, are not delivered, and a mailer-daemon notice per send lands in INBOX', async () => {
		const box = await sb.createMailbox({ email: 'capped@example.com', type: 3 });
		const results = await sendFive(box, 'Notice');
		assert.deepEqual(results.map((r) => r.status), [200, 200, 200, 200, 200]);
		const refused = await sb.gmail(box.accessToken, 'POST', `${U}/messages/send`, { raw: b64url(rawMessage({ from: box.email, to: 'lead@lead.test' })) });
		assert.equal(refused.status, 429, 'past cap + lag the 429 comes');
		const mine = await sb.messages(box.email);
		const sent = mine.filter((m) => m.labelIds.includes('SENT'));
		assert.deepEqual(sent.map((m) => m.subject), ['Notice 1', 'Notice 2', 'Notice 3', 'Notice 4', 'Notice 5']);
		const leadGot = (await sb.messages('lead@lead.test')).filter((m) => m.subject.startsWith('Notice '));
		assert.deepEqual(leadGot.map((m) => m.subject), ['Notice 1', 'Notice 2', 'Notice 3'], 'sends 4 and 5 never reached the lead');
		const notices = mine.filter((m) => m.labelIds.includes('INBOX'));
		assert.equal(notices.length, 2);
		for (const [i, n] of notices.entries()) {
			const original = sent[3 + i];
			assert.equal(n.threadId, original.threadId, 'threaded with the original, as Gmail does');
			assert.deepEqual(n.from, { name: 'Mail Delivery Subsystem', address: 'mailer-daemon@googlemail.com' });
			assert.equal(n.subject, 'Delivery Status Notification (Failure)');
			assert.deepEqual(n.labelIds, ['INBOX', 'UNREAD']);
			const email = await PostalMime.parse(n.raw);
			assert.match(email.text ?? '', /You have reached a limit for sending mail\. Your message was not sent\./);
			assert.match(email.text ?? '', /5\.4\.5 Daily user sending limit exceeded/);
			const status = email.attachments.find((a) => a.mimeType === 'message/delivery-status');
			assert.ok(status, 'a message/delivery-status part');
			assert.match(partText(status), /^Status: 5\.4\.5$/m);
			assert.match(partText(status), /^Final-Recipient: rfc822; lead@lead\.test$/m);
			const headers = email.attachments.find((a) => a.mimeType === 'text/rfc822-headers');
			assert.ok(headers, 'a text/rfc822-headers part');
			assert.ok(partText(headers).includes(`Message-ID: ${original.messageId}`), "names the original's Message-ID");
			assert.match(partText(headers), new RegExp(`^X-Outreach-Key: Notice-${4 + i}$`, 'm'));
		}
		assert.equal((await sb.stats(box.email)).sent24h, 5);
		const found = await sb.gmail(box.accessToken, 'GET', `${U}/messages?labelIds=INBOX`);
		assert.equal(found.body.resultSizeEstimate, 2, 'the notices are ordinary inbox mail to the API');
	});

	test('senderLimitNotice false: the late-capped sends are silently accepted and delivered (the old behaviour)', async () => {
		await sb.settings({ senderLimitNotice: false });
		try {
			const box = await sb.createMailbox({ email: 'silent@example.com', type: 3 });
			assert.deepEqual((await sendFive(box, 'Silent')).map((r) => r.status), [200, 200, 200, 200, 200]);
			assert.equal((await sb.messages(box.email)).filter((m) => m.labelIds.includes('INBOX')).length, 0);
			assert.equal((await sb.messages('lead@lead.test')).filter((m) => m.subject.startsWith('Silent ')).length, 5);
		} finally {
			await sb.settings({ senderLimitNotice: true });
		}
	});
});
