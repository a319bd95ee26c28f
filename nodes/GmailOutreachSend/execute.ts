import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { normalizeAddress } from '../shared/core/address';
import {
	bareMessageId,
	chunk,
	evidenceHeader,
	listUnsubscribeMailtos,
	LOOKUP_BATCH,
	mailtoAddress,
	RunDeduper,
	type MessageEvidence,
} from '../shared/core/campaign';
import type { EngagementOptions } from '../shared/core/engagement';
import { addressesOf } from '../shared/core/followup';
import { OUTREACH_HEADER, outreachKey } from '../shared/core/idempotency';
import { checkEngagement, type EngagementLead } from '../shared/node/engagement';
import { attempt } from '../shared/node/attempt';
import { EvidenceLimitError, mailboxSuppressed, sentEvidence, suppressionLabelIds, type SentEvidence } from '../shared/node/evidence';
import { perMailbox } from '../shared/node/mailboxes';
import { SendingRun, type SentMessage, type Stop } from '../shared/node/sending';
import { GmailError } from '../shared/transport';
import { readSenders, type Senders } from '../shared/node/senders';
import { draftTemplateLoader } from './draft';
import { readItemParams } from './params';
import { prepareLead, type Lead } from './prepare';
import { itemRow } from '../shared/node/rows';
import { OUTREACH_OUTPUTS } from '../shared/node/outcomes';
import { forCaller, outputNames } from '../shared/node/tool';

function identity(lead: Lead): IDataObject {
	const from = lead.composed.spec.from;
	return { to: lead.to.address, from: typeof from === 'string' ? from : from.address, campaign: lead.campaign, step: lead.step, outreachKey: lead.composed.key };
}

function sentMessage(e: MessageEvidence): SentMessage {
	const rfc822MessageId = evidenceHeader(e, 'Message-ID');
	return { id: e.id, threadId: e.threadId, ...(rfc822MessageId ? { rfc822MessageId } : {}) };
}

/** The step's message as the run's lag-free view saw it (sent moments ago, by another execution or a crash). */
function keyed(run: SendingRun, key: string): MessageEvidence | undefined {
	const m = run.claims.sent(key);
	return m && { id: m.id, threadId: m.threadId, labelIds: m.labelIds, headers: m.rfc822MessageId ? { 'Message-ID': m.rfc822MessageId } : {} };
}

/** Phase 1: validates and renders every item before anything is sent; one address once per run. */
async function prepare(run: SendingRun): Promise<{ leads: Lead[]; senders?: Promise<Senders>; stop?: Stop }> {
	let senders: Promise<Senders> | undefined;
	const pc = {
		ctx: run.ctx,
		senders: () => (senders ??= readSenders(run.client)),
		draftTemplate: draftTemplateLoader(run.client),
	};
	const leads: Lead[] = [];
	const dedupe = new RunDeduper();
	// Addresses a row's own status or the suppression list stops: every row with that address is stopped too.
	const suppressedBy = new Map<string, number>();
	for (const i of run.indices) {
		// Already decided before preparing (e.g. its Send As Mailbox is no address).
		if (run.outcomes.has(i)) continue;
		const r = await attempt(() => prepareLead(pc, i, run.items[i].json ?? {}, readItemParams(run.ctx, i)));
		if (!r.ok) {
			// The profile or the template draft could not be read: no item can go on.
			if (r.error instanceof GmailError) return { leads, stop: run.stopFor(r.error, i) };
			run.itemError(r.error, i);
			continue;
		}
		const p = r.value;
		if ('kind' in p) {
			const to = typeof p.extra?.to === 'string' ? normalizeAddress(p.extra.to) : undefined;
			if (p.reason === 'suppressed' && to && !suppressedBy.has(to)) suppressedBy.set(to, i);
			run.reject(i, p);
			continue;
		}
		leads.push(p);
	}
	const kept: Lead[] = [];
	for (const lead of leads) {
		const row = suppressedBy.get(lead.address);
		if (row !== undefined) {
			const suppression = `another row with this address (${itemRow(run.items, row)}) is suppressed`;
			run.reject(lead.itemIndex, { kind: 'skipped', reason: 'suppressed', extra: { suppression, duplicateOfItem: row, to: lead.to.address } });
			continue;
		}
		const first = dedupe.claim(lead.address, lead.itemIndex);
		if (first !== undefined) {
			run.reject(lead.itemIndex, { kind: 'skipped', reason: 'duplicate_in_run', extra: { duplicateOfItem: first, to: lead.to.address } });
			continue;
		}
		kept.push(lead);
	}
	return { leads: kept, senders };
}

/** Keys of this campaign's steps up to the lead's: what ties a DSN or complaint to the lead, and when the campaign began. */
function campaignKeys(lead: Lead): string[] {
	return Array.from({ length: lead.step }, (_v, k) => outreachKey(lead.campaign, k + 1, lead.address));
}

/** What the engagement check needs to know of a lead from the sent mail found for it. */
function engagementLead(lead: Lead, sent: SentEvidence): EngagementLead & { options: EngagementOptions } {
	const keys = campaignKeys(lead);
	const mine = sent.all.filter((m) => addressesOf(evidenceHeader(m, 'To')).some((a) => normalizeAddress(a.address) === lead.address));
	const campaign = mine.filter((m) => keys.includes(evidenceHeader(m, OUTREACH_HEADER)?.trim() ?? ''));
	const firstSentAt = campaign.length ? Math.min(...campaign.map((m) => m.internalDate ?? Infinity)) : undefined;
	return {
		address: lead.to.address,
		threadIds: campaign.map((m) => m.threadId),
		keys,
		messageIds: mine.map((m) => evidenceHeader(m, 'Message-ID') ?? '').filter(Boolean),
		options: { ...(firstSentAt !== undefined && Number.isFinite(firstSentAt) ? { firstSentAt } : {}), softBounceStops: lead.softBounceStops },
	};
}

/** The List-Unsubscribe mailto addresses of the batch: mail to them is an opt-out, whatever it says. */
function unsubscribeTargets(batch: Lead[], sent: SentEvidence): string[] {
	const out = new Set<string>();
	for (const l of batch) for (const a of [mailtoAddress(l.composed.spec.listUnsubscribe?.mailto)]) if (a) out.add(a);
	for (const m of sent.all) for (const a of listUnsubscribeMailtos(evidenceHeader(m, 'List-Unsubscribe'))) out.add(a);
	return [...out];
}

/** The oldest sent message with the key that Gmail did not report as undelivered. */
function delivered(run: SendingRun, sent: SentEvidence, key: string): MessageEvidence | undefined {
	return sent.all.find((m) => {
		if (evidenceHeader(m, OUTREACH_HEADER)?.trim() !== key) return false;
		const id = evidenceHeader(m, 'Message-ID');
		return !(id && run.undelivered.has(bareMessageId(id)));
	});
}

/** Phase 2: per batch of leads, the mailbox's evidence (already sent? replied, opted out, bounced?), then the sends still due. */
async function sendAll(run: SendingRun, leads: Lead[], senders: Promise<Senders> | undefined): Promise<Stop | undefined> {
	if (!leads.length) return undefined;
	const us = await attempt(() => senders ?? readSenders(run.client));
	if (!us.ok) return run.stopFor(us.error, leads[0].itemIndex);
	// The lag-free view starts before the first search, so nothing falls between the two; Preview opens it too, so a
	// lead mailed moments ago (not in the search index yet) shows as already sent there as well.
	const opened = await attempt(() => run.ledger.open());
	if (!opened.ok) return run.stopFor(opened.error, leads[0].itemIndex);
	if (run.settings.mode === 'send') {
		const planned = await attempt(() => run.planCapacity(us.value.mailbox, leads.length));
		if (!planned.ok) return run.stopFor(planned.error, leads[0].itemIndex);
	}
	let suppressionLabels = new Map<string, string>();
	if (leads.some((l) => l.checkMailbox)) {
		const r = await attempt(() => suppressionLabelIds(run.client));
		if (!r.ok) return run.stopFor(r.error, leads[0].itemIndex);
		suppressionLabels = r.value;
	}
	const batches = chunk(leads, LOOKUP_BATCH);
	for (const [b, batch] of batches.entries()) {
		if (b > 0) run.logBatch(b, batches.length);
		const lookup = await attempt(async () => {
			const sent = await sentEvidence(run.client, batch.map((l) => l.to.address));
			const check = batch.filter((l) => l.checkMailbox).map((l) => l.to.address);
			const suppressed = suppressionLabels.size
				? await mailboxSuppressed(run.client, suppressionLabels, check)
				: { suppressed: new Map<string, string>(), unproven: new Map<string, string>() };
			const ctx = { ours: us.value.ours, unsubscribeAddresses: unsubscribeTargets(batch, sent) };
			const engagement = await checkEngagement(run.client, batch.map((l) => engagementLead(l, sent)), ctx, await run.recentInbound(ctx));
			return { sent, suppressed, engagement };
		});
		if (!lookup.ok) {
			const stop = run.stopFor(lookup.error, batch[0].itemIndex);
			if (stop.reason !== 'transient') return stop;
			// Without the mailbox's evidence a send could double: this batch waits for a later run.
			for (const lead of batch) run.defer(lead.itemIndex, 'lookup_failed', stop.error, identity(lead));
			continue;
		}
		const { sent, suppressed, engagement } = lookup.value;
		// What this batch will send, as far as the look-ups tell: one claim draft covers the sends due soon.
		const due = batch.filter((l) => !(delivered(run, sent, l.composed.key) ?? keyed(run, l.composed.key)) && !suppressed.suppressed.has(l.address) && !engagement.get(l.address)?.stop);
		run.expect(due.map((l) => ({ key: l.composed.key, itemIndex: l.itemIndex })));
		for (const lead of batch) {
			const eng = engagement.get(lead.address);
			for (const id of eng?.undelivered ?? []) run.undelivered.add(bareMessageId(id));
			const existing = delivered(run, sent, lead.composed.key) ?? keyed(run, lead.composed.key);
			const suppressedBy = suppressed.suppressed.get(lead.address);
			// Never a possible second send or a send after an opt-out: a lead the look-ups could not settle waits.
			const optOutLabel = suppressed.unproven.get(lead.to.address);
			if (!existing && !suppressedBy && (sent.unproven.has(lead.to.address) || optOutLabel)) {
				// Waiting cannot settle it (the mail stays): a person has to look, so no automatic retry.
				const why = optOutLabel ? `messages under ${optOutLabel} about` : undefined;
				run.manualCheck(lead.itemIndex, new EvidenceLimitError(lead.to.address, why), identity(lead));
				continue;
			}
			if (!existing && eng?.stop) {
				run.stopped(lead.itemIndex, eng, identity(lead));
				continue;
			}
			const stop = await sendLead(run, lead, existing, suppressedBy);
			if (stop) return stop;
		}
	}
	return undefined;
}
/** One lead after the evidence search: already sent, opted out in the mailbox, previewed, or sent. */
async function sendLead(run: SendingRun, lead: Lead, existing: MessageEvidence | undefined, suppressedBy: string | undefined): Promise<Stop | undefined> {
	const i = lead.itemIndex;
	if (existing) {
		await run.alreadySent(i, identity(lead), lead.labels, { ...sentMessage(existing), labelIds: existing.labelIds, internalDate: existing.internalDate });
		return undefined;
	}
	if (suppressedBy) {
		run.reject(i, { kind: 'skipped', reason: 'suppressed', extra: { suppression: `mailbox has a message labelled ${suppressedBy}`, to: lead.to.address } });
		return undefined;
	}
	const built = await run.build(i, lead.composed.spec, identity(lead));
	if (!built) return undefined;
	if (run.settings.mode === 'preview') {
		run.preview(i, lead.composed, built, identity(lead));
		return undefined;
	}
	return await run.deliver({
		itemIndex: i,
		raw: built.raw,
		key: lead.composed.key,
		labels: lead.labels,
		identity: identity(lead),
	});
}

/** Tells the user whether Recipient Field was read as a column or as the address its expression gave. */
function recipientHint(ctx: IExecuteFunctions, leads: Lead[]): void {
	const sources = new Set(leads.map((l) => l.recipientSource));
	if (!sources.size) return;
	const raw = String(ctx.getNodeParameter('emailField', 0, 'email', { rawExpressions: true }));
	const message = sources.has('expression')
		? `Recipient Field is an expression (${raw.replace(/^=/, '').trim()}): its value was used as each lead's address${sources.has('column') ? ', or as a column name where it named one' : ''}.`
		: `Recipient Field named a column: each lead's address was read from "${String(ctx.getNodeParameter('emailField', 0, 'email')).trim()}".`;
	ctx.addExecutionHints?.({ message, type: 'info', location: 'outputPane' });
}

async function send(ctx: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	if (!ctx.getInputData().length) return [[], [], [], []];
	return await perMailbox(ctx, 'Gmail Outreach Send', async (run) => {
		const prepared = await prepare(run);
		recipientHint(ctx, prepared.leads);
		return await run.complete(prepared.stop ?? (await sendAll(run, prepared.leads, prepared.senders)));
	});
}

/** The Send node's execution: validate every item, check the mailbox per batch, send, label, account for every item. */
export async function executeSend(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	return forCaller(this, await send(this), outputNames(OUTREACH_OUTPUTS));
}
