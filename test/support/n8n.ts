// In-process n8n: runs real workflows through n8n-core's WorkflowExecute with an in-memory credential store.
import './n8n-env';

import { randomUUID } from 'node:crypto';

import { Logger } from '@n8n/backend-common';
import { Container } from '@n8n/di';
import { ExecutionLifecycleHooks, WorkflowExecute } from 'n8n-core';
import {
	LoggerProxy,
	NodeConnectionTypes,
	Workflow,
	createRunExecutionData,
	type IConnections,
	type ICredentialDataDecryptedObject,
	type IDataObject,
	type IExecuteFunctions,
	type INode,
	type INodeExecutionData,
	type INodeParameters,
	type INodeProperties,
	type INodeType,
	type INodeTypeDescription,
	type INodeTypes,
	type IRun,
	type IVersionedNodeType,
	type IWorkflowBase,
	type IWorkflowExecuteAdditionalData,
} from 'n8n-workflow';

import { HARNESS_CREDENTIAL_ID, HarnessCredentialsHelper } from './n8n-credentials';

/** Decrypted credential data by credential type name, e.g. `{ gmailOutreachOAuth2Api: {...} }`. */
export interface HarnessCredentials {
	[credentialType: string]: ICredentialDataDecryptedObject;
}

/** Options for running one node behind the harness's start node. */
export interface RunNodeOptions {
	node: INodeType | (new () => INodeType);
	parameters: INodeParameters;
	items: IDataObject[] | INodeExecutionData[];
	credentials: HarnessCredentials;
	continueOnFail?: boolean;
	name?: string;
	typeVersion?: number;
	/** Workflow static data (e.g. a trigger's cursor); mutated in place by the run. */
	staticData?: IDataObject;
}

/** What a runNode call produced. */
export interface RunNodeResult {
	outputs: INodeExecutionData[][];
	error?: Error;
	logs: string[];
	/** What the nodes sent to the editor (sendMessageToUI, manual runs), as text. */
	uiMessages: string[];
	credentialsAfter: HarnessCredentials;
	run: IRun;
}

/** Options for running a whole workflow. */
export interface RunWorkflowOptions {
	nodes: INode[];
	connections: IConnections;
	nodeTypes: Record<string, INodeType | (new () => INodeType)>;
	credentials: HarnessCredentials;
	startItems?: IDataObject[];
	staticData?: IDataObject;
}

/** What a runWorkflow call produced. */
export interface RunWorkflowResult {
	run: IRun;
	outputsOf(nodeName: string): INodeExecutionData[][];
	error?: Error;
	logs: string[];
	/** What the nodes sent to the editor (sendMessageToUI, manual runs), as text. */
	uiMessages: string[];
	credentialsAfter: HarnessCredentials;
}

const allLogLines: string[] = [];

function metaText(meta: unknown): string {
	if (meta === undefined) return '';
	try {
		return ' ' + JSON.stringify(meta, (_k, v: unknown) => (v instanceof Error ? { ...v, message: v.message, stack: v.stack } : v));
	} catch {
		return ' ' + String(meta);
	}
}

/** A logger that records every line (level, message, metadata) for the no-secret-leak tests. */
const captureLogger = {
	error: (message: string, meta?: unknown) => allLogLines.push(`error ${message}${metaText(meta)}`),
	warn: (message: string, meta?: unknown) => allLogLines.push(`warn ${message}${metaText(meta)}`),
	info: (message: string, meta?: unknown) => allLogLines.push(`info ${message}${metaText(meta)}`),
	debug: (message: string, meta?: unknown) => allLogLines.push(`debug ${message}${metaText(meta)}`),
	scoped: () => captureLogger,
};
Container.set(Logger, captureLogger as unknown as Logger);
LoggerProxy.init(captureLogger);

/** Every log line the harness's n8n logger received in this process. */
export function captured(): string[] {
	return [...allLogLines];
}

/** An OAuth2 credential for a sandbox mailbox, as n8n would store it after the consent flow. */
export function sandboxOAuthCredential(
	sandboxUrl: string,
	tokens: { accessToken: string; refreshToken: string },
): ICredentialDataDecryptedObject {
	const base = sandboxUrl.replace(/\/+$/, '');
	return {
		clientId: 'harness-client-id',
		clientSecret: 'harness-client-secret-3f9a7c',
		apiBaseUrl: base,
		accessTokenUrl: `${base}/token`,
		authUrl: `${base}/o/oauth2/v2/auth`,
		oauthTokenData: {
			access_token: tokens.accessToken,
			refresh_token: tokens.refreshToken,
			token_type: 'Bearer',
			expires_in: 3600,
		},
	};
}

/** The description of a test-only node that drives our code with the OAuth2 credential (a probe). */
export function probeDescription(displayName: string, properties: INodeProperties[] = []): INodeTypeDescription {
	return {
		displayName,
		name: displayName.replace(/ (\w)/g, (_m, c: string) => c.toUpperCase()).replace(/^\w/, (c) => c.toLowerCase()),
		group: ['transform'],
		version: 1,
		description: `${displayName}: drives our code in tests`,
		defaults: { name: displayName },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'gmailOutreachOAuth2Api', required: true }],
		properties,
	};
}

/** The node type name the harness's start node registers under. */
export const HARNESS_START = 'harnessStart';

/** Passes its input on: the entry point every harness run starts from. */
class HarnessStart implements INodeType {
	description = {
		displayName: 'Harness Start',
		name: HARNESS_START,
		group: ['input'],
		version: 1,
		description: 'Feeds the run its items',
		defaults: { name: 'Start' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		properties: [],
	} as INodeType['description'];

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return [this.getInputData()];
	}
}

function instantiate(t: INodeType | IVersionedNodeType | (new () => INodeType)): INodeType | IVersionedNodeType {
	return typeof t === 'function' ? new t() : t;
}

function nodeTypesOf(types: Record<string, INodeType | IVersionedNodeType | (new () => INodeType)>): INodeTypes {
	const map = new Map<string, INodeType | IVersionedNodeType>();
	map.set(HARNESS_START, new HarnessStart());
	for (const [name, t] of Object.entries(types)) map.set(name, instantiate(t));
	const get = (name: string) => {
		const t = map.get(name);
		if (!t) throw new Error(`harness: unknown node type "${name}"`);
		return t;
	};
	return {
		getByName: get,
		getByNameAndVersion(name: string, version?: number): INodeType {
			const t = get(name);
			if ('nodeVersions' in t) return t.getNodeType(version);
			return t;
		},
		getKnownTypes: () => ({}),
	};
}

function toItems(items: IDataObject[] | INodeExecutionData[]): INodeExecutionData[] {
	return items.map((item, i) =>
		item && typeof item === 'object' && 'json' in item && typeof item.json === 'object'
			? (item as INodeExecutionData)
			: { json: item as IDataObject, pairedItem: { item: i } },
	);
}

function additionalDataFor(helper: HarnessCredentialsHelper, hooks: ExecutionLifecycleHooks, executionId: string, uiMessages: string[]) {
	const unsupported = (what: string) => async () => {
		throw new Error(`harness: ${what} is not supported`);
	};
	return {
		credentialsHelper: helper,
		hooks,
		executionId,
		executeWorkflow: unsupported('executeWorkflow'),
		getRunExecutionData: async () => undefined,
		getRuntimeCredential: async () => undefined,
		currentNodeExecutionIndex: 0,
		restApiUrl: 'http://127.0.0.1:5678/rest',
		instanceBaseUrl: 'http://127.0.0.1:5678',
		formBaseUrl: 'http://127.0.0.1:5678/form',
		formWaitingBaseUrl: 'http://127.0.0.1:5678/form-waiting',
		formTestBaseUrl: 'http://127.0.0.1:5678/form-test',
		webhookBaseUrl: 'http://127.0.0.1:5678/webhook',
		webhookWaitingBaseUrl: 'http://127.0.0.1:5678/webhook-waiting',
		webhookTestBaseUrl: 'http://127.0.0.1:5678/webhook-test',
		mcpBaseUrl: 'http://127.0.0.1:5678/mcp',
		mcpTestBaseUrl: 'http://127.0.0.1:5678/mcp-test',
		variables: {},
		logAiEvent: () => {},
		// The editor's console channel: what sendMessageToUI sends in a manual run.
		sendDataToUI: (type: string, data: { messages?: unknown[] }) => {
			if (type === 'sendConsoleMessage') uiMessages.push((data.messages ?? []).map(String).join(' '));
		},
		startRunnerTask: unsupported('startRunnerTask'),
	} as unknown as IWorkflowExecuteAdditionalData;
}

function credentialRefs(credentials: HarnessCredentials): INode['credentials'] {
	const refs: NonNullable<INode['credentials']> = {};
	for (const type of Object.keys(credentials)) refs[type] = { id: HARNESS_CREDENTIAL_ID, name: 'Sandbox' };
	return refs;
}

/** Runs a workflow through n8n-core's WorkflowExecute, starting at the start node (or the first node) with startItems. */
export async function runWorkflow(opts: RunWorkflowOptions): Promise<RunWorkflowResult> {
	const logStart = allLogLines.length;
	const store = new Map(Object.entries(structuredClone(opts.credentials)));
	const helper = new HarnessCredentialsHelper(store);
	const refs = credentialRefs(opts.credentials);
	const nodes = opts.nodes.map((n) => ({ ...n, credentials: n.credentials ?? (n.type === HARNESS_START ? undefined : refs) }));
	const startNode = nodes.find((n) => n.type === HARNESS_START) ?? nodes[0];
	const executionId = randomUUID();
	const workflowData = {
		id: 'harness',
		name: 'Harness',
		active: false,
		isArchived: false,
		nodes,
		connections: opts.connections,
		settings: { executionOrder: 'v1' },
		createdAt: new Date(),
		updatedAt: new Date(),
		activeVersionId: null,
	} as unknown as IWorkflowBase;
	const workflow = new Workflow({
		id: 'harness',
		name: 'Harness',
		nodes,
		connections: opts.connections,
		nodeTypes: nodeTypesOf(opts.nodeTypes),
		active: false,
		staticData: opts.staticData ?? {},
		settings: { executionOrder: 'v1' },
	});
	const hooks = new ExecutionLifecycleHooks('manual', executionId, workflowData);
	const uiMessages: string[] = [];
	const additionalData = additionalDataFor(helper, hooks, executionId, uiMessages);
	const items = toItems(opts.startItems ?? [{}]);
	const runExecutionData = createRunExecutionData({
		executionData: { nodeExecutionStack: [{ node: startNode, data: { main: [items] }, source: null }] },
	});
	const run = await new WorkflowExecute(additionalData, 'manual', runExecutionData).processRunExecutionData(workflow);
	if (opts.staticData) Object.assign(opts.staticData, workflow.staticData);
	return {
		run,
		error: run.data.resultData.error as Error | undefined,
		outputsOf(nodeName: string) {
			const runs = run.data.resultData.runData[nodeName];
			const main = runs?.[runs.length - 1]?.data?.main ?? [];
			return main.map((items) => items ?? []);
		},
		logs: allLogLines.slice(logStart),
		uiMessages,
		credentialsAfter: Object.fromEntries(store),
	};
}

/** Runs [harness start → node] as a real workflow; outputs are the node's items per output index. */
export async function runNode(opts: RunNodeOptions): Promise<RunNodeResult> {
	const type = instantiate(opts.node);
	const typeName = type.description.name;
	const name = opts.name ?? 'Node Under Test';
	// Version 1 unless asked: the suites written against the flat output fields pin it; version 2's fields under
	// `outreach` have their own suite (test/node/output-fields.test.ts) over the same code paths.
	const versions = ([] as number[]).concat('nodeVersions' in type ? type.currentVersion : type.description.version);
	const version = opts.typeVersion ?? Math.min(...versions);
	const nodes: INode[] = [
		{ id: randomUUID(), name: 'Start', type: HARNESS_START, typeVersion: 1, position: [0, 0], parameters: {} },
		{
			id: randomUUID(),
			name,
			type: typeName,
			typeVersion: version,
			position: [200, 0],
			parameters: opts.parameters,
			continueOnFail: opts.continueOnFail,
			onError: opts.continueOnFail ? 'continueRegularOutput' : undefined,
		},
	];
	const connections: IConnections = { Start: { main: [[{ node: name, type: 'main', index: 0 }]] } };
	const result = await runWorkflow({
		nodes,
		connections,
		nodeTypes: { [typeName]: type as INodeType },
		credentials: opts.credentials,
		startItems: toItems(opts.items) as unknown as IDataObject[],
		staticData: opts.staticData,
	});
	return {
		outputs: result.outputsOf(name),
		error: result.error,
		logs: result.logs,
		uiMessages: result.uiMessages,
		credentialsAfter: result.credentialsAfter,
		run: result.run,
	};
}
