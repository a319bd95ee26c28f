import { notFound } from '../errors';
import type { ApiResponse } from '../router';
import { snippetOf } from '../mime';
import type { Mailbox, StoredMessage } from '../store';
import { jsonBody, paginate, type ApiContext } from './context';
import { formatOf, messageResource } from './format';
import { labelChanges, searchMessages } from './messages';

function threadOf(mb: Mailbox, ctx: ApiContext, id: string): StoredMessage[] {
	const msgs = ctx.parts.store.threadMessages(mb, id);
	if (!msgs.length) throw notFound();
	return msgs;
}

/** threads.get: the thread's messages in order, each in the requested format. */
export function getThread(ctx: ApiContext, params: Record<string, string>): ApiResponse {
	const msgs = threadOf(ctx.mailbox, ctx, params.id);
	const format = formatOf(ctx.req.query.get('format'));
	const headers = ctx.req.query.getAll('metadataHeaders');
	return {
		status: 200,
		body: {
			id: params.id,
			historyId: String(Math.max(...msgs.map((m) => m.historyId))),
			messages: msgs.map((m) => messageResource(m, format === 'raw' ? 'minimal' : format, headers)),
		},
	};
}

/** threads.list: a thread matches if any of its messages does; newest activity first. */
export function listThreads(ctx: ApiContext): ApiResponse {
	const matches = searchMessages(ctx);
	const seen = new Map<string, StoredMessage>();
	for (const m of matches) if (!seen.has(m.threadId)) seen.set(m.threadId, m);
	const all = [...seen.values()];
	const { page, nextPageToken } = paginate(all, ctx.req);
	const body: Record<string, unknown> = {};
	if (page.length) {
		body.threads = page.map((m) => {
			const msgs = ctx.parts.store.threadMessages(ctx.mailbox, m.threadId);
			const last = msgs[msgs.length - 1];
			return { id: m.threadId, snippet: snippetOf(last.parsed), historyId: String(Math.max(...msgs.map((x) => x.historyId))) };
		});
	}
	if (nextPageToken) body.nextPageToken = nextPageToken;
	body.resultSizeEstimate = all.length;
	return { status: 200, body };
}

/** threads.modify: label changes on every message of the thread. */
export function modifyThread(ctx: ApiContext, params: Record<string, string>): ApiResponse {
	const msgs = threadOf(ctx.mailbox, ctx, params.id);
	const { add, remove } = labelChanges(ctx.mailbox, jsonBody(ctx.req));
	for (const m of msgs) ctx.parts.store.changeLabels(ctx.mailbox, m, add, remove);
	return {
		status: 200,
		body: { id: params.id, historyId: String(Math.max(...msgs.map((m) => m.historyId))), messages: msgs.map((m) => messageResource(m, 'minimal')) },
	};
}
