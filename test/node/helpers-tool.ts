// An AI agent in miniature, and n8n's `<node>Tool` variant of our nodes, so tests call a node the way an agent does:
// through n8n-core's getInputConnectionData → createNodeAsTool → the tool's invoke, not by calling execute ourselves.
import { randomUUID } from 'node:crypto';
import {
	deepCopy,
	NodeConnectionTypes,
	type IDataObject,
	type IExecuteFunctions,
	type INode,
	type INodeExecutionData,
	type INodeParameters,
	type INodeProperties,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';
import { HARNESS_START, runWorkflow, sandboxOAuthCredential, type RunWorkflowResult } from '../support/n8n';
import type { TestMailbox, TestSandbox } from '../support/sandbox';

/**
 * The `<node>Tool` variant n8n's loader derives from a `usableAsTool` node (packages/cli's convertNodeToAiTool):
 * the same class and execute, the name with "Tool", no main input, one ai_tool output, and a Description parameter
 * unless the node declares its own `toolDescription`.
 */
export function asTool(NodeClass: new () => INodeType): INodeType {
	const node = new NodeClass();
	const description = deepCopy(node.description) as INodeTypeDescription;
	description.name += 'Tool';
	description.displayName += ' Tool';
	description.inputs = [];
	description.outputs = [NodeConnectionTypes.AiTool];
	delete description.usableAsTool;
	if (!description.properties.some((p) => p.name === 'toolDescription')) {
		const generic: INodeProperties = { displayName: 'Description', name: 'toolDescription', type: 'string', default: description.description, required: true };
		description.properties.unshift(generic);
	}
	const tool = Object.create(node) as INodeType;
	Object.defineProperty(tool, 'description', { value: description });
	return tool;
}

/** One call the agent makes: which tool (by its tool name, the node's name) with which arguments. */
export interface ToolCall {
	tool: string;
	args: IDataObject;
}

/** The node type name of the harness agent. */
export const HARNESS_AGENT = 'harnessAgent';

interface InvocableTool {
	name: string;
	description: string;
	invoke(args: IDataObject): Promise<unknown>;
}

/** Calls its connected tools in the order the `calls` parameter lists, as an agent would; one output item per call. */
class HarnessAgent implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Harness Agent',
		name: HARNESS_AGENT,
		group: ['transform'],
		version: 1,
		description: 'Calls its tools as an AI agent would',
		defaults: { name: 'Agent' },
		inputs: [NodeConnectionTypes.Main, { type: NodeConnectionTypes.AiTool, displayName: 'Tools', required: true }],
		outputs: [NodeConnectionTypes.Main],
		properties: [{ displayName: 'Calls', name: 'calls', type: 'json', default: '[]' }],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const connected = (await this.getInputConnectionData(NodeConnectionTypes.AiTool, 0)) as InvocableTool | InvocableTool[];
		const tools = Array.isArray(connected) ? connected : [connected];
		const calls = JSON.parse(String(this.getNodeParameter('calls', 0))) as ToolCall[];
		const out: INodeExecutionData[] = [];
		for (const call of calls) {
			const tool = tools.find((t) => t.name === call.tool);
			if (!tool) throw new Error(`agent: no tool named ${call.tool} (have ${tools.map((t) => t.name).join(', ')})`);
			let answer: unknown;
			try {
				answer = await tool.invoke(call.args);
			} catch (error) {
				answer = `Error: ${(error as Error).message}`;
			}
			// The agent reads a string: n8n returns JSON.stringify of what output 0 held.
			const text = typeof answer === 'string' ? answer : JSON.stringify(answer);
			let response: unknown = text;
			try {
				response = JSON.parse(text);
			} catch {
				// Not JSON: an error text, kept as is.
			}
			out.push({ json: { tool: call.tool, args: call.args, description: tool.description, response: response as IDataObject } });
		}
		return [out];
	}
}

/** A tool node of the agent: its name (the tool's name), the node class and its parameters ($fromAI allowed). */
export interface ToolNode {
	name: string;
	node: new () => INodeType;
	parameters: INodeParameters;
}

/** Runs Start → Agent with the tool nodes connected on ai_tool; the agent makes the calls in order. */
export async function runAgent(sb: TestSandbox, mailbox: TestMailbox, tools: ToolNode[], calls: ToolCall[]): Promise<{ answers: IDataObject[]; result: RunWorkflowResult }> {
	const nodes: INode[] = [
		{ id: randomUUID(), name: 'Start', type: HARNESS_START, typeVersion: 1, position: [0, 0], parameters: {} },
		{ id: randomUUID(), name: 'Agent', type: HARNESS_AGENT, typeVersion: 1, position: [200, 0], parameters: { calls: JSON.stringify(calls) } },
	];
	const nodeTypes: Record<string, INodeType> = { [HARNESS_AGENT]: new HarnessAgent() };
	const connections: Record<string, { [type: string]: Array<Array<{ node: string; type: string; index: number }>> }> = {
		Start: { main: [[{ node: 'Agent', type: 'main', index: 0 }]] },
	};
	for (const [k, t] of tools.entries()) {
		const type = asTool(t.node);
		nodeTypes[type.description.name] = type;
		nodes.push({ id: randomUUID(), name: t.name, type: type.description.name, typeVersion: 1, position: [200, 200 + k * 100], parameters: t.parameters });
		connections[t.name] = { [NodeConnectionTypes.AiTool]: [[{ node: 'Agent', type: NodeConnectionTypes.AiTool, index: 0 }]] };
	}
	const result = await runWorkflow({
		nodes,
		connections: connections as never,
		nodeTypes,
		credentials: { gmailOutreachOAuth2Api: sandboxOAuthCredential(sb.url, mailbox) },
	});
	return { answers: result.outputsOf('Agent')[0]?.map((i) => i.json) ?? [], result };
}
