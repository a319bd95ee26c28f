// Several senders in one run: with the service-account credential each item may name the mailbox to send as
// (Quota Guard's `sender`). The items go through one SendingRun per mailbox — its own token, pacer, cap, ledger and
// claims — and the outputs come back in input order.
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { normalizeAddress } from '../core/address';
import { SERVICE_ACCOUNT_CREDENTIAL_TYPE } from '../transport';
import { fieldValue } from './inputs';
import { itemRow } from './rows';
import { SendingRun } from './sending';

/** The option that names each item's mailbox (service account only). */
export const SEND_AS_MAILBOX_OPTION: INodeProperties = {
	displayName: 'Send As Mailbox',
	name: 'sendAsMailbox',
	type: 'string',
	default: '',
	placeholder: '={{ $json.outreach.sender }}',
	displayOptions: { show: { '/authentication': ['serviceAccount'] } },
	description:
		"The Workspace mailbox this item is sent from, e.g. {{ $json.outreach.sender }} from Quota Guard's Mailboxes (version 1 nodes: {{ $json.sender }}); empty: the credential's Delegated User. Each mailbox gets its own token, cap check and pacing; a lead's rows all go from the mailbox of its first row.",
};

/** Items per mailbox ('' = the credential's own), and the items whose mailbox is no address. */
async function mailboxShares(ctx: IExecuteFunctions): Promise<{ shares: Map<string, number[]>; invalid: Map<number, string> }> {
	const items = ctx.getInputData();
	const shares = new Map<string, number[]>();
	const invalid = new Map<number, string>();
	const serviceAccount = ctx.getNodeParameter('authentication', 0, 'oAuth2') === 'serviceAccount';
	const own = serviceAccount ? String((await ctx.getCredentials(SERVICE_ACCOUNT_CREDENTIAL_TYPE)).delegatedUser ?? '').trim().toLowerCase() : '';
	const rawEmailField = String(ctx.getNode().parameters.emailField ?? '');
	const leadBox = new Map<string, string>();
	for (let i = 0; i < items.length; i++) {
		let box = '';
		const named = serviceAccount ? String((ctx.getNodeParameter('options', i, {}) as IDataObject).sendAsMailbox ?? '').trim() : '';
		if (named) {
			try {
				box = normalizeAddress(named);
			} catch {
				invalid.set(i, named);
			}
		}
		if (box === own) box = '';
		// One lead, one mailbox: a second row with the address follows the first (and is a duplicate in that run).
		const lead = leadAddress(ctx, i, items[i].json, rawEmailField);
		if (lead !== undefined) {
			if (leadBox.has(lead)) box = leadBox.get(lead)!;
			else leadBox.set(lead, box);
		}
		shares.set(box, [...(shares.get(box) ?? []), i]);
	}
	return { shares, invalid };
}

/** The item's lead address as the node's Recipient Field gives it, normalised; undefined when there is none. */
function leadAddress(ctx: IExecuteFunctions, i: number, json: IDataObject, raw: string): string | undefined {
	try {
		const value = String(ctx.getNodeParameter('emailField', i, '') ?? '');
		const picked = fieldValue(json, { value, raw }, 'emailField').value;
		return typeof picked === 'string' && picked.trim() ? normalizeAddress(picked) : undefined;
	} catch {
		return undefined;
	}
}

/**
 * Runs `body` once per mailbox the items name (once, as today, when they name none) and merges the outputs in input
 * order. With several mailboxes a credential stop fails that mailbox's items (auth / permission) instead of the
 * node: the other mailboxes still send, and what was sent stays on Sent.
 */
export async function perMailbox(ctx: IExecuteFunctions, nodeLabel: string, body: (run: SendingRun) => Promise<INodeExecutionData[][]>): Promise<INodeExecutionData[][]> {
	const { shares, invalid } = await mailboxShares(ctx);
	if (shares.size <= 1 && !invalid.size) {
		const [mailbox] = [...shares.keys()];
		return await body(await SendingRun.open(ctx, nodeLabel, mailbox ? { mailbox } : {}));
	}
	const results: INodeExecutionData[][][] = [];
	for (const [mailbox, indices] of shares) {
		const run = await SendingRun.open(ctx, nodeLabel, { ...(mailbox ? { mailbox } : {}), indices, mayThrow: false });
		for (const i of indices) {
			const named = invalid.get(i);
			if (named === undefined) continue;
			const error = `${itemRow(run.items, i)}, parameter "sendAsMailbox": "${named}" is not an email address`;
			run.out('failed', i, { status: 'failed', reason: 'invalid_parameter', field: 'sendAsMailbox', error });
		}
		results.push(await body(run));
	}
	const width = Math.max(...results.map((r) => r.length));
	return Array.from({ length: width }, (_v, o) =>
		results.flatMap((r) => r[o] ?? []).sort((a, b) => pairedIndex(a) - pairedIndex(b)),
	);
}

function pairedIndex(item: INodeExecutionData): number {
	const p = item.pairedItem;
	const first = Array.isArray(p) ? p[0] : p;
	return typeof first === 'number' ? first : (first?.item ?? 0);
}
