// List: the scheduled drafts, by campaign, lead and due time, as the mailbox's schedule labels name them.
import type { gmail_v1 } from 'googleapis';
import { NodeOperationError, type IDataObject, type IExecuteFunctions, type INodeExecutionData, type INodeProperties } from 'n8n-workflow';
import { OUTREACH_HEADER } from '../../shared/core/idempotency';
import { bySendTime, matchesSchedule } from '../../shared/core/schedule';
import { attempt } from '../../shared/node/attempt';
import { ParameterError } from '../../shared/node/inputs';
import { readRunSettings, credentialTypeOf } from '../../shared/node/params';
import { headerOf } from '../../shared/node/payload';
import { gmailClient, GmailError, NotFoundError, type GmailClient } from '../../shared/transport';
import { DueRun } from '../due';
import { DraftOutputs } from '../outputs';
import { readFilter } from '../params';
import { readSchedule, type Scheduled } from '../registry';

const show = { operation: ['list'] };

/** List's parameters: the filter, and whether to read each draft. */
export const description: INodeProperties[] = [
	{
		displayName: 'Campaign',
		name: 'filterCampaign',
		type: 'string',
		default: '',
		description: 'Only this campaign’s drafts; empty: every campaign’s',
	},
	{
		displayName: 'Lead Email',
		name: 'filterEmail',
		type: 'string',
		default: '',
		placeholder: 'name@example.com',
		description: 'Only drafts to this lead; empty: every lead’s',
	},
	{
		displayName: 'Due Before',
		name: 'dueBefore',
		type: 'dateTime',
		default: '',
		description: 'Only drafts due at or before this time; empty: whenever they are due',
	},
	{
		displayName: 'Read Each Draft',
		name: 'readDrafts',
		type: 'boolean',
		default: true,
		description: 'Whether to read each draft (5 quota units) for its subject, thread and whether a person edited it in Gmail',
	},
].map((p) => ({ ...p, displayOptions: { show } }) as INodeProperties);

/** What each draft says now (one batch request per 50 drafts): subject, thread, recipients, whether an edit dropped our headers. */
async function draftDetails(client: GmailClient, scheduled: Scheduled[]): Promise<Map<string, IDataObject>> {
	const out = new Map<string, IDataObject>();
	for (const r of await client.batchGetDraftsSettled(scheduled.map((s) => s.draftId), 'metadata')) {
		if (r.error && !(r.error instanceof NotFoundError)) throw r.error;
		out.set(r.id, r.draft ? details(r.draft) : { draftExists: false });
	}
	return out;
}

function details(draft: gmail_v1.Schema$Draft): IDataObject {
	const m = draft.message;
	return {
		draftExists: true,
		threadId: m?.threadId ?? '',
		draftMessageId: m?.id ?? '',
		to: headerOf(m, 'To') ?? '',
		subject: headerOf(m, 'Subject') ?? '',
		snippet: m?.snippet ?? '',
		// A person's edit in Gmail may drop our headers; Send due puts them back when it sends.
		editedInGmail: !headerOf(m, OUTREACH_HEADER),
	};
}

/** List's execution: one labels.list, then per input item the matching scheduled drafts, one output item each. */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const out = new DraftOutputs(1);
	if (!items.length) return out.toOutputs();
	const runSettings = readRunSettings(this);
	const client = await gmailClient(this, { credentialType: credentialTypeOf(this), budgetMs: runSettings.budgetMs, perMinuteUnits: runSettings.perMinuteUnits });
	const read = await attempt(async () => ({ schedule: await readSchedule(client), now: (await client.getProfileAndClock()).serverTime ?? Date.now() }));
	if (!read.ok) throw new NodeOperationError(this.getNode(), read.error as Error);
	const { schedule, now } = read.value;
	for (let i = 0; i < items.length; i++) {
		let filter;
		try {
			filter = readFilter(this, i, { campaign: true, email: true, dueBefore: true });
		} catch (error) {
			if (error instanceof ParameterError && this.continueOnFail()) {
				out.add(0, { status: 'failed', reason: 'invalid_parameter', field: error.field, error: error.message }, i);
				continue;
			}
			throw new NodeOperationError(this.getNode(), error as Error, { itemIndex: i });
		}
		const withDrafts = this.getNodeParameter('readDrafts', i, true) !== false;
		const matching = schedule.filter((x) => matchesSchedule(x, filter)).sort(bySendTime);
		const read = withDrafts ? await attempt(() => draftDetails(client, matching)) : undefined;
		if (read && !read.ok) {
			if (!(read.error instanceof GmailError)) throw read.error;
			throw new NodeOperationError(this.getNode(), read.error, { itemIndex: i });
		}
		for (const s of matching) {
			out.add(0, { status: 'scheduled', ...DueRun.identity(s, s.campaign), due: s.sendAt.getTime() <= now, ...(read?.ok ? read.value.get(s.draftId) : {}) }, i, s.draftId);
		}
	}
	return out.toOutputs();
}
