import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import * as cancel from './actions/cancel.operation';
import * as list from './actions/list.operation';
import * as schedule from './actions/schedule.operation';
import * as sendDue from './actions/sendDue.operation';
import { operationOf, type Operation } from './params';
import { OPERATION_OUTPUTS } from './description';
import { forCaller, outputNames } from '../shared/node/tool';

const OPERATIONS: Record<Operation, (this: IExecuteFunctions) => Promise<INodeExecutionData[][]>> = {
	schedule: schedule.execute,
	sendDue: sendDue.execute,
	list: list.execute,
	cancel: cancel.execute,
};

/** Runs the chosen operation (each owns its item loop and outputs). */
export async function executeDraftScheduler(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const operation = operationOf(this);
	return forCaller(this, await OPERATIONS[operation].call(this), outputNames(OPERATION_OUTPUTS[operation]));
}
