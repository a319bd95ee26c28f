import type { IDataObject, INodeExecutionData } from 'n8n-workflow';
import { ItemAccountingError } from '../shared/node/outcomes';

/**
 * The outputs of an operation that answers per scheduled draft (Send due, List, Cancel): one item per draft,
 * paired with the input item that asked. A draft that would leave twice is a bug and throws.
 */
export class DraftOutputs {
	private readonly outputs: INodeExecutionData[][];
	private readonly seen = new Set<string>();

	constructor(count: number) {
		this.outputs = Array.from({ length: count }, () => []);
	}

	/** Records one draft's item on output `index`; `draftId` undefined for an item that concerns no draft. */
	add(index: number, json: IDataObject, pairedWith: number, draftId?: string): void {
		if (draftId !== undefined) {
			const key = `${pairedWith}\u0000${draftId}`;
			if (this.seen.has(key)) throw new ItemAccountingError(`Draft ${draftId} already left on an output`);
			this.seen.add(key);
		}
		this.outputs[index].push({ json, pairedItem: { item: pairedWith } });
	}

	/** Whether a draft already left (for the input item that asked). */
	has(draftId: string, pairedWith = 0): boolean {
		return this.seen.has(`${pairedWith}\u0000${draftId}`);
	}

	/** How many items left on output `index` so far. */
	count(index: number): number {
		return this.outputs[index].length;
	}

	/** The node's return value. */
	toOutputs(): INodeExecutionData[][] {
		return this.outputs;
	}
}
