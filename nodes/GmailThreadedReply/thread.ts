import type { gmail_v1 } from 'googleapis';
import type { ThreadMessage } from '../shared/core/followup';
import type { GmailClient } from '../shared/transport';
import { NotFoundError, type GmailError } from '../shared/transport';
import { prefetch } from '../shared/node/prefetch';
import { sameLabelName, sentSearchQuery } from '../shared/core/campaign';
import { footerOf, LEGACY_CAMPAIGN_HEADER } from '../shared/core/compose';
import { attempt } from '../shared/node/attempt';
import { ENGAGEMENT_HEADERS } from '../shared/node/engagement';
import { headerMap, payloadParts } from '../shared/node/payload';

/** Headers threads.get returns for the follow-up decision: threading, classification, keys, older versions' campaign name. */
export const THREAD_HEADERS = [...new Set([...ENGAGEMENT_HEADERS, 'List-Unsubscribe', LEGACY_CAMPAIGN_HEADER])];

const THREAD_HEADER_NAMES = new Set(THREAD_HEADERS.map((h) => h.toLowerCase()));

/**
 * A Gmail API message as the core's ThreadMessage (header names lower-cased; the first value of a repeated header
 * wins). Read in full, it keeps only the metadata read's headers (the same decision either way) and, for a message
 * of ours, its footer.
 */
export function toThreadMessage(m: gmail_v1.Schema$Message, full = false): ThreadMessage {
	const headers = headerMap(m, true);
	const labelIds = m.labelIds ?? [];
	return {
		id: m.id ?? '',
		labelIds,
		internalDate: m.internalDate ?? undefined,
		snippet: m.snippet ?? undefined,
		headers: full ? Object.fromEntries(Object.entries(headers).filter(([k]) => THREAD_HEADER_NAMES.has(k))) : headers,
		...(full && labelIds.includes('SENT') ? { footer: footerOf(payloadParts(m.payload)) } : {}),
	};
}

/** Reads a thread once (metadata only); undefined when Gmail does not know it. */
export async function readThread(client: GmailClient, threadId: string): Promise<ThreadMessage[] | undefined> {
	const got = await attempt(() => client.getThread(threadId, { format: 'metadata', metadataHeaders: THREAD_HEADERS }));
	if (got.ok) return (got.value.messages ?? []).map((m) => toThreadMessage(m));
	if (got.error instanceof NotFoundError) return undefined;
	throw got.error;
}

/**
 * Reads a batch's threads at once (one batch request): messages per thread id, undefined where Gmail does not know
 * the thread. A thread whose read failed is left out and read again alone, which reports the error. With `bodies`
 * the read is in full (same 10 units), so the footers a follow-up inherits need no read of their own.
 */
export async function readThreads(client: GmailClient, ids: string[], bodies = false): Promise<Map<string, ThreadMessage[] | undefined>> {
	return await prefetch<{ id: string; thread?: gmail_v1.Schema$Thread; error?: GmailError }, ThreadMessage[] | undefined>(
		ids,
		(unique) => client.batchGetThreadsSettled(unique, bodies ? { format: 'full' } : { format: 'metadata', metadataHeaders: THREAD_HEADERS }),
		(r) => r.thread && (r.thread.messages ?? []).map((m) => toThreadMessage(m, bodies)),
		undefined,
	);
}

/** The thread of a Gmail message id; undefined when the message does not exist. */
export async function threadOfMessage(client: GmailClient, messageId: string): Promise<string | undefined> {
	const got = await attempt(() => client.getMessage(messageId, { format: 'minimal' }));
	if (got.ok) return got.value.threadId ?? undefined;
	if (got.error instanceof NotFoundError) return undefined;
	throw got.error;
}

/** The most recent thread in which we wrote to the lead, optionally only among messages carrying a label id. */
export async function threadOfLead(client: GmailClient, address: string, labelId?: string): Promise<string | undefined> {
	const res = await client.listMessages({
		q: sentSearchQuery([address]),
		labelIds: labelId ? [labelId] : undefined,
		maxResults: 1,
	});
	return res.messages?.[0]?.threadId ?? undefined;
}

/** The id of a label by name, from the mailbox's labels listed once per run (again only while it is missing). */
export async function labelIdOf(client: GmailClient, cache: gmail_v1.Schema$Label[], name: string): Promise<string | undefined> {
	const find = () => cache.find((l) => l.id && sameLabelName(l.name ?? '', name))?.id ?? undefined;
	if (!find()) cache.splice(0, cache.length, ...(await client.listLabels()));
	return find();
}
