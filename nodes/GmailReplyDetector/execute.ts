import { NodeOperationError, type IDataObject, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';
import { normalizeAddress } from '../shared/core/address';
import { chunk, evidenceHeader, LOOKUP_BATCH } from '../shared/core/campaign';
import { decideEngagement, type EngagementEvent } from '../shared/core/engagement';
import { addressesOf } from '../shared/core/followup';
import { OUTREACH_HEADER, outreachKey } from '../shared/core/idempotency';
import {
	applyEvidenceLabels,
	evidenceLabelFor,
	inboundSince,
	matchLead,
	MessageIndex,
	ownWords,
	readMessages,
	replyReport,
	snippetOf,
	type EngagementLead,
	type LabelOutcome,
	type ReplyReport,
} from '../shared/node/engagement';
import { attempt } from '../shared/node/attempt';
import { nested } from '../shared/node/fields';
import { sentEvidence } from '../shared/node/evidence';
import { readSenders } from '../shared/node/senders';
import { stopFor } from '../shared/node/sending';
import { gmailClient, GmailError, type GmailClient } from '../shared/transport';
import { DETECTOR_OUTPUTS, DetectorOutcomes, type DetectorOutcome } from './outcomes';
import { readLead, readSettings, RowError, rowOf, type Lead, type Settings } from './params';
import { forCaller, outputNames } from '../shared/node/tool';

/** Steps of a campaign whose keys tie a returned original (DSN, complaint) to the lead. */
export const KEYED_STEPS = 10;

const DAY_MS = 86_400_000;

/** The campaign's keys for a lead, step 1 first. */
function campaignKeys(lead: Lead): string[] {
	return Array.from({ length: KEYED_STEPS }, (_v, k) => outreachKey(lead.campaign, k + 1, lead.address));
}

/** What the Sent folder says about a lead of this campaign: when step 1 went out, its threads, our Message-IDs. */
interface CampaignStart {
	firstSentAt?: number;
	threadIds: string[];
	messageIds: string[];
}

/**
 * For the leads that have mail only: our campaign messages to them (one Sent search per 25 leads, one batched
 * metadata read) — the first keyed step-1 message dates the campaign for the lead.
 */
async function campaignStarts(client: GmailClient, leads: Lead[]): Promise<Map<Lead, CampaignStart>> {
	const out = new Map<Lead, CampaignStart>();
	for (const batch of chunk(leads, LOOKUP_BATCH)) {
		const sent = await sentEvidence(client, [...new Set(batch.map((l) => l.address))]);
		for (const lead of batch) {
			const keys = campaignKeys(lead);
			const mine = sent.all.filter((m) => addressesOf(evidenceHeader(m, 'To')).some((a) => sameOrFalse(a.address, lead.address)));
			const keyed = mine.filter((m) => keys.includes(evidenceHeader(m, OUTREACH_HEADER)?.trim() ?? ''));
			const first = keyed.filter((m) => evidenceHeader(m, OUTREACH_HEADER)?.trim() === keys[0]);
			const dates = (first.length ? first : keyed).map((m) => m.internalDate ?? 0).filter((d) => d > 0);
			out.set(lead, {
				...(dates.length ? { firstSentAt: Math.min(...dates) } : {}),
				threadIds: [...new Set(keyed.map((m) => m.threadId))],
				messageIds: mine.map((m) => evidenceHeader(m, 'Message-ID') ?? '').filter(Boolean),
			});
		}
	}
	return out;
}

function sameOrFalse(a: string, normalized: string): boolean {
	try {
		return normalizeAddress(a) === normalized;
	} catch {
		return false;
	}
}

const iso = (ms: number | undefined) => (ms ? new Date(ms).toISOString() : '');

/** The fields every output of a checked lead carries, ready for a Google Sheets "update row". */
function reportFields(lead: Lead, report: ReplyReport, leadThread: string | undefined, checkedSince: number, words: string | undefined, label?: LabelOutcome): IDataObject {
	const e: EngagementEvent | undefined = report.event;
	return {
		replyStatus: report.replyStatus,
		lastInboundAt: iso(report.last?.at),
		snippet: snippetOf(e, words),
		returnDate: report.returnDate ?? '',
		alternateContact: report.alternateContact ?? '',
		evidenceMessageId: e?.id ?? '',
		evidenceThreadId: e?.threadId ?? '',
		threadId: leadThread ?? e?.threadId ?? '',
		checkedSince: iso(checkedSince),
		campaign: lead.campaign,
		...(report.detail ? { detail: report.detail } : {}),
		...(report.retryAt ? { retryAt: report.retryAt.toISOString() } : {}),
		...(e?.cls.kind === 'bounce' && e.cls.status ? { bounceStatus: e.cls.status } : {}),
		...(label?.labels ? { labels: label.labels } : {}),
		...(label?.labelError ? { labelError: label.labelError } : {}),
	};
}

/** Every lead checked against one wide look-up of the mailbox, then sorted onto Stop, Wait or Continue. */
async function detect(ctx: IExecuteFunctions, client: GmailClient, settings: Settings, leads: Lead[], outcomes: DetectorOutcomes): Promise<void> {
	const now = Date.now();
	const us = await readSenders(client);
	const windowStart = settings.since === 'date' ? Math.min(...leads.map((l) => l.sinceMs ?? now)) : now - settings.lookBackDays * DAY_MS;
	const found = await inboundSince(client, windowStart, settings.maxMessages);
	const ctxOfMail = { ours: us.ours, unsubscribeAddresses: settings.unsubscribeAddresses };
	const messages = await readMessages(client, found.ids, ctxOfMail);
	// Cut off at the cap, the search returned the newest messages: what is older was not read.
	const checkedSince = found.truncated && messages.length ? Math.max(windowStart, Math.min(...messages.map((m) => m.at))) : windowStart;
	if (found.truncated) ctx.logger.warn(`Gmail Reply Detector: more than ${settings.maxMessages} inbound messages since ${iso(windowStart)}; read back to ${iso(checkedSince)} only`);
	const index = new MessageIndex(messages);

	const engagementLeads = new Map<Lead, EngagementLead>();
	const events = new Map<Lead, EngagementEvent[]>();
	for (const lead of leads) {
		const e: EngagementLead = { address: lead.address, threadIds: lead.threadId ? [lead.threadId] : [], keys: campaignKeys(lead) };
		engagementLeads.set(lead, e);
		events.set(lead, matchLead(e, index.candidates(e)));
	}

	const firstSentAt = new Map<Lead, number | undefined>();
	const leadThreads = new Map<Lead, string | undefined>(leads.map((l) => [l, l.threadId]));
	if (settings.since === 'date') {
		for (const lead of leads) firstSentAt.set(lead, lead.sinceMs);
	} else {
		// Only leads with mail need their campaign's start: cost follows the mail, not the list.
		const starts = await campaignStarts(client, leads.filter((l) => events.get(l)!.length));
		for (const [lead, start] of starts) {
			firstSentAt.set(lead, start.firstSentAt);
			if (!lead.threadId && start.threadIds[0]) leadThreads.set(lead, start.threadIds[0]);
			const e = engagementLeads.get(lead)!;
			e.threadIds = [...new Set([...(e.threadIds ?? []), ...start.threadIds])];
			e.messageIds = start.messageIds;
			events.set(lead, matchLead(e, index.candidates(e)));
		}
	}

	const reports = new Map<Lead, ReplyReport>();
	for (const lead of leads) {
		const first = firstSentAt.get(lead);
		const engagement = decideEngagement(events.get(lead)!, { ...(first !== undefined ? { firstSentAt: first } : {}), softBounceStops: settings.softBounceStops });
		reports.set(lead, replyReport(engagement, { ...(first !== undefined ? { firstSentAt: first } : {}), zone: lead.zone, now: new Date(now) }));
	}

	// The lead's own words for the sheet: only the messages behind a status, read in full if metadata was all.
	const words = await ownWords(client, [...reports.values()].flatMap((r) => (r.event ? [r.event] : [])), ctxOfMail);
	let labels = new Map<string, LabelOutcome>();
	if (settings.labelEvidence || settings.markRead) {
		const entries = [...reports.values()]
			.filter((r) => r.event)
			.map((r) => ({ id: r.event!.id, ...(settings.labelEvidence ? { label: evidenceLabelFor(r.replyStatus) } : {}) }));
		labels = await applyEvidenceLabels(client, entries, settings.markRead);
	}

	for (const lead of leads) {
		const report = reports.get(lead)!;
		const kind: DetectorOutcome = report.action;
		const label = report.event ? labels.get(report.event.id) : undefined;
		outcomes.add(kind, lead.itemIndex, reportFields(lead, report, leadThreads.get(lead), checkedSince, report.event ? words.get(report.event.id) : undefined, label));
	}
}

/** The Reply Detector's execution: validate the rows, one wide look-up for all leads, one outcome per item. */
export async function executeDetect(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	return forCaller(this, await detectAll.call(this), outputNames(DETECTOR_OUTPUTS));
}

async function detectAll(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const outcomes = new DetectorOutcomes(items, nested(this));
	if (!items.length) return [[], [], [], []];
	const settings = readSettings(this);
	const leads: Lead[] = [];
	for (let i = 0; i < items.length; i++) {
		try {
			leads.push(readLead(this, i, settings));
		} catch (error) {
			if (!(error instanceof RowError)) throw new NodeOperationError(this.getNode(), error as Error, { itemIndex: i });
			outcomes.add('failed', i, { reason: 'invalid_row', field: error.field, error: error.message, row: error.ref.row, rowSource: error.ref.rowSource });
		}
	}
	if (!leads.length) return outcomes.toOutputs();
	const credentialType = this.getNodeParameter('authentication', 0, 'oAuth2') === 'serviceAccount' ? 'serviceAccount' : 'oAuth2';
	const client = await gmailClient(this, { credentialType, budgetMs: settings.budgetMs, perMinuteUnits: settings.perMinuteUnits });
	const done = await attempt(() => detect(this, client, settings, leads, outcomes));
	if (!done.ok) {
		const error = done.error;
		if (!(error instanceof GmailError)) throw new NodeOperationError(this.getNode(), error as Error);
		const stop = stopFor(error, leads[0].itemIndex, client.now());
		// A credential that cannot read the mailbox is the workflow's problem, not the rows'.
		if (stop.kind === 'failed' && !this.continueOnFail()) throw new NodeOperationError(this.getNode(), error, { itemIndex: stop.itemIndex });
		for (const lead of leads) {
			if (outcomes.has(lead.itemIndex)) continue;
			outcomes.add('failed', lead.itemIndex, {
				reason: stop.reason,
				error: `The mailbox could not be checked: ${error.message}`,
				...rowOf(items[lead.itemIndex].json, lead.itemIndex),
				...(stop.retryAt ? { retryAt: stop.retryAt.toISOString() } : {}),
			});
		}
	}
	return outcomes.toOutputs();
}
