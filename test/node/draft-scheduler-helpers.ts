// Shared set-up for the Draft Scheduler's node tests: [Start → Draft Scheduler] runs, the sandbox's
// "a person edits this draft" call, and what the mailbox holds (drafts, schedule labels, sent step messages).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { IConnections, IDataObject, INode, INodeParameters } from 'n8n-workflow';
import { GmailDraftScheduler } from '../../nodes/GmailDraftScheduler/GmailDraftScheduler.node.js';
import { runWorkflow, type HarnessCredentials } from '../support/n8n';
import type { AdminMessage, TestSandbox } from '../support/sandbox';

/** Output names per operation, in output-index order. */
const NAMES = {
	schedule: ['scheduled', 'skipped', 'deferred', 'failed'],
	sendDue: ['sent', 'cancelled', 'deferred', 'failed'],
	list: ['drafts'],
	cancel: ['cancelled', 'failed'],
} as const;

/** One run's outputs by name (json only), plus the run's error if any. */
export type Outputs = Record<string, IDataObject[]> & { error?: Error };

/** Runs [Start → Draft Scheduler] as a real workflow; asserts no error unless `allowError`. */
export async function runScheduler(parameters: INodeParameters, items: IDataObject[], credentials: HarnessCredentials, allowError = false): Promise<Outputs> {
	const op = (parameters.operation ?? 'schedule') as keyof typeof NAMES;
	const nodes: INode[] = [
		{ id: randomUUID(), name: 'Start', type: 'harnessStart', typeVersion: 1, position: [0, 0], parameters: {} },
		{ id: randomUUID(), name: 'Drafts', type: 'gmailDraftScheduler', typeVersion: 1, position: [200, 0], parameters },
	];
	const connections: IConnections = { Start: { main: [[{ node: 'Drafts', type: 'main', index: 0 }]] } };
	const result = await runWorkflow({ nodes, connections, nodeTypes: { gmailDraftScheduler: GmailDraftScheduler }, credentials, startItems: items });
	if (!allowError) assert.equal(result.error, undefined, result.error?.message);
	const outputs = result.outputsOf('Drafts');
	const out: Outputs = {};
	NAMES[op].forEach((name, k) => (out[name] = (outputs[k] ?? []).map((i) => i.json)));
	if (result.error) out.error = result.error;
	return out;
}

/** Schedule parameters for step N of campaign "seq" by thread id, 3 business days, 09:00–11:00 lead-local. */
export function scheduleParams(step: number, extra: INodeParameters = {}): INodeParameters {
	return {
		operation: 'schedule',
		campaign: 'seq',
		step,
		threadBy: 'threadId',
		threadId: '={{ $json.threadId }}',
		bodyType: 'text',
		text: `{Hi|Hello} {{first_name}}, just floating this up (step ${step}).`,
		sendTime: 'businessDays',
		businessDays: 3,
		windowStart: '09:00',
		windowEnd: '11:00',
		...extra,
		options: { timezoneField: 'timezone', ...QUOTA, ...((extra.options as object) ?? {}) },
	};
}

// The harness gives every mailbox the same credential id, so one process-wide pacer serves all of a file's mailboxes:
// a generous per-minute budget keeps one test's calls from pacing the next one's.
const QUOTA = { quotaUnitsPerMinute: 250_000 };

/** Send due parameters (capacity checked as a Workspace mailbox unless told otherwise). */
export function dueParams(extra: INodeParameters = {}): INodeParameters {
	return { operation: 'sendDue', accountType: 'workspace', ...extra, options: { ...QUOTA, ...((extra.options as object) ?? {}) } };
}

/** "A person edits this draft in Gmail" through the sandbox's admin call. */
export async function personEdits(sb: TestSandbox, email: string, draftId: string, body: Record<string, unknown>): Promise<{ id: string; message: { id: string; threadId: string } }> {
	const res = await fetch(`${sb.url}/sandbox/mailboxes/${encodeURIComponent(email)}/drafts/${encodeURIComponent(draftId)}/edit`, {
		method: 'POST',
		headers: { 'Content-Type': 'application/json' },
		body: JSON.stringify(body),
	});
	const json = await res.json();
	assert.equal(res.status, 200, JSON.stringify(json));
	return json;
}

/** The mailbox's drafts (their messages), from the sandbox's own view. */
export async function draftMessages(sb: TestSandbox, email: string): Promise<AdminMessage[]> {
	return (await sb.messages(email)).filter((m) => m.labelIds.includes('DRAFT'));
}

/** The mailbox's label names that schedule a draft (from the sandbox's state: no token needed). */
export function scheduleLabels(sb: TestSandbox, email: string): string[] {
	const labels = sb.sandbox.store.mailbox(email)?.labels ?? [];
	return labels.map((l) => l.name).filter((n) => /^Outreach\/Scheduled\/[^/]+\/\d{4}-/.test(n));
}

/** A header of a sandbox message (case-insensitive). */
export function header(m: AdminMessage, name: string): string | undefined {
	return m.headers.find((h) => h.name.toLowerCase() === name.toLowerCase())?.value;
}

/** Sent messages by recipient, oldest first. */
export async function sentByLead(sb: TestSandbox, email: string): Promise<Map<string, AdminMessage[]>> {
	const by = new Map<string, AdminMessage[]>();
	for (const m of (await sb.messages(email)).filter((x) => x.labelIds.includes('SENT')).sort((a, b) => a.internalDate - b.internalDate)) {
		const to = m.to[0]?.address.toLowerCase() ?? '';
		by.set(to, [...(by.get(to) ?? []), m]);
	}
	return by;
}
