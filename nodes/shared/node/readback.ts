import type { IDataObject } from 'n8n-workflow';
import type { GmailClient } from '../transport';
import { headerOf } from './payload';

/** Most sent messages one batch request reads back. */
export const READBACK_BATCH = 50;

/**
 * Reads back the Message-ID Gmail gave each sent message (Gmail may replace ours; follow-ups thread on it) into
 * its output, 50 messages per batch request instead of a request each; nothing decides a send on it.
 */
export class MessageIdReader {
	private readonly pending: Array<{ id: string; output: IDataObject }> = [];

	constructor(private readonly client: GmailClient) {}

	/** Queues a sent message; reads the queue once 50 are waiting. */
	async add(id: string, output: IDataObject): Promise<void> {
		this.pending.push({ id, output });
		if (this.pending.length >= READBACK_BATCH) await this.flush();
	}

	/** Reads every queued Message-ID; a failed read leaves a warning on that output (the message went out). */
	async flush(): Promise<void> {
		while (this.pending.length) {
			const group = this.pending.splice(0, READBACK_BATCH);
			let results: Array<{ message?: Parameters<typeof headerOf>[0]; error?: Error }>;
			try {
				results = await this.client.batchGetMessagesSettled(
					group.map((g) => g.id),
					{ format: 'metadata', metadataHeaders: ['Message-ID'] },
				);
			} catch (error) {
				// Like the labels: the messages went out, only the read-back is missing, which is reported.
				results = group.map(() => ({ error: error as Error }));
			}
			for (const [i, g] of group.entries()) {
				const r = results[i];
				const value = r.message ? headerOf(r.message, 'Message-ID') : undefined;
				if (value) g.output.rfc822MessageId = value;
				else delete g.output.rfc822MessageId;
				if (r.error) g.output.warning = `Sent, but the Message-ID could not be read back: ${r.error.message}`;
			}
		}
	}
}
