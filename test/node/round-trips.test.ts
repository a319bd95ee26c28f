// Round trips a sequence spends besides the sends: the Message-IDs of sent messages are read back in batches,
// and Threaded Reply reads a batch's threads (named by id) in one batch request, in full when a step inherits the
// first email's footer (so the footers cost no read of their own), not one request per lead.
// A run days after the last send reads only the newest sent message lag-free, not the whole recent listing.
// The Gmail traffic goes through a front door that records every HTTP request line.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { sandboxOAuthCredential, type HarnessCredentials } from '../support/n8n';
import { startSandbox, type TestSandbox } from '../support/sandbox';
import { followParams, jsonOf, leads, OUT, runOne, sendStep1 } from './helpers-sequence';
import { dueParams, runScheduler, scheduleParams } from './draft-scheduler-helpers';

let sb: TestSandbox;
let front: http.Server;
let frontUrl = '';
const lines: string[] = [];

before(async () => {
	sb = await startSandbox({ quotaUnitsPerWindow: 1_000_000 });
	front = http.createServer((req, res) => {
		lines.push(`${req.method} ${req.url}`);
		sb.sandbox.handle(req, res);
	});
	await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', () => resolve()));
	frontUrl = `http://127.0.0.1:${(front.address() as AddressInfo).port}`;
});
after(async () => {
	await new Promise<void>((resolve) => {
		front.close(() => resolve());
		front.closeAllConnections();
	});
	await sb?.close();
});

/** Requests since `from` that read one message's Message-ID, or one thread, on their own. */
function singles(from: number): { messageIdReads: number; threadReads: number; fullReads: number; draftReads: number; batches: number } {
	const since = lines.slice(from);
	return {
		messageIdReads: since.filter((l) => /^GET \/gmail\/v1\/users\/me\/messages\/[^/?]+\?format=metadata&metadataHeaders=Message-ID$/.test(l)).length,
		threadReads: since.filter((l) => /^GET \/gmail\/v1\/users\/me\/threads\/[^/?]+/.test(l)).length,
		// The look before deciding (format=minimal); the read of a draft's latest content right before its send stays one each.
		draftReads: since.filter((l) => /^GET \/gmail\/v1\/users\/me\/drafts\/[^/?]+\?format=minimal$/.test(l)).length,
		fullReads: since.filter((l) => /^GET \/gmail\/v1\/users\/me\/messages\/[^/?]+\?format=full$/.test(l)).length,
		batches: since.filter((l) => l.startsWith('POST /batch/gmail/v1')).length,
	};
}

describe('round trips besides the sends', { timeout: 120_000 }, () => {
	test('30 leads, step 1 then step 2 (5 stopped by their status): Message-IDs read back in batches; threads read in one batch request per 25 leads, with the first emails\' footers, none for a stopped row', async () => {
		const mb = await sb.createMailbox({ email: 'owner@round-trips.test', type: 'workspace' });
		const credentials: HarnessCredentials = { gmailOutreachOAuth2Api: sandboxOAuthCredential(frontUrl, mb) };
		const items = leads(30, 'rt');
		const start1 = lines.length;
		const sent = await sendStep1(items, credentials, { options: { footer: 'Acme Ltd, 1 Main St, Springfield' } });
		assert.equal(singles(start1).messageIdReads, 0, 'no Message-ID read on its own');
		assert.ok(singles(start1).batches <= 2, `the 30 read back in one batch request (${singles(start1).batches} batch requests in all)`);
		const stored = new Map((await sb.messages(mb.email)).map((m) => [m.id, m.messageId]));
		for (const s of sent) assert.equal(s.rfc822MessageId, stored.get(String(s.messageId)), 'the real Message-ID is still on every Sent item');

		// Three days later (the sandbox's clock): the sends are long in the search index.
		await sb.clock({ advance: 'P3D' });
		const before2 = (await sb.stats(mb.email)).calls;
		const gets = before2['messages.get'] ?? 0;
		// Five rows the sheet already marks as replied: the status rule stops them before any read of the mailbox.
		const input = sent.map((s, k) => (k < 5 ? { ...s, status: 'replied' } : s));
		const start2 = lines.length;
		const out = await runOne('gmailThreadedReply', followParams(2), input, credentials);
		assert.equal(out[OUT.sent].length, 25);
		assert.equal(out[OUT.skipped].length, 5);
		const after2 = (await sb.stats(mb.email)).calls;
		assert.equal((after2['threads.get'] ?? 0) - (before2['threads.get'] ?? 0), 25, 'no thread read for a row its status stops');
		const s2 = singles(start2);
		// 25 Message-IDs in batches, and the lag-free look at the newest SENT and DRAFT message, one each (the sends are
		// older than the search index's lag before Gmail's "now", so the rest of the listing is not read). The footers
		// come with the threads, read in full: no message read for them at all.
		assert.equal((after2['messages.get'] ?? 0) - gets, 25 + 2);
		assert.equal(s2.threadReads, 0, 'no thread read on its own');
		assert.equal(s2.messageIdReads, 0, 'no Message-ID read on its own');
		assert.equal(s2.fullReads, 0, 'no first email read on its own for its footer (Footer From First Email)');
		const stored2 = new Map((await sb.messages(mb.email)).map((m) => [m.id, m.messageId]));
		for (const s of jsonOf(out, 'sent')) assert.equal(s.rfc822MessageId, stored2.get(String(s.messageId)));
		const followUps = (await sb.messages(mb.email)).filter((m) => m.inReplyTo);
		assert.equal(followUps.length, 25);
		for (const m of followUps) assert.match(m.text, /Acme Ltd, 1 Main St, Springfield/, 'the follow-up keeps the first email\'s footer');
	});

	test('Draft Scheduler, Send due over 12 drafts: the drafts and their threads read in one batch request each', async () => {
		await sb.clock({ now: '2026-05-04T08:00:00Z' });
		const mb = await sb.createMailbox({ email: 'owner@round-trips-drafts.test', type: 'workspace' });
		const credentials: HarnessCredentials = { gmailOutreachOAuth2Api: sandboxOAuthCredential(frontUrl, mb) };
		const sent = await sendStep1(leads(12, 'rtd').map((l) => ({ ...l, timezone: 'UTC' })), credentials);
		const scheduled = await runScheduler(scheduleParams(2), sent, credentials);
		assert.equal(scheduled.scheduled.length, 12, JSON.stringify([...scheduled.failed, ...scheduled.skipped]));
		await sb.clock({ now: '2026-05-07T11:01:00Z' });
		const start = lines.length;
		const due = await runScheduler(dueParams(), [{}], credentials);
		assert.equal(due.sent.length, 12, JSON.stringify([...due.deferred, ...due.failed, ...due.cancelled]));
		const r = singles(start);
		assert.equal(r.draftReads, 0, 'no draft read on its own');
		assert.equal(r.threadReads, 0, 'no thread read on its own');
	});
});
