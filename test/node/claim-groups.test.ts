// One claim draft per group of sends: what it holds, that nobody can send it, that a send without an answer keeps
// it (an overlapping run waits, a later one clears it once stale), and that sends never go under an old claim.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { IExecuteFunctions, INodeExecutionData, INodeType } from 'n8n-workflow';
import { CLAIM_HEADER, claimedKeys, outreachKey } from '../../nodes/shared/core/idempotency';
import { CLAIM_USE_MS, Claims } from '../../nodes/shared/node/claim';
import { KeyLedger } from '../../nodes/shared/node/ledger';
import { gmailClient } from '../../nodes/shared/transport';
import { probeDescription, runNode, sandboxOAuthCredential } from '../support/n8n';
import { startSandbox, type AdminMessage, type TestMailbox, type TestSandbox } from '../support/sandbox';
import { baseParameters, countOut, leads, perRecipient, runSend, sentMessages } from './helpers-send';

let sb: TestSandbox;
before(async () => {
	sb = await startSandbox({ searchLagMs: 5000, quotaUnitsPerWindow: 1_000_000 });
});
after(async () => {
	await sb?.close();
});

const claimOf = (m: AdminMessage) => m.headers.find((h) => h.name.toLowerCase() === CLAIM_HEADER.toLowerCase())?.value;
const claimDrafts = async (email: string) => (await sb.messages(email)).filter((m) => m.labelIds.includes('DRAFT') && claimOf(m) !== undefined);
const keysOf = (items: Array<{ email?: unknown }>) => items.map((i) => outreachKey('q3-launch', 1, String(i.email)));

describe('claim drafts: one per group of sends', { timeout: 120_000 }, () => {
	test('30 leads: one claim per look-up batch (25 + 5), listing exactly those keys, with no recipient, unsendable by hand; none left after', async () => {
		const mb = await sb.createMailbox({ email: 'owner@groups.test', type: 'workspace' });
		const items = leads(30, 'leads-g.test');
		await sb.faults({ mailbox: mb.email, latencyMs: { 'messages.send': 60 } });
		const seen = new Map<string, AdminMessage>();
		let handSend: { status: number; message?: string } | undefined;
		let watching = true;
		const watcher = (async () => {
			while (watching) {
				for (const d of await claimDrafts(mb.email)) {
					if (seen.has(d.id)) continue;
					seen.set(d.id, d);
					if (handSend) continue;
					// A person pressing Send on the claim in Gmail: Gmail refuses a message without a recipient.
					const drafts = (await sb.gmail(mb.accessToken, 'GET', '/gmail/v1/users/me/drafts')).body as { drafts?: Array<{ id: string; message: { id: string } }> };
					const draftId = drafts.drafts?.find((x) => x.message.id === d.id)?.id;
					if (!draftId) continue;
					const r = await sb.gmail(mb.accessToken, 'POST', '/gmail/v1/users/me/drafts/send', { id: draftId });
					handSend = { status: r.status, message: (r.body as { error?: { message?: string } }).error?.message };
				}
				await new Promise((r) => setTimeout(r, 20));
			}
		})();
		const o = await runSend(sb, mb, items, baseParameters()).finally(() => (watching = false));
		await watcher;
		await sb.clearFaults();
		assert.equal(o.result.error, undefined);
		assert.equal(countOut(o), 30);
		assert.equal(o.sent.length, 30);
		const stats = await sb.stats(mb.email);
		assert.equal(stats.calls['drafts.create'], 2, 'two claims for two look-up batches');
		assert.equal(stats.calls['drafts.delete'], 2, 'both taken back');
		const notes = [...seen.values()];
		assert.equal(notes.length, 2, 'the watcher saw both claims');
		assert.deepEqual(claimedKeys(claimOf(notes[0])!).sort(), keysOf(items.slice(0, 25)).sort(), 'the first claim lists the first batch');
		assert.deepEqual(claimedKeys(claimOf(notes[1])!).sort(), keysOf(items.slice(25)).sort(), 'the second lists the rest');
		for (const n of notes) {
			assert.equal(n.to.length + n.cc.length + n.bcc.length, 0, 'a claim has no recipient');
			assert.ok(!n.raw.includes('leads-g.test'), 'nor any lead address');
		}
		assert.equal(handSend?.status, 400, 'sending a claim by hand is refused');
		assert.match(String(handSend?.message), /Recipient address required/);
		assert.equal((await claimDrafts(mb.email)).length, 0, 'no claim left behind');
		assert.equal(perRecipient(await sentMessages(sb, mb.email)).size, 30);
	});

	test('two overlapping runs over partly shared leads, one in reverse order: their claims cross, yet each lead is mailed once; a re-run sends whatever waited', async () => {
		const mb = await sb.createMailbox({ email: 'owner@cross.test', type: 'workspace' });
		const all = leads(90, 'leads-x.test');
		const a = all.slice(0, 60);
		const b = all.slice(30).reverse();
		const params = baseParameters({ options: { pacing: 'delay', delaySeconds: 0.02, jitterSeconds: 0.02 } });
		const runA = runSend(sb, mb, a, params);
		await new Promise((r) => setTimeout(r, 300));
		const [ra, rb] = await Promise.all([runA, runSend(sb, mb, b, params)]);
		assert.equal(countOut(ra), 60);
		assert.equal(countOut(rb), 60);
		for (const s of [...ra.skipped, ...rb.skipped, ...ra.deferred, ...rb.deferred]) assert.ok(['already_sent', 'in_progress'].includes(String(s.reason)), String(s.reason));
		let byTo = perRecipient(await sentMessages(sb, mb.email));
		for (const [to, msgs] of byTo) assert.equal(msgs.length, 1, `${to} mailed ${msgs.length} times`);
		assert.equal(ra.sent.length + rb.sent.length, byTo.size, 'every mail on exactly one Sent output');
		const waited = [...ra.deferred, ...rb.deferred].map((d) => String(d.email));
		assert.equal(byTo.size + new Set(waited.filter((e) => !byTo.has(e))).size, 90, 'a lead not mailed waits as in_progress');
		await sb.clock({ advance: 'PT11M' });
		const again = await runSend(sb, mb, all, params);
		byTo = perRecipient(await sentMessages(sb, mb.email));
		assert.equal(byTo.size, 90, 'the re-run mails whoever waited');
		for (const [to, msgs] of byTo) assert.equal(msgs.length, 1, `${to} mailed ${msgs.length} times`);
		assert.equal(again.sent.length + again.skipped.length, 90);
		assert.equal((await claimDrafts(mb.email)).length, 0, 'no claim left behind');
	});

	test('a send without a definite answer keeps the claim: a run right after waits and defers in_progress, one after 10 minutes clears it and sends once', async () => {
		const mb = await sb.createMailbox({ email: 'owner@kept.test', type: 'workspace' });
		const items = leads(3, 'kept.test');
		// The first send is never answered and never lands.
		await sb.faults({ mailbox: mb.email, rules: [{ method: 'messages.send', timeout: true, holdMs: 300, count: 1 }] });
		const params = baseParameters({ options: { retryBudgetSeconds: 4, timeoutSeconds: 0.2 } });
		const first = await runSend(sb, mb, items, params);
		await sb.clearFaults();
		assert.equal(first.result.error, undefined);
		assert.equal(countOut(first), 3);
		assert.deepEqual(first.deferred.map((d) => d.reason), ['unknown_outcome']);
		assert.equal(first.sent.length, 2);
		const kept = await claimDrafts(mb.email);
		assert.equal(kept.length, 1, 'the claim stays');
		assert.deepEqual(claimedKeys(claimOf(kept[0])!).sort(), keysOf(items).sort());

		const soon = await runSend(sb, mb, items, params);
		assert.equal(countOut(soon), 3);
		assert.equal(soon.sent.length, 0, 'nothing is sent while the claim is live');
		assert.deepEqual(soon.deferred.map((d) => [d.email, d.reason]), [[first.deferred[0].email, 'in_progress']]);
		assert.equal(soon.skipped.filter((s) => s.reason === 'already_sent').length, 2);

		await sb.clock({ advance: 'PT11M' });
		const later = await runSend(sb, mb, items, params);
		assert.equal(later.sent.length, 1, 'the stale claim is cleared and the lead is sent');
		assert.equal(later.sent[0].email, first.deferred[0].email);
		assert.equal((await claimDrafts(mb.email)).length, 0, 'the stale claim is removed');
		const byTo = perRecipient(await sentMessages(sb, mb.email));
		for (const i of items) assert.equal(byTo.get(String(i.email))?.length, 1, `${String(i.email)} exactly once`);
	});
});

/** What the claims probe saw. */
let probed: { beforeAge?: string; afterAge?: string; renewed?: string; draftsBetween: number; draftsAfter: number } | undefined;

/** Drives Claims: claims two keys, lets the claim age past its use, and claims the second again. */
class ClaimsProbe implements INodeType {
	description = probeDescription('Claims Probe');

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		// The in-process pacer is shared by the harness credential: room, after the runs above.
		const client = await gmailClient(this, { credentialType: 'oAuth2', perMinuteUnits: 1_000_000 });
		const ledger = new KeyLedger(client);
		await ledger.open();
		const claims = new Claims(client, ledger);
		const [k1, k2] = ['go-aaaaaaaaaaaaaaaaaaaa', 'go-bbbbbbbbbbbbbbbbbbbb'];
		await claims.claim([k1, k2]);
		const beforeAge = (await claims.result(k2))?.kind;
		// The machine's view of the mailbox's clock moves on past the claim's use (as a long pacing wait would).
		client.clockOffsetMs = (client.clockOffsetMs ?? 0) + CLAIM_USE_MS;
		const afterAge = (await claims.result(k2))?.kind ?? 'none';
		await claims.claim([k2]);
		const renewed = (await claims.result(k2))?.kind;
		const draftsBetween = (await client.listDrafts({ maxResults: 10 })).drafts?.length ?? 0;
		await claims.release();
		const draftsAfter = (await client.listDrafts({ maxResults: 10 })).drafts?.length ?? 0;
		probed = { beforeAge, afterAge, renewed, draftsBetween, draftsAfter };
		return [[{ json: {} }]];
	}
}

describe('a claim is sent under only while young', { timeout: 60_000 }, () => {
	test('past half its life a claim decides nothing; the renewal replaces it (one draft at a time), and release removes it', async () => {
		const mb: TestMailbox = await sb.createMailbox({ email: 'owner@renew.test', type: 'workspace' });
		const r = await runNode({ node: ClaimsProbe, parameters: {}, items: [{ json: {} }], credentials: { gmailOutreachOAuth2Api: sandboxOAuthCredential(sb.url, mb) } });
		assert.equal(r.error, undefined, r.error?.message);
		assert.deepEqual(probed, { beforeAge: 'won', afterAge: 'none', renewed: 'won', draftsBetween: 1, draftsAfter: 0 });
	});
});
