import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { chunk, evidenceHeader, LOOKUP_BATCH, RunDeduper, type MessageEvidence } from '../shared/core/campaign';
import { attempt } from '../shared/node/attempt';
import { EvidenceLimitError, mailboxSuppressed, sentEvidence, suppressionLabelIds } from '../shared/node/evidence';
import { SendingRun, type SentMessage, type Stop } from '../shared/node/sending';
import { GmailError } from '../shared/transport';
import { draftTemplateLoader } from './draft';
import { readItemParams } from './params';
import { prepareLead, type Lead } from './prepare';

function identity(lead: Lead): IDataObject {
	return { to: lead.to.address, campaign: lead.campaign, step: lead.step, outreachKey: lead.composed.key };
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
async function prepare(run: SendingRun): Promise<{ leads: Lead[]; stop?: Stop }> {
	let mailbox: Promise<string> | undefined;
	const pc = {
		ctx: run.ctx,
		mailbox: () => (mailbox ??= run.client.getProfile().then((p) => p.emailAddress ?? '')),
		draftTemplate: draftTemplateLoader(run.client),
	};
	const leads: Lead[] = [];
	const dedupe = new RunDeduper();
	for (let i = 0; i < run.items.length; i++) {
		const r = await attempt(() => prepareLead(pc, i, run.items[i].json ?? {}, readItemParams(run.ctx, i)));
		if (!r.ok) {
			// The profile or the template draft could not be read: no item can go on.
			if (r.error instanceof GmailError) return { leads, stop: run.stopFor(r.error, i) };
			run.itemError(r.error, i);
			continue;
		}
		const p = r.value;
		if ('kind' in p) {
			run.reject(i, p);
			continue;
		}
		const first = dedupe.claim(p.address, i);
		if (first !== undefined) {
			run.reject(i, { kind: 'skipped', reason: 'duplicate_in_run', extra: { duplicateOfItem: first, to: p.to.address } });
			continue;
		}
		leads.push(p);
	}
	return { leads };
}

/** Phase 2: per batch of leads, one evidence search (already sent? opted out?), then the sends that are still due. */
async function sendAll(run: SendingRun, leads: Lead[]): Promise<Stop | undefined> {
	if (!leads.length) return undefined;
	if (run.settings.mode === 'send') {
		// The lag-free view starts before the first search, so nothing falls between the two.
		const opened = await attempt(() => run.ledger.open());
		if (!opened.ok) return run.stopFor(opened.error, leads[0].itemIndex);
	}
	let suppressionLabels = new Map<string, string>();
	if (leads.some((l) => l.checkMailbox)) {
		const r = await attempt(() => suppressionLabelIds(run.client));
		if (!r.ok) return run.stopFor(r.error, leads[0].itemIndex);
		suppressionLabels = r.value;
	}
	for (const batch of chunk(leads, LOOKUP_BATCH)) {
		const lookup = await attempt(async () => {
			const sent = await sentEvidence(run.client, batch.map((l) => l.to.address));
			const check = batch.filter((l) => l.checkMailbox).map((l) => l.to.address);
			const suppressed = suppressionLabels.size
				? await mailboxSuppressed(run.client, suppressionLabels, check)
				: { suppressed: new Map<string, string>(), unproven: new Map<string, string>() };
			return { sent, suppressed };
		});
		if (!lookup.ok) {
			const stop = run.stopFor(lookup.error, batch[0].itemIndex);
			if (stop.reason !== 'transient') return stop;
			// Without the mailbox's evidence a send could double: this batch waits for a later run.
			for (const lead of batch) run.defer(lead.itemIndex, 'lookup_failed', stop.error, identity(lead));
			continue;
		}
		const { sent, suppressed } = lookup.value;
		for (const lead of batch) {
			const existing = sent.byKey.get(lead.composed.key) ?? keyed(run, lead.composed.key);
			const suppressedBy = suppressed.suppressed.get(lead.address);
			// Never a possible second send or a send after an opt-out: a lead the look-ups could not settle waits.
			const optOutLabel = suppressed.unproven.get(lead.to.address);
			if (!existing && !suppressedBy && (sent.unproven.has(lead.to.address) || optOutLabel)) {
				// Waiting cannot settle it (the mail stays): a person has to look, so no automatic retry.
				const why = optOutLabel ? `messages under ${optOutLabel} about` : undefined;
				run.manualCheck(lead.itemIndex, new EvidenceLimitError(lead.to.address, why), identity(lead));
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
		await run.alreadySent(i, identity(lead), lead.labels, { ...sentMessage(existing), labelIds: existing.labelIds });
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

/** The Send node's execution: validate every item, check the mailbox per batch, send, label, account for every item. */
export async function executeSend(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	if (!this.getInputData().length) return [[], [], [], []];
	const run = await SendingRun.open(this, 'Gmail Outreach Send');
	const prepared = await prepare(run);
	return await run.complete(prepared.stop ?? (await sendAll(run, prepared.leads)));
}
