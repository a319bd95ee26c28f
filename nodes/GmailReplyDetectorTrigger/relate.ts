import type { gmail_v1 } from 'googleapis';
import { chunk, LOOKUP_BATCH, sameLabelName, sentLabelName, sentSearchQuery } from '../shared/core/campaign';
import { OUTREACH_HEADER, outreachKey } from '../shared/core/idempotency';
import { attempt } from '../shared/node/attempt';
import { firstAddress, type InboundMessage } from '../shared/node/engagement';
import { headerMap } from '../shared/node/payload';
import { NotFoundError, type GmailClient } from '../shared/transport';

/** Steps of a campaign tried when a key is matched back to its campaign. */
export const KEYED_STEPS = 10;

/** How a message was tied to outreach: our key in a returned original, our campaign mail in its thread (label or thread read), or mail of ours to its sender. */
export type RelatedBy = 'key' | 'label' | 'thread' | 'address';

/** What ties one inbound message to a lead of ours. */
export interface Relation {
	by: RelatedBy;
	/** The lead (normalised): the sender, a failed recipient, or the To of our keyed message in the thread. */
	lead?: string;
	campaign?: string;
	step?: number;
	/** Our key: exact where a key was read; for a label match, the campaign's step-1 key for the lead. */
	outreachKey?: string;
	/** When our first keyed message in the thread went out (thread reads only). */
	firstSentAt?: number;
}

/** An outreach Sent label (`Outreach/<campaign>/Sent`, applied by the sending nodes) and its campaign. */
interface CampaignLabel {
	id: string;
	campaign: string;
}

const AUTOMATIC = new Set(['bounce', 'delivery_delay', 'delivery_success', 'feedback_report', 'sender_limit']);

/** The campaign (and step) whose key for this lead is `key`, among the candidate names. */
export function campaignOfKey(key: string, lead: string | undefined, campaigns: string[]): { campaign: string; step: number } | undefined {
	if (!lead) return undefined;
	for (const campaign of campaigns) {
		for (let step = 1; step <= KEYED_STEPS; step++) if (outreachKey(campaign, step, lead) === key) return { campaign, step };
	}
	return undefined;
}

/** Labels named Outreach/<x>/Sent, each with its campaign: the listed name it belongs to, else the label's segment. */
function campaignLabels(labels: gmail_v1.Schema$Label[], listed: string[]): CampaignLabel[] {
	const out: CampaignLabel[] = [];
	for (const l of labels) {
		const m = /^outreach\/(.+)\/sent$/i.exec(l.name ?? '');
		if (!m || !l.id) continue;
		const named = listed.find((c) => sameLabelName(sentLabelName(c), l.name ?? ''));
		out.push({ id: l.id, campaign: named ?? m[1] });
	}
	return out;
}

/** Addresses a message may concern: its sender for what people (or their auto-responders) write, the failed recipients of a report. */
function addressesOfMessage(m: InboundMessage): string[] {
	if (AUTOMATIC.has(m.cls.kind)) return (m.cls.recipients ?? []).map((r) => firstAddress(r)).filter((a): a is string => !!a);
	return m.from ? [m.from] : [];
}

function isReply(m: InboundMessage): boolean {
	return !!(m.headers['in-reply-to'] || m.headers['references']);
}

/**
 * Ties new inbound messages to outreach, cheaply and without a lead list: (1) a report naming our key;
 * (2) one label-filtered Sent search per 25 addresses and campaign label: our campaign mail to the sender in the
 * message's thread; (3) for replies still unexplained (a colleague, another address, a campaign sent without
 * labels), one thread read per thread; (4) for new-thread mail from an address the searches saw mail of ours to,
 * one search per address. What stays unexplained is not about outreach.
 */
export async function relate(client: GmailClient, messages: InboundMessage[], opts: { ours: string[]; campaigns: string[] }): Promise<Map<string, Relation>> {
	const out = new Map<string, Relation>();
	const pending: InboundMessage[] = [];
	const labels = campaignLabels(await client.listLabels(), opts.campaigns);
	const names = [...new Set([...opts.campaigns, ...labels.map((l) => l.campaign)])];
	for (const m of messages) {
		if (m.cls.kind === 'ours') continue;
		const key = m.cls.outreachKey;
		if (key && AUTOMATIC.has(m.cls.kind)) {
			const lead = addressesOfMessage(m)[0];
			const c = campaignOfKey(key, lead, names);
			out.set(m.id, { by: 'key', outreachKey: key, ...(lead ? { lead } : {}), ...(c ?? {}) });
		} else pending.push(m);
	}

	// (2) Our labelled campaign mail to these addresses, and the threads it is in.
	const threadCampaign = new Map<string, CampaignLabel>();
	const strayHits = new Map<string, Set<CampaignLabel>>();
	const addresses = [...new Set(pending.flatMap(addressesOfMessage))];
	const pendingThreads = new Set(pending.map((m) => m.threadId));
	for (const label of labels) {
		for (const batch of chunk(addresses, LOOKUP_BATCH)) {
			const hits = await client.listAllMessages({ labelIds: [label.id], q: sentSearchQuery(batch), max: 500 });
			let stray = false;
			for (const h of hits) {
				if (!h.threadId) continue;
				if (pendingThreads.has(h.threadId)) threadCampaign.set(h.threadId, label);
				else stray = true;
			}
			// Mail of ours to someone of the batch in other threads: a new-thread message from them may be a lead's.
			if (stray) for (const a of batch) strayHits.set(a, (strayHits.get(a) ?? new Set()).add(label));
		}
	}
	const unresolved: InboundMessage[] = [];
	for (const m of pending) {
		const label = threadCampaign.get(m.threadId);
		const lead = addressesOfMessage(m)[0];
		if (label && lead) out.set(m.id, labelRelation('label', label, lead));
		else unresolved.push(m);
	}

	// (3) Replies nobody's address explains: read the thread once and find our keyed message in it.
	const threads = new Map<string, Relation | undefined>();
	for (const m of unresolved.filter(isReply)) {
		if (!threads.has(m.threadId)) threads.set(m.threadId, await threadRelation(client, m.threadId, opts.ours, names));
		const r = threads.get(m.threadId);
		if (r) out.set(m.id, r);
	}

	// (4) New-thread mail (or an unthreaded report) from an address we wrote to under a campaign label.
	const asked = new Map<string, CampaignLabel | undefined>();
	for (const m of unresolved) {
		if (out.has(m.id)) continue;
		for (const a of addressesOfMessage(m)) {
			const candidates = strayHits.get(a);
			if (!candidates) continue;
			if (!asked.has(a)) {
				let found: CampaignLabel | undefined;
				for (const label of candidates) {
					const page = await client.listMessages({ labelIds: [label.id], q: sentSearchQuery([a]), maxResults: 1 });
					if (page.messages?.length) {
						found = label;
						break;
					}
				}
				asked.set(a, found);
			}
			const label = asked.get(a);
			if (label) {
				out.set(m.id, labelRelation('address', label, a));
				break;
			}
		}
	}
	return out;
}

function labelRelation(by: RelatedBy, label: CampaignLabel, lead: string): Relation {
	return { by, lead, campaign: label.campaign, outreachKey: outreachKey(label.campaign, 1, lead) };
}

/** Our oldest keyed message in a thread (one threads.get, metadata): its To is the lead, its key names the campaign. */
async function threadRelation(client: GmailClient, threadId: string, ours: string[], campaigns: string[]): Promise<Relation | undefined> {
	const read = await attempt(() => client.getThread(threadId, { format: 'metadata', metadataHeaders: [OUTREACH_HEADER, 'From', 'To', 'Message-ID'] }));
	if (!read.ok) {
		if (read.error instanceof NotFoundError) return undefined;
		throw read.error;
	}
	const thread: gmail_v1.Schema$Thread = read.value;
	const ourSet = new Set(ours);
	const keyed = (thread.messages ?? [])
		.map((m) => ({ m, h: headerMap(m, true) }))
		.filter(({ m, h }) => {
			const from = firstAddress(h['from']);
			const mine = from ? ourSet.has(from) : (m.labelIds ?? []).includes('SENT');
			return mine && !(m.labelIds ?? []).includes('DRAFT') && !!h[OUTREACH_HEADER.toLowerCase()]?.trim();
		})
		.sort((a, b) => Number(a.m.internalDate ?? 0) - Number(b.m.internalDate ?? 0));
	const first = keyed[0];
	if (!first) return undefined;
	const key = first.h[OUTREACH_HEADER.toLowerCase()]!.trim();
	const lead = firstAddress(first.h['to']);
	const c = campaignOfKey(key, lead, campaigns);
	return { by: 'thread', outreachKey: key, ...(lead ? { lead } : {}), ...(c ?? {}), firstSentAt: Number(first.m.internalDate ?? 0) };
}
