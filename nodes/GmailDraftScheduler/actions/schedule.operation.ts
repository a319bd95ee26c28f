// Schedule: per lead, step N as a threaded draft in the lead's thread, with a send time kept in the draft's schedule label.
import type { gmail_v1 } from 'googleapis';
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { normalizeAddress } from '../../shared/core/address';
import { chunk, labelSegment, LOOKUP_BATCH } from '../../shared/core/campaign';
import { FieldError } from '../../shared/core/compose';
import { backOn, type LeadEngagement } from '../../shared/core/engagement';
import { conversation, isOurs } from '../../shared/core/followup';
import { OUTREACH_HEADER, outreachKey } from '../../shared/core/idempotency';
import { sameStep, scheduleTime, ScheduleError, sendTimeFor, type SendTimeRule } from '../../shared/core/schedule';
import { attempt } from '../../shared/node/attempt';
import { modeProperty } from '../../shared/node/options';
import { ParameterError, strictRejection } from '../../shared/node/inputs';
import { perMailbox } from '../../shared/node/mailboxes';
import type { SendingRun, Stop } from '../../shared/node/sending';
import { readSenders, type Senders } from '../../shared/node/senders';
import { threadedReplyProperties } from '../../GmailThreadedReply/description';
import { readReplyParams, type ReplyParams } from '../../GmailThreadedReply/params';
import { decideInThread, engagementOf, findOne, statusSuppressedRows, type Found } from '../../GmailThreadedReply/plan';
import type { GmailClient } from '../../shared/transport';
import { composeReply } from '../../GmailThreadedReply/compose';
import { leadZone, readSendTimeRule } from '../params';
import { addToSchedule, draftExists, readSchedule, removeFromSchedule, type Scheduled } from '../registry';
import { itemRow } from '../../shared/node/rows';

const show = { operation: ['schedule'] };

/** Options that only mean something for a message sent now (pacing) or that a draft cannot carry (labels). */
const NOT_FOR_DRAFTS = new Set(['quote', 'pacing', 'delaySeconds', 'jitterSeconds', 'applySentLabel', 'labels']);

/** When the draft is due. */
const sendTimeProperties: INodeProperties[] = [
	{
		displayName: 'Send Time',
		name: 'sendTime',
		type: 'options',
		noDataExpression: true,
		options: [
			{
				name: 'Business Days After Our Previous Message',
				value: 'businessDays',
				description: 'N business days (Mon–Fri, holidays skipped) after our last message in the thread, at a random minute of the window in the lead’s time zone',
			},
			{ name: 'Exact Time', value: 'absolute', description: 'A date and time per lead, e.g. from the sheet' },
		],
		default: 'businessDays',
	},
	{
		displayName: 'Business Days',
		name: 'businessDays',
		type: 'number',
		typeOptions: { minValue: 0 },
		default: 3,
		displayOptions: { show: { sendTime: ['businessDays'] } },
	},
	{
		displayName: 'Window Start',
		name: 'windowStart',
		type: 'string',
		default: '09:00',
		placeholder: '09:00',
		displayOptions: { show: { sendTime: ['businessDays'] } },
		description: 'Earliest local time of day (HH:mm) in the lead’s time zone',
	},
	{
		displayName: 'Window End',
		name: 'windowEnd',
		type: 'string',
		default: '11:00',
		placeholder: '11:00',
		displayOptions: { show: { sendTime: ['businessDays'] } },
		description: 'Latest local time of day (HH:mm); each lead gets its own stable minute between start and end',
	},
	{
		displayName: 'Holidays',
		name: 'holidays',
		type: 'string',
		default: '',
		placeholder: '2026-12-24, 2026-12-25, 2027-01-01',
		displayOptions: { show: { sendTime: ['businessDays'] } },
		description: 'Dates (YYYY-MM-DD) that are not business days',
	},
	{
		displayName: 'Send At',
		name: 'sendAt',
		type: 'string',
		default: '={{ $json.outreach?.sendAt ?? $json.sendAt }}',
		required: true,
		displayOptions: { show: { sendTime: ['absolute'] } },
		description: 'ISO 8601 time. Without an offset it is the lead’s local time (e.g. 2026-12-07T09:30).',
	},
	{
		displayName: 'Jitter (Minutes)',
		name: 'jitterMinutes',
		type: 'number',
		typeOptions: { minValue: 0 },
		default: 0,
		displayOptions: { show: { sendTime: ['absolute'] } },
		description: 'Up to this many minutes later, stable per lead',
	},
];

function forSchedule(p: INodeProperties): INodeProperties {
	return { ...p, displayOptions: { ...p.displayOptions, show: { ...show, ...p.displayOptions?.show } } };
}

/** Schedule's parameters: Threaded Reply's (same names, same meaning, same composer) plus when the draft is due. */
export const description: INodeProperties[] = (() => {
	const reply = threadedReplyProperties.filter((p) => p.name !== 'authentication' && p.name !== 'mode');
	const options = reply.find((p) => p.name === 'options')!;
	const own: INodeProperties[] = [
		modeProperty('Create the draft in the lead’s thread and schedule it', 'Render the draft and compute its send time; create nothing'),
		...reply.filter((p) => p.name !== 'options'),
		...sendTimeProperties,
		{ ...options, options: (options.options as INodeProperties[]).filter((o) => !NOT_FOR_DRAFTS.has(o.name)) },
	];
	return own.map(forSchedule);
})();

/** One item's parameters: Threaded Reply's, the send-time rule and the lead's zone (or why they cannot be used). */
interface ItemParams {
	p: ReplyParams;
	rule: SendTimeRule;
	zone: string;
}

function readItem(ctx: IExecuteFunctions, i: number): ItemParams | Error {
	try {
		const p = readReplyParams(ctx, i);
		return { p, rule: readSendTimeRule(ctx, i), zone: leadZone(ctx, i, p.timezoneField) };
	} catch (error) {
		return error as Error;
	}
}

/** The draft id of a draft message found in the thread (a run that stopped before labelling it): drafts.list, no search. */
async function draftIdOf(client: GmailClient, messageId: string): Promise<string | undefined> {
	let pageToken: string | undefined;
	do {
		const page = await client.listDrafts({ maxResults: 500, pageToken });
		const hit = (page.drafts ?? []).find((d) => d.message?.id === messageId);
		if (hit?.id) return hit.id;
		pageToken = page.nextPageToken ?? undefined;
	} while (pageToken);
	return undefined;
}

/** What one Schedule run shares: the run, who we are, the mailbox's clock and its schedule. */
interface Context {
	run: SendingRun;
	us: Senders;
	now: number;
	schedule: Scheduled[];
}

/** Whether the step is already scheduled for the lead; stale labels (their draft gone) are removed on the way. */
async function alreadyScheduled(c: Context, campaign: string, lead: string, step: number): Promise<Scheduled | undefined> {
	for (const s of c.schedule.filter((x) => sameStep(x, { campaign: labelSegment(campaign), lead, step }))) {
		if (await draftExists(c.run.client, s.draftId)) return s;
		if (c.run.settings.mode === 'send') await removeFromSchedule(c.run.client, s);
		c.schedule.splice(c.schedule.indexOf(s), 1);
	}
	return undefined;
}

/** One found thread after the batch's engagement check: skip, preview, or create and schedule the draft. */
async function scheduleOne(c: Context, f: Found, item: ItemParams, engagement: LeadEngagement | undefined): Promise<Stop | undefined> {
	const { run } = c;
	const { itemIndex: i, p } = f;
	const base: IDataObject = { campaign: p.campaign, step: p.step, threadId: f.threadId };
	if (!f.lead) {
		return run.itemError(new FieldError(itemRow(run.items, i), p.emailField, 'the thread names no lead (no message of ours to someone else)', 'invalid_row'), i, base);
	}
	const lead = f.lead;
	const email = normalizeAddress(lead.address);
	base.email = lead.address;
	const key = outreachKey(p.campaign, p.step, lead.address);
	const existing = await attempt(() => alreadyScheduled(c, p.campaign, email, p.step));
	if (!existing.ok) return run.itemError(existing.error, i, base);
	if (existing.value) {
		const s = existing.value;
		run.reject(i, { kind: 'skipped', reason: 'already_scheduled', extra: { ...base, draftId: s.draftId, sendAt: s.sendAt.toISOString(), label: s.labelName } });
		return undefined;
	}
	const decided = await decideInThread(run, c.us.ours, f, key, engagement, base, 'schedule');
	if ('stop' in decided) return decided.stop;
	const decision = decided.decision;
	if (decision.action === 'skip') {
		if (decision.reason === 'already_sent' && decision.evidence) {
			run.reject(i, { kind: 'skipped', reason: 'already_sent', extra: { ...base, messageId: decision.evidence.id, detail: decision.detail } });
		} else if (decision.stop) {
			run.stopped(i, { stop: decision.stop, undelivered: [] }, base);
		}
		return undefined;
	}
	const composed = await attempt(() => composeReply(run.ctx, run.client, c.us, p, decision, { itemIndex: i, lead, messages: f.messages }));
	if (!composed.ok) return run.itemError(composed.error, i, base);
	const strict = strictRejection(composed.value, itemRow(run.items, i), p.strict);
	if (strict) {
		run.reject(i, strict, base);
		return undefined;
	}
	const ours = conversation(f.messages).filter((m) => isOurs(m, c.us.ours));
	const previous = ours[ours.length - 1] ?? decision.parent!;
	const away = decision.away && p.waitUntilBack ? backOn(decision.away.returnDate, item.zone, new Date(c.now))?.getTime() : undefined;
	const timed = await attempt(() => sendTimeFor(item.rule, { previousAt: Number(previous.internalDate ?? c.now), now: c.now, zone: item.zone, seed: key, ...(away ? { notBefore: away } : {}) }));
	if (!timed.ok) {
		const e = timed.error;
		return run.itemError(e instanceof ScheduleError ? new ParameterError(itemRow(run.items, i), e.field, e.message, { cause: e }) : e, i, base);
	}
	const sendAt = timed.value;
	const spec = composed.value.spec;
	const identity: IDataObject = {
		...base,
		to: (Array.isArray(spec.to) ? spec.to : [spec.to]).map((a) => (typeof a === 'string' ? a : a.address)).join(', '),
		subject: composed.value.subject,
		inReplyTo: decision.inReplyTo ?? '',
		references: (decision.references ?? []).join(' '),
		outreachKey: key,
		sendAt: sendAt.toISOString(),
		sendAtLocal: scheduleTime(sendAt, item.zone),
		timezone: item.zone,
		...(away ? { returnDate: decision.away?.returnDate ?? '' } : {}),
	};
	const built = await run.build(i, spec, identity);
	if (!built) return undefined;
	if (run.settings.mode === 'preview') {
		run.preview(i, composed.value, built, identity);
		return undefined;
	}
	return await createAndSchedule(c, i, f, { key, email, sendAt, zone: item.zone, raw: built.raw, identity, showOn: previous.id });
}

/** Creates the draft (or adopts the one a stopped run left in the thread) and its schedule label; never two drafts for one step. */
async function createAndSchedule(
	c: Context,
	i: number,
	f: Found,
	d: { key: string; email: string; sendAt: Date; zone: string; raw: string; identity: IDataObject; showOn: string },
): Promise<Stop | undefined> {
	const { run } = c;
	const left = f.messages.find((m) => (m.labelIds ?? []).includes('DRAFT') && m.headers[OUTREACH_HEADER.toLowerCase()]?.trim() === d.key);
	let draft: gmail_v1.Schema$Draft | undefined;
	const adoptedId = left ? await attempt(() => draftIdOf(run.client, left.id)) : undefined;
	if (adoptedId && !adoptedId.ok) return run.failLead(adoptedId.error, i, d.identity);
	if (adoptedId?.ok && adoptedId.value) draft = { id: adoptedId.value, message: { id: left!.id, threadId: f.threadId } };
	const adopted = !!draft;
	if (!draft) {
		const created = await attempt(() => run.client.createDraft(d.raw, f.threadId));
		if (!created.ok) return run.failLead(created.error, i, d.identity);
		draft = created.value;
	}
	const draftId = draft.id ?? '';
	const p = f.p;
	const labelled = await attempt(() => addToSchedule(run.client, { campaign: p.campaign, step: p.step, lead: d.email, draftId, sendAt: d.sendAt, zone: d.zone }, d.showOn));
	if (!labelled.ok) {
		// An unscheduled draft of ours would be found and adopted by the next run; taking it back keeps the thread clean now.
		if (!adopted) await attempt(() => run.client.deleteDraft(draftId));
		return run.failLead(labelled.error, i, d.identity);
	}
	c.schedule.push(labelled.value);
	const threadId = draft.message?.threadId ?? f.threadId;
	run.out('sent', i, {
		...d.identity,
		status: 'scheduled',
		draftId,
		draftMessageId: draft.message?.id ?? '',
		threadId,
		threaded: threadId === f.threadId,
		label: labelled.value.labelName,
		...(adopted ? { recoveredDraft: true } : {}),
	});
	return undefined;
}

/**
 * Schedule's execution: per batch of 25 items find and read each thread, check the batch's engagement (one
 * search per batch), then decide, compose, create the draft and its schedule label; one item in, one out.
 */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	if (!this.getInputData().length) return [[], [], [], []];
	return await perMailbox(this, 'Gmail Draft Scheduler', scheduleAll);
}

/** One mailbox's share of the items (the drafts go into that mailbox, where the lead's thread is). */
async function scheduleAll(run: SendingRun): Promise<INodeExecutionData[][]> {
	const setup = await attempt(async () => {
		const us = await readSenders(run.client);
		const clock = await run.client.getProfileAndClock();
		return { us, now: clock.serverTime ?? Date.now(), schedule: await readSchedule(run.client) };
	});
	if (!setup.ok) return await run.complete(run.stopFor(setup.error, 0));
	const c: Context = { run, ...setup.value };
	const params = run.items.map((_item, i) => readItem(run.ctx, i));
	const suppressedRows = statusSuppressedRows(run.items, (i) => (params[i] instanceof Error ? undefined : (params[i] as ItemParams).p));
	const mailboxLabels: gmail_v1.Schema$Label[] = [];
	for (const indexes of chunk(run.indices.filter((i) => !run.outcomes.has(i)), LOOKUP_BATCH)) {
		const found: Found[] = [];
		for (const i of indexes) {
			const item = params[i];
			if (item instanceof Error) {
				const stop = run.itemError(item, i);
				if (stop) return await run.complete(stop);
				continue;
			}
			const r = await attempt(() => findOne(run.client, c.us, mailboxLabels, suppressedRows, run.items[i].json, i, item.p));
			if (!r.ok) {
				const stop = run.itemError(r.error, i, { campaign: item.p.campaign, step: item.p.step });
				if (stop) return await run.complete(stop);
				continue;
			}
			if ('kind' in r.value) run.reject(i, r.value, { campaign: item.p.campaign, step: item.p.step });
			else found.push(r.value);
		}
		const engagement = await attempt(() => engagementOf(run.client, c.us, found));
		if (!engagement.ok) {
			const stop = run.stopFor(engagement.error, found[0]?.itemIndex ?? 0);
			if (stop.reason !== 'transient') return await run.complete(stop);
			for (const f of found) run.defer(f.itemIndex, 'lookup_failed', stop.error, { campaign: f.p.campaign, step: f.p.step, threadId: f.threadId });
			continue;
		}
		for (const f of found) {
			const stop = await scheduleOne(c, f, params[f.itemIndex] as ItemParams, f.lead ? engagement.value.get(normalizeAddress(f.lead.address)) : undefined);
			if (stop) return await run.complete(stop);
		}
	}
	return await run.complete();
}
