import { badRequest, notFound } from '../errors';
import { attachmentData } from '../mime';
import { commitSend, prepare } from '../outgoing';
import type { ApiResponse } from '../router';
import { evaluate, indexedView, parseQuery, searchDateZone, wantsSpamTrash } from '../search';
import { refOf, type Mailbox, type StoredMessage } from '../store';
import { jsonBody, paginate, type ApiContext } from './context';
import { formatOf, messageResource } from './format';
import { knownLabel } from './labels';

/** A message by id, or Gmail's 404. */
export function findMessage(mb: Mailbox, id: string): StoredMessage {
	const m = mb.messages.get(id);
	if (!m) throw notFound();
	return m;
}

/** How a listing sees the mailbox: a search (`q`) through the lagging index, a plain listing at once unless `labelListingLag`. */
export function listingView(ctx: ApiContext, searching: boolean): (m: StoredMessage) => StoredMessage | undefined {
	const { store } = ctx.parts;
	const lagged = searching || store.settings.labelListingLag;
	return lagged ? indexedView(ctx.mailbox, store.clock.now(), store.settings.searchLagMs) : (m) => m;
}

/** Messages matching labelIds (all of them), q and the spam/trash rule, newest first; with q, as the search index sees them. */
export function searchMessages(ctx: ApiContext): StoredMessage[] {
	const mb = ctx.mailbox;
	const q = ctx.req.query.get('q') ?? '';
	const labelIds = ctx.req.query.getAll('labelIds').flatMap((l) => l.split(',')).filter(Boolean);
	const query = q.trim() ? parseQuery(q) : undefined;
	const includeSpamTrash = ctx.req.query.get('includeSpamTrash') === 'true' || (query !== undefined && wantsSpamTrash(query));
	const now = ctx.parts.store.clock.now();
	const dateZone = searchDateZone(ctx.parts.store.settings.searchDateZone, mb);
	const view = listingView(ctx, query !== undefined);
	return [...mb.messages.values()]
		.map(view)
		.filter((m): m is StoredMessage => m !== undefined)
		.filter((m) => labelIds.every((l) => m.labelIds.includes(l)))
		.filter((m) => includeSpamTrash || labelIds.some((l) => l === 'SPAM' || l === 'TRASH') || !m.labelIds.some((l) => l === 'SPAM' || l === 'TRASH'))
		.filter((m) => !query || evaluate(query, m, { mailbox: mb, now, dateZone }))
		.sort((a, b) => b.internalDate - a.internalDate || (a.id < b.id ? 1 : -1));
}

/** messages.list: `{messages:[{id,threadId}], nextPageToken, resultSizeEstimate}`. */
export function listMessages(ctx: ApiContext): ApiResponse {
	const all = searchMessages(ctx);
	const { page, nextPageToken } = paginate(all, ctx.req);
	const body: Record<string, unknown> = {};
	if (page.length) body.messages = page.map((m) => ({ id: m.id, threadId: m.threadId }));
	if (nextPageToken) body.nextPageToken = nextPageToken;
	body.resultSizeEstimate = all.length;
	return { status: 200, body };
}

/** messages.get with format full/metadata/minimal/raw. */
export function getMessage(ctx: ApiContext, params: Record<string, string>): ApiResponse {
	const m = findMessage(ctx.mailbox, params.id);
	const format = formatOf(ctx.req.query.get('format'));
	return { status: 200, body: messageResource(m, format, ctx.req.query.getAll('metadataHeaders')) };
}

/** messages.attachments.get */
export function getAttachment(ctx: ApiContext, params: Record<string, string>): ApiResponse {
	const m = findMessage(ctx.mailbox, params.id);
	const data = attachmentData(m.raw, m.id, params.attachmentId);
	if (!data) throw notFound();
	return { status: 200, body: { attachmentId: params.attachmentId, size: data.length, data: data.toString('base64url') } };
}

/** A send checked and ready to commit: now, or later for a late-commit fault. */
export interface SendPlan {
	/** Stores the message as sent and answers as the method does; throws (committing nothing) if it can no longer be sent. */
	commit(): Promise<ApiResponse>;
}

/** The answer of messages.send and drafts.send. */
export function sentBody(m: StoredMessage): ApiResponse {
	return { status: 200, body: { id: m.id, threadId: m.threadId, labelIds: [...m.labelIds] } };
}

/** messages.send up to the commit: JSON `{raw, threadId}` decoded and checked. */
export async function planMessageSend(ctx: ApiContext): Promise<SendPlan> {
	const body = jsonBody(ctx.req);
	const { store } = ctx.parts;
	const mb = ctx.mailbox;
	const p = await prepare(store, mb, body.raw, body.threadId, true);
	return { commit: async () => sentBody(await commitSend(store, mb, p)) };
}

/** messages.send: JSON `{raw, threadId}`. */
export async function sendMessage(ctx: ApiContext): Promise<ApiResponse> {
	return (await planMessageSend(ctx)).commit();
}

/** Checks addLabelIds/removeLabelIds as Gmail does (known ids; SENT and DRAFT cannot be set by hand). */
export function labelChanges(mb: Mailbox, body: Record<string, unknown>): { add: string[]; remove: string[] } {
	const list = (v: unknown, name: string): string[] => {
		if (v === undefined || v === null) return [];
		if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw badRequest(`Invalid value for ${name}`);
		return v as string[];
	};
	const add = list(body.addLabelIds, 'addLabelIds');
	const remove = list(body.removeLabelIds, 'removeLabelIds');
	for (const l of [...add, ...remove]) {
		if (!knownLabel(mb, l) || l === 'SENT' || l === 'DRAFT') throw badRequest(`Invalid label: ${l}`);
	}
	return { add, remove };
}

/** messages.modify */
export function modifyMessage(ctx: ApiContext, params: Record<string, string>): ApiResponse {
	const m = findMessage(ctx.mailbox, params.id);
	const { add, remove } = labelChanges(ctx.mailbox, jsonBody(ctx.req));
	ctx.parts.store.changeLabels(ctx.mailbox, m, add, remove);
	return { status: 200, body: refOf(m) };
}

/** messages.batchModify: at most 1,000 ids; unknown ids are skipped. */
export function batchModify(ctx: ApiContext): ApiResponse {
	const body = jsonBody(ctx.req);
	const ids = body.ids;
	if (!Array.isArray(ids) || ids.length === 0) throw badRequest('ids must be a non-empty list');
	if (ids.length > 1000) throw badRequest('Too many ids: at most 1000 per batchModify');
	const { add, remove } = labelChanges(ctx.mailbox, body);
	for (const id of ids) {
		const m = ctx.mailbox.messages.get(String(id));
		if (m) ctx.parts.store.changeLabels(ctx.mailbox, m, add, remove);
	}
	return { status: 204 };
}

/** messages.trash / messages.untrash */
export function trashMessage(ctx: ApiContext, params: Record<string, string>, trash: boolean): ApiResponse {
	const m = findMessage(ctx.mailbox, params.id);
	if (trash) ctx.parts.store.changeLabels(ctx.mailbox, m, ['TRASH'], ['INBOX', 'UNREAD']);
	else ctx.parts.store.changeLabels(ctx.mailbox, m, [], ['TRASH']);
	return { status: 200, body: refOf(m) };
}

/** messages.delete (permanent). */
export function deleteMessage(ctx: ApiContext, params: Record<string, string>): ApiResponse {
	const m = findMessage(ctx.mailbox, params.id);
	ctx.parts.store.deleteMessage(ctx.mailbox, m);
	for (const [id, d] of ctx.mailbox.drafts) if (d.messageId === m.id) ctx.mailbox.drafts.delete(id);
	return { status: 204 };
}
