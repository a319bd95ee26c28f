// Issue 14: the Gmail Draft Scheduler in real in-process workflows against the sandbox and its clock — step 2 as
// scheduled drafts across time zones in a DST week, Send due on day 2 and day 3, replies in between, a person's
// edit in Gmail, out-of-office, the capacity rule, and Cancel that touches nothing but its own campaign's drafts.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DateTime } from 'luxon';
import PostalMime from 'postal-mime';
import type { IDataObject } from 'n8n-workflow';
import { outreachKey } from '../../nodes/shared/core/idempotency';
import { startSandbox, b64url, rawMessage, type TestSandbox } from '../support/sandbox';
import { leads, mailbox, sendStep1 } from './helpers-sequence';
import { draftMessages, dueParams, header, personEdits, runScheduler, scheduleLabels, scheduleParams, sentByLead } from './draft-scheduler-helpers';

let sb: TestSandbox;
before(async () => {
	sb = await startSandbox({ quotaUnitsPerWindow: 1_000_000 });
});
after(async () => {
	await sb?.close();
});

const ZONES = ['Europe/Berlin', 'America/New_York', 'Asia/Tokyo'];
/** Day 3's 11:01 in a zone (Tuesday 2026-03-31, after Europe's change to summer time on Sunday). */
const day3 = (zone: string) => DateTime.fromISO('2026-03-31T11:01', { zone }).toUTC().toISO()!;

/** The access token a test mailbox's credential holds (for direct Gmail calls as the person). */
function tokenOf(mb: { credentials: Record<string, IDataObject> }): string {
	return String((mb.credentials.gmailOutreachOAuth2Api.oauthTokenData as IDataObject).access_token);
}

describe('issue 14: Gmail Draft Scheduler', { timeout: 300_000 }, () => {
	test('20 leads in three zones, DST week: nothing on day 2; at 11:01 of day 3 in each zone its drafts go out threaded; replies cancel, an edit goes out as edited', async () => {
		await sb.clock({ now: '2026-03-26T09:00:00Z' });
		const mb = await mailbox(sb, { type: 'workspace' });
		const items: IDataObject[] = leads(20, 'dst').map((l, i) => ({ ...l, timezone: ZONES[i % 3] }));
		const sent = await sendStep1(items, mb.credentials);

		const scheduled = await runScheduler(scheduleParams(2), sent, mb.credentials);
		assert.equal(scheduled.scheduled.length, 20, JSON.stringify([...scheduled.failed, ...scheduled.skipped]));
		for (const s of scheduled.scheduled) {
			const zone = String(items.find((l) => l.email === s.email)!.timezone);
			const local = DateTime.fromISO(String(s.sendAt), { zone });
			assert.equal(local.toISODate(), '2026-03-31', `${s.email} ${zone} ${local.toISO()}`);
			assert.ok(local.hour >= 9 && local.hour < 11, `${s.email} ${local.toISO()}`);
			assert.equal(s.threaded, true);
			assert.equal(s.timezone, zone);
			if (zone === 'Europe/Berlin') assert.match(String(s.sendAtLocal), / \+02:00$/, 'Berlin is on summer time by then');
			assert.match(String(s.label), new RegExp(`^Outreach/Scheduled/seq/2026-03-31 \\d\\d:\\d\\d [+-]\\d\\d:\\d\\d · ${String(s.email).replace(/[.]/g, '\\.')} · step 2 · ${s.draftId}$`));
		}
		assert.equal((await draftMessages(sb, mb.email)).length, 20);

		// Idempotent: the same step for the same leads again leaves one draft each.
		const again = await runScheduler(scheduleParams(2), sent, mb.credentials);
		assert.equal(again.skipped.length, 20);
		assert.ok(again.skipped.every((s) => s.reason === 'already_scheduled'));
		assert.equal((await draftMessages(sb, mb.email)).length, 20);

		// In between: two leads reply; a person rewrites one draft in Gmail (new message, headers dropped).
		const byEmail = new Map(scheduled.scheduled.map((s) => [String(s.email), s]));
		const repliers = [items[0].email, items[4].email] as string[];
		for (const email of repliers) await sb.deliver({ to: mb.email, replyTo: String(sent.find((s) => s.email === email)!.messageId), kind: 'reply' });
		const editedLead = String(items[1].email);
		const edited = byEmail.get(editedLead)!;
		const editedMessage = await personEdits(sb, mb.email, String(edited.draftId), { text: 'Hi Lead1, a line written by a person in Gmail.' });
		assert.notEqual(editedMessage.message.id, edited.draftMessageId);

		// Still recognised as scheduled after the edit.
		const listed = await runScheduler({ operation: 'list', filterCampaign: 'seq' }, [{}], mb.credentials);
		assert.equal(listed.drafts.length, 20);
		const listedEdit = listed.drafts.find((d) => d.draftId === edited.draftId)!;
		assert.equal(listedEdit.editedInGmail, true);
		assert.equal(listedEdit.due, false);

		// Day 2 (Monday, late evening UTC): nothing is due anywhere.
		await sb.clock({ now: '2026-03-30T23:30:00Z' });
		const day2 = await runScheduler(dueParams(), [{}], mb.credentials);
		for (const name of ['sent', 'cancelled', 'deferred', 'failed']) assert.equal(day2[name].length, 0, `${name}: ${JSON.stringify(day2[name])}`);
		assert.equal([...(await sentByLead(sb, mb.email)).values()].flat().length, 20);

		const done = new Map<string, IDataObject>();
		for (const zone of ['Asia/Tokyo', 'Europe/Berlin', 'America/New_York']) {
			await sb.clock({ now: day3(zone) });
			const r = await runScheduler(dueParams(), [{}], mb.credentials);
			assert.equal(r.failed.length + r.deferred.length, 0, JSON.stringify([...r.failed, ...r.deferred]));
			const zoneLeads = items.filter((l) => l.timezone === zone).map((l) => String(l.email));
			const outNow = [...r.sent, ...r.cancelled].map((x) => String(x.email)).sort();
			assert.deepEqual(outNow, zoneLeads.filter((e) => !done.has(e)).sort(), `${zone}: exactly its own leads`);
			for (const x of [...r.sent, ...r.cancelled]) done.set(String(x.email), x);
		}
		for (const email of repliers) {
			const x = done.get(email)!;
			assert.equal(x.status, 'cancelled');
			assert.equal(x.reason, 'replied');
		}
		assert.equal(done.get(editedLead)!.status, 'sent');
		assert.equal(done.get(editedLead)!.edited, true);
		assert.ok((done.get(editedLead)!.restoredHeaders as string[]).includes('X-Outreach-Key'));

		assert.equal((await draftMessages(sb, mb.email)).length, 0, 'no draft remains');
		assert.deepEqual(scheduleLabels(sb, mb.email), [], 'no schedule label remains');

		const by = await sentByLead(sb, mb.email);
		for (const lead of items) {
			const email = String(lead.email);
			const msgs = by.get(email)!;
			if (repliers.includes(email)) {
				assert.equal(msgs.length, 1, `${email} replied and got no follow-up`);
				continue;
			}
			assert.equal(msgs.length, 2, email);
			const [first, second] = msgs;
			// An independent parser: the follow-up threads by its headers, in the same Gmail thread.
			const p1 = await PostalMime.parse(first.raw);
			const p2 = await PostalMime.parse(second.raw);
			assert.equal(second.threadId, first.threadId);
			assert.equal(p2.inReplyTo, p1.messageId);
			assert.ok((p2.references ?? '').includes(p1.messageId!), `${email}: References`);
			assert.equal(p2.subject, `Re: ${p1.subject}`);
			assert.equal(header(second, 'X-Outreach-Key'), outreachKey('seq', 2, email));
			const zone = String(lead.timezone);
			const at = DateTime.fromMillis(second.internalDate, { zone });
			assert.equal(at.toISODate(), '2026-03-31');
			assert.ok(at.hour >= 9 && at.toFormat('HH:mm') <= '11:01', `${email} sent ${at.toISO()}`);
			if (email === editedLead) assert.match(p2.text ?? '', /a line written by a person in Gmail/);
			else assert.match(p2.text ?? '', /just floating this up \(step 2\)/);
		}
		// Sent messages carry the campaign's label, as Threaded Reply's do.
		const step2Keys = new Set(items.map((l) => outreachKey('seq', 2, String(l.email))));
		const sentLabel = (await sb.messages(mb.email)).find((m) => m.labelIds.includes('SENT') && step2Keys.has(header(m, 'X-Outreach-Key') ?? ''))!;
		assert.ok(sentLabel.labelIds.some((l) => l.startsWith('Label_')));

		// Step 3 after the Scheduler's step 2: Threaded Reply-compatible keys, so the sequence goes on in the thread.
		const again3 = await runScheduler(scheduleParams(2), sent.filter((s) => !repliers.includes(String(s.email))), mb.credentials);
		assert.ok(again3.skipped.every((s) => s.reason === 'already_sent'), JSON.stringify(again3.skipped.map((s) => s.reason)));
	});

	test('Cancel a campaign: zero pending drafts of it remain; the other campaign’s and the person’s own drafts are untouched', async () => {
		await sb.clock({ now: '2026-05-04T08:00:00Z' });
		const mb = await mailbox(sb, { type: 'workspace' });
		const a = await sendStep1(leads(4, 'cancel-a'), mb.credentials, { campaign: 'alpha' });
		const b = await sendStep1(leads(3, 'cancel-b'), mb.credentials, { campaign: 'beta' });
		assert.equal((await runScheduler(scheduleParams(2, { campaign: 'alpha' }), a, mb.credentials)).scheduled.length, 4);
		assert.equal((await runScheduler(scheduleParams(2, { campaign: 'beta' }), b, mb.credentials)).scheduled.length, 3);
		// The person's own drafts: one in a lead's thread (a reply they are writing), one on its own.
		const own = await ownDrafts(tokenOf(mb), mb.email, String(a[0].threadId), String(a[0].email));
		const before = await draftMessages(sb, mb.email);
		assert.equal(before.length, 4 + 3 + 2);

		const r = await runScheduler({ operation: 'cancel', cancelScope: 'campaign', cancelCampaign: 'alpha' }, [{}], mb.credentials);
		assert.equal(r.failed.length, 0);
		assert.equal(r.cancelled.length, 4);
		assert.deepEqual(r.cancelled.map((c) => c.email).sort(), a.map((x) => x.email).sort());
		const left = await draftMessages(sb, mb.email);
		assert.equal(left.length, 3 + 2);
		const alphaKeys = new Set(a.map((x) => outreachKey('alpha', 2, String(x.email))));
		for (const m of left) assert.ok(!alphaKeys.has(header(m, 'X-Outreach-Key') ?? ''), 'no alpha draft left');
		for (const id of own) assert.ok(left.some((m) => m.id === id), 'the person’s own drafts are untouched');
		const listed = await runScheduler({ operation: 'list' }, [{}], mb.credentials);
		assert.deepEqual(listed.drafts.map((d) => d.campaign).sort(), ['beta', 'beta', 'beta']);

		// Everything for one address; an item that matches nothing says so.
		const one = await runScheduler({ operation: 'cancel', cancelScope: 'address', cancelEmail: '={{ $json.email }}' }, [{ email: b[0].email }, { email: 'nobody@else.test' }], mb.credentials);
		assert.deepEqual(one.cancelled.map((c) => c.status), ['cancelled', 'nothing_to_cancel']);
		assert.equal((await draftMessages(sb, mb.email)).length, 2 + 2);
		// Send due afterwards sends only what is still scheduled.
		await sb.clock({ now: '2026-05-08T00:00:00Z' });
		const due = await runScheduler(dueParams(), [{}], mb.credentials);
		assert.deepEqual(due.sent.map((s) => s.email).sort(), b.slice(1).map((x) => x.email).sort());
		assert.equal((await draftMessages(sb, mb.email)).length, 2, 'only the person’s own drafts remain');
	});

	test('out of office with a return date: the draft stays as it is and its time moves to the return morning', async () => {
		await sb.clock({ now: '2026-06-01T08:00:00Z' });
		const mb = await mailbox(sb, { type: 'workspace' });
		const sent = await sendStep1(leads(2, 'ooo').map((l) => ({ ...l, timezone: 'Europe/Berlin' })), mb.credentials);
		const s = await runScheduler(scheduleParams(2, { businessDays: 1 }), sent, mb.credentials);
		assert.equal(s.scheduled.length, 2);
		await sb.deliver({ to: mb.email, replyTo: String(sent[0].messageId), kind: 'auto-reply', text: 'I am out of the office until 2026-06-15 with no access to email.' });
		const draftBefore = (await draftMessages(sb, mb.email)).find((m) => m.to[0].address === sent[0].email)!;
		await sb.clock({ now: '2026-06-02T10:30:00Z' });
		const r = await runScheduler(dueParams(), [{}], mb.credentials);
		assert.equal(r.sent.length, 1);
		assert.equal(r.deferred.length, 1, JSON.stringify(r));
		const d = r.deferred[0];
		assert.equal(d.reason, 'out_of_office');
		// The classifier reads the stated date; the draft waits until 09:00 of that (business) day in the lead's zone.
		assert.match(String(d.returnDate), /^2026-06-1[56]/);
		const back = DateTime.fromISO(String(d.returnDate).slice(0, 10), { zone: 'Europe/Berlin' }).set({ hour: 9 });
		assert.equal(d.retryAt, back.toUTC().toISO());
		assert.ok(String(d.label).startsWith(`Outreach/Scheduled/seq/${back.toFormat('yyyy-MM-dd')} 09:00 +02:00 · `), String(d.label));
		const draftAfter = (await draftMessages(sb, mb.email)).find((m) => m.to[0].address === sent[0].email)!;
		assert.equal(draftAfter.id, draftBefore.id, 'the draft (the person’s content) is not touched');
		const listed = await runScheduler({ operation: 'list' }, [{}], mb.credentials);
		assert.equal(listed.drafts.length, 1);
		assert.equal(listed.drafts[0].sendAt, back.toUTC().toISO());
	});

	test('over the daily cap: the drafts that fit go, the others are deferred with the exact time they fit', async () => {
		await sb.clock({ now: '2026-07-06T08:00:00Z' });
		const mb = await mailbox(sb, { type: 'workspace' });
		const sent = await sendStep1(leads(6, 'cap'), mb.credentials);
		await runScheduler(scheduleParams(2, { businessDays: 0, windowStart: '00:00', windowEnd: '23:59' }), sent, mb.credentials);
		await sb.clock({ advance: 'PT20H' });
		const r = await runScheduler(dueParams({ accountType: 'custom', dailyCap: 8, safetyMargin: 100 }), [{}], mb.credentials);
		assert.equal(r.sent.length, 2);
		assert.equal(r.deferred.length, 4);
		const firstSends = [...(await sentByLead(sb, mb.email)).values()].map((m) => m[0].internalDate).sort((x, y) => x - y);
		for (const [j, d] of r.deferred.entries()) {
			assert.equal(d.reason, 'daily_cap');
			assert.equal(Date.parse(String(d.retryAt)), firstSends[j] + 24 * 3600_000, `retryAt of ${d.email}`);
		}
		assert.equal((await draftMessages(sb, mb.email)).length, 4, 'the deferred drafts stay scheduled');
	});
});

/** Two drafts the person writes by hand: a reply in a lead's thread and a standalone one; returns their message ids. */
async function ownDrafts(token: string, email: string, threadId: string, lead: string): Promise<string[]> {
	const thread = (await sb.gmail(token, 'GET', `/gmail/v1/users/me/threads/${threadId}?format=metadata`)).body;
	const h = (name: string) => thread.messages[0].payload.headers.find((x: { name: string }) => x.name.toLowerCase() === name).value as string;
	const reply = rawMessage({ from: email, to: lead, subject: `Re: ${h('subject')}`, inReplyTo: h('message-id'), references: h('message-id'), text: 'My own answer, not finished' });
	const d1 = (await sb.gmail(token, 'POST', '/gmail/v1/users/me/drafts', { message: { raw: b64url(reply), threadId } })).body;
	const d2 = (await sb.gmail(token, 'POST', '/gmail/v1/users/me/drafts', { message: { raw: b64url(rawMessage({ from: email, to: 'friend@else.test', subject: 'Lunch?' })) } })).body;
	return [d1.message.id, d2.message.id];
}
