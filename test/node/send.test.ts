// Gmail Outreach Send run as a real n8n workflow (n8n-core, in process) against the Gmail Sandbox.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { outreachKey } from '../../nodes/shared/core/idempotency';
import { startSandbox, type TestSandbox } from '../support/sandbox';
import {
	baseParameters,
	comparable,
	countOut,
	leads,
	parse,
	perRecipient,
	runSend,
	sentMessages,
} from './helpers-send';

let sb: TestSandbox;
before(async () => {
	sb = await startSandbox();
});
after(async () => {
	await sb.close();
});

const sentLabelId = async (token: string, name: string): Promise<string | undefined> => {
	const r = await sb.gmail(token, 'GET', '/gmail/v1/users/me/labels');
	return (r.body.labels as { id: string; name: string }[]).find((l) => l.name === name)?.id;
};

describe('a 50-lead campaign', () => {
	test('sends 50 personalised messages, labels them with one batchModify; a re-run sends nothing', { timeout: 60_000 }, async () => {
		const mb = await sb.createMailbox({ email: 'owner@fifty.test' });
		const items = leads(50);
		const first = await runSend(sb, mb, items, baseParameters());
		assert.equal(first.result.error, undefined);
		assert.equal(countOut(first), 50);
		assert.equal(first.sent.length, 50);

		const stats = await sb.stats(mb.email);
		assert.equal(stats.calls['messages.send'], 50);
		// The look-ups go 25 leads at a time; each batch's sends are claimed together with one draft.
		assert.equal(stats.calls['drafts.create'], 2, 'each batch of 25 leads claimed with one draft first');
		assert.equal(stats.calls['drafts.delete'], 2, 'and every claim taken back after its sends');
		assert.equal(stats.calls['messages.batchModify'], 1);

		const labelId = await sentLabelId(mb.accessToken, 'Outreach/q3-launch/Sent');
		assert.ok(labelId, 'campaign label created');
		const stored = await sentMessages(sb, mb.email);
		assert.equal(stored.length, 50);
		const byTo = perRecipient(stored);
		for (const [i, out] of first.sent.entries()) {
			// Outputs keep input order and carry the lead's own fields for a Sheets update.
			assert.equal(out.email, `lead${i}@prospects.test`);
			assert.equal(out.row_number, i + 2);
			assert.equal(out.status, 'sent');
			assert.equal(out.campaign, 'q3-launch');
			assert.equal(out.step, 1);
			assert.ok(!Number.isNaN(Date.parse(String(out.sentAt))));
			const [m] = byTo.get(`lead${i}@prospects.test`)!;
			assert.equal(out.messageId, m.id);
			assert.equal(out.threadId, m.threadId);
			assert.equal(out.rfc822MessageId, m.messageId, 'the real Message-ID was read back');
			assert.ok(m.labelIds.includes(labelId));
			const email = await parse(m.raw);
			assert.match(email.subject ?? '', new RegExp(`^(Quick|Short) question for Company ${i}$`));
			assert.match(email.text ?? '', new RegExp(`^(Hi|Hello) First${i},\\n\\nI noticed Company ${i} is hiring\\. Growing fast\\?`));
			assert.equal(email.to?.[0].name, `First${i} Last${i}`);
			assert.equal(email.from?.address, 'owner@fifty.test');
			assert.equal(email.from?.name, 'Olivia Owner');
			const key = email.headers.find((h) => h.key === 'x-outreach-key')?.value;
			assert.equal(key, outreachKey('q3-launch', 1, `lead${i}@prospects.test`));
			assert.equal(out.outreachKey, key);
		}

		const again = await runSend(sb, mb, items, baseParameters());
		assert.equal(countOut(again), 50);
		assert.equal(again.sent.length, 0);
		assert.equal(again.skipped.length, 50);
		for (const [i, s] of again.skipped.entries()) {
			assert.equal(s.reason, 'already_sent');
			assert.equal(s.messageId, first.sent[i].messageId);
			assert.equal(s.rfc822MessageId, first.sent[i].rfc822MessageId);
		}
		const after = await sb.stats(mb.email);
		assert.equal(after.calls['messages.send'], 50, 'nothing new sent');
		assert.equal(after.calls['drafts.create'], 2, 'a re-run claims nothing');
		const everything = JSON.stringify([first.all, again.all, first.result.logs, again.result.logs]);
		for (const secret of [mb.accessToken, mb.refreshToken, 'harness-client-secret']) assert.ok(!everything.includes(secret), 'no secret in outputs or logs');
		assert.equal(after.calls['messages.batchModify'], 1, 'labels already present: no relabelling');
	});
});

describe('crash, reset and cap', () => {
	test('a run stopped mid-way keeps what it sent; the re-run sends exactly the rest, one message per lead', { timeout: 60_000 }, async () => {
		const mb = await sb.createMailbox({ email: 'owner@crash.test' });
		const items = leads(50, 'crash-leads.test');
		const params = baseParameters({ options: { pacing: 'delay', delaySeconds: 0.03, jitterSeconds: 0 } });
		// Kill the run once 20 messages went out: every later send is refused as if the credential lost its scope.
		let armed = false;
		const watcher = setInterval(async () => {
			if (armed) return;
			const s = await sb.stats(mb.email);
			if ((s.calls['messages.send'] ?? 0) >= 20 && !armed) {
				armed = true;
				await sb.faults({ mailbox: mb.email, rules: [{ method: 'messages.send', status: 403, reason: 'insufficientPermissions', message: 'Request had insufficient authentication scopes.', count: 1000 }] });
			}
		}, 5);
		const crashed = await runSend(sb, mb, items, params).finally(() => clearInterval(watcher));
		// What went out before the stop stays on Sent; the rest fail with the stop's reason, none is lost.
		assert.equal(crashed.result.error, undefined);
		assert.equal(countOut(crashed), 50);
		await sb.clearFaults();
		const before = (await sentMessages(sb, mb.email)).length;
		assert.ok(before >= 20 && before < 50, `stopped after ${before} sends`);
		assert.equal(crashed.sent.length, before);
		assert.equal(crashed.failed.length, 50 - before);
		for (const f of crashed.failed) assert.equal(f.reason, 'permission');
		assert.equal((await sb.messages(mb.email)).filter((m) => m.labelIds.includes('DRAFT')).length, 0, 'no claim draft left behind');

		const rerun = await runSend(sb, mb, items, params);
		assert.equal(rerun.result.error, undefined);
		assert.equal(countOut(rerun), 50);
		assert.equal(rerun.sent.length, 50 - before);
		assert.equal(rerun.skipped.filter((s) => s.reason === 'already_sent').length, before);
		const byTo = perRecipient(await sentMessages(sb, mb.email));
		assert.equal(byTo.size, 50);
		for (const [to, list] of byTo) assert.equal(list.length, 1, `${to} got ${list.length}`);
	});

	test('connection resets after committed sends (5 %): still exactly one message per lead', { timeout: 60_000 }, async () => {
		const mb = await sb.createMailbox({ email: 'owner@flaky.test' });
		await sb.faults({ mailbox: mb.email, resetAfterSend: 0.05 });
		const items = leads(60, 'flaky-leads.test');
		const o = await runSend(sb, mb, items, baseParameters());
		await sb.clearFaults();
		assert.equal(o.result.error, undefined);
		assert.equal(countOut(o), 60);
		assert.equal(o.sent.length, 60, JSON.stringify(o.deferred.concat(o.failed)).slice(0, 500));
		const byTo = perRecipient(await sentMessages(sb, mb.email));
		assert.equal(byTo.size, 60);
		for (const [to, list] of byTo) assert.equal(list.length, 1, `${to} got ${list.length}`);
	});

	test('every send answered by a reset: each is found in the mailbox, none is resent', { timeout: 30_000 }, async () => {
		const mb = await sb.createMailbox({ email: 'owner@reset.test' });
		await sb.faults({ mailbox: mb.email, resetAfterSend: 1 });
		const o = await runSend(sb, mb, leads(3, 'reset-leads.test'), baseParameters());
		await sb.clearFaults();
		assert.equal(o.sent.length, 3);
		for (const s of o.sent) {
			assert.equal(s.status, 'sent');
			assert.equal(s.recoveredAfter, 'unknown_outcome');
			assert.match(String(s.rfc822MessageId), /^<.+>$/);
		}
		assert.equal((await sb.stats(mb.email)).calls['messages.send'], 3);
		assert.equal((await sentMessages(sb, mb.email)).length, 3);
	});

	test('a gmail mailbox at 480 sent in 24 h: 20 sent, 30 deferred with retryAt, no send after the cap', { timeout: 60_000 }, async () => {
		const mb = await sb.createMailbox({ email: 'owner@capped.test', type: 'gmail' });
		await sb.manualSend({ from: mb.email, to: 'friend@else.test', count: 480 });
		const o = await runSend(sb, mb, leads(50, 'cap-leads.test'), baseParameters());
		assert.equal(o.result.error, undefined);
		assert.equal(countOut(o), 50);
		assert.equal(o.sent.length, 20);
		assert.equal(o.deferred.length, 30);
		for (const d of o.deferred) {
			assert.equal(d.reason, 'daily_cap');
			assert.ok(Date.parse(String(d.retryAt)) > Date.now(), `retryAt ${d.retryAt}`);
		}
		assert.deepEqual(o.sent.map((s) => s.email), leads(20, 'cap-leads.test').map((l) => l.email));
		assert.equal((await sb.stats(mb.email)).calls['messages.send'], 21, 'one refused attempt, then none');
	});

	test('the cap checked from the mailbox first: 20 sent, 30 deferred to the minute the oldest sends leave the window, no 429', { timeout: 60_000 }, async () => {
		const mb = await sb.createMailbox({ email: 'owner@capped-first.test', type: 'gmail' });
		await sb.manualSend({ from: mb.email, to: 'friend@else.test', count: 480 });
		const oldest = Math.min(...(await sentMessages(sb, mb.email)).map((m) => m.internalDate));
		const o = await runSend(sb, mb, leads(50, 'capfirst-leads.test'), baseParameters({ options: { dailyCapCheck: 'gmail' } }));
		assert.equal(o.result.error, undefined);
		assert.equal(o.sent.length, 20);
		assert.equal(o.deferred.length, 30);
		for (const d of o.deferred) {
			assert.equal(d.reason, 'daily_cap');
			assert.ok(Math.abs(Date.parse(String(d.retryAt)) - (oldest + 24 * 3600_000)) < 2000, `retryAt ${d.retryAt}`);
		}
		const stats = await sb.stats(mb.email);
		assert.equal(stats.calls['messages.send'], 20, 'nothing refused: the cap was known before sending');
		assert.equal(stats.errors['429'] ?? 0, 0);
	});
});

describe('suppression and bad rows', () => {
	test('suppressed leads are never mailed; bad rows fail with the row and field; IDN and non-ASCII names are sent', { timeout: 60_000 }, async () => {
		const mb = await sb.createMailbox({ email: 'owner@mixed.test' });
		const t = mb.accessToken;
		// Mailbox evidence: an opt-out reply labelled Outreach/Unsubscribed and a bounce labelled Outreach/Bounced.
		const unsubLabel = (await sb.gmail(t, 'POST', '/gmail/v1/users/me/labels', { name: 'Outreach/Unsubscribed' })).body.id;
		const bounceLabel = (await sb.gmail(t, 'POST', '/gmail/v1/users/me/labels', { name: 'Outreach/Bounced' })).body.id;
		const optOut = await sb.deliver({ to: mb.email, from: 'Opt Out <optout@leads.test>', subject: 'Re: hi', text: 'please remove me' });
		await sb.gmail(t, 'POST', `/gmail/v1/users/me/messages/${optOut.id}/modify`, { addLabelIds: [unsubLabel] });
		const raw = Buffer.from(`From: ${mb.email}\r\nTo: gone@leads.test\r\nSubject: earlier\r\n\r\nhello\r\n`).toString('base64url');
		const earlier = await sb.gmail(t, 'POST', '/gmail/v1/users/me/messages/send', { raw });
		const dsn = await sb.deliver({ to: mb.email, replyTo: earlier.body.id, kind: 'bounce' });
		await sb.gmail(t, 'POST', `/gmail/v1/users/me/messages/${dsn.id}/modify`, { addLabelIds: [bounceLabel] });

		const rows = [
			{ email: 'ok@leads.test', first_name: 'Plain', company: 'A' }, // 0 sent
			{ email: 'ceo@leads.test', first_name: 'Listed', company: 'A' }, // 1 suppressed (address)
			{ email: 'x@competitor.test', first_name: 'Dom', company: 'A' }, // 2 suppressed (domain)
			{ email: 'st@leads.test', first_name: 'St', company: 'A', status: 'Unsubscribed' }, // 3 suppressed (status)
			{ email: 'OptOut@leads.test', first_name: 'Opt', company: 'A' }, // 4 suppressed (mailbox label)
			{ email: 'gone@leads.test', first_name: 'Gone', company: 'A' }, // 5 suppressed (bounced)
			{ email: 'nocompany@leads.test', first_name: 'No', company: '' }, // 6 missing field
			{ email: 'crlf@leads.test', first_name: 'Eve\r\nBcc: victim@evil.test', company: 'A' }, // 7 CRLF in name
			{ email: 'bob@', first_name: 'Bob', company: 'A' }, // 8 invalid address
			{ first_name: 'NoMail', company: 'A' }, // 9 missing email
			{ email: 'OK@leads.test', first_name: 'Dup', company: 'A' }, // 10 duplicate of 0
			{ email: 'info@bücher.test', first_name: 'Jörg', company: 'Bücher GmbH' }, // 11 IDN domain
			{ email: 'zoe@leads.test', first_name: 'Zoë', last_name: 'Ørsted-Łukasz', company: '株式会社' }, // 12 non-ASCII name
		];
		const o = await runSend(
			sb,
			mb,
			rows,
			baseParameters({ options: { suppressionList: 'ceo@leads.test\n@competitor.test' } }),
		);
		assert.equal(o.result.error, undefined);
		assert.equal(countOut(o), rows.length);
		const reasonOf = (email: unknown) =>
			[...o.skipped, ...o.failed, ...o.sent].filter((x) => x.email === email).map((x) => `${x.status}:${x.reason ?? ''}`);
		assert.deepEqual(reasonOf('ceo@leads.test'), ['skipped:suppressed']);
		assert.deepEqual(reasonOf('x@competitor.test'), ['skipped:suppressed']);
		assert.deepEqual(reasonOf('st@leads.test'), ['skipped:suppressed']);
		// The mail itself says why (read lag-free, though it arrived moments ago), ahead of the labels on it.
		assert.deepEqual(reasonOf('OptOut@leads.test'), ['skipped:unsubscribed']);
		assert.deepEqual(reasonOf('gone@leads.test'), ['skipped:bounced']);
		assert.deepEqual(reasonOf('OK@leads.test'), ['skipped:duplicate_in_run']);
		const failed = Object.fromEntries(o.failed.map((f) => [String(f.first_name), f]));
		assert.equal(failed.No.reason, 'missing_fields');
		assert.equal(failed.No.error, 'Item 7 (input position; the item has no row_number), field "company": missing or empty (strict mode)');
		assert.equal(failed.Eve ?? undefined, undefined);
		const crlf = o.failed.find((f) => f.email === 'crlf@leads.test')!;
		assert.equal(crlf.reason, 'invalid_row');
		assert.match(String(crlf.error), /^Item 8 \(input position; the item has no row_number\), field "first_name": contains line breaks/);
		assert.equal(failed.Bob.reason, 'invalid_address');
		assert.equal(failed.Bob.error, 'Item 9 (input position; the item has no row_number), field "email": invalid address "bob@": missing domain');
		assert.equal(failed.NoMail.error, 'Item 10 (input position; the item has no row_number), field "email": missing or empty');
		assert.deepEqual(o.sent.map((s) => s.email).sort(), ['info@bücher.test', 'ok@leads.test', 'zoe@leads.test']);

		const stored = (await sentMessages(sb, mb.email)).filter((m) => m.id !== earlier.body.id);
		assert.equal(stored.length, 3);
		const recipients = stored.flatMap((m) => [...m.to, ...m.cc, ...m.bcc].map((a) => a.address.toLowerCase()));
		for (const never of ['ceo@leads.test', 'x@competitor.test', 'st@leads.test', 'optout@leads.test', 'gone@leads.test', 'victim@evil.test', 'crlf@leads.test']) {
			assert.ok(!recipients.includes(never), `${never} was mailed`);
		}
		const idn = await parse(stored.find((m) => /xn--bcher-kva\.test|bücher\.test/.test(m.to[0].address))!.raw);
		assert.match(idn.to?.[0].address ?? '', /^info@(xn--bcher-kva|bücher)\.test$/);
		assert.equal(idn.to?.[0].name, 'Jörg');
		assert.match(idn.subject ?? '', /question for Bücher GmbH$/);
		const zoe = await parse(stored.find((m) => m.to[0].address === 'zoe@leads.test')!.raw);
		assert.equal(zoe.to?.[0].name, 'Zoë Ørsted-Łukasz');
		assert.match(zoe.subject ?? '', /question for 株式会社$/);
		assert.match(zoe.text ?? '', /^(Hi|Hello) Zoë,/);
	});
});

describe('preview (dry run)', () => {
	test('1,000 leads: no send endpoint called, every lead rendered with its MIME size', { timeout: 60_000 }, async () => {
		const mb = await sb.createMailbox({ email: 'owner@preview.test' });
		const o = await runSend(sb, mb, leads(1000, 'many.test'), baseParameters({ mode: 'preview' }));
		assert.equal(o.result.error, undefined);
		assert.equal(countOut(o), 1000);
		assert.equal(o.sent.length, 1000);
		for (const [i, p] of o.sent.entries()) {
			assert.equal(p.status, 'preview');
			assert.match(String(p.subject), new RegExp(`question for Company ${i}$`));
			assert.ok(Number(p.mimeSize) > 200);
			// Without Include Raw MIME a preview carries the message's head and size, not the message.
			assert.equal(p.raw, undefined);
			assert.match(String(p.mimeHead), /^[\s\S]*Subject: /);
		}
		const stats = await sb.stats(mb.email);
		assert.equal(stats.calls['messages.send'] ?? 0, 0);
		assert.equal(stats.calls['drafts.create'] ?? 0, 0);
		assert.equal(stats.calls['messages.batchModify'] ?? 0, 0);
		assert.equal(stats.calls['labels.create'] ?? 0, 0);
		assert.equal((await sentMessages(sb, mb.email)).length, 0);
	});

	test('preview matches what Send sends, byte for byte apart from Date, Message-ID and boundaries', { timeout: 60_000 }, async () => {
		const mb = await sb.createMailbox({ email: 'owner@same.test' });
		const params = baseParameters({
			bodyType: 'both',
			html: '<p>{Hi|Hello} <b>{{first_name}}</b> &amp; team at {{company}}</p>',
			options: {
				unsubscribeUrl: 'https://unsub.example/u?e={{email}}',
				unsubscribeMailto: 'mailto:stop@same.test?subject=stop',
				footer: 'Not interested? {{unsubscribe_url}}',
				postalAddress: '1 Main St, Springfield',
				replyTo: 'Team <team@same.test>',
				previewRaw: true,
			},
		});
		const items = leads(5, 'same-leads.test');
		const preview = await runSend(sb, mb, items, { ...params, mode: 'preview' });
		const sent = await runSend(sb, mb, items, params);
		assert.equal(sent.sent.length, 5);
		const stored = perRecipient(await sentMessages(sb, mb.email));
		for (const [i, p] of preview.sent.entries()) {
			const previewRaw = Buffer.from(String(p.raw), 'base64url').toString('utf8');
			const [m] = stored.get(`lead${i}@same-leads.test`)!;
			assert.equal(comparable(m.raw), comparable(previewRaw));
			const email = await parse(m.raw);
			assert.equal(email.subject, p.subject);
			assert.match(email.html ?? '', /<p>(Hi|Hello) <b>First\d<\/b> &amp; team at Company \d<\/p>/);
			assert.match(email.text ?? '', /Not interested\? https:\/\/unsub\.example\/u\?e=lead\d%40same-leads\.test\n1 Main St, Springfield/);
			const lu = email.headers.find((h) => h.key === 'list-unsubscribe')?.value ?? '';
			assert.match(lu, /<https:\/\/unsub\.example\/u\?e=lead\d%40same-leads\.test>/);
			assert.match(lu, /<mailto:stop@same\.test\?subject=stop>/);
			assert.equal(email.headers.find((h) => h.key === 'list-unsubscribe-post')?.value, 'List-Unsubscribe=One-Click');
			assert.equal(email.replyTo?.[0].address, 'team@same.test');
		}
	});
});

describe('templates from drafts and binary attachments', () => {
	test('a Gmail draft is the template; its attachment and the item binary come along', { timeout: 30_000 }, async () => {
		const mb = await sb.createMailbox({ email: 'owner@draft.test' });
		const boundary = 'b1';
		const draftRaw = [
			`From: ${mb.email}`,
			'Subject: Offer for {{company}}',
			'MIME-Version: 1.0',
			`Content-Type: multipart/mixed; boundary="${boundary}"`,
			'',
			`--${boundary}`,
			'Content-Type: text/plain; charset=utf-8',
			'',
			'Dear {{first_name}}, see the brochure.',
			`--${boundary}`,
			'Content-Type: application/pdf; name="brochure.pdf"',
			'Content-Disposition: attachment; filename="brochure.pdf"',
			'Content-Transfer-Encoding: base64',
			'',
			Buffer.from('%PDF-1.4 brochure').toString('base64'),
			`--${boundary}--`,
			'',
		].join('\r\n');
		const draft = await sb.gmail(mb.accessToken, 'POST', '/gmail/v1/users/me/drafts', { message: { raw: Buffer.from(draftRaw).toString('base64url') } });
		assert.equal(draft.status, 200);
		const items = leads(2, 'draft-leads.test').map((json) => ({
			json,
			binary: { data: { data: Buffer.from('name,price\nx,1\n').toString('base64'), mimeType: 'text/csv', fileName: 'prices.csv' } },
		}));
		const o = await runSend(sb, mb, items, baseParameters({ templateSource: 'draft', draftId: draft.body.id, options: { attachments: 'data' } }));
		assert.equal(o.result.error, undefined);
		assert.equal(o.sent.length, 2, JSON.stringify(o.failed));
		assert.ok(o.all[0][0].binary?.data, 'the item keeps its binary');
		for (const m of await sentMessages(sb, mb.email)) {
			const email = await parse(m.raw);
			assert.match(email.subject ?? '', /^Offer for Company \d$/);
			assert.match(email.text ?? '', /^Dear First\d, see the brochure\./);
			const files = Object.fromEntries(email.attachments.map((a) => [a.filename, Buffer.from(a.content as ArrayBuffer).toString()]));
			assert.deepEqual(files, { 'brochure.pdf': '%PDF-1.4 brochure', 'prices.csv': 'name,price\nx,1\n' });
		}
		const missing = await runSend(sb, mb, leads(1, 'draft-leads.test', 5), baseParameters({ templateSource: 'draft', draftId: 'nope' }));
		assert.equal(missing.failed.length, 1);
		assert.match(String(missing.failed[0].error), /^Row 7 \(row_number\), parameter "draftId": Draft "nope": not found/);
	});
});

describe('credential failures', () => {
	test('missing scope: the node fails naming the item; with continueOnFail every item leaves on Failed', { timeout: 30_000 }, async () => {
		const mb = await sb.createMailbox({ email: 'owner@scope.test' });
		await sb.faults({ mailbox: mb.email, rules: [{ method: 'messages.send', status: 403, reason: 'insufficientPermissions', message: 'Request had insufficient authentication scopes.', count: 10 }] });
		const stopped = await runSend(sb, mb, leads(3, 'scope-leads.test'), baseParameters());
		assert.match(stopped.result.error?.message ?? '', /scope/i);
		const cont = await runSend(sb, mb, leads(3, 'scope-leads.test'), baseParameters(), true);
		await sb.clearFaults();
		assert.equal(cont.result.error, undefined);
		assert.equal(countOut(cont), 3);
		assert.equal(cont.failed.length, 3);
		for (const f of cont.failed) {
			assert.equal(f.reason, 'permission');
			assert.match(String(f.error), /scope/i);
		}
		assert.equal((await sentMessages(sb, mb.email)).length, 0);
		const everything = JSON.stringify([cont.all, cont.result.logs, stopped.result.error?.message, stopped.result.error?.stack, stopped.result.logs]);
		for (const secret of [mb.accessToken, mb.refreshToken, 'harness-client-secret']) assert.ok(!everything.includes(secret), 'no secret in errors or logs');
	});
});
