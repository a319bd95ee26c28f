// Issue 18 item 6: a lead can read every header of our mail, so it carries no campaign name, step or other internal
// value — one opaque key only; the schedule keeps what only we need in our own labels; older versions' evidence
// (the campaign and step headers they wrote) still counts.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DateTime } from 'luxon';
import PostalMime from 'postal-mime';
import type { IDataObject } from 'n8n-workflow';
import { outreachKey } from '../../nodes/shared/core/idempotency';
import { startSandbox, b64url, rawMessage, type AdminMessage, type TestSandbox } from '../support/sandbox';
import { followParams, jsonOf, leads, mailbox, OUT, runOne, sendStep1 } from './helpers-sequence';
import { dueParams, header, personEdits, runScheduler, scheduleLabels, scheduleParams, sentByLead } from './draft-scheduler-helpers';

let sb: TestSandbox;
before(async () => {
	sb = await startSandbox({ quotaUnitsPerWindow: 1_000_000 });
});
after(async () => {
	await sb?.close();
});

/** A campaign name a label segment cannot hold exactly ('/' nests labels), with words a lead must never see. */
const CAMPAIGN = 'Acme Q3 / Fintech push';
const SECRET_WORDS = ['acme q3', 'fintech', 'q3 -', 'campaign'];

function tokenOf(mb: { credentials: Record<string, IDataObject> }): string {
	return String((mb.credentials.gmailOutreachOAuth2Api.oauthTokenData as IDataObject).access_token);
}

/** Every top-level header of a sent message, as an independent parser reads it. */
async function headersOf(m: AdminMessage): Promise<Array<{ key: string; value: string }>> {
	const parsed = await PostalMime.parse(m.raw);
	return parsed.headers.map((h) => ({ key: h.key.toLowerCase(), value: h.value }));
}

/** Fails on any header that names the campaign, a step, or anything of ours but the one opaque key. */
async function assertNothingInternal(m: AdminMessage, campaign: string): Promise<void> {
	for (const h of await headersOf(m)) {
		const v = h.value.toLowerCase();
		for (const w of [campaign.toLowerCase(), ...SECRET_WORDS]) assert.ok(!v.includes(w), `${h.key}: "${h.value}" reveals "${w}"`);
		assert.doesNotMatch(h.key, /campaign|step|n8n|workflow|execution/, `header ${h.key}`);
		if (h.key.includes('outreach')) {
			assert.equal(h.key, 'x-outreach-key');
			assert.match(h.value.trim(), /^go-[a-z2-7]{20}$/, 'the key is opaque');
		}
	}
}

describe('issue 18: mail reveals nothing internal', { timeout: 300_000 }, () => {
	test('first email, Threaded Reply and a Draft Scheduler step (edited in Gmail) carry only the opaque key; re-runs still recognise every step', async () => {
		await sb.clock({ now: '2026-05-04T08:00:00Z' });
		const mb = await mailbox(sb, { type: 'workspace' });
		const items = leads(3, 'private');
		const html = { bodyType: 'html', html: '<p>Hi {{first_name}}, a question about {{company}}.</p>' };
		const footer = { options: { unsubscribeMailto: 'unsubscribe@acme.test', footer: 'Reply "stop" and I will not write again.', postalAddress: 'Acme GmbH, 1 Main St' } };
		const sent = await sendStep1(items, mb.credentials, { campaign: CAMPAIGN, ...html, ...footer });
		const step2 = await runOne('gmailThreadedReply', followParams(2, { campaign: CAMPAIGN }), sent, mb.credentials);
		assert.equal(step2[OUT.sent].length, 3, JSON.stringify(jsonOf(step2, 'failed')));

		const scheduled = await runScheduler(scheduleParams(3, { campaign: CAMPAIGN, sendTime: 'businessDays', businessDays: 1 }), jsonOf(step2, 'sent'), mb.credentials);
		assert.equal(scheduled.scheduled.length, 3, JSON.stringify([...scheduled.failed, ...scheduled.skipped]));
		// The real name is in no message: the schedule label holds the step's key where its segment cannot recompute it.
		for (const s of scheduled.scheduled) assert.match(String(s.label), new RegExp(` · ${s.draftId} · ${outreachKey(CAMPAIGN, 3, String(s.email))}$`));
		for (const d of (await sb.messages(mb.email)).filter((m) => m.labelIds.includes('DRAFT'))) await assertNothingInternal(d, CAMPAIGN);

		// A person rewrites one draft in Gmail: the edit drops every header; the key comes back from the label.
		const edited = scheduled.scheduled[0];
		await personEdits(sb, mb.email, String(edited.draftId), { text: 'Hi, a line written by a person.' });
		await sb.clock({ now: DateTime.fromISO('2026-05-06T12:00:00Z').toISO()! });
		const due = await runScheduler(dueParams(), [{}], mb.credentials);
		assert.equal(due.sent.length, 3, JSON.stringify([...due.failed, ...due.deferred, ...due.cancelled]));
		assert.deepEqual(scheduleLabels(sb, mb.email), []);

		const by = await sentByLead(sb, mb.email);
		for (const lead of items) {
			const msgs = by.get(String(lead.email))!;
			assert.equal(msgs.length, 3, `${lead.email}: three steps`);
			msgs.forEach((m, k) => assert.equal(header(m, 'X-Outreach-Key'), outreachKey(CAMPAIGN, k + 1, String(lead.email)), `${lead.email} step ${k + 1}`));
			for (const m of msgs) await assertNothingInternal(m, CAMPAIGN);
		}

		// Every step is still recognised from the key alone.
		const again1 = await runOne('gmailOutreachSend', { ...{ campaign: CAMPAIGN, step: 1, emailField: 'email', subject: 'x', bodyType: 'text', text: 'x' } }, items, mb.credentials);
		assert.deepEqual(jsonOf(again1, 'skipped').map((s) => s.reason), ['already_sent', 'already_sent', 'already_sent']);
		const again3 = await runScheduler(scheduleParams(3, { campaign: CAMPAIGN }), jsonOf(step2, 'sent'), mb.credentials);
		assert.deepEqual(again3.skipped.map((s) => s.reason), ['already_sent', 'already_sent', 'already_sent']);
	});

	test('evidence of older versions (campaign and step headers, a schedule label without the key) still counts', async () => {
		await sb.clock({ now: '2026-06-01T08:00:00Z' });
		const mb = await mailbox(sb, { type: 'workspace' });
		const token = tokenOf(mb);
		const old = 'Old/Spring';
		const lead = 'ada@legacy.test';
		const legacy = (step: number) => ({ 'X-Outreach-Key': outreachKey(old, step, lead), 'X-Outreach-Campaign': old, 'X-Outreach-Step': String(step) });
		// Step 1 as an older version sent it.
		const first = (await sb.gmail(token, 'POST', '/gmail/v1/users/me/messages/send', { raw: b64url(rawMessage({ from: mb.email, to: lead, subject: 'Spring', headers: legacy(1) })) })).body;
		const firstMsg = (await sb.messages(mb.email)).find((m) => m.id === first.id)!;
		const mid = header(firstMsg, 'Message-ID')!;
		// Step 2 as an older version scheduled it: the draft carries the old headers, the label has no key.
		const draft = (await sb.gmail(token, 'POST', '/gmail/v1/users/me/drafts', {
			message: { threadId: first.threadId, raw: b64url(rawMessage({ from: mb.email, to: lead, subject: 'Re: Spring', inReplyTo: mid, references: mid, headers: legacy(2), text: 'Following up' })) },
		})).body;
		await sb.gmail(token, 'POST', '/gmail/v1/users/me/labels', { name: 'Outreach/Scheduled/Old-Spring' });
		const label = (await sb.gmail(token, 'POST', '/gmail/v1/users/me/labels', { name: `Outreach/Scheduled/Old-Spring/2026-06-01 07:59 +00:00 · ${lead} · step 2 · ${draft.id}` })).body;
		assert.ok(label.id, JSON.stringify(label));
		// The person edits it in Gmail: the draft loses the old headers; the real name is still on step 1.
		await personEdits(sb, mb.email, String(draft.id), { text: 'Hi Ada, following up by hand.' });

		const row = { email: lead, first_name: 'Ada', company: 'Legacy', threadId: first.threadId };
		const again1 = await runOne('gmailOutreachSend', { campaign: old, step: 1, emailField: 'email', subject: 'x', bodyType: 'text', text: 'x' }, [row], mb.credentials);
		assert.equal(jsonOf(again1, 'skipped')[0]?.reason, 'already_sent', JSON.stringify(again1.flat().map((i) => i.json)));

		const due = await runScheduler(dueParams(), [{}], mb.credentials);
		assert.equal(due.sent.length, 1, JSON.stringify([...due.failed, ...due.deferred, ...due.cancelled]));
		assert.equal(due.sent[0].campaign, old, 'the real name, read from the older message');
		const step2 = (await sentByLead(sb, mb.email)).get(lead)!.at(-1)!;
		assert.equal(header(step2, 'X-Outreach-Key'), outreachKey(old, 2, lead));
		assert.equal(header(step2, 'X-Outreach-Campaign'), undefined, 'nothing old is written back');

		const again2 = await runOne('gmailThreadedReply', followParams(2, { campaign: old }), [row], mb.credentials);
		assert.equal(jsonOf(again2, 'skipped')[0]?.reason, 'already_sent', JSON.stringify(again2.flat().map((i) => i.json)));
	});
});
