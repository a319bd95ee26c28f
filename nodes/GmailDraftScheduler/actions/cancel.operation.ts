// Cancel: deletes scheduled drafts (one lead's, a campaign's, or everything for an address) — only drafts a schedule
// label names, so the person's own drafts are never touched.
import { NodeOperationError, type IExecuteFunctions, type INodeExecutionData, type INodeProperties } from 'n8n-workflow';
import { parseAddress } from '../../shared/core/address';
import { bySendTime, matchesSchedule, type ScheduleFilter } from '../../shared/core/schedule';
import { attempt } from '../../shared/node/attempt';
import { ParameterError } from '../../shared/node/inputs';
import { readRunSettings, str, credentialTypeOf } from '../../shared/node/params';
import { stopFor } from '../../shared/node/sending';
import { gmailClient, GmailError, NotFoundError } from '../../shared/transport';
import { DueRun } from '../due';
import { DraftOutputs } from '../outputs';
import { readSchedule, removeFromSchedule, type Scheduled } from '../registry';
import { itemRow } from '../../shared/node/rows';

const show = { operation: ['cancel'] };

/** Cancel's outputs, in output-index order. */
const OUT = { cancelled: 0, failed: 1 } as const;

/** Cancel's parameters: what to cancel. */
export const description: INodeProperties[] = [
	{
		displayName: 'Cancel',
		name: 'cancelScope',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'One Lead in a Campaign', value: 'lead' },
			{ name: 'A Whole Campaign', value: 'campaign' },
			{ name: 'Everything Scheduled for an Address', value: 'address', description: 'Every campaign’s pending drafts to this address' },
		],
		default: 'lead',
	},
	{
		displayName: 'Campaign',
		name: 'cancelCampaign',
		type: 'string',
		default: 'campaign',
		required: true,
		displayOptions: { show: { cancelScope: ['lead', 'campaign'] } },
	},
	{
		displayName: 'Lead Email',
		name: 'cancelEmail',
		type: 'string',
		default: '={{ $json.email }}',
		required: true,
		displayOptions: { show: { cancelScope: ['lead', 'address'] } },
	},
].map((p) => ({ ...p, displayOptions: { ...p.displayOptions, show: { ...show, ...p.displayOptions?.show } } }) as INodeProperties);

/** Item i's filter; a missing or bad value names its parameter. */
function filterOf(ctx: IExecuteFunctions, i: number): { filter: ScheduleFilter; scope: string } {
	const scope = str(ctx.getNodeParameter('cancelScope', i, 'lead'));
	const filter: ScheduleFilter = {};
	if (scope !== 'address') {
		const campaign = str(ctx.getNodeParameter('cancelCampaign', i, '')).trim();
		if (!campaign) throw new ParameterError(itemRow(ctx.getInputData(), i), 'cancelCampaign', 'empty');
		filter.campaign = campaign;
	}
	if (scope !== 'campaign') {
		const email = str(ctx.getNodeParameter('cancelEmail', i, '')).trim();
		if (!email) throw new ParameterError(itemRow(ctx.getInputData(), i), 'cancelEmail', 'empty');
		let failure: unknown;
		try {
			filter.lead = parseAddress(email).address;
		} catch (error) {
			failure = error;
		}
		if (failure !== undefined) throw new ParameterError(itemRow(ctx.getInputData(), i), 'cancelEmail', (failure as Error).message, { cause: failure });
	}
	return { filter, scope };
}

/**
 * Cancel's execution: one labels.list, then per input item every matching scheduled draft deleted and unscheduled
 * (one item each on Cancelled); an item that matches nothing leaves once with status nothing_to_cancel.
 */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const out = new DraftOutputs(2);
	if (!items.length) return out.toOutputs();
	const runSettings = readRunSettings(this);
	const client = await gmailClient(this, { credentialType: credentialTypeOf(this), budgetMs: runSettings.budgetMs, perMinuteUnits: runSettings.perMinuteUnits });
	const read = await attempt(() => readSchedule(client));
	if (!read.ok) throw new NodeOperationError(this.getNode(), read.error as Error, { description: 'Nothing was cancelled.' });
	let schedule: Scheduled[] = read.value;
	for (let i = 0; i < items.length; i++) {
		const asked = await attempt(() => filterOf(this, i));
		if (!asked.ok) {
			const error = asked.error;
			if (!(error instanceof ParameterError)) throw new NodeOperationError(this.getNode(), error as Error, { itemIndex: i });
			out.add(OUT.failed, { status: 'failed', reason: 'invalid_parameter', field: error.field, error: error.message }, i);
			continue;
		}
		const { filter, scope } = asked.value;
		const matching = schedule.filter((s) => matchesSchedule(s, filter)).sort(bySendTime);
		if (!matching.length) {
			out.add(OUT.cancelled, { status: 'nothing_to_cancel', scope, ...(filter.campaign ? { campaign: filter.campaign } : {}), ...(filter.lead ? { email: filter.lead } : {}) }, i);
			continue;
		}
		for (const s of matching) {
			const done = await attempt(async () => {
				const del = await attempt(() => client.deleteDraft(s.draftId));
				if (!del.ok && !(del.error instanceof NotFoundError)) throw del.error;
				await removeFromSchedule(client, s);
				return del.ok;
			});
			const identity = { scope, ...DueRun.identity(s, filter.campaign ?? s.campaign) };
			if (done.ok) {
				out.add(OUT.cancelled, { status: 'cancelled', reason: 'cancelled', ...identity, draftDeleted: done.value }, i, s.draftId);
				schedule = schedule.filter((x) => x !== s);
				continue;
			}
			if (!(done.error instanceof GmailError)) throw done.error;
			// The draft stays scheduled (its label is still there): a later Cancel or Send due sees it again.
			out.add(OUT.failed, { status: 'failed', reason: stopFor(done.error, i).reason, ...identity, error: done.error.message }, i, s.draftId);
		}
	}
	return out.toOutputs();
}
