// The example workflows (examples/*.json) and the sandbox credential, prepared for a given n8n instance.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { credentialSettings } from '../../sandbox/connect';
import type { SavedWorkflow, WorkflowNode } from './client';
import { PACKAGE_NAME, REPO_DIR } from './runtime';

/** Our OAuth2 credential type name. */
export const CREDENTIAL_TYPE = 'gmailOutreachOAuth2Api';

/** Folder of the importable example workflows. */
export const EXAMPLES_DIR = path.join(REPO_DIR, 'examples');

/** Node type name of one of our nodes as n8n knows it once the community package is installed. */
export function nodeType(name: string): string {
	return `${PACKAGE_NAME}.${name}`;
}

/** Credential data that points our OAuth2 credential at a Gmail Sandbox: the settings the sandbox prints on start. */
export function sandboxCredentialData(sandboxUrl: string): Record<string, string> {
	return { ...credentialSettings(sandboxUrl) };
}

/** An example workflow file as exported by n8n. */
export type ExampleWorkflow = Omit<SavedWorkflow, 'id'> & { id?: string; meta?: Record<string, unknown> };

/** Reads examples/<file>. */
export function readExample(file: string): ExampleWorkflow {
	return JSON.parse(readFileSync(path.join(EXAMPLES_DIR, file), 'utf8')) as ExampleWorkflow;
}

/** Every examples/*.json file name, sorted. */
export function exampleFiles(): string[] {
	return readdirSync(EXAMPLES_DIR)
		.filter((f) => f.endsWith('.json'))
		.sort();
}

/** Node types a workflow uses that come from this package (without the package prefix). */
export function ourNodeTypes(wf: { nodes: WorkflowNode[] }): string[] {
	return wf.nodes.filter((n) => n.type.startsWith(`${PACKAGE_NAME}.`)).map((n) => n.type.slice(PACKAGE_NAME.length + 1));
}

/**
 * A copy of the workflow whose Gmail Outreach credential references point at the given saved credential
 * (examples ship with a placeholder id, as n8n exports do).
 */
export function bindCredential(wf: ExampleWorkflow, credential: { id: string; name: string }): ExampleWorkflow {
	const copy = structuredClone(wf);
	for (const node of copy.nodes) {
		if (node.credentials?.[CREDENTIAL_TYPE]) node.credentials[CREDENTIAL_TYPE] = { ...credential };
	}
	return copy;
}
