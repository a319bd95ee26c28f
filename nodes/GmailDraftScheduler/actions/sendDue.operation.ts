// Send due: every scheduled draft whose time has come, checked against the mailbox, then sent as it is now.
import { NodeOperationError, type IDataObject, type IExecuteFunctions, type INodeExecutionData, type INodeProperties } from 'n8n-workflow';
import { normalizeAddress } from '../../shared/core/address';
import { LOOKUP_BATCH } from '../../shared/core/campaign';
import { bySendTime, matchesSchedule, sameStep } from '../../shared/core/schedule';
import { attempt } from '../../shared/node/attempt';
import { mailboxCapacity } from '../../shared/node/capacity';
import { SEND_AS_MAILBOX_OPTION } from '../../shared/node/mailboxes';
import { KeyLedger } from '../../shared/node/ledger';
import { readRunSettings, credentialTypeOf } from '../../shared/node/params';
import { stopFor, type Stop } from '../../shared/node/sending';
import { readSenders } from '../../shared/node/senders';
import { gmailClient, GmailError } from '../../shared/transport';
import { DUE_OUT, DueRun, leadBatches, type Due } from '../due';
import { readDueSettings } from '../params';
import { readSchedule, type Scheduled } from '../registry';

const show = { operation: ['sendDue'] };

/** Send due's parameters: which campaign, the capacity rule (Quota Guard's parameters), an optional send window. */
export const description: INodeProperties[] = [
	{
		displayName:
			'Runs once per execution, whatever the input (e.g. one item from a Schedule Trigger) — once per mailbox with a service account\'s Send As Mailbox: every scheduled draft whose time has come leaves as one item on Sent, Cancelled, Deferred or Failed.',
		name: 'sendDueNotice',
		type: 'notice',
		default: '',
	},
	{
		displayName: 'Only Campaign',
		name: 'filterCampaign',
		type: 'string',
		default: '',
		placeholder: 'spring-outreach',
		description: 'Send only this campaign’s due drafts; empty: every campaign’s',
	},
	{
		displayName: 'Check Daily Capacity',
		name: 'checkCapacity',
		type: 'boolean',
		default: true,
		description: 'Whether to measure what the mailbox sent in the last 24 hours first and defer the drafts over the cap (with the exact time each fits) instead of letting Gmail refuse them',
	},
	{
		displayName: 'Account Type',
		name: 'accountType',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Gmail (@gmail.com, 500 a Day)', value: 'gmail' },
			{ name: 'Google Workspace (2,000 a Day)', value: 'workspace' },
			{ name: 'Workspace Trial (500 a Day)', value: 'workspace-trial' },
			{ name: 'Custom Daily Cap', value: 'custom' },
		],
		default: 'gmail',
		displayOptions: { show: { checkCapacity: [true] } },
	},
	{
		displayName: 'Daily Cap',
		name: 'dailyCap',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 500,
		displayOptions: { show: { checkCapacity: [true], accountType: ['custom'] } },
		description: 'Emails the mailbox may send in a rolling 24 hours',
	},
	{
		displayName: 'Safety Margin (%)',
		name: 'safetyMargin',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 100 },
		default: 90,
		displayOptions: { show: { checkCapacity: [true] } },
		description: 'Share of the cap automation may use',
	},
	{
		displayName: 'Reserve for Manual Mail',
		name: 'reserve',
		type: 'number',
		typeOptions: { minValue: 0 },
		default: 0,
		displayOptions: { show: { checkCapacity: [true] } },
		description: 'Emails a day kept free for mail the person writes by hand',
	},
	{
		displayName: 'Send Window',
		name: 'sendWindow',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Any Time', value: 'anyTime', description: 'A due draft goes whenever the workflow runs' },
			{ name: 'Chosen Hours and Days', value: 'hours', description: 'Only within these hours in the lead’s local time (as scheduled); otherwise Deferred' },
		],
		default: 'anyTime',
	},
	{
		displayName: 'Days',
		name: 'days',
		type: 'multiOptions',
		options: [
			{ name: 'Monday', value: 'monday' },
			{ name: 'Tuesday', value: 'tuesday' },
			{ name: 'Wednesday', value: 'wednesday' },
			{ name: 'Thursday', value: 'thursday' },
			{ name: 'Friday', value: 'friday' },
			{ name: 'Saturday', value: 'saturday' },
			{ name: 'Sunday', value: 'sunday' },
		],
		default: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'],
		displayOptions: { show: { sendWindow: ['hours'] } },
	},
	{
		displayName: 'Start Time',
		name: 'startTime',
		type: 'string',
		default: '09:00',
		displayOptions: { show: { sendWindow: ['hours'] } },
	},
	{
		displayName: 'End Time',
		name: 'endTime',
		type: 'string',
		default: '17:00',
		displayOptions: { show: { sendWindow: ['hours'] } },
	},
	{
		displayName: 'Holidays',
		name: 'windowHolidays',
		type: 'string',
		default: '',
		placeholder: '2026-12-24, 2026-12-25',
		displayOptions: { show: { sendWindow: ['hours'] } },
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Apply Campaign Sent Label',
				name: 'applySentLabel',
				type: 'boolean',
				default: true,
				description: 'Whether to label each sent message Outreach/<campaign>/Sent, as the Send and Threaded Reply nodes do',
			},
			{
				displayName: 'Quota Units per Minute',
				name: 'quotaUnitsPerMinute',
				type: 'number',
				typeOptions: { minValue: 100 },
				default: 15000,
				description: 'Gmail API units this node may use per minute (Gmail allows 15,000 per user)',
			},
			{
				displayName: 'Retry Budget (Seconds)',
				name: 'retryBudgetSeconds',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 60,
				description: 'How long one Gmail call may keep retrying passing failures',
			},
			{
				...SEND_AS_MAILBOX_OPTION,
				description:
					"The Workspace mailbox whose due drafts this item sends, e.g. {{ $json.outreach.sender }} (one item per mailbox); empty: the credential's Delegated User. Each mailbox is worked through once per run, with its own token, cap check and pacing; its outputs carry mailbox.",
			},
			{
				displayName: 'Wait Until the Lead Is Back',
				name: 'waitUntilBack',
				type: 'boolean',
				default: true,
				description: 'Whether a draft to a lead whose out-of-office states a return date moves to that date’s first business morning (its label is renamed; the draft is not touched)',
			},
		],
	},
].map((p) => ({ ...p, displayOptions: { ...p.displayOptions, show: { ...show, ...p.displayOptions?.show } } }) as INodeProperties);

/** The mailboxes to work through, each with the first input item naming it ('' = the credential's own), and the items naming no address. */
function dueMailboxes(ctx: IExecuteFunctions): { boxes: Map<string, number>; invalid: Map<number, string> } {
	const boxes = new Map<string, number>();
	const invalid = new Map<number, string>();
	const serviceAccount = credentialTypeOf(ctx) === 'serviceAccount';
	ctx.getInputData().forEach((_item, i) => {
		const named = serviceAccount ? String((ctx.getNodeParameter('options', i, {}) as IDataObject).sendAsMailbox ?? '').trim() : '';
		let box = '';
		if (named) {
			try {
				box = normalizeAddress(named);
			} catch {
				invalid.set(i, named);
				return;
			}
		}
		if (!boxes.has(box)) boxes.set(box, i);
	});
	return { boxes, invalid };
}

/** Send due's execution: once per mailbox the input names (Send As Mailbox, service account), else once for the credential's. */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	if (!this.getInputData().length) return [[], [], [], []];
	const { boxes, invalid } = dueMailboxes(this);
	const outputs: INodeExecutionData[][] = [[], [], [], []];
	for (const [i, named] of invalid) {
		const error = `Item ${i + 1}, parameter "sendAsMailbox": "${named}" is not an email address`;
		if (!this.continueOnFail() && boxes.size === 0) throw new NodeOperationError(this.getNode(), error, { itemIndex: i });
		outputs[DUE_OUT.failed].push({ json: { status: 'failed', reason: 'invalid_parameter', field: 'sendAsMailbox', error }, pairedItem: { item: i } });
	}
	for (const [mailbox, item] of boxes) {
		// With several mailboxes, one that cannot be reached fails on its own; the others still send.
		const own = await sendDueFor(this, mailbox, item, boxes.size > 1 || invalid.size > 0);
		own.forEach((items, k) => outputs[k].push(...items.map((x) => (mailbox ? { ...x, json: { ...x.json, mailbox } } : x))));
	}
	return outputs;
}

/** One mailbox's Send due: read the schedule (labels, lag-free), decide each due draft against the mailbox, check capacity, send. */
async function sendDueFor(ctx: IExecuteFunctions, mailbox: string, item: number, failAlone: boolean): Promise<INodeExecutionData[][]> {
	const settings = readDueSettings(ctx);
	const runSettings = readRunSettings(ctx);
	const client = await gmailClient(ctx, { credentialType: credentialTypeOf(ctx), budgetMs: runSettings.budgetMs, perMinuteUnits: runSettings.perMinuteUnits, ...(mailbox ? { delegatedUser: mailbox } : {}) });
	const setup = await attempt(async () => {
		const us = await readSenders(client);
		const clock = await client.getProfileAndClock();
		const ledger = new KeyLedger(client);
		// The lag-free view opens before the schedule is read, so a send by an overlapping run is never missed.
		await ledger.open();
		return { us, now: clock.serverTime ?? Date.now(), ledger, schedule: await readSchedule(client) };
	});
	if (!setup.ok) {
		if (!(setup.error instanceof GmailError)) throw setup.error;
		if (failAlone || ctx.continueOnFail()) return [[], [], [], [{ json: { status: 'failed', reason: stopFor(setup.error, 0).reason, error: setup.error.message }, pairedItem: { item } }]];
		throw new NodeOperationError(ctx.getNode(), setup.error, { description: 'Nothing was sent or changed. The next run tries again.' });
	}
	const { us, now, ledger, schedule } = setup.value;
	const run = new DueRun(ctx, client, ledger, us, now, settings, runSettings.budgetMs, item);
	const due = schedule.filter((s) => matchesSchedule(s, { ...settings.filter, dueBy: now })).sort(bySendTime);
	const all: Due[] = [];
	const ready: Due[] = [];
	const finish = async () => {
		await run.labels.flush();
		if (run.labels.warning) ctx.logger.warn(`Gmail Draft Scheduler: ${run.labels.warning}`);
		return run.out.toOutputs();
	};
	const skeleton = (x: Scheduled): Due => ({ s: x, campaign: x.campaign, key: '', identity: DueRun.identity(x, x.campaign) });
	// A stop (cap, quota, credential) ends the run: every due draft not decided yet leaves on Deferred or Failed.
	const stopAll = async (stop: Stop) => {
		run.stopRest(stop, [...all, ...due.map(skeleton)]);
		return await finish();
	};
	for (const batch of leadBatches(due, LOOKUP_BATCH)) {
		const read: Due[] = [];
		const gone: Due[] = [];
		const pre = await run.prefetch(batch);
		for (const s of batch) {
			const r = await attempt(() => run.read(s, pre));
			if (!r.ok) {
				const d = skeleton(s);
				all.push(d);
				const stop = run.failDraft(d, r.error);
				if (stop) return await stopAll(stop);
				continue;
			}
			all.push(r.value.due);
			// Two drafts for one step (overlapping Schedule runs): the earliest goes, the others are cancelled as duplicates.
			const first = ready.concat(read).find((x) => x !== r.value.due && sameStep(x.s, s) && x.campaign === r.value.due.campaign);
			if (first && !r.value.gone) {
				await attempt(() => client.deleteDraft(s.draftId));
				const warning = await run.unschedule(r.value.due);
				run.emit(DUE_OUT.cancelled, r.value.due, { status: 'cancelled', reason: 'duplicate', detail: `Draft ${first.s.draftId} schedules the same step for this lead`, ...(warning ? { warning } : {}) });
				continue;
			}
			(r.value.gone ? gone : read).push(r.value.due);
		}
		const looked = await attempt(async () => {
			await run.resolveGone(gone);
			return read.length ? await run.engagement(read) : new Map();
		});
		if (!looked.ok) {
			if (!(looked.error instanceof GmailError)) throw looked.error;
			const stop = stopFor(looked.error, 0, now);
			if (stop.reason !== 'transient') return await stopAll(stop);
			// Without the mailbox's evidence a draft could go into a live conversation: the batch waits.
			for (const d of [...read, ...gone]) if (!run.out.has(d.s.draftId)) run.defer(d, 'lookup_failed', stop.retryAt ?? new Date(now + 15 * 60_000), looked.error.message);
			continue;
		}
		for (const d of read) {
			const decided = await attempt(() => run.decide(d, looked.value.get(d.s.lead)));
			if (!decided.ok) {
				const stop = run.failDraft(d, decided.error);
				if (stop) return await stopAll(stop);
				continue;
			}
			if (decided.value === 'send') ready.push(d);
		}
	}
	let sendNow = ready.length;
	if (settings.limit && ready.length) {
		// The Quota Guard's rule, measured from the mailbox: what does not fit waits until the exact time it fits.
		const plan = await attempt(() => mailboxCapacity(client, settings.limit!, ready.length));
		if (!plan.ok) {
			if (!(plan.error instanceof GmailError)) throw plan.error;
			return await stopAll(stopFor(plan.error, 0));
		}
		sendNow = plan.value.sendNow;
		ready.slice(sendNow).forEach((d, j) => run.defer(d, 'daily_cap', plan.value.retryAts[j] ?? plan.value.nextFreeAt, `The mailbox has room for ${plan.value.capacity} more emails in the rolling 24 hours`));
	}
	for (const d of ready.slice(0, sendNow)) {
		const stop = await run.send(d);
		if (stop) return await stopAll(stop);
	}
	return await finish();
}
