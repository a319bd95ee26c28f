import { randomInt } from 'node:crypto';
import { badRequest, notFound } from '../errors';
import { encodeRaw } from '../mime';
import { commitSend, prepare } from '../outgoing';
import type { ApiResponse } from '../router';
import { checkDailyCap } from '../quota';
import { evaluate, parseQuery, searchDateZone } from '../search';
import type { Draft, Mailbox, StoredMessage } from '../store';
import { jsonBody, paginate, type ApiContext } from './context';
import { formatOf, messageResource } from './format';
import { listingView, sentBody, type SendPlan } from './messages';

function findDraft(mb: Mailbox, id: string): { draft: Draft; message: StoredMessage } {
	const draft = mb.drafts.get(id);
	const message = draft && mb.messages.get(draft.messageId);
	if (!draft || !message) throw notFound();
	return { draft, message };
}

function messageField(body: Record<string, unknown>): Record<string, unknown> {
	const m = body.message;
	if (!m || typeof m !== 'object') throw badRequest('Missing draft message');
	return m as Record<string, unknown>;
}

async function storeDraftMessage(ctx: ApiContext, msg: Record<string, unknown>): Promise<StoredMessage> {
	const { store } = ctx.parts;
	const p = await prepare(store, ctx.mailbox, msg.raw, msg.threadId, false);
	return store.addMessage(ctx.mailbox, {
		id: p.id,
		threadId: p.threadId,
		labelIds: ['DRAFT'],
		raw: p.raw,
		internalDate: store.clock.now(),
		sizeEstimate: Buffer.byteLength(p.raw),
		parsed: p.parsed,
	});
}

function draftBody(draft: Draft, m: StoredMessage): Record<string, unknown> {
	return { id: draft.id, message: { id: m.id, threadId: m.threadId, labelIds: [...m.labelIds] } };
}

/** drafts.create: `{message:{raw, threadId?}}`; the draft's message carries only DRAFT. */
export async function createDraft(ctx: ApiContext): Promise<ApiResponse> {
	const m = await storeDraftMessage(ctx, messageField(jsonBody(ctx.req)));
	let id = `r${randomInt(1e9, 9e9)}${randomInt(1e9, 9e9)}`;
	while (ctx.mailbox.drafts.has(id)) id = `r${randomInt(1e9, 9e9)}${randomInt(1e9, 9e9)}`;
	const draft: Draft = { id, messageId: m.id };
	ctx.mailbox.drafts.set(id, draft);
	ctx.parts.store.onChange();
	return { status: 200, body: draftBody(draft, m) };
}

/** drafts.get */
export function getDraft(ctx: ApiContext, params: Record<string, string>): ApiResponse {
	const { draft, message } = findDraft(ctx.mailbox, params.id);
	const format = formatOf(ctx.req.query.get('format'));
	return { status: 200, body: { id: draft.id, message: messageResource(message, format) } };
}

/** drafts.list (with q, through the lagging search index), newest first. */
export function listDrafts(ctx: ApiContext): ApiResponse {
	const mb = ctx.mailbox;
	const q = ctx.req.query.get('q') ?? '';
	const query = q.trim() ? parseQuery(q) : undefined;
	const now = ctx.parts.store.clock.now();
	const dateZone = searchDateZone(ctx.parts.store.settings.searchDateZone, mb);
	const view = listingView(ctx, query !== undefined);
	const all = [...mb.drafts.values()]
		.map((d) => {
			const m = mb.messages.get(d.messageId);
			return { d, m: m && view(m) };
		})
		.filter((x): x is { d: Draft; m: StoredMessage } => x.m !== undefined)
		.filter((x) => !query || evaluate(query, x.m, { mailbox: mb, now, dateZone }))
		.sort((a, b) => b.m.internalDate - a.m.internalDate);
	const { page, nextPageToken } = paginate(all, ctx.req);
	const body: Record<string, unknown> = {};
	if (page.length) body.drafts = page.map((x) => ({ id: x.d.id, message: { id: x.m.id, threadId: x.m.threadId } }));
	if (nextPageToken) body.nextPageToken = nextPageToken;
	body.resultSizeEstimate = all.length;
	return { status: 200, body };
}

/** drafts.update: the draft keeps its id and gets a new message. */
export async function updateDraft(ctx: ApiContext, params: Record<string, string>): Promise<ApiResponse> {
	const { draft, message } = findDraft(ctx.mailbox, params.id);
	const m = await storeDraftMessage(ctx, messageField(jsonBody(ctx.req)));
	ctx.parts.store.deleteMessage(ctx.mailbox, message);
	draft.messageId = m.id;
	ctx.parts.store.onChange();
	return { status: 200, body: draftBody(draft, m) };
}

/** drafts.delete */
export function deleteDraft(ctx: ApiContext, params: Record<string, string>): ApiResponse {
	const { draft, message } = findDraft(ctx.mailbox, params.id);
	ctx.mailbox.drafts.delete(draft.id);
	ctx.parts.store.deleteMessage(ctx.mailbox, message);
	return { status: 204 };
}

/**
 * drafts.send up to the commit. The commit checks again that the draft still exists with the same message:
 * a draft is sent once, so a send that lost the race (another drafts.send, a delete, an edit meanwhile) commits nothing.
 */
export async function planDraftSend(ctx: ApiContext): Promise<SendPlan> {
	const body = jsonBody(ctx.req);
	const { store } = ctx.parts;
	const mb = ctx.mailbox;
	if (typeof body.id !== 'string') throw badRequest('Missing draft id');
	const { draft, message } = findDraft(mb, body.id);
	const replacement = body.message && typeof body.message === 'object' ? (body.message as Record<string, unknown>) : undefined;
	const inThread = store.threadMessages(mb, message.threadId).some((m) => m.id !== message.id);
	const p = replacement?.raw
		? await prepare(store, mb, replacement.raw, replacement.threadId ?? (inThread ? message.threadId : undefined), true)
		: await prepare(store, mb, encodeRaw(message.raw), inThread ? message.threadId : undefined, true, true);
	return {
		commit: async () => {
			if (mb.drafts.get(draft.id) !== draft || draft.messageId !== message.id || mb.messages.get(message.id) !== message) throw notFound();
			checkDailyCap(store, mb);
			// Gone from the drafts before the first await, so no other drafts.send can take it meanwhile.
			mb.drafts.delete(draft.id);
			const sent = await commitSend(store, mb, p);
			if (mb.messages.get(message.id) === message) store.deleteMessage(mb, message);
			return sentBody(sent);
		},
	};
}

/** drafts.send: sends the stored draft (or a replacement message); the draft is deleted and a new SENT message made. */
export async function sendDraft(ctx: ApiContext): Promise<ApiResponse> {
	return (await planDraftSend(ctx)).commit();
}
