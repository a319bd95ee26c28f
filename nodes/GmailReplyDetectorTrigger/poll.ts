import { IANAZone } from 'luxon';
import { NodeOperationError, type IDataObject, type INodeExecutionData, type IPollFunctions } from 'n8n-workflow';
import { mailtoAddress } from '../shared/core/campaign';
import { decideEngagement, type EngagementEvent } from '../shared/core/engagement';
import {
	applyEvidenceLabels,
	evidenceLabelFor,
	inboundSince,
	readInbound,
	replyReport,
	snippetOf,
	type InboundMessage,
	type LabelOutcome,
	type ReplyReport,
	type ReplyStatus,
} from '../shared/node/engagement';
import { attempt } from '../shared/node/attempt';
import { csv, str } from '../shared/node/params';
import { readSenders } from '../shared/node/senders';
import { decodeHeaderText } from '../shared/core/classifier/mime';
import { gmailClient, HistoryTooOldError, type GmailClient } from '../shared/transport';
import { readCursor, RecentIds, SETTLE_MS, writeCursor, type TriggerCursor } from './cursor';
import { relate, type Relation } from './relate';

/** How much earlier than the last poll a sync by date starts: clocks differ, and Gmail files mail a little late. */
export const SYNC_MARGIN_MS = 15 * 60_000;

/** A sync by date never reaches further back than this (a trigger off for months starts over). */
export const MAX_SYNC_DAYS = 30;

/** Most messages one sync by date reads (newest first). */
export const SYNC_MAX = 10_000;

/** What "Fetch Test Event" looks at: the newest inbound messages of the last days. */
const TEST_DAYS = 7;
const TEST_MESSAGES = 50;
const TEST_EVENTS = 10;


/** The trigger's parameters, read once per poll. */
interface TriggerSettings {
	scope: 'outreach' | 'all';
	statuses: Set<string>;
	campaigns: string[];
	firstRunLookBackMs: number;
	labelEvidence: boolean;
	markRead: boolean;
	softBounceStops: boolean;
	zone: string;
	unsubscribeAddresses: string[];
	perMinuteUnits: number;
	budgetMs: number;
}

function readSettings(ctx: IPollFunctions): TriggerSettings {
	const o = ctx.getNodeParameter('options', {}) as IDataObject;
	const statuses = ctx.getNodeParameter('statuses', []) as string[];
	const zone = str(o.timezone).trim();
	return {
		scope: ctx.getNodeParameter('scope', 'outreach') === 'all' ? 'all' : 'outreach',
		statuses: new Set(statuses),
		campaigns: csv(ctx.getNodeParameter('campaigns', '')),
		firstRunLookBackMs: Math.max(0, Number(o.firstRunLookBackHours ?? 24) || 0) * 3600_000,
		labelEvidence: o.labelEvidence === true,
		markRead: o.markRead === true,
		softBounceStops: o.continueAfterSoftBounce !== true,
		zone: zone && IANAZone.isValidZone(zone) ? zone : ctx.getTimezone(),
		unsubscribeAddresses: csv(o.unsubscribeMailto).map((a) => mailtoAddress(a)).filter((a): a is string => !!a),
		perMinuteUnits: Math.max(100, Number(o.quotaUnitsPerMinute ?? 15000) || 15000),
		budgetMs: Math.max(0, Number(o.retryBudgetSeconds ?? 30) || 0) * 1000,
	};
}

/** New messages since the history id (2 units a page): ids added to the mailbox that are neither our sends nor drafts. */
async function historyIds(client: GmailClient, startHistoryId: string): Promise<{ ids: string[]; historyId: string }> {
	const ids: string[] = [];
	let historyId = startHistoryId;
	let pageToken: string | undefined;
	do {
		const page = await client.listHistory(startHistoryId, { historyTypes: ['messageAdded'], maxResults: 500, pageToken });
		for (const record of page.history ?? []) {
			for (const added of record.messagesAdded ?? []) {
				const m = added.message;
				const labels = m?.labelIds ?? [];
				if (!m?.id || labels.includes('SENT') || labels.includes('DRAFT') || labels.includes('CHAT')) continue;
				ids.push(m.id);
			}
		}
		if (page.historyId) historyId = String(page.historyId);
		pageToken = page.nextPageToken ?? undefined;
	} while (pageToken);
	return { ids, historyId };
}

/** What one poll found to look at, and how. */
interface Found {
	ids: string[];
	syncedBy: Map<string, 'history' | 'date'>;
	next: TriggerCursor;
}

/** Takes the new cursor first (so nothing falls between the two views), then searches by date from `afterMs`. */
async function syncByDate(client: GmailClient, afterMs: number, now: number, recent: string[]): Promise<Found> {
	const profile = await client.getProfile();
	const found = afterMs < now ? (await inboundSince(client, afterMs, SYNC_MAX)).ids : [];
	return {
		ids: found,
		syncedBy: new Map(found.map((id) => [id, 'date'])),
		next: {
			historyId: String(profile.historyId ?? ''),
			polledAt: now,
			recent,
			// Only the minutes just before the cursor can be missing from the index, and never before the sync's own start.
			...(afterMs < now ? { settle: { afterMs: Math.max(afterMs, now - SYNC_MARGIN_MS), untilMs: now + SETTLE_MS } } : {}),
		},
	};
}

/** The messages this poll must look at: history from the cursor, or a bounded sync by date on the first run and after a 404. */
async function findNew(ctx: IPollFunctions, client: GmailClient, cursor: TriggerCursor, s: TriggerSettings, now: number): Promise<Found> {
	const node = ctx.getNode().name;
	if (!cursor.historyId) {
		ctx.logger.info(`${node}: first poll, syncing by date (${s.firstRunLookBackMs / 3600_000} h back) and starting history from now`);
		return await syncByDate(client, now - s.firstRunLookBackMs, now, cursor.recent);
	}
	const h = await attempt(() => historyIds(client, cursor.historyId!));
	if (!h.ok) {
		if (!(h.error instanceof HistoryTooOldError)) throw h.error;
		const since = Math.max((cursor.polledAt ?? now) - SYNC_MARGIN_MS, now - MAX_SYNC_DAYS * 86_400_000);
		ctx.logger.warn(`${node}: Gmail no longer keeps history ${cursor.historyId} (404); syncing by date since ${new Date(since).toISOString()}`);
		return await syncByDate(client, since, now, cursor.recent);
	}
	const found: Found = { ids: h.value.ids, syncedBy: new Map(h.value.ids.map((id) => [id, 'history'])), next: { ...cursor, historyId: h.value.historyId, polledAt: now } };
	// Shortly after a sync by date, mail filed just before the new cursor may reach the search index late.
	const settle = cursor.settle;
	if (settle && now < settle.untilMs) {
		for (const id of (await inboundSince(client, settle.afterMs, SYNC_MAX)).ids) {
			if (!found.syncedBy.has(id)) {
				found.ids.push(id);
				found.syncedBy.set(id, 'date');
			}
		}
	} else delete found.next.settle;
	return found;
}

/** One classified, related message as the trigger's output item. */
function eventItem(m: InboundMessage, rel: Relation | undefined, report: ReplyReport, syncedBy: string, label: LabelOutcome | undefined): IDataObject {
	const lead = rel?.lead ?? m.from ?? '';
	const c = m.cls;
	return {
		replyStatus: report.replyStatus,
		action: report.action,
		email: lead,
		lead,
		campaign: rel?.campaign ?? '',
		outreachKey: rel?.outreachKey ?? '',
		...(rel?.step ? { step: rel.step } : {}),
		lastInboundAt: new Date(m.at).toISOString(),
		snippet: snippetOf(m),
		returnDate: report.returnDate ?? '',
		...(report.retryAt ? { retryAt: report.retryAt.toISOString() } : {}),
		alternateContact: report.alternateContact ?? '',
		evidenceMessageId: m.id,
		messageId: m.id,
		threadId: m.threadId,
		from: m.from ?? '',
		subject: decodeHeaderText(m.headers['subject'] ?? ''),
		kind: c.kind,
		...(c.autoReplyType ? { autoReplyType: c.autoReplyType } : {}),
		...(c.kind === 'bounce' && c.status ? { bounceStatus: c.status } : {}),
		...(c.language ? { language: c.language } : {}),
		reason: c.reason,
		...(report.detail ? { detail: report.detail } : {}),
		relatedBy: rel?.by ?? 'none',
		syncedBy,
		...(label?.labels ? { labels: label.labels } : {}),
		...(label?.labelError ? { labelError: label.labelError } : {}),
	};
}

/** What one message means for its lead: the one rule (decideEngagement) on this event alone. */
function reportOf(m: InboundMessage, rel: Relation | undefined, s: TriggerSettings, now: number): ReplyReport {
	const match: EngagementEvent['match'] = rel?.by === 'thread' ? 'thread' : rel?.by === 'key' ? 'key' : 'address';
	const event: EngagementEvent = { id: m.id, threadId: m.threadId, at: m.at, cls: m.cls, match, ...(m.from ? { from: m.from } : {}), snippet: m.snippet };
	// New mail about an outreach thread is after the campaign's first message by construction.
	const firstSentAt = Math.min(rel?.firstSentAt ?? 0, m.at);
	const engagement = decideEngagement([event], { firstSentAt, softBounceStops: s.softBounceStops });
	return replyReport(engagement, { firstSentAt, zone: s.zone, now: new Date(now) });
}

/** Reads, relates, classifies and labels the given messages; returns the events the settings ask for. */
async function eventsOf(client: GmailClient, ids: string[], s: TriggerSettings, now: number, syncedBy: (id: string) => string, label: boolean): Promise<IDataObject[]> {
	if (!ids.length) return [];
	const us = await readSenders(client);
	const messages = (await readInbound(client, ids, { ours: us.ours, unsubscribeAddresses: s.unsubscribeAddresses })).filter((m) => m.cls.kind !== 'ours');
	const relations = s.scope === 'outreach' ? await relate(client, messages, { ours: us.ours, campaigns: s.campaigns }) : undefined;
	const chosen: Array<{ m: InboundMessage; rel?: Relation; report: ReplyReport }> = [];
	for (const m of messages.sort((a, b) => a.at - b.at)) {
		const rel = relations ? relations.get(m.id) : undefined;
		if (relations && !rel) continue;
		const report = reportOf(m, rel, s, now);
		if (report.replyStatus === 'no_reply' || !s.statuses.has(report.replyStatus)) continue;
		chosen.push({ m, ...(rel ? { rel } : {}), report });
	}
	let labels = new Map<string, LabelOutcome>();
	if (label && (s.labelEvidence || s.markRead) && chosen.length) {
		const entries = chosen.map((c) => ({ id: c.m.id, ...(s.labelEvidence ? { label: evidenceLabelFor(c.report.replyStatus as ReplyStatus) } : {}) }));
		labels = await applyEvidenceLabels(client, entries, s.markRead);
	}
	return chosen.map((c) => eventItem(c.m, c.rel, c.report, syncedBy(c.m.id), labels.get(c.m.id)));
}

/** "Fetch Test Event": the newest real events of the last days, without touching the cursor or any label. */
async function testEvents(ctx: IPollFunctions, client: GmailClient, s: TriggerSettings, now: number): Promise<INodeExecutionData[][]> {
	const { ids } = await inboundSince(client, now - TEST_DAYS * 86_400_000, TEST_MESSAGES);
	const events = (await eventsOf(client, ids, s, now, () => 'date', false)).reverse().slice(0, TEST_EVENTS);
	if (!events.length) {
		throw new NodeOperationError(ctx.getNode(), 'No reply events yet', {
			description: `None of the ${ids.length} newest inbound messages of the last ${TEST_DAYS} days is a ${s.scope === 'outreach' ? 'reply to outreach' : 'message'} of the chosen statuses. Wait for one (or deliver one in the Gmail Sandbox) and fetch again; once active, the trigger starts from the moment it is turned on.`,
		});
	}
	return [ctx.helpers.returnJsonArray(events)];
}

/**
 * One poll: history since the stored cursor (or a bounded sync by date), one read per new inbound message,
 * tied to outreach, classified, labelled; each event emitted once, the cursor advanced only after all of it worked.
 */
export async function pollReplies(ctx: IPollFunctions): Promise<INodeExecutionData[][] | null> {
	const s = readSettings(ctx);
	const credentialType = ctx.getNodeParameter('authentication', 'oAuth2') === 'serviceAccount' ? 'serviceAccount' : 'oAuth2';
	const client = await gmailClient(ctx, { credentialType, budgetMs: s.budgetMs, perMinuteUnits: s.perMinuteUnits });
	const now = Date.now();
	if (ctx.getMode() === 'manual') return await testEvents(ctx, client, s, now);
	const data = ctx.getWorkflowStaticData('node');
	const cursor = readCursor(data);
	const found = await findNew(ctx, client, cursor, s, now);
	const recent = new RecentIds(cursor.recent);
	const fresh = [...new Set(found.ids)].filter((id) => !recent.has(id));
	const items = await eventsOf(client, fresh, s, now, (id) => found.syncedBy.get(id) ?? 'history', true);
	ctx.logger.debug(`${ctx.getNode().name}: ${fresh.length} new messages (${found.ids.length - fresh.length} already seen), ${items.length} events`);
	// Every message looked at is remembered, emitted or not: a repeat sync never reads or emits it again.
	for (const id of fresh) recent.add(id);
	writeCursor(data, { ...found.next, recent: recent.list() });
	return items.length ? [ctx.helpers.returnJsonArray(items)] : null;
}

