import { DateTime } from 'luxon';
import type { MessageClass } from './classify';

/** Why a lead gets no further message: what the lead (or the lead's mail system) did. */
export type EngagementStop = 'replied' | 'unsubscribed' | 'complained' | 'bounced' | 'left_company';

/** How a message was tied to the lead: its sender, a failed recipient, our key or Message-ID in it, or the lead's thread. */
export type EngagementMatch = 'address' | 'recipient' | 'key' | 'thread';

/** One classified inbound message that concerns a lead. */
export interface EngagementEvent {
	/** Gmail message id. */
	id: string;
	threadId: string;
	/** When it arrived (Gmail's internalDate, epoch ms). */
	at: number;
	cls: MessageClass;
	match: EngagementMatch;
	/** The sender's address, normalised. */
	from?: string;
	/** Gmail's snippet, for the output. */
	snippet?: string;
}

/** What the mailbox says about one lead for one campaign. */
export interface LeadEngagement {
	/** The sequence ends for this lead; scope 'all' suppresses the address for every campaign. */
	stop?: { reason: EngagementStop; scope: 'all' | 'campaign'; event: EngagementEvent; detail: string };
	/** The lead is away (out of office after our first message); returnDate when the answer states one. */
	away?: { returnDate?: string; event: EngagementEvent };
	/** RFC 822 Message-IDs of our messages that Gmail's own limit notice says never left the mailbox. */
	undelivered: string[];
	/** The newest message that concerns the lead, whatever it is. */
	last?: EngagementEvent;
}

/** Options of the one engagement rule. */
export interface EngagementOptions {
	/** When the campaign's first message went to the lead (epoch ms); replies before it are an older conversation. */
	firstSentAt?: number;
	/** A soft bounce (mailbox full, blocked, …) ends this campaign for the lead. Default true. */
	softBounceStops?: boolean;
	/** A human reply ends the sequence. Default true (off only for templated answers to inbound mail). */
	replyStops?: boolean;
}

// Which stop wins when several apply: a request to be left alone outranks everything, then what makes mail impossible.
const RANK: EngagementStop[] = ['complained', 'unsubscribed', 'bounced', 'left_company', 'replied'];

/**
 * The one rule for whether a lead may get the next message, from every message that concerns the lead:
 * an opt-out, a complaint or a hard bounce at any time suppresses the address for every campaign; a person's
 * reply (the lead, or a colleague in the lead's thread) after the campaign's first message ends the campaign,
 * whatever followed — our own hand-written answers included; a soft bounce ends the campaign; a left-the-company
 * answer ends it for the address; an out-of-office is not a reply; Gmail's own limit notice is our failure.
 */
export function decideEngagement(events: EngagementEvent[], opts: EngagementOptions = {}): LeadEngagement {
	const result: LeadEngagement = { undelivered: [] };
	const after = (e: EngagementEvent) => opts.firstSentAt === undefined || e.at >= opts.firstSentAt;
	const sorted = [...events].sort((a, b) => a.at - b.at);
	const stops: NonNullable<LeadEngagement['stop']>[] = [];
	for (const e of sorted) {
		const c = e.cls;
		if (c.kind === 'ours' || c.kind === 'delivery_delay' || c.kind === 'delivery_success') continue;
		result.last = e;
		if (c.kind === 'sender_limit') {
			if (c.originalMessageId) result.undelivered.push(c.originalMessageId);
			continue;
		}
		if (c.kind === 'unsubscribe') stops.push({ reason: 'unsubscribed', scope: 'all', event: e, detail: `${who(e)} asked not to be contacted${when(e)}` });
		else if (c.kind === 'feedback_report') stops.push({ reason: 'complained', scope: 'all', event: e, detail: `the lead reported our mail as spam${when(e)}` });
		else if (c.kind === 'bounce') {
			const status = c.status ? ` (${c.status})` : '';
			if (c.hard) stops.push({ reason: 'bounced', scope: 'all', event: e, detail: `hard bounce${status}: the address does not accept mail${when(e)}` });
			else if (opts.softBounceStops !== false && after(e) && opts.firstSentAt !== undefined) {
				stops.push({ reason: 'bounced', scope: 'campaign', event: e, detail: `soft bounce${status}${when(e)}` });
			}
		} else if (c.kind === 'auto_reply') {
			if (c.autoReplyType === 'left_company') {
				const alt = c.alternateContact ? `; write to ${c.alternateContact} instead` : '';
				stops.push({ reason: 'left_company', scope: 'all', event: e, detail: `the lead has left the company${alt}${when(e)}` });
			} else if (c.autoReplyType === 'out_of_office' && after(e) && opts.firstSentAt !== undefined) {
				result.away = { ...(c.returnDate ? { returnDate: c.returnDate } : {}), event: e };
			}
		} else if (c.kind === 'human' && opts.replyStops !== false && opts.firstSentAt !== undefined && after(e)) {
			stops.push({ reason: 'replied', scope: 'campaign', event: e, detail: `${who(e)} replied${when(e)}` });
		}
	}
	stops.sort((a, b) => RANK.indexOf(a.reason) - RANK.indexOf(b.reason) || a.event.at - b.event.at);
	if (stops[0]) result.stop = stops[0];
	// A person who writes after an out-of-office is back, whatever the stated date.
	if (result.away && result.stop) delete result.away;
	return result;
}

/**
 * When an away lead may be mailed again: the stated return date's first business morning (Mon–Fri, 09:00)
 * in the lead's time zone; undefined when no date is stated or it has passed.
 */
export function backOn(returnDate: string | undefined, zone: string, now: Date = new Date(), hour = 9): Date | undefined {
	if (!returnDate) return undefined;
	let day = DateTime.fromISO(returnDate, { zone });
	if (!day.isValid) day = DateTime.fromISO(returnDate, { zone: 'UTC' });
	if (!day.isValid) return undefined;
	let at = day.set({ hour, minute: 0, second: 0, millisecond: 0 });
	while (at.weekday > 5) at = at.plus({ days: 1 });
	return at.toMillis() > now.getTime() ? at.toJSDate() : undefined;
}

function who(e: EngagementEvent): string {
	return e.from ?? 'the lead';
}

function when(e: EngagementEvent): string {
	return e.at ? ` on ${new Date(e.at).toISOString()}` : '';
}
