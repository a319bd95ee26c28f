import {
	NodeConnectionTypes,
	type IDataObject,
	type INodeExecutionData,
	type INodeOutputConfiguration,
} from 'n8n-workflow';

/** Where an input item can leave an outreach node; every item leaves on exactly one. */
export type OutcomeKind = 'sent' | 'skipped' | 'deferred' | 'failed';

const ORDER: OutcomeKind[] = ['sent', 'skipped', 'deferred', 'failed'];

/** The four named outputs shared by the sending nodes, in output-index order. */
export const OUTREACH_OUTPUTS: INodeOutputConfiguration[] = [
	{ type: NodeConnectionTypes.Main, displayName: 'Sent' },
	{ type: NodeConnectionTypes.Main, displayName: 'Skipped' },
	{ type: NodeConnectionTypes.Main, displayName: 'Deferred' },
	{ type: NodeConnectionTypes.Main, displayName: 'Failed' },
];

/** Raised when a run would lose or double an item; it means a bug in the node, never bad input. */
export class ItemAccountingError extends Error {
	override name = 'ItemAccountingError' as const;
}

/** Collects one outcome per input item and returns them as the node's outputs, in input order. */
export class Outcomes {
	private readonly byItem = new Map<number, { kind: OutcomeKind; data: INodeExecutionData }>();

	/** The items this collector accounts for (all by default; one mailbox's share when a run is split by mailbox). */
	private readonly indices: number[];

	constructor(itemCount: number, indices?: number[]) {
		this.indices = indices ?? Array.from({ length: itemCount }, (_v, i) => i);
	}

	/** Records item `itemIndex`'s outcome; a second outcome for the same item is a bug and throws. */
	add(kind: OutcomeKind, itemIndex: number, json: IDataObject, binary?: INodeExecutionData['binary']): void {
		if (this.byItem.has(itemIndex)) {
			throw new ItemAccountingError(`Item ${itemIndex} already left on "${this.byItem.get(itemIndex)!.kind}"`);
		}
		const data: INodeExecutionData = { json, pairedItem: { item: itemIndex } };
		if (binary) data.binary = binary;
		this.byItem.set(itemIndex, { kind, data });
	}

	/** Whether item `itemIndex` already has an outcome. */
	has(itemIndex: number): boolean {
		return this.byItem.has(itemIndex);
	}

	/** The json of every item that left on `kind` so far (to complete them at the end of the run). */
	jsonOf(kind: OutcomeKind): IDataObject[] {
		return [...this.byItem.values()].filter((o) => o.kind === kind).map((o) => o.data.json);
	}

	/** How many items left on each output so far. */
	counts(): Record<OutcomeKind, number> {
		const counts = { sent: 0, skipped: 0, deferred: 0, failed: 0 };
		for (const { kind } of this.byItem.values()) counts[kind]++;
		return counts;
	}

	/** The node's return value; throws if any of its items has no outcome (count in must equal count out). */
	toOutputs(): INodeExecutionData[][] {
		const missing: number[] = [];
		for (const i of this.indices) if (!this.byItem.has(i)) missing.push(i);
		if (missing.length) throw new ItemAccountingError(`Items without an outcome: ${missing.join(', ')}`);
		const outputs: INodeExecutionData[][] = ORDER.map(() => []);
		for (const i of this.indices) {
			const { kind, data } = this.byItem.get(i)!;
			outputs[ORDER.indexOf(kind)].push(data);
		}
		return outputs;
	}
}
