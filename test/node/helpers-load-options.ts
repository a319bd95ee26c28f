// Calls a node's loadOptions method through n8n-core's own LoadOptionsContext (what the editor does).
import '../support/n8n';
import { LoadOptionsContext } from 'n8n-core';
import { Workflow, type INode, type INodeParameters, type INodePropertyOptions, type INodeType, type IWorkflowExecuteAdditionalData } from 'n8n-workflow';
import { HARNESS_CREDENTIAL_ID, HarnessCredentialsHelper } from '../support/n8n-credentials';
import type { HarnessCredentials } from '../support/n8n';

/** Runs `node.methods.loadOptions[method]` with the node's parameters and credentials, as n8n's editor would. */
export async function loadOptions(
	nodeType: INodeType,
	method: string,
	parameters: INodeParameters,
	credentials: HarnessCredentials,
): Promise<INodePropertyOptions[]> {
	const store = new Map(Object.entries(structuredClone(credentials)));
	const refs = Object.fromEntries(Object.keys(credentials).map((t) => [t, { id: HARNESS_CREDENTIAL_ID, name: 'Sandbox' }]));
	const node: INode = { id: 'n1', name: 'Node', type: nodeType.description.name, typeVersion: 1, position: [0, 0], parameters, credentials: refs };
	const workflow = new Workflow({
		nodes: [node],
		connections: {},
		active: false,
		nodeTypes: {
			getByName: () => nodeType,
			getByNameAndVersion: () => nodeType,
			getKnownTypes: () => ({}),
		},
	});
	const additionalData = {
		credentialsHelper: new HarnessCredentialsHelper(store),
		variables: {},
		restApiUrl: 'http://127.0.0.1:5678/rest',
		instanceBaseUrl: 'http://127.0.0.1:5678',
	} as unknown as IWorkflowExecuteAdditionalData;
	const ctx = new LoadOptionsContext(workflow, node, additionalData, 'from');
	const fn = nodeType.methods?.loadOptions?.[method];
	if (!fn) throw new Error(`no loadOptions method ${method}`);
	return await fn.call(ctx);
}
