import type { gmail_v1 } from 'googleapis';
import {
	SUPPRESSION_HEADERS,
	SUPPRESSION_LABELS,
	evidenceByKey,
	mentionSearchQuery,
	sameLabelName,
	sentSearchQuery,
	suppressedByMailbox,
	type MessageEvidence,
} from '../core/campaign';
import { OUTREACH_HEADER } from '../core/idempotency';
import { GmailError, type GmailClient } from '../transport';
import { headerMap } from './payload';

/** Headers read from sent messages to decide "already sent" and to thread follow-ups. */
export const EVIDENCE_HEADERS = [OUTREACH_HEADER, 'Message-ID', 'To', 'Subject'];

/** Most messages one evidence search reads; a lead batch never needs more. */
const SEARCH_CAP = 500;

/** Reduces a metadata-format message to the evidence the core decides on. */
export function toEvidence(message: gmail_v1.Schema$Message): MessageEvidence {
	return { id: message.id ?? '', threadId: message.threadId ?? '', labelIds: message.labelIds ?? [], headers: headerMap(message, false) };
}

/** Metadata of the given ids (batched), oldest first, so the first match of a key is the original send. */
async function metadataOf(client: GmailClient, ids: string[], headers: string[]): Promise<MessageEvidence[]> {
	if (!ids.length) return [];
	const messages = await client.batchGetMessages(ids, { format: 'metadata', metadataHeaders: headers });
	return messages
		.filter((m) => m && m.id)
		.sort((a, b) => Number(a.internalDate ?? 0) - Number(b.internalDate ?? 0))
		.map(toEvidence);
}

/** More sent mail to one address than one look-up reads: that no earlier send exists cannot be shown. */
export class EvidenceLimitError extends GmailError {
	override name = 'EvidenceLimitError' as const;

	constructor(readonly address: string) {
		super(
			'messages.list',
			`The mailbox holds more than ${SEARCH_CAP} sent messages to ${address}, so an earlier send of this step cannot be ruled out; ` +
				'nothing was sent. Check the lead\'s thread and, if this step is missing, send it by hand.',
		);
	}
}

/** What the sent mail proves for a batch of addresses: messages by outreach key, and addresses it could not settle. */
export interface SentEvidence {
	byKey: Map<string, MessageEvidence>;
	unproven: Set<string>;
}

/** Sent messages to any of the addresses, by outreach key (one search + one metadata batch; narrower searches when a list is cut off). */
export async function sentEvidence(client: GmailClient, addresses: string[]): Promise<SentEvidence> {
	const evidence: SentEvidence = { byKey: new Map(), unproven: new Set() };
	if (!addresses.length) return evidence;
	const found = await client.listAllMessages({ q: sentSearchQuery(addresses), max: SEARCH_CAP });
	if (found.length >= SEARCH_CAP) {
		// The list is newest first, so a cut-off drops the oldest messages — where a first send would be.
		if (addresses.length === 1) {
			evidence.unproven.add(addresses[0]);
			return evidence;
		}
		const half = Math.ceil(addresses.length / 2);
		for (const part of [addresses.slice(0, half), addresses.slice(half)]) {
			const sub = await sentEvidence(client, part);
			for (const [key, message] of sub.byKey) if (!evidence.byKey.has(key)) evidence.byKey.set(key, message);
			for (const address of sub.unproven) evidence.unproven.add(address);
		}
		return evidence;
	}
	const ids = found.map((m) => m.id).filter((id): id is string => !!id);
	evidence.byKey = evidenceByKey(await metadataOf(client, ids, EVIDENCE_HEADERS));
	return evidence;
}

/**
 * Looks for one key right after an ambiguous send: first among the newest SENT messages (label listing,
 * no search index lag), then by search; throws EvidenceLimitError when the search cannot settle it.
 */
export async function findSentKey(client: GmailClient, key: string, address: string): Promise<MessageEvidence | undefined> {
	const recent = await client.listMessages({ labelIds: ['SENT'], maxResults: 10 });
	const recentIds = (recent.messages ?? []).map((m) => m.id).filter((id): id is string => !!id);
	const hit = evidenceByKey(await metadataOf(client, recentIds, EVIDENCE_HEADERS)).get(key);
	if (hit) return hit;
	const evidence = await sentEvidence(client, [address]);
	if (evidence.unproven.size) throw new EvidenceLimitError(address);
	return evidence.byKey.get(key);
}

/** Ids of the suppression labels that exist in the mailbox (none exist → nothing to check). */
export async function suppressionLabelIds(client: GmailClient): Promise<Map<string, string>> {
	const labels = await client.listLabels();
	const ids = new Map<string, string>();
	for (const name of SUPPRESSION_LABELS) {
		const label = labels.find((l) => sameLabelName(l.name ?? '', name));
		if (label?.id) ids.set(label.id, name);
	}
	return ids;
}

/** Which addresses the mailbox names in messages under the suppression labels: normalised address → label name. */
export async function mailboxSuppressed(
	client: GmailClient,
	labelIds: Map<string, string>,
	addresses: string[],
): Promise<Map<string, string>> {
	const result = new Map<string, string>();
	if (!addresses.length) return result;
	for (const [labelId, labelName] of labelIds) {
		const found = await client.listAllMessages({ labelIds: [labelId], q: mentionSearchQuery(addresses), max: SEARCH_CAP });
		const ids = found.map((m) => m.id).filter((id): id is string => !!id);
		const evidence = await metadataOf(client, ids, SUPPRESSION_HEADERS);
		for (const [address, label] of suppressedByMailbox(evidence, addresses, () => labelName)) {
			if (!result.has(address)) result.set(address, label);
		}
	}
	return result;
}
