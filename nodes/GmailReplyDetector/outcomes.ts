import { NodeConnectionTypes, type IDataObject, type INodeExecutionData, type INodeOutputConfiguration } from 'n8n-workflow';
import { withOurFields } from '../shared/node/fields';
import { ItemAccountingError } from '../shared/node/outcomes';

/** Where a lead leaves the Reply Detector; every input item leaves on exactly one. */
export type DetectorOutcome = 'stop' | 'wait' | 'continue' | 'failed';

const ORDER: DetectorOutcome[] = ['stop', 'wait', 'continue', 'failed'];

/** The four named outputs, in output-index order: the common canvas switches on them without a Switch node. */
export const DETECTOR_OUTPUTS: INodeOutputConfiguration[] = [
	{ type: NodeConnectionTypes.Main, displayName: 'Stop' },
	{ type: NodeConnectionTypes.Main, displayName: 'Wait' },
	{ type: NodeConnectionTypes.Main, displayName: 'Continue' },
	{ type: NodeConnectionTypes.Main, displayName: 'Failed' },
];

/** One outcome per input item, returned in input order per output; losing or doubling an item is a bug and throws. */
export class DetectorOutcomes {
	private readonly byItem = new Map<number, { kind: DetectorOutcome; data: INodeExecutionData }>();

	constructor(
		private readonly items: INodeExecutionData[],
		private readonly nested = false,
	) {}

	/** Records item i's outcome: the row's own fields, then the detector's (under `outreach` in version 2); returns the detector's. */
	add(kind: DetectorOutcome, i: number, json: IDataObject): IDataObject {
		if (this.byItem.has(i)) throw new ItemAccountingError(`Item ${i} already left on "${this.byItem.get(i)!.kind}"`);
		const data: INodeExecutionData = { json: withOurFields(this.items[i].json, json, this.nested), pairedItem: { item: i } };
		if (this.items[i].binary) data.binary = this.items[i].binary;
		this.byItem.set(i, { kind, data });
		return json;
	}

	/** Whether item i already has an outcome. */
	has(i: number): boolean {
		return this.byItem.has(i);
	}

	/** The node's return value; throws if an item has no outcome (count in must equal count out). */
	toOutputs(): INodeExecutionData[][] {
		const missing: number[] = [];
		for (let i = 0; i < this.items.length; i++) if (!this.byItem.has(i)) missing.push(i);
		if (missing.length) throw new ItemAccountingError(`Items without an outcome: ${missing.join(', ')}`);
		const outputs: INodeExecutionData[][] = ORDER.map(() => []);
		for (let i = 0; i < this.items.length; i++) {
			const { kind, data } = this.byItem.get(i)!;
			outputs[ORDER.indexOf(kind)].push(data);
		}
		return outputs;
	}
}
