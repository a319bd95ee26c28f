// Shared set-up for sequence tests: a fresh sandbox mailbox, leads, and [Start → node] runs of Send and Threaded Reply.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { IConnections, IDataObject, INode, INodeExecutionData, INodeParameters } from 'n8n-workflow';
import { GmailOutreachSend } from '../../nodes/GmailOutreachSend/GmailOutreachSend.node.js';
import { GmailThreadedReply } from '../../nodes/GmailThreadedReply/GmailThreadedReply.node.js';
import { runWorkflow, sandboxOAuthCredential, type HarnessCredentials } from '../support/n8n';
import type { MailboxOptions, TestSandbox } from '../support/sandbox';

/** Output indexes of the sending nodes. */
export const OUT = { sent: 0, skipped: 1, deferred: 2, failed: 3 } as const;

/** A fresh mailbox per test so threads and counts never mix. */
export async function mailbox(sandbox: TestSandbox, opts: Partial<MailboxOptions> = {}): Promise<{ email: string; credentials: HarnessCredentials }> {
	const email = opts.email ?? `sales-${randomUUID().slice(0, 8)}@acme.test`;
	const mb = await sandbox.createMailbox({ ...opts, email });
	return { email, credentials: { gmailOutreachOAuth2Api: sandboxOAuthCredential(sandbox.url, mb) } };
}

/** n leads at n different companies, tagged so tests never share an address. */
export function leads(n: number, tag: string): IDataObject[] {
	return Array.from({ length: n }, (_, i) => ({
		email: `lead${i}-${tag}@client${i}.test`,
		first_name: `Lead${i}`,
		company: `Company ${i}`,
	}));
}

/** Runs [Start → node] as a real workflow and returns the node's four outputs; asserts count in = count out. */
export async function runOne(
	type: 'gmailOutreachSend' | 'gmailThreadedReply',
	parameters: INodeParameters,
	items: IDataObject[],
	credentials: HarnessCredentials,
): Promise<INodeExecutionData[][]> {
	const name = type === 'gmailOutreachSend' ? 'Send' : 'Follow Up';
	const nodes: INode[] = [
		{ id: randomUUID(), name: 'Start', type: 'harnessStart', typeVersion: 1, position: [0, 0], parameters: {} },
		{ id: randomUUID(), name, type, typeVersion: 1, position: [200, 0], parameters },
	];
	const connections: IConnections = { Start: { main: [[{ node: name, type: 'main', index: 0 }]] } };
	const result = await runWorkflow({
		nodes,
		connections,
		nodeTypes: { gmailOutreachSend: GmailOutreachSend, gmailThreadedReply: GmailThreadedReply },
		credentials,
		startItems: items,
	});
	assert.equal(result.error, undefined, result.error?.message);
	const outputs = result.outputsOf(name);
	assert.equal(outputs.length, 4, 'four outputs');
	assert.equal(
		outputs.reduce((n, o) => n + o.length, 0),
		items.length,
		'count in = count out',
	);
	return outputs;
}

/** The first email of campaign "seq". */
export const SEND_PARAMS: INodeParameters = {
	campaign: 'seq',
	step: 1,
	emailField: 'email',
	subject: 'Quick question about {{company}}',
	bodyType: 'text',
	text: 'Hi {{first_name}},\n\nDoes {{company}} still do outreach by hand?\n\nAna',
};

/** Threaded Reply parameters for step N of campaign "seq", by thread id. */
export function followParams(step: number, extra: INodeParameters = {}): INodeParameters {
	return {
		campaign: 'seq',
		step,
		threadBy: 'threadId',
		threadId: '={{ $json.threadId }}',
		bodyType: 'text',
		text: `{Hi|Hello} {{first_name}}, just floating this up (step ${step}).`,
		...extra,
	};
}

/** Sends step 1 to every item; all must go out. */
export async function sendStep1(items: IDataObject[], credentials: HarnessCredentials, extra: INodeParameters = {}): Promise<IDataObject[]> {
	const out = await runOne('gmailOutreachSend', { ...SEND_PARAMS, ...extra }, items, credentials);
	assert.equal(out[OUT.sent].length, items.length, JSON.stringify(out[OUT.failed].concat(out[OUT.skipped]).map((i) => i.json)));
	return out[OUT.sent].map((i) => i.json);
}

/** The json of one output. */
export function jsonOf(outputs: INodeExecutionData[][], which: keyof typeof OUT): IDataObject[] {
	return (outputs[OUT[which]] ?? []).map((i) => i.json);
}
