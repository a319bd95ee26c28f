import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeOutputConfiguration, INodeProperties } from 'n8n-workflow';

/**
 * Whether n8n runs the node as an AI agent's tool (the `<node>Tool` variant n8n derives from `usableAsTool`). n8n says
 * so through `isToolExecution()`; n8n releases before it only tell by the tool variant's type name.
 */
export function isToolRun(ctx: IExecuteFunctions): boolean {
	const marker = (ctx as Partial<Pick<IExecuteFunctions, 'isToolExecution'>>).isToolExecution;
	if (typeof marker === 'function') return marker.call(ctx);
	return /Tool$/.test(ctx.getNode().type);
}

/** The display names of a node's outputs, in output-index order. */
export function outputNames(outputs: INodeOutputConfiguration[]): string[] {
	return outputs.map((o, k) => o.displayName ?? `Output ${k + 1}`);
}

/**
 * The node's return value for whoever called it. In a workflow: the outputs as they are. As an agent's tool n8n
 * hands the agent output 0 only, so a lead that was skipped, deferred or failed would come back as nothing and the
 * agent would try again: every item's outcome goes to output 0, in input order, with the output it would have
 * left on (`output`). Binary data stays behind (an agent cannot read it, and n8n drops it with a warning).
 */
export function forCaller(ctx: IExecuteFunctions, outputs: INodeExecutionData[][], names: string[]): INodeExecutionData[][] {
	if (!isToolRun(ctx)) return outputs;
	const all = outputs.flatMap((items, k) => items.map((item, n) => ({ item, k, n })));
	const position = (item: INodeExecutionData) => {
		const paired = Array.isArray(item.pairedItem) ? item.pairedItem[0] : item.pairedItem;
		return typeof paired === 'object' && paired ? paired.item : typeof paired === 'number' ? paired : Number.MAX_SAFE_INTEGER;
	};
	all.sort((a, b) => position(a.item) - position(b.item) || a.k - b.k || a.n - b.n);
	return [
		all.map(({ item, k }) => {
			const json: IDataObject = { output: names[k] ?? `Output ${k + 1}`, ...item.json };
			return item.pairedItem === undefined ? { json } : { json, pairedItem: item.pairedItem };
		}),
	];
}

/** What an agent reads about a tool's answer, appended to each node's tool description. */
export const TOOL_RESULT_NOTE =
	'Returns a JSON list with one entry per lead: output (which branch it left on) and, under outreach (node version 2; at the top level in version 1), status, reason, the message and thread ids, retryAt (when a deferred lead may be tried again) and error.';

/**
 * The description an AI agent reads, shown only on the node's tool variant ('@tool'). Declaring it keeps n8n from
 * adding its generic one, so the agent learns what a repeated call does.
 */
export function toolDescriptionProperty(text: string): INodeProperties {
	return {
		displayName: 'Description',
		name: 'toolDescription',
		type: 'string',
		default: `${text} ${TOOL_RESULT_NOTE}`,
		required: true,
		typeOptions: { rows: 4 },
		displayOptions: { show: { '@tool': [true] } },
		description: 'Explain to the AI agent what this tool does; the default says how repeated calls behave and what the answer holds',
	};
}

/** The tool text of the two sending nodes: a call is idempotent per campaign, step and address. */
export const SENDING_TOOL_TEXT = (what: string) =>
	`${what} Idempotent per campaign + step + address: calling it again for the same lead and step never sends a second email, it answers skipped / already_sent with the ids of the email that went. Never retry under another campaign name or step to "get it through": skipped means a rule stopped the lead (suppressed, replied, bounced, unsubscribed), deferred means try again at retryAt, failed means fix the input.`;
