import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { NodeConnectionTypes, NodeOperationError, type IExecuteFunctions, type INodeExecutionData, type INodeType, type INodeTypeDescription } from 'n8n-workflow';

import { captured, runNode } from '../support/n8n';

/** Splits items by the parity of json.n onto two outputs; n < 0 is an error. */
class Splitter implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Splitter',
		name: 'splitter',
		group: ['transform'],
		version: 1,
		description: 'test node',
		defaults: { name: 'Splitter' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main, NodeConnectionTypes.Main],
		outputNames: ['even', 'odd'],
		properties: [{ displayName: 'Tag', name: 'tag', type: 'string', default: '' }],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const even: INodeExecutionData[] = [];
		const odd: INodeExecutionData[] = [];
		for (const [i, item] of this.getInputData().entries()) {
			const n = Number(item.json.n);
			if (n < 0) throw new NodeOperationError(this.getNode(), `row ${i}: n is negative`, { itemIndex: i });
			const tag = this.getNodeParameter('tag', i) as string;
			this.logger.info(`splitter saw ${n}`);
			(n % 2 === 0 ? even : odd).push({ json: { n, tag }, pairedItem: { item: i } });
		}
		return [even, odd];
	}
}

describe('n8n harness', { timeout: 30_000 }, () => {
	test('runs a custom node through WorkflowExecute with two outputs and expressions', async () => {
		const r = await runNode({ node: Splitter, parameters: { tag: '={{ "t" + $json.n }}' }, items: [{ n: 1 }, { n: 2 }, { n: 3 }], credentials: {} });
		assert.equal(r.error, undefined);
		assert.deepEqual(r.outputs[0].map((i) => i.json), [{ n: 2, tag: 't2' }]);
		assert.deepEqual(r.outputs[1].map((i) => i.json), [{ n: 1, tag: 't1' }, { n: 3, tag: 't3' }]);
		assert.ok(r.logs.some((l) => l.includes('splitter saw 2')));
		assert.ok(captured().some((l) => l.includes('splitter saw 3')));
	});

	test('a node error surfaces as error, or as an item with continueOnFail', async () => {
		const failed = await runNode({ node: Splitter, parameters: {}, items: [{ n: -1 }], credentials: {} });
		assert.match(String(failed.error?.message), /negative/);
		// n8n 2.x: when a node throws despite continueOnFail, its input items pass through on output 0.
		const cont = await runNode({ node: Splitter, parameters: {}, items: [{ n: -1 }], credentials: {}, continueOnFail: true });
		assert.deepEqual(cont.outputs[0].map((i) => i.json), [{ n: -1 }]);
	});
});
