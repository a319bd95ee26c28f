// The ledger's race with an overlapping run: history shows another run's claim draft, and before the ledger can
// read it, that run sends the message and withdraws the claim. The claim is gone (unreadable), and its sent copy
// came after the history page the ledger read; a ledger that skipped the vanished draft would see neither and let
// a second claim win. Driven step by step through a real n8n execution against the sandbox.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { IExecuteFunctions, INodeExecutionData, INodeType } from 'n8n-workflow';
import { OUTREACH_HEADER } from '../../nodes/shared/core/idempotency';
import { KeyLedger } from '../../nodes/shared/node/ledger';
import { gmailClient } from '../../nodes/shared/transport';
import { probeDescription, runNode, sandboxOAuthCredential } from '../support/n8n';
import { b64url, rawMessage, startSandbox, type TestMailbox, type TestSandbox } from '../support/sandbox';

let sb: TestSandbox;
before(async () => {
	sb = await startSandbox({ quotaUnitsPerWindow: 1_000_000 });
});
after(async () => {
	await sb?.close();
});

/** What the scenario saw. */
let seen: { sentId?: string; rivalDrafts: number } | undefined;
/** The rival run's moves, made while the ledger's metadata read is in flight. */
let rival: (() => Promise<string>) | undefined;

/** Opens a KeyLedger, lets the rival claim, refreshes while the rival sends and withdraws, and reports. */
class LedgerProbe implements INodeType {
	description = probeDescription('Ledger Probe', [{ displayName: 'Key', name: 'key', type: 'string', default: '' }]);

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const key = this.getNodeParameter('key', 0) as string;
		const client = await gmailClient(this, { credentialType: 'oAuth2' });
		const ledger = new KeyLedger(client);
		await ledger.open();
		const sentId = await rival!();
		await ledger.refresh();
		seen = { sentId: ledger.sent(key)?.id, rivalDrafts: ledger.drafts(key, true).length };
		return [[{ json: { sentId, ledgerSent: seen.sentId ?? null } }]];
	}
}

const keyed = (mb: TestMailbox, key: string) => b64url(rawMessage({ from: mb.email, to: 'lead@vanish.test', subject: 'Hello', headers: { [OUTREACH_HEADER]: key } }));

describe('the key ledger and a claim that vanished before it was read', { timeout: 60_000 }, () => {
	test('a rival claim sent and withdrawn between the history page and the metadata read: the ledger reads on and finds the sent copy', async () => {
		const mb = await sb.createMailbox({ email: 'owner@vanish.test', type: 'workspace' });
		const key = 'k-vanish-1';
		let pending: Promise<string> | undefined;
		rival = async () => {
			// The rival's claim lands after the ledger opened, so only history can show it.
			const draft = (await sb.gmail(mb.accessToken, 'POST', '/gmail/v1/users/me/drafts', { message: { raw: keyed(mb, key) } })).body as { id: string };
			// Reads are slow from now on: the ledger's metadata read of the claim waits 400 ms before it looks.
			await sb.faults({ mailbox: mb.email, latencyMs: { 'messages.get': 400 } });
			const historyCalls = (await sb.stats(mb.email)).calls['history.list'] ?? 0;
			const moves = (async () => {
				while (((await sb.stats(mb.email)).calls['history.list'] ?? 0) <= historyCalls) await new Promise((r) => setTimeout(r, 2));
				await new Promise((r) => setTimeout(r, 50));
				// The history page is read (it shows the claim); now the rival sends and withdraws, as a run does.
				const sent = (await sb.gmail(mb.accessToken, 'POST', '/gmail/v1/users/me/messages/send', { raw: keyed(mb, key) })).body as { id: string };
				assert.equal((await sb.gmail(mb.accessToken, 'DELETE', `/gmail/v1/users/me/drafts/${draft.id}`)).status, 204);
				return sent.id;
			})();
			pending = moves;
			return '';
		};
		const r = await runNode({ node: LedgerProbe, parameters: { key }, items: [{ json: {} }], credentials: { gmailOutreachOAuth2Api: sandboxOAuthCredential(sb.url, mb) } });
		await sb.clearFaults();
		assert.equal(r.error, undefined, r.error?.message);
		const sentId = await pending!;
		assert.equal(seen?.sentId, sentId, 'the rival\'s sent copy is known, so no second claim can win');
		const stats = await sb.stats(mb.email);
		assert.ok((stats.calls['history.list'] ?? 0) >= 2, 'a second history pass after the claim vanished');
	});
});
