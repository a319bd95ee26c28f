import type { IExecuteFunctions } from 'n8n-workflow';
import { formatAddress, normalizeAddress } from '../shared/core/address';
import { composeMessage, footerOf, type Composed } from '../shared/core/compose';
import { conversation, isOurs, ourLastFrom, quoteBelow, type FollowupDecision, type ThreadMessage } from '../shared/core/followup';
import { addressListParameter, binaryAttachments, ParameterError, senderParameter } from '../shared/node/inputs';
import { payloadParts } from '../shared/node/payload';
import { checkFrom, type Senders } from '../shared/node/senders';
import { NotFoundError, type GmailClient } from '../shared/transport';
import { attempt } from '../shared/node/attempt';
import { prefetch } from '../shared/node/prefetch';
import type { ReplyParams } from './params';
import type { Found } from './plan';
import { itemRow } from '../shared/node/rows';

/** Renders step N into the thread (sent by Threaded Reply, saved as a draft by Draft Scheduler): subject, threading headers, recipients, an optional quote. */
export async function composeReply(
	ctx: IExecuteFunctions,
	client: GmailClient,
	us: Senders,
	p: ReplyParams,
	decision: FollowupDecision,
	f: Pick<Found, 'itemIndex' | 'lead' | 'messages'>,
	/** First emails' footers the batch read at once (readFooters), by message id. */
	footers?: Map<string, string[]>,
): Promise<Composed> {
	const { itemIndex: i, lead } = f;
	const row = itemRow(ctx.getInputData(), i);
	if (!p.text.trim() && !p.html.trim()) throw new ParameterError(row, 'text', 'the body is empty');
	const to = decision.recipients.to;
	if (!to.length) throw new ParameterError(row, 'replyMode', 'no recipient left in the thread once this mailbox is excluded');
	// Unless From is set, the follow-up comes from the address that carries the thread (an alias, say), when Gmail still lets us.
	const threadFrom = ourLastFrom(f.messages, us.ours);
	const usable = threadFrom && us.verified.includes(normalizeAddress(threadFrom)) ? threadFrom : undefined;
	const from = senderParameter(row, p.from || usable || us.mailbox, p.senderName);
	checkFrom(us, row, from.address);
	// The footer is a campaign-wide habit (CAN-SPAM wants it in every email): without one of its own, the step keeps the first email's.
	const inheritedFooter = inheritsFooter(p) ? await firstFooter(client, f.messages, us.ours, footers) : [];
	const cc = [...decision.recipients.cc.map(formatAddress), ...(addressListParameter(row, 'cc', p.cc) ? [p.cc.trim()] : [])].join(', ');
	const composed = composeMessage(
		ctx.getInputData()[i].json,
		{ subject: '', text: p.text, html: p.html },
		{
			from,
			// The key and the spintax seed follow the thread's lead, so re-runs find and render the same thing.
			to: lead ?? to[0],
			campaign: p.campaign,
			step: p.step,
			replyTo: addressListParameter(row, 'replyTo', p.replyTo),
			cc,
			bcc: addressListParameter(row, 'bcc', p.bcc),
			unsubscribe: { mailto: p.unsubscribeMailto, url: p.unsubscribeUrl, footer: p.footer, postalAddress: p.postalAddress, inheritedFooter },
			attachments: await binaryAttachments(ctx, i, p.attachments),
			subjectOverride: decision.subject,
			inReplyTo: decision.inReplyTo,
			references: decision.references,
		},
	);
	composed.spec.to = to;
	// An opt-out link is a campaign-wide habit: without options of its own, the follow-up keeps the first email's.
	if (!p.unsubscribeMailto.trim() && !p.unsubscribeUrl.trim() && !composed.spec.listUnsubscribe) {
		const inherited = listUnsubscribeOf(conversation(f.messages).find((m) => isOurs(m, us.ours))?.headers['list-unsubscribe']);
		if (inherited) composed.spec.listUnsubscribe = inherited;
	}
	// The quote goes in after merging, so merge tags or spintax inside the previous message are never expanded.
	if (p.quote && decision.parent) {
		const parent = await client.getMessage(decision.parent.id, { format: 'full' });
		const quoted = quoteBelow(composed, payloadParts(parent.payload), { date: decision.parent.headers['date'], from: decision.parent.headers['from'] });
		composed.text = composed.spec.text = quoted.text;
		if (quoted.html !== undefined) composed.html = composed.spec.html = quoted.html;
	}
	return composed;
}

/** Whether the step takes the first email's footer (it has none of its own, and the option is on). */
export function inheritsFooter(p: ReplyParams): boolean {
	return p.footerFromFirst && !p.footer.trim() && !p.postalAddress.trim();
}

/** Our first email in the thread, whose footer a step without its own inherits. */
export function firstOursId(messages: ThreadMessage[], ours: string[]): string | undefined {
	return conversation(messages).find((m) => isOurs(m, ours))?.id;
}

/** The footer lines of our first email in the thread (read in full once; gone is no footer). */
async function firstFooter(client: GmailClient, messages: ThreadMessage[], ours: string[], footers?: Map<string, string[]>): Promise<string[]> {
	const first = firstOursId(messages, ours);
	if (!first) return [];
	const known = messages.find((m) => m.id === first)?.footer ?? footers?.get(first);
	if (known) return known;
	const got = await attempt(() => client.getMessage(first, { format: 'full' }));
	if (!got.ok) {
		if (got.error instanceof NotFoundError) return [];
		throw got.error;
	}
	return footerOf(payloadParts(got.value.payload));
}

/** Reads many first emails' footers at once (one batch request per 50); a message whose read failed is left out and read again alone. */
export async function readFooters(client: GmailClient, ids: string[]): Promise<Map<string, string[]>> {
	return await prefetch(ids, (unique) => client.batchGetMessagesSettled(unique, { format: 'full' }), (r) => r.message && footerOf(payloadParts(r.message.payload)), []);
}

/** The mailto and https targets of a List-Unsubscribe header (RFC 2369), as the message spec takes them. */
function listUnsubscribeOf(header: string | undefined): { mailto?: string; url?: string } | undefined {
	if (!header) return undefined;
	const mailto = /<\s*(mailto:[^>\s]+)\s*>/i.exec(header)?.[1];
	const url = /<\s*(https:[^>\s]+)\s*>/i.exec(header)?.[1];
	return mailto || url ? { ...(mailto ? { mailto } : {}), ...(url ? { url } : {}) } : undefined;
}
