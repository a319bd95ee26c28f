import { badRequest, notFound } from '../errors';
import type { ApiResponse } from '../router';
import type { HistoryRecord } from '../store';
import { paginate, type ApiContext } from './context';

const TYPES: Record<string, keyof HistoryRecord> = {
	messageAdded: 'messagesAdded',
	messageDeleted: 'messagesDeleted',
	labelAdded: 'labelsAdded',
	labelRemoved: 'labelsRemoved',
};

/** history.list: records after startHistoryId in id order; 404 once the start id is older than the retained history. */
export function listHistory(ctx: ApiContext): ApiResponse {
	const { store } = ctx.parts;
	const mb = ctx.mailbox;
	const startText = ctx.req.query.get('startHistoryId');
	if (!startText || !/^\d+$/.test(startText)) throw badRequest('Invalid startHistoryId');
	const start = Number(startText);
	store.pruneHistory(mb);
	if (start < mb.historyFloor) throw notFound();
	const types = ctx.req.query.getAll('historyTypes').flatMap((t) => t.split(','));
	for (const t of types) if (!TYPES[t]) throw badRequest(`Invalid value at 'history_types', "${t}"`);
	const fields = types.length ? types.map((t) => TYPES[t]) : Object.values(TYPES);
	const labelId = ctx.req.query.get('labelId');
	const records: Array<Record<string, unknown>> = [];
	for (const r of mb.history) {
		if (r.id <= start) continue;
		const out: Record<string, unknown> = { id: String(r.id), messages: r.messages };
		let any = false;
		for (const f of fields) {
			let entries = r[f] as Array<{ message: { labelIds: string[] }; labelIds?: string[] }> | undefined;
			if (!entries) continue;
			if (labelId) entries = entries.filter((e) => e.message.labelIds.includes(labelId) || e.labelIds?.includes(labelId));
			if (!entries.length) continue;
			out[f] = entries;
			any = true;
		}
		if (any) records.push(out);
	}
	const { page, nextPageToken } = paginate(records, ctx.req);
	const body: Record<string, unknown> = {};
	if (page.length) body.history = page;
	if (nextPageToken) body.nextPageToken = nextPageToken;
	body.historyId = String(mb.historyId);
	return { status: 200, body };
}
