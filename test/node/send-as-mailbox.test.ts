// Several senders in one Send node: with the service account, each item goes from the mailbox it names (Send As
// Mailbox = {{ $json.sender }}), one lead from one mailbox only, bad names fail their row, and a mailbox whose
// delegation fails does not take the others' sends with it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { GmailOutreachSend } from '../../nodes/GmailOutreachSend/GmailOutreachSend.node.js';
import { GmailThreadedReply } from '../../nodes/GmailThreadedReply/GmailThreadedReply.node.js';
import { runNode } from '../support/n8n';
import { startSandbox, type TestSandbox } from '../support/sandbox';
import { campaignSendParameters, serviceAccount } from './quota-guard-helpers';

let sb: TestSandbox;
before(async () => {
	sb = await startSandbox();
});
after(async () => {
	await sb?.close();
});

const SEND = { ...campaignSendParameters(), authentication: 'serviceAccount', options: { sendAsMailbox: '={{ $json.sender }}' } };
const json = (r: Awaited<ReturnType<typeof runNode>>, o: number) => (r.outputs[o] ?? []).map((i) => i.json);

describe('Send As Mailbox (service account)', { timeout: 60_000 }, () => {
	test('each item goes from the mailbox it names, in one run; outputs keep the input order; a lead keeps the mailbox of its first row', async () => {
		const boxes = await Promise.all(['a', 'b'].map((x) => sb.createMailbox({ email: `rep-${x}@multi.test` })));
		const creds = await serviceAccount(sb, boxes[0].email);
		const items = [
			{ email: 'l0@leads.test', first_name: 'L0', company: 'C0', sender: 'rep-b@multi.test' },
			{ email: 'l1@leads.test', first_name: 'L1', company: 'C1', sender: 'rep-a@multi.test' },
			{ email: 'l2@leads.test', first_name: 'L2', company: 'C2', sender: '' },
			{ email: 'L0@leads.test', first_name: 'L0 again', company: 'C0', sender: 'rep-a@multi.test' },
			{ email: 'l4@leads.test', first_name: 'L4', company: 'C4', sender: 'not an address' },
		];
		const r = await runNode({ node: GmailOutreachSend, parameters: SEND, items, credentials: creds });
		assert.equal(r.error, undefined, r.error?.message);
		assert.equal(r.outputs.flat().length, items.length, 'count in = count out');
		assert.deepEqual(json(r, 0).map((s) => s.email), ['l0@leads.test', 'l1@leads.test', 'l2@leads.test'], 'Sent, in input order');
		assert.deepEqual(json(r, 1).map((s) => [s.email, s.reason]), [['L0@leads.test', 'duplicate_in_run']], "the lead's second row follows its first row's mailbox");
		assert.deepEqual(json(r, 3).map((s) => [s.email, s.reason, s.field]), [['l4@leads.test', 'invalid_parameter', 'sendAsMailbox']]);
		const sentFrom = async (box: string) => (await sb.messages(box)).filter((m) => m.labelIds.includes('SENT')).map((m) => `${m.from?.address}>${m.to[0].address}`).sort();
		assert.deepEqual(await sentFrom('rep-a@multi.test'), ['rep-a@multi.test>l1@leads.test', 'rep-a@multi.test>l2@leads.test']);
		assert.deepEqual(await sentFrom('rep-b@multi.test'), ['rep-b@multi.test>l0@leads.test']);
		// Threaded Reply follows up from the same mailbox (the thread lives there).
		const follow = await runNode({
			node: GmailThreadedReply,
			parameters: { campaign: String(campaignSendParameters().campaign), step: 2, threadBy: 'threadId', threadId: '={{ $json.threadId }}', bodyType: 'text', text: 'Hi {{first_name}}, following up.', authentication: 'serviceAccount', options: { sendAsMailbox: '={{ $json.sender }}' } },
			items: json(r, 0),
			credentials: creds,
		});
		assert.equal(follow.error, undefined, follow.error?.message);
		assert.equal(json(follow, 0).length, 3, JSON.stringify(follow.outputs.flat().map((i) => i.json.error ?? i.json.reason)));
		assert.equal((await sentFrom('rep-b@multi.test')).length, 2);
	});

	test("a mailbox the service account may not act as fails its own items with auth; the other mailbox's sends stay on Sent", async () => {
		const ok = await sb.createMailbox({ email: 'rep-ok@multi2.test' });
		const creds = await serviceAccount(sb, ok.email);
		// The mailbox that fails comes first: the other one still sends.
		const items = [
			{ email: 'm1@leads.test', first_name: 'M1', company: 'C1', sender: 'nobody@not-in-sandbox.test' },
			{ email: 'm0@leads.test', first_name: 'M0', company: 'C0', sender: 'rep-ok@multi2.test' },
		];
		const r = await runNode({ node: GmailOutreachSend, parameters: SEND, items, credentials: creds });
		assert.equal(r.error, undefined, 'the node does not throw away what was sent');
		assert.deepEqual(json(r, 0).map((s) => s.email), ['m0@leads.test']);
		const failed = json(r, 3);
		assert.equal(failed.length, 1);
		assert.equal(failed[0].email, 'm1@leads.test');
		assert.match(String(failed[0].reason), /^(auth|permission)$/);
	});
});
