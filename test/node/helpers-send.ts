// Shared set-up for the Send node's workflow tests: a sandbox mailbox, leads, and one call to run the node.
import PostalMime from 'postal-mime';
import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';
import { GmailOutreachSend } from '../../nodes/GmailOutreachSend/GmailOutreachSend.node.js';
import { runNode, sandboxOAuthCredential, type RunNodeResult } from '../support/n8n';
import type { AdminMessage, TestMailbox, TestSandbox } from '../support/sandbox';

/** The node's outputs by name. */
export interface SendOutputs {
	sent: IDataObject[];
	skipped: IDataObject[];
	deferred: IDataObject[];
	failed: IDataObject[];
	all: INodeExecutionData[][];
	result: RunNodeResult;
}

/** Parameters of a plain text campaign; tests override what they exercise. */
export function baseParameters(over: INodeParameters = {}): INodeParameters {
	return {
		mode: 'send',
		campaign: 'q3-launch',
		step: 1,
		emailField: 'email',
		nameFields: 'first_name, last_name',
		senderName: 'Olivia Owner',
		subject: '{Quick|Short} question for {{company}}',
		bodyType: 'text',
		text: '{Hi|Hello} {{first_name}},\n\nI noticed {{company}} is hiring. {{pain | "Growing fast"}}?\n\nOlivia',
		...over,
		// Tests share one harness credential id, so the in-process pacer is shared: give it room.
		options: { quotaUnitsPerMinute: 200000, retryBudgetSeconds: 10, ...((over.options as IDataObject) ?? {}) },
	};
}

/** n synthetic leads: lead{i}@{domain} with names and companies. */
export function leads(n: number, domain = 'prospects.test', from = 0): IDataObject[] {
	return Array.from({ length: n }, (_v, k) => {
		const i = from + k;
		return { email: `lead${i}@${domain}`, first_name: `First${i}`, last_name: `Last${i}`, company: `Company ${i}`, row_number: i + 2 };
	});
}

/** Runs the Send node once over the items against a mailbox; outputs split by name. */
export async function runSend(
	sb: TestSandbox,
	mailbox: TestMailbox,
	items: IDataObject[] | INodeExecutionData[],
	parameters: INodeParameters,
	continueOnFail = false,
): Promise<SendOutputs> {
	const result = await runNode({
		node: GmailOutreachSend,
		parameters,
		items,
		continueOnFail,
		credentials: { gmailOutreachOAuth2Api: sandboxOAuthCredential(sb.url, mailbox) },
	});
	const all = result.outputs;
	const json = (i: number) => (all[i] ?? []).map((x) => x.json);
	return { sent: json(0), skipped: json(1), deferred: json(2), failed: json(3), all, result };
}

/** Count of items on all four outputs. */
export function countOut(o: SendOutputs): number {
	return o.sent.length + o.skipped.length + o.deferred.length + o.failed.length;
}

/** Messages the mailbox sent (SENT label), oldest first. */
export async function sentMessages(sb: TestSandbox, email: string): Promise<AdminMessage[]> {
	return (await sb.messages(email)).filter((m) => m.labelIds.includes('SENT'));
}

/** Sent messages per lower-cased To address. */
export function perRecipient(messages: AdminMessage[]): Map<string, AdminMessage[]> {
	const by = new Map<string, AdminMessage[]>();
	for (const m of messages) {
		for (const t of m.to) {
			const k = t.address.toLowerCase();
			by.set(k, [...(by.get(k) ?? []), m]);
		}
	}
	return by;
}

/** Parses a stored raw message with postal-mime (an independent parser). */
export async function parse(raw: string) {
	return await PostalMime.parse(raw);
}

/** Raw MIME with what legitimately differs between two builds of the same spec (Date, Message-ID, boundaries) blanked. */
export function comparable(raw: string): string {
	const boundaries = [...raw.matchAll(/boundary="?([^";\r\n]+)"?/gi)].map((m) => m[1]);
	let out = raw.replace(/\r\n/g, '\n');
	boundaries.forEach((b, i) => {
		out = out.split(b).join(`BOUNDARY${i}`);
	});
	// Gmail (and the sandbox) replace the Message-ID and may move it: drop both lines rather than compare them.
	return out.replace(/^Date: .*\n/m, '').replace(/^Message-ID: .*\n/im, '');
}
