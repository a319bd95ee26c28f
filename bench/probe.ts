// BenchProbe: a tiny node whose execute() drives the real Gmail transport (and the Send node's label batcher) from a real n8n context.
import {
	NodeConnectionTypes,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';
import { checkEngagement } from '../nodes/shared/node/engagement';
import { LabelBatcher } from '../nodes/shared/node/labels';
import { gmailClient, type ClientOptions, type GmailClient } from '../nodes/shared/transport';

/** Labels the item's `ids` with `label`: one transport batchModify, or the Send node's LabelBatcher (50 ids per call). */
async function label(client: GmailClient, a: IDataObject): Promise<IDataObject> {
	const ids = a.ids as string[];
	const name = String(a.label);
	if (a.via === 'labelBatcher') {
		const batcher = new LabelBatcher(client);
		for (const id of ids) await batcher.add([name], id);
		await batcher.flush();
		if (batcher.warning) throw new Error(batcher.warning);
		return { labelled: ids.length };
	}
	const labelId = (await client.ensureLabels([name]))[name];
	await client.batchModify(ids, [labelId], []);
	return { labelled: ids.length };
}

/** Sends every item's `raw` at once; the client's pacer decides when each may go. */
async function sendAll(client: GmailClient, items: INodeExecutionData[]): Promise<IDataObject[]> {
	return await Promise.all(
		items.map(async (item) => {
			try {
				const m = await client.sendMessage(String(item.json.raw));
				return { ok: true, id: m.id, at: Date.now() };
			} catch (error) {
				return { ok: false, error: (error as Error).name, at: Date.now() };
			}
		}),
	);
}

/** The engagement check for every item's `email` (the sending nodes' pre-send check): one stop reason (or 'none') per lead. */
async function engagement(client: GmailClient, items: INodeExecutionData[]): Promise<IDataObject[]> {
	const ours = [String((await client.getProfile()).emailAddress ?? '')];
	const leads = items.map((i) => ({ address: String(i.json.email), options: { firstSentAt: 0 } }));
	const result = await checkEngagement(client, leads, { ours });
	return leads.map((l) => ({ email: l.address, stop: result.get(l.address.toLowerCase())?.stop?.reason ?? 'none' }));
}

/** Runs op 'label' (first item's arguments) or 'sendAll' (one send per item); the first output item carries timing and client counters. */
export class BenchProbe implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Bench Probe',
		name: 'benchProbe',
		group: ['transform'],
		version: 1,
		description: 'Drives the Gmail transport in benchmarks',
		defaults: { name: 'Bench Probe' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'gmailOutreachOAuth2Api', required: true }],
		properties: [
			{ displayName: 'Op', name: 'op', type: 'string', default: 'label' },
			{ displayName: 'Client Options', name: 'clientOptions', type: 'json', default: '{}' },
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const op = this.getNodeParameter('op', 0) as string;
		const raw = this.getNodeParameter('clientOptions', 0) as string | IDataObject;
		const options = (typeof raw === 'string' ? JSON.parse(raw) : raw) as ClientOptions;
		const items = this.getInputData();
		const client = await gmailClient(this, options);
		const started = Date.now();
		let results: IDataObject[];
		if (op === 'label') results = [await label(client, items[0].json)];
		else if (op === 'sendAll') results = await sendAll(client, items);
		else if (op === 'engagement') results = await engagement(client, items);
		else throw new Error(`bench probe: unknown op ${op}`);
		const stats = { ms: Date.now() - started, started, unitsSpent: client.unitsSpent, calls: { ...client.calls }, retries: client.retries };
		return [results.map((json, i) => ({ json: i === 0 ? { ...json, stats } : json, pairedItem: { item: Math.min(i, items.length - 1) } }))];
	}
}
