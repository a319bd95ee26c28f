// Shared set-up for the Reply Detector tests: run the node over leads, poll the trigger, and name their outputs.
import assert from 'node:assert/strict';
import type { IDataObject, INodeParameters } from 'n8n-workflow';
import { GmailReplyDetector } from '../../nodes/GmailReplyDetector/GmailReplyDetector.node.js';
import { GmailReplyDetectorTrigger } from '../../nodes/GmailReplyDetectorTrigger/GmailReplyDetectorTrigger.node.js';
import { runNode, type HarnessCredentials, type RunNodeResult } from '../support/n8n';
import { runPoll, type RunPollResult } from '../support/n8n-poll';

export { seedSent } from './reply-detector-seed';

/** The node's four outputs by name. */
export interface DetectorOutputs {
	stop: IDataObject[];
	wait: IDataObject[];
	continue: IDataObject[];
	failed: IDataObject[];
	result: RunNodeResult;
}

/** Detector parameters for campaign "seq" (the sequence helpers' campaign); tests override what they exercise. */
export function detectorParams(over: INodeParameters = {}): INodeParameters {
	return {
		campaign: 'seq',
		emailField: 'email',
		threadIdField: 'threadId',
		since: 'campaign',
		...over,
		options: { quotaUnitsPerMinute: 1_000_000, retryBudgetSeconds: 5, ...((over.options as IDataObject) ?? {}) },
	};
}

/** Runs the Reply Detector once; asserts every input item left on exactly one output. */
export async function runDetector(credentials: HarnessCredentials, items: IDataObject[], parameters: INodeParameters): Promise<DetectorOutputs> {
	const result = await runNode({ node: GmailReplyDetector, parameters, items, credentials });
	assert.equal(result.error, undefined, result.error?.message);
	const json = (i: number) => (result.outputs[i] ?? []).map((x) => x.json);
	const out = { stop: json(0), wait: json(1), continue: json(2), failed: json(3), result };
	assert.equal(result.outputs.length, 4, 'four outputs');
	assert.equal(out.stop.length + out.wait.length + out.continue.length + out.failed.length, items.length, 'count in = count out');
	return out;
}

/** Trigger parameters: replies to outreach of campaign "seq", nothing looked back on the first poll. */
export function triggerParams(over: INodeParameters = {}): INodeParameters {
	return {
		scope: 'outreach',
		statuses: ['replied', 'unsubscribed', 'complained', 'bounced_hard', 'bounced_soft', 'left_company', 'out_of_office', 'auto_reply'],
		campaigns: 'seq',
		...over,
		options: { firstRunLookBackHours: 0, timezone: 'UTC', quotaUnitsPerMinute: 1_000_000, retryBudgetSeconds: 5, ...((over.options as IDataObject) ?? {}) },
	};
}

/** One poll of the trigger with the given static data (the cursor); fails the test on an error unless told not to. */
export async function poll(credentials: HarnessCredentials, staticData: IDataObject, parameters: INodeParameters = triggerParams(), opts: { mode?: 'trigger' | 'manual'; allowError?: boolean } = {}): Promise<RunPollResult & { events: IDataObject[] }> {
	const r = await runPoll({ node: GmailReplyDetectorTrigger, parameters, credentials, staticData, mode: opts.mode ?? 'trigger' });
	if (!opts.allowError) assert.equal(r.error, undefined, r.error?.message);
	return { ...r, events: (r.items ?? []).map((i) => i.json) };
}

/** The one item of a list whose field has the value. */
export function one(list: IDataObject[], field: string, value: unknown): IDataObject {
	const found = list.filter((x) => x[field] === value);
	assert.equal(found.length, 1, `exactly one item with ${field}=${String(value)} in ${JSON.stringify(list.map((x) => x[field]))}`);
	return found[0];
}

