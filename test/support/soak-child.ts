// The fault soak's n8n process: runs one execution of a workflow in-process (n8n-core) against a sandbox the
// parent started, then writes every node's outputs to a JSON file. The parent may SIGKILL it at any moment, as
// a crashed n8n would be: the file is written only when the execution has finished, and atomically.
// Usage: node --import tsx test/support/soak-child.ts <config.json>
import { randomUUID } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { IConnections, IDataObject, INode, INodeParameters } from 'n8n-workflow';
import { GmailOutreachSend } from '../../nodes/GmailOutreachSend/GmailOutreachSend.node.js';
import { GmailQuotaGuard } from '../../nodes/GmailQuotaGuard/GmailQuotaGuard.node.js';
import { GmailThreadedReply } from '../../nodes/GmailThreadedReply/GmailThreadedReply.node.js';
import { HARNESS_START, runWorkflow, sandboxOAuthCredential } from './n8n';

/** What the parent asks the child to run. */
export interface SoakChildConfig {
	/** The sandbox's base URL. */
	url: string;
	/** The mailbox's tokens, as n8n stored them after the consent flow. */
	tokens: { accessToken: string; refreshToken: string };
	/** step1: Start → Quota Guard → Send; step2: Start → Threaded Reply. */
	workflow: 'step1' | 'step2';
	items: IDataObject[];
	guard?: INodeParameters;
	send?: INodeParameters;
	follow?: INodeParameters;
	/** Where the outputs go. */
	outFile: string;
}

/** What the child writes: each node's outputs (json only), per output index, and the execution's error if any. */
export interface SoakChildResult {
	outputs: Record<string, IDataObject[][]>;
	error?: string;
}

function node(name: string, type: string, parameters: INodeParameters, x: number): INode {
	return { id: randomUUID(), name, type, typeVersion: 1, position: [x, 0], parameters };
}

/** The workflow the config names: nodes, connections and the names whose outputs are reported. */
function workflowOf(cfg: SoakChildConfig): { nodes: INode[]; connections: IConnections; report: string[] } {
	const start = node('Start', HARNESS_START, {}, 0);
	if (cfg.workflow === 'step1') {
		return {
			nodes: [start, node('Quota Guard', 'gmailQuotaGuard', cfg.guard ?? {}, 200), node('Send', 'gmailOutreachSend', cfg.send ?? {}, 400)],
			connections: {
				Start: { main: [[{ node: 'Quota Guard', type: 'main', index: 0 }]] },
				'Quota Guard': { main: [[{ node: 'Send', type: 'main', index: 0 }]] },
			},
			report: ['Quota Guard', 'Send'],
		};
	}
	return {
		nodes: [start, node('Follow Up', 'gmailThreadedReply', cfg.follow ?? {}, 200)],
		connections: { Start: { main: [[{ node: 'Follow Up', type: 'main', index: 0 }]] } },
		report: ['Follow Up'],
	};
}

async function main(): Promise<void> {
	const cfg = JSON.parse(readFileSync(process.argv[2], 'utf8')) as SoakChildConfig;
	const { nodes, connections, report } = workflowOf(cfg);
	const run = await runWorkflow({
		nodes,
		connections,
		nodeTypes: { gmailQuotaGuard: GmailQuotaGuard, gmailOutreachSend: GmailOutreachSend, gmailThreadedReply: GmailThreadedReply },
		credentials: { gmailOutreachOAuth2Api: sandboxOAuthCredential(cfg.url, cfg.tokens) },
		startItems: cfg.items,
	});
	const result: SoakChildResult = {
		outputs: Object.fromEntries(report.map((name) => [name, run.outputsOf(name).map((out) => out.map((i) => i.json))])),
		...(run.error ? { error: `${run.error.name}: ${run.error.message}` } : {}),
	};
	const tmp = `${cfg.outFile}.${process.pid}.tmp`;
	writeFileSync(tmp, JSON.stringify(result));
	renameSync(tmp, cfg.outFile);
}

main().then(
	// n8n-core may leave timers behind; the execution is over once the file is written.
	() => process.exit(0),
	(error: unknown) => {
		console.error(error);
		process.exit(1);
	},
);
