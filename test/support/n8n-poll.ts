// In-process polling triggers: builds IPollFunctions through n8n-core's PollContext, as n8n does for an active
// workflow (mode 'trigger') or for "Fetch Test Event" (mode 'manual'), with the harness's credential store.
import { randomUUID } from 'node:crypto';
import { PollContext } from 'n8n-core';
import {
	Workflow,
	type IDataObject,
	type INode,
	type INodeExecutionData,
	type INodeParameters,
	type INodeType,
	type INodeTypes,
	type IWorkflowExecuteAdditionalData,
	type WorkflowActivateMode,
	type WorkflowExecuteMode,
} from 'n8n-workflow';
import { captured, type HarnessCredentials } from './n8n';
import { HARNESS_CREDENTIAL_ID, HarnessCredentialsHelper } from './n8n-credentials';

/** Options for one poll. */
export interface RunPollOptions {
	node: INodeType | (new () => INodeType);
	parameters: INodeParameters;
	credentials: HarnessCredentials;
	/** The workflow's static data: pass the same object to every poll of one "activation" (the cursor lives in it). */
	staticData: IDataObject;
	/** 'trigger' (an active workflow's poll, the default) or 'manual' ("Fetch Test Event"). */
	mode?: Extract<WorkflowExecuteMode, 'trigger' | 'manual'>;
	activation?: WorkflowActivateMode;
	name?: string;
	timezone?: string;
}

/** What one poll returned (null: nothing new), its error, and the log lines it wrote. */
export interface RunPollResult {
	items: INodeExecutionData[] | null;
	error?: Error;
	logs: string[];
}

function nodeTypesOf(type: INodeType): INodeTypes {
	return {
		getByName: () => type,
		getByNameAndVersion: () => type,
		getKnownTypes: () => ({}),
	};
}

function additionalData(helper: HarnessCredentialsHelper): IWorkflowExecuteAdditionalData {
	return {
		credentialsHelper: helper,
		executionId: randomUUID(),
		currentNodeExecutionIndex: 0,
		restApiUrl: 'http://127.0.0.1:5678/rest',
		instanceBaseUrl: 'http://127.0.0.1:5678',
		webhookBaseUrl: 'http://127.0.0.1:5678/webhook',
		webhookWaitingBaseUrl: 'http://127.0.0.1:5678/webhook-waiting',
		webhookTestBaseUrl: 'http://127.0.0.1:5678/webhook-test',
		formWaitingBaseUrl: 'http://127.0.0.1:5678/form-waiting',
		variables: {},
		getRunExecutionData: async () => undefined,
		logAiEvent: () => {},
	} as unknown as IWorkflowExecuteAdditionalData;
}

/** Runs the trigger's poll() once, as n8n's poll scheduler would; the static data keeps the cursor between calls. */
export async function runPoll(opts: RunPollOptions): Promise<RunPollResult> {
	const type = typeof opts.node === 'function' ? new opts.node() : opts.node;
	const logStart = captured().length;
	const credentials: INode['credentials'] = {};
	for (const t of Object.keys(opts.credentials)) credentials[t] = { id: HARNESS_CREDENTIAL_ID, name: 'Sandbox' };
	const node: INode = {
		id: 'poll-node',
		name: opts.name ?? 'Trigger Under Test',
		type: type.description.name,
		typeVersion: 1,
		position: [0, 0],
		parameters: opts.parameters,
		credentials,
	};
	const workflow = new Workflow({
		id: 'harness-poll',
		name: 'Harness Poll',
		nodes: [node],
		connections: {},
		nodeTypes: nodeTypesOf(type),
		active: opts.mode !== 'manual',
		staticData: opts.staticData,
		settings: { executionOrder: 'v1', ...(opts.timezone ? { timezone: opts.timezone } : {}) },
	});
	const helper = new HarnessCredentialsHelper(new Map(Object.entries(structuredClone(opts.credentials))));
	const mode = opts.mode ?? 'trigger';
	const ctx = new PollContext(workflow, workflow.getNode(node.name)!, additionalData(helper), mode, opts.activation ?? (mode === 'manual' ? 'manual' : 'activate'));
	let items: INodeExecutionData[] | null = null;
	let error: Error | undefined;
	try {
		const out = await type.poll!.call(ctx);
		items = out ? (out[0] ?? []) : null;
	} catch (e) {
		error = e as Error;
	}
	// Like n8n: the node's static data is written into the workflow's; keep it for the next poll.
	Object.assign(opts.staticData, workflow.staticData);
	delete opts.staticData.__dataChanged;
	return { items, ...(error ? { error } : {}), logs: captured().slice(logStart) };
}
