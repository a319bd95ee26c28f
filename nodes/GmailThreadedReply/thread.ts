import type { gmail_v1 } from 'googleapis';
import type { ThreadMessage } from '../shared/core/followup';
import type { GmailClient } from '../shared/transport';
import { NotFoundError } from '../shared/transport';
import { attempt } from '../shared/node/attempt';

/** Headers threads.get returns for the follow-up decision (format=metadata): threading, classification, idempotency. */
export const THREAD_HEADERS = [
	'From',
	'To',
	'Cc',
	'Reply-To',
	'Date',
	'Subject',
	'Message-ID',
	'References',
	'In-Reply-To',
	'Auto-Submitted',
	'X-Autoreply',
	'X-Autorespond',
	'Precedence',
	'Content-Type',
	'Return-Path',
	'X-Failed-Recipients',
	'X-Outreach-Key',
	'X-Outreach-Campaign',
	'X-Outreach-Step',
];

/** A Gmail API message as the core's ThreadMessage (header names lower-cased; the first value of a repeated header wins). */
export function toThreadMessage(m: gmail_v1.Schema$Message): ThreadMessage {
	const headers: Record<string, string> = {};
	for (const h of m.payload?.headers ?? []) {
		const name = (h.name ?? '').toLowerCase();
		if (name && !(name in headers)) headers[name] = h.value ?? '';
	}
	return {
		id: m.id ?? '',
		labelIds: m.labelIds ?? [],
		internalDate: m.internalDate ?? undefined,
		snippet: m.snippet ?? undefined,
		headers,
	};
}

/** Reads a thread once (metadata only); undefined when Gmail does not know it. */
export async function readThread(client: GmailClient, threadId: string): Promise<ThreadMessage[] | undefined> {
	const got = await attempt(() => client.getThread(threadId, { format: 'metadata', metadataHeaders: THREAD_HEADERS }));
	if (got.ok) return (got.value.messages ?? []).map(toThreadMessage);
	if (got.error instanceof NotFoundError) return undefined;
	throw got.error;
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
		q: `in:sent to:${address}`,
		labelIds: labelId ? [labelId] : undefined,
		maxResults: 1,
	});
	return res.messages?.[0]?.threadId ?? undefined;
}

/** The plain-text body of a message read with format=full: the first text/plain part, else HTML stripped by the caller. */
export function bodyParts(m: gmail_v1.Schema$Message): { text?: string; html?: string } {
	const out: { text?: string; html?: string } = {};
	const walk = (part: gmail_v1.Schema$MessagePart | undefined) => {
		if (!part) return;
		const type = (part.mimeType ?? '').toLowerCase();
		const disposition = (part.headers ?? []).find((h) => h.name?.toLowerCase() === 'content-disposition')?.value ?? '';
		if (part.body?.data && !/attachment/i.test(disposition)) {
			const content = Buffer.from(part.body.data, 'base64url').toString('utf8');
			if (type === 'text/plain' && out.text === undefined) out.text = content;
			if (type === 'text/html' && out.html === undefined) out.html = content;
		}
		for (const p of part.parts ?? []) walk(p);
	};
	walk(m.payload);
	return out;
}
