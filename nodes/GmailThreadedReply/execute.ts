import type { gmail_v1 } from 'googleapis';
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { normalizeAddress } from '../shared/core/address';
import { chunk, LOOKUP_BATCH, sentLabelName } from '../shared/core/campaign';
import { backOn, type LeadEngagement } from '../shared/core/engagement';
import { messageWithKey } from '../shared/core/followup';
import { outreachKey } from '../shared/core/idempotency';
import { lookupField } from '../shared/core/template';
import { attempt } from '../shared/node/attempt';
import { strictRejection } from '../shared/node/inputs';
import { str } from '../shared/node/params';
import { perMailbox } from '../shared/node/mailboxes';
import { SendingRun, type Stop } from '../shared/node/sending';
import { readSenders, type Senders } from '../shared/node/senders';
import { composeReply, firstOursId, inheritsFooter, readFooters } from './compose';
import { readThreads } from './thread';
import { decideInThread, engagementOf, findOne, needsThread, statusSuppressedRows, type Found } from './plan';
import { readReplyParams, type ReplyParams } from './params';
import { itemRow } from '../shared/node/rows';
import { OUTREACH_OUTPUTS } from '../shared/node/outcomes';
import { forCaller, outputNames } from '../shared/node/tool';

/** The lead's time zone for its return morning: the item's field when it holds a valid zone, else the workflow's. */
function leadZone(run: SendingRun, f: Found): string {
	const zone = f.p.timezoneField ? str(lookupField(run.items[f.itemIndex].json, f.p.timezoneField)).trim() : '';
	if (zone && Intl.supportedValuesOf('timeZone').includes(zone)) return zone;
	return run.ctx.getTimezone();
}

/** One found thread after the batch's engagement check: decide, then skip, wait, preview or send. */
async function replyOne(run: SendingRun, us: Senders, f: Found, engagement: LeadEngagement | undefined, footers: Map<string, string[]>): Promise<Stop | undefined> {
	const { itemIndex: i, p } = f;
	const base: IDataObject = { campaign: p.campaign, step: p.step, threadId: f.threadId };
	const decided = await decideInThread(run, us.ours, f, f.lead ? outreachKey(p.campaign, p.step, f.lead.address) : undefined, engagement, base, 'reply');
	if ('stop' in decided) return decided.stop;
	const decision = decided.decision;
	const labels = [...(p.applySentLabel ? [sentLabelName(p.campaign)] : []), ...p.labels];
	if (decision.action === 'skip') {
		const ev = decision.evidence;
		if (decision.reason === 'already_sent' && ev) {
			await run.alreadySent(i, base, labels, { id: ev.id, threadId: f.threadId, labelIds: ev.labelIds ?? [], rfc822MessageId: ev.headers['message-id'] ?? '', internalDate: Number(ev.internalDate) }, decision.detail);
		} else if (decision.stop) {
			run.stopped(i, { stop: decision.stop, undelivered: [] }, base);
		}
		return undefined;
	}
	if (decision.away && p.waitUntilBack) {
		const back = backOn(decision.away.returnDate, leadZone(run, f));
		if (back) {
			const error = new Error(`The lead is out of the office until ${decision.away.returnDate} (auto-reply ${decision.away.event.id}); the follow-up waits until they are back.`);
			run.defer(i, 'out_of_office', error, { ...base, returnDate: decision.away.returnDate ?? '' }, back);
			return undefined;
		}
	}
	const composed = await attempt(() => composeReply(run.ctx, run.client, us, p, decision, f, footers));
	if (!composed.ok) return run.itemError(composed.error, i, base);
	const strict = strictRejection(composed.value, itemRow(run.items, i), p.strict);
	if (strict) {
		run.reject(i, strict, base);
		return undefined;
	}
	const spec = composed.value.spec;
	const recipients = (Array.isArray(spec.to) ? spec.to : [spec.to]).map((a) => (typeof a === 'string' ? a : a.address));
	const identity: IDataObject = {
		campaign: p.campaign,
		step: p.step,
		to: recipients.join(', '),
		from: typeof spec.from === 'string' ? spec.from : spec.from.address,
		cc: typeof spec.cc === 'string' ? spec.cc : '',
		subject: composed.value.subject,
		inReplyTo: decision.inReplyTo ?? '',
		references: (decision.references ?? []).join(' '),
		outreachKey: composed.value.key,
	};
	const built = await run.build(i, spec, identity);
	if (!built) return undefined;
	if (run.settings.mode === 'preview') {
		run.preview(i, composed.value, built, { ...identity, threadId: f.threadId });
		return undefined;
	}
	return await run.deliver({ itemIndex: i, raw: built.raw, threadId: f.threadId, key: composed.value.key, labels, identity });
}

/**
 * The Threaded Reply node's execution: per batch of 25 items find and read each thread, check the batch's
 * engagement against the whole mailbox (one search per batch), then decide, compose and send each; labels once per run.
 */
export async function executeThreadedReply(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	return forCaller(this, await threadedReply(this), outputNames(OUTREACH_OUTPUTS));
}

async function threadedReply(ctx: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	if (!ctx.getInputData().length) return [[], [], [], []];
	return await perMailbox(ctx, 'Gmail Threaded Reply', replyAll);
}

/** One mailbox's share of the items: the sender's addresses, the lag-free view and the cap, then per batch of threads. */
async function replyAll(run: SendingRun): Promise<INodeExecutionData[][]> {
	const us = await attempt(() => readSenders(run.client));
	if (!us.ok) return await run.complete(run.stopFor(us.error, 0));
	if (run.settings.mode === 'send') {
		const opened = await attempt(() => run.ledger.open());
		if (!opened.ok) return await run.complete(run.stopFor(opened.error, 0));
		const planned = await attempt(() => run.planCapacity(us.value.mailbox, run.indices.length));
		if (!planned.ok) return await run.complete(run.stopFor(planned.error, 0));
	}
	const params = run.items.map((_item, i) => {
		try {
			return readReplyParams(run.ctx, i);
		} catch (error) {
			return error as Error;
		}
	});
	const suppressedRows = statusSuppressedRows(run.items, (i) => (params[i] instanceof Error ? undefined : (params[i] as ReplyParams)));
	const mailboxLabels: gmail_v1.Schema$Label[] = [];
	const recentThread = (key: string) => run.claims.sent(key)?.threadId || undefined;
	const batches = chunk(run.indices.filter((i) => !run.outcomes.has(i)), LOOKUP_BATCH);
	for (const [b, indexes] of batches.entries()) {
		if (b > 0) run.logBatch(b, batches.length);
		const found: Found[] = [];
		// Threads named by id are read for the whole batch in one request; the others are found one by one.
		const byId = indexes.filter((i) => {
			const p = params[i];
			return !(p instanceof Error) && p.threadBy === 'threadId' && needsThread(run.items[i].json, i, p, suppressedRows);
		});
		const bodies = byId.some((i) => inheritsFooter(params[i] as ReplyParams));
		const threads = await readThreads(run.client, byId.map((i) => (params[i] as ReplyParams).threadId), bodies);
		for (const i of indexes) {
			const p = params[i];
			if (p instanceof Error) {
				const stop = run.itemError(p, i);
				if (stop) return await run.complete(stop);
				continue;
			}
			const r = await attempt(() => findOne(run.client, us.value, mailboxLabels, suppressedRows, run.items[i].json, i, p, recentThread, threads));
			if (!r.ok) {
				const stop = run.itemError(r.error, i, { campaign: p.campaign, step: p.step });
				if (stop) return await run.complete(stop);
				continue;
			}
			if ('kind' in r.value) run.reject(i, r.value, { campaign: p.campaign, step: p.step });
			else found.push(r.value);
		}
		const engagement = await attempt(() => engagementOf(run.client, us.value, found, (ctx) => run.recentInbound(ctx)));
		if (!engagement.ok) {
			const stop = run.stopFor(engagement.error, found[0]?.itemIndex ?? 0);
			if (stop.reason !== 'transient') return await run.complete(stop);
			// Without the mailbox's evidence a follow-up could land in a live conversation: the batch waits.
			for (const f of found) run.defer(f.itemIndex, 'lookup_failed', stop.error, { campaign: f.p.campaign, step: f.p.step, threadId: f.threadId });
			continue;
		}
		const keyOf = (f: Found) => (f.lead ? outreachKey(f.p.campaign, f.p.step, f.lead.address) : '');
		const inThread = (f: Found) => !!keyOf(f) && !!messageWithKey(f.messages, keyOf(f));
		// The first emails' footers the steps inherit, read for the batch in one request (not for a step the thread already has).
		const composing = found.filter((f) => inheritsFooter(f.p) && !inThread(f));
		const firsts = composing.map((f) => firstOursId(f.messages, us.value.ours) ?? '');
		const footers = await readFooters(run.client, firsts.filter((id, k) => !composing[k].messages.find((m) => m.id === id)?.footer));
		// What this batch will send, as far as the threads tell: one claim draft covers the sends due soon.
		const stopped = (f: Found) => !!f.lead && !!engagement.value.get(normalizeAddress(f.lead.address))?.stop;
		const due = found.filter((f) => keyOf(f) && !inThread(f) && !stopped(f)).map((f) => ({ key: keyOf(f), itemIndex: f.itemIndex }));
		run.expect(due);
		for (const f of found) {
			const stop = await replyOne(run, us.value, f, f.lead ? engagement.value.get(normalizeAddress(f.lead.address)) : undefined, footers);
			if (stop) return await run.complete(stop);
		}
	}
	return await run.complete();
}
