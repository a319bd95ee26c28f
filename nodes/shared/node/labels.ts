import type { IDataObject } from 'n8n-workflow';
import { sameLabelName } from '../core/campaign';
import type { GmailClient } from '../transport';

/** Most ids per batchModify the node sends (Gmail allows 1,000; 50 keeps a failure's blast radius small). */
export const LABEL_BATCH = 50;

interface Group {
	names: string[];
	ids: string[];
	/** The outputs of the queued messages, told which labels they got (or why not). */
	outputs: IDataObject[];
}

/** Collects sent message ids per label set and applies each set with one batchModify per 50 messages. */
export class LabelBatcher {
	private readonly pending = new Map<string, Group>();
	private readonly labelIds = new Map<string, string>();
	/** Set when labelling failed: the messages went out, only their labels are missing. */
	warning?: string;

	constructor(private readonly client: GmailClient) {}

	/** Queues a message for its labels; a message that already carries all of them (a re-run) is left alone. */
	async add(names: string[], messageId: string, existingLabelIds?: string[], output?: IDataObject): Promise<void> {
		if (!names.length || !messageId) return;
		if (existingLabelIds) {
			const ids = await this.resolve(names);
			if (ids && ids.every((id) => existingLabelIds.includes(id))) return;
		}
		const key = names.join('\u0000');
		let group = this.pending.get(key);
		if (!group) this.pending.set(key, (group = { names, ids: [], outputs: [] }));
		group.ids.push(messageId);
		if (output) group.outputs.push(output);
		if (group.ids.length >= LABEL_BATCH) await this.apply(group);
	}

	/** Applies every queued group. */
	async flush(): Promise<void> {
		for (const group of this.pending.values()) if (group.ids.length) await this.apply(group);
	}

	/** Label ids for names, creating missing labels (once per name per run); undefined when that failed. */
	private async resolve(names: string[]): Promise<string[] | undefined> {
		const missing = names.filter((n) => !this.labelIds.has(n));
		if (missing.length) {
			try {
				const created = await this.client.ensureLabels(missing);
				for (const n of missing) {
					const id = created[n] ?? Object.entries(created).find(([k]) => sameLabelName(k, n))?.[1];
					if (id) this.labelIds.set(n, id);
				}
			} catch (error) {
				this.warning = `labels ${missing.join(', ')} could not be created: ${(error as Error).message}`;
				return undefined;
			}
		}
		const ids = names.map((n) => this.labelIds.get(n));
		return ids.every((id): id is string => !!id) ? ids : undefined;
	}

	private async apply(group: Group): Promise<void> {
		const messageIds = group.ids.splice(0);
		const outputs = group.outputs.splice(0);
		const labelIds = await this.resolve(group.names);
		if (labelIds) {
			try {
				await this.client.batchModify(messageIds, labelIds, []);
				for (const o of outputs) o.labels = group.names.join(', ');
				return;
			} catch (error) {
				this.warning = `${messageIds.length} sent messages could not be labelled ${group.names.join(', ')}: ${(error as Error).message}`;
			}
		}
		// The messages went out; only their labels are missing, which is reported, never turned into a resend.
		for (const o of outputs) o.labelError = this.warning ?? 'labels could not be applied';
	}
}
