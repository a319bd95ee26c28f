// TransportProbe: a tiny node whose execute() drives the real transport from a real n8n execution context.
import { inspect } from 'node:util';
import {
	NodeConnectionTypes,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { GmailError, DailyCapError, InvalidRequestError, gmailClient, type ClientOptions, type GmailClient } from '../../nodes/shared/transport';

/** Base64url RFC 5322 text for a minimal plain-text mail (tests only). */
export function rawMail(from: string, to: string, subject: string, text = 'Hello'): string {
	return Buffer.from(`From: ${from}\r\nTo: ${to}\r\nSubject: ${subject}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${text}\r\n`).toString('base64url');
}

async function perform(client: GmailClient, op: string, a: IDataObject): Promise<unknown> {
	switch (op) {
		case 'getProfile':
			return await client.getProfile();
		case 'listSendAs':
			return await client.listSendAs();
		case 'send':
			return await client.sendMessage(String(a.raw), a.threadId as string | undefined);
		case 'getMessage':
			return await client.getMessage(String(a.id), { format: (a.format as 'metadata') ?? 'metadata' });
		case 'batchGetSettled':
			return (await client.batchGetMessagesSettled(a.ids as string[], { format: 'minimal' })).map((r) => ({
				id: r.id,
				ok: !!r.message,
				error: r.error?.name,
			}));
		case 'listAll':
			return (await client.listAllMessages({ q: a.q as string | undefined, max: a.max as number | undefined })).length;
		case 'ensureLabels':
			return await client.ensureLabels(a.names as string[]);
		case 'listHistory':
			return await client.listHistory(String(a.startHistoryId));
		case 'createDraft':
			return await client.createDraft(String(a.raw));
		case 'sendDraft':
			return await client.sendDraft(String(a.id));
		default:
			throw new Error(`probe: unknown op ${op}`);
	}
}

/** The error fields a test asserts on. */
export function describeError(error: unknown): IDataObject {
	const e = error as GmailError;
	return {
		name: e?.name,
		message: e?.message,
		reason: e?.reason ?? null,
		status: e?.status ?? null,
		retryable: e?.retryable ?? null,
		field: e instanceof InvalidRequestError ? e.field : null,
		retryAt: e instanceof DailyCapError ? e.retryAt.toISOString() : null,
		isGmailError: e instanceof GmailError,
		// Everything a log or UI could show, for the no-secret-leak test.
		dump: `${e?.stack ?? ''}\n${JSON.stringify(e)}\n${inspect(e, { depth: 8 })}`,
	};
}

/** Runs `op` per item (parameter 'op', item json = arguments); each item leaves with ok/result or ok:false/error. */
export class TransportProbe implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Transport Probe',
		name: 'transportProbe',
		group: ['transform'],
		version: 1,
		description: 'Drives the Gmail transport in tests',
		defaults: { name: 'Transport Probe' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{ name: 'gmailOutreachOAuth2Api', required: true, displayOptions: { show: { authentication: ['oAuth2'] } } },
			{ name: 'gmailOutreachServiceAccountApi', required: true, displayOptions: { show: { authentication: ['serviceAccount'] } } },
		],
		properties: [
			{
				displayName: 'Authentication',
				name: 'authentication',
				type: 'options',
				options: [
					{ name: 'OAuth2', value: 'oAuth2' },
					{ name: 'Service Account', value: 'serviceAccount' },
				],
				default: 'oAuth2',
			},
			{ displayName: 'Op', name: 'op', type: 'string', default: 'getProfile' },
			{ displayName: 'Parallel', name: 'parallel', type: 'boolean', default: false },
			{ displayName: 'Client Options', name: 'clientOptions', type: 'json', default: '{}' },
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const op = this.getNodeParameter('op', 0) as string;
		const parallel = this.getNodeParameter('parallel', 0) as boolean;
		const raw = this.getNodeParameter('clientOptions', 0) as string | IDataObject;
		const options = (typeof raw === 'string' ? JSON.parse(raw) : raw) as ClientOptions;
		// The node tells the transport which credential to use (the transport reads no parameters).
		const credentialType = this.getNodeParameter('authentication', 0, 'oAuth2') === 'serviceAccount' ? 'serviceAccount' : 'oAuth2';
		const client = await gmailClient(this, { credentialType, ...options });
		const items = this.getInputData();
		const one = async (item: INodeExecutionData, i: number): Promise<INodeExecutionData> => {
			const started = Date.now();
			try {
				const result = await perform(client, op, item.json);
				return { json: { ok: true, result: result as IDataObject, ms: Date.now() - started }, pairedItem: { item: i } };
			} catch (error) {
				return { json: { ok: false, error: describeError(error), ms: Date.now() - started }, pairedItem: { item: i } };
			}
		};
		const out: INodeExecutionData[] = [];
		if (parallel) out.push(...(await Promise.all(items.map(one))));
		else for (const [i, item] of items.entries()) out.push(await one(item, i));
		for (const o of out) o.json.client = { unitsSpent: client.unitsSpent, calls: { ...client.calls }, retries: client.retries };
		return [out];
	}
}
