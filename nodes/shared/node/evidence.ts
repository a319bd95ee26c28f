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
import type { GmailClient } from '../transport';
import { headerMap } from './payload';

/** Headers read from sent messages to decide "already sent" and to thread follow-ups. */
export const EVIDENCE_HEADERS = [OUTREACH_HEADER, 'Message-ID', 'To', 'Subject', 'List-Unsubscribe'];

/** Most messages one evidence search reads; a lead batch never needs more. */
const SEARCH_CAP = 500;

/** Reduces a metadata-format message to the evidence the core decides on. */
export function toEvidence(message: gmail_v1.Schema$Message): MessageEvidence {
	return {
		id: message.id ?? '',
		threadId: message.threadId ?? '',
		labelIds: message.labelIds ?? [],
		internalDate: Number(message.internalDate ?? 0),
		headers: headerMap(message, false),
	};
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

/** More mail about one address than one look-up reads: a business outcome (a person must look), not a Gmail error. */
export class EvidenceLimitError extends Error {
	override name = 'EvidenceLimitError' as const;

	/** `what` names the mail, e.g. 'sent messages to' or 'messages under Outreach/Unsubscribed about'. */
	constructor(readonly address: string, what = 'sent messages to') {
		super(
			`The mailbox holds more than ${SEARCH_CAP} ${what} ${address}, so an earlier send of this step or an opt-out cannot be ruled out; ` +
				'nothing was sent. Check the lead\'s mail and, if this step is due, send it by hand.',
		);
	}
}

/** Message ids a search finds for the addresses, and the addresses whose own list was cut off. */
export interface SearchResult {
	ids: string[];
	unproven: Set<string>;
}

/**
 * Runs the search for all addresses at once; where Gmail's list is cut off at the cap, searches each half
 * again, down to single addresses, which stay unproven if even their own list is cut off.
 */
export async function searchAll(
	client: GmailClient,
	addresses: string[],
	search: (addresses: string[]) => { q: string; labelIds?: string[]; includeSpamTrash?: boolean },
): Promise<SearchResult> {
	if (!addresses.length) return { ids: [], unproven: new Set() };
	const found = await client.listAllMessages({ ...search(addresses), max: SEARCH_CAP });
	if (found.length < SEARCH_CAP) return { ids: found.map((m) => m.id).filter((id): id is string => !!id), unproven: new Set() };
	// The list is newest first, so a cut-off drops the oldest messages — where a first send or an old opt-out is.
	// What it did return may still settle the address; if not, the address is unproven.
	if (addresses.length === 1) return { ids: found.map((m) => m.id).filter((id): id is string => !!id), unproven: new Set(addresses) };
	const half = Math.ceil(addresses.length / 2);
	const ids = new Set<string>();
	const unproven = new Set<string>();
	for (const part of [addresses.slice(0, half), addresses.slice(half)]) {
		const sub = await searchAll(client, part, search);
		for (const id of sub.ids) ids.add(id);
		for (const address of sub.unproven) unproven.add(address);
	}
	return { ids: [...ids], unproven };
}

/** What the sent mail proves for a batch of addresses: messages by outreach key, and addresses it could not settle. */
export interface SentEvidence {
	byKey: Map<string, MessageEvidence>;
	/** Every sent message found, oldest first. */
	all: MessageEvidence[];
	unproven: Set<string>;
}

/** Sent messages to any of the addresses, by outreach key (one search + one metadata batch; narrower searches when a list is cut off). */
export async function sentEvidence(client: GmailClient, addresses: string[]): Promise<SentEvidence> {
	// Trashed mail still went out: a step the person deleted from Sent must not be sent again.
	const { ids, unproven } = await searchAll(client, addresses, (a) => ({ q: sentSearchQuery(a), includeSpamTrash: true }));
	const all = await metadataOf(client, ids, EVIDENCE_HEADERS);
	return { byKey: evidenceByKey(all), all, unproven };
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

/** What the opt-out labels say about a batch of addresses: who is suppressed (and by which label), and who could not be settled. */
export interface MailboxSuppression {
	suppressed: Map<string, string>;
	unproven: Map<string, string>;
}

/** Which addresses the mailbox names in messages under the suppression labels: normalised address → label name. */
export async function mailboxSuppressed(
	client: GmailClient,
	labelIds: Map<string, string>,
	addresses: string[],
): Promise<MailboxSuppression> {
	const result: MailboxSuppression = { suppressed: new Map(), unproven: new Map() };
	for (const [labelId, labelName] of labelIds) {
		const { ids, unproven } = await searchAll(client, addresses, (a) => ({ labelIds: [labelId], q: mentionSearchQuery(a) }));
		for (const address of unproven) if (!result.unproven.has(address)) result.unproven.set(address, labelName);
		const evidence = await metadataOf(client, ids, SUPPRESSION_HEADERS);
		for (const [address, label] of suppressedByMailbox(evidence, addresses, () => labelName)) {
			if (!result.suppressed.has(address)) result.suppressed.set(address, label);
		}
	}
	return result;
}
