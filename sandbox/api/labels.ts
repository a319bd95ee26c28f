import { badRequest, HttpError, notFound } from '../errors';
import type { ApiResponse } from '../router';
import { SYSTEM_LABELS, type Label, type Mailbox } from '../store';
import { jsonBody, type ApiContext } from './context';

/** Every label id a message may carry in this mailbox. */
export function knownLabel(mb: Mailbox, id: string): boolean {
	return SYSTEM_LABELS.includes(id) || mb.labels.some((l) => l.id === id);
}

function systemLabel(id: string): Label {
	return { id, name: id, type: 'system', messageListVisibility: 'hide', labelListVisibility: 'labelHide' };
}

function withCounts(mb: Mailbox, label: Label): Record<string, unknown> {
	const msgs = [...mb.messages.values()].filter((m) => m.labelIds.includes(label.id));
	const unread = msgs.filter((m) => m.labelIds.includes('UNREAD'));
	return {
		...label,
		messagesTotal: msgs.length,
		messagesUnread: unread.length,
		threadsTotal: new Set(msgs.map((m) => m.threadId)).size,
		threadsUnread: new Set(unread.map((m) => m.threadId)).size,
	};
}

/** labels.list */
export function listLabels(ctx: ApiContext): ApiResponse {
	const mb = ctx.mailbox;
	return { status: 200, body: { labels: [...SYSTEM_LABELS.map(systemLabel), ...mb.labels.map((l) => ({ ...l }))] } };
}

function findLabel(mb: Mailbox, id: string): Label {
	if (SYSTEM_LABELS.includes(id)) return systemLabel(id);
	const l = mb.labels.find((x) => x.id === id);
	if (!l) throw notFound();
	return l;
}

/** labels.get */
export function getLabel(ctx: ApiContext, params: Record<string, string>): ApiResponse {
	return { status: 200, body: withCounts(ctx.mailbox, findLabel(ctx.mailbox, params.id)) };
}

function checkName(mb: Mailbox, name: unknown, except?: string): string {
	if (typeof name !== 'string' || !name.trim()) throw badRequest('Invalid label name');
	const n = name.trim();
	if (n.startsWith('/') || n.endsWith('/') || n.includes('//')) throw badRequest('Invalid label name');
	const lower = n.toLowerCase();
	const clash =
		SYSTEM_LABELS.some((s) => s.toLowerCase() === lower) ||
		mb.labels.some((l) => l.id !== except && l.name.toLowerCase() === lower);
	if (clash) throw new HttpError(409, 'Label name exists or conflicts', { reason: 'duplicate' });
	return n;
}

/** labels.create: nested names use '/'; a case-insensitive duplicate is 409. */
export function createLabel(ctx: ApiContext): ApiResponse {
	const { store } = ctx.parts;
	const mb = ctx.mailbox;
	const body = jsonBody(ctx.req);
	const name = checkName(mb, body.name);
	const label: Label = {
		id: `Label_${mb.nextLabel++}`,
		name,
		type: 'user',
		messageListVisibility: typeof body.messageListVisibility === 'string' ? body.messageListVisibility : 'show',
		labelListVisibility: typeof body.labelListVisibility === 'string' ? body.labelListVisibility : 'labelShow',
	};
	if (body.color && typeof body.color === 'object') label.color = body.color as Label['color'];
	mb.labels.push(label);
	store.onChange();
	return { status: 200, body: { ...label } };
}

/** labels.update / labels.patch (rename, visibility, color). */
export function updateLabel(ctx: ApiContext, params: Record<string, string>): ApiResponse {
	const mb = ctx.mailbox;
	if (SYSTEM_LABELS.includes(params.id)) throw badRequest('Invalid label: system labels cannot be changed');
	const label = mb.labels.find((l) => l.id === params.id);
	if (!label) throw notFound();
	const body = jsonBody(ctx.req);
	if (body.name !== undefined) label.name = checkName(mb, body.name, label.id);
	if (typeof body.messageListVisibility === 'string') label.messageListVisibility = body.messageListVisibility;
	if (typeof body.labelListVisibility === 'string') label.labelListVisibility = body.labelListVisibility;
	if (body.color && typeof body.color === 'object') label.color = body.color as Label['color'];
	ctx.parts.store.onChange();
	return { status: 200, body: { ...label } };
}

/** labels.delete: the label disappears from every message too. */
export function deleteLabel(ctx: ApiContext, params: Record<string, string>): ApiResponse {
	const mb = ctx.mailbox;
	if (SYSTEM_LABELS.includes(params.id)) throw badRequest('Invalid delete request');
	const idx = mb.labels.findIndex((l) => l.id === params.id);
	if (idx < 0) throw notFound();
	mb.labels.splice(idx, 1);
	for (const m of mb.messages.values()) {
		if (m.labelIds.includes(params.id)) ctx.parts.store.changeLabels(mb, m, [], [params.id]);
	}
	ctx.parts.store.onChange();
	return { status: 204 };
}
