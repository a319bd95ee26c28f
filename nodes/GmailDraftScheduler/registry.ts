// The schedule as it lives in the mailbox: one label per scheduled draft (see core/schedule.ts for the convention).
import type { gmail_v1 } from 'googleapis';
import { campaignScheduleFolder, parseScheduleLabel, scheduleLabelName, type ScheduleEntry } from '../shared/core/schedule';
import { attempt } from '../shared/node/attempt';
import { ConflictError, NotFoundError, type GmailClient } from '../shared/transport';

/** A scheduled draft and the label that schedules it. */
export interface Scheduled extends ScheduleEntry {
	labelId: string;
	labelName: string;
}

/** Every scheduled draft of the mailbox: one labels.list (1 unit, no search lag). */
export async function readSchedule(client: GmailClient): Promise<Scheduled[]> {
	return scheduledIn(await client.listLabels());
}

/** The scheduled drafts among a label listing. */
export function scheduledIn(labels: gmail_v1.Schema$Label[]): Scheduled[] {
	const out: Scheduled[] = [];
	for (const l of labels) {
		const e = l.id && l.name ? parseScheduleLabel(l.name) : undefined;
		if (e) out.push({ ...e, labelId: l.id!, labelName: l.name! });
	}
	return out;
}

/**
 * Schedules a draft: creates its label under Outreach/Scheduled/<campaign> and puts it on `showOn` (our previous
 * message in the thread), so the conversation shows the label in Gmail. A draft's own message can carry no label.
 */
export async function addToSchedule(
	client: GmailClient,
	e: { campaign: string; step: number; lead: string; draftId: string; sendAt: Date; zone: string },
	showOn?: string,
): Promise<Scheduled> {
	const name = scheduleLabelName(e);
	await client.ensureLabels([campaignScheduleFolder(e.campaign)]);
	let label: gmail_v1.Schema$Label | undefined;
	const created = await attempt(() => client.createLabel(name));
	if (created.ok) label = created.value;
	else if (created.error instanceof ConflictError) label = (await client.listLabels()).find((l) => l.name?.toLowerCase() === name.toLowerCase());
	else throw created.error;
	if (!label?.id) throw created.ok ? new Error(`labels.create gave no id for "${name}"`) : created.error;
	if (showOn) {
		// Only for the person's eyes: a message deleted meanwhile changes nothing about the schedule.
		const shown = await attempt(() => client.modifyMessage(showOn, [label.id!], []));
		if (!shown.ok && !(shown.error instanceof NotFoundError)) throw shown.error;
	}
	return { ...parseScheduleLabel(name)!, labelId: label.id, labelName: name };
}

/** Unschedules (the label goes, and with it its mark on the conversation); a label already gone is fine. */
export async function removeFromSchedule(client: GmailClient, s: Scheduled): Promise<void> {
	const r = await attempt(() => client.deleteLabel(s.labelId));
	if (!r.ok && !(r.error instanceof NotFoundError)) throw r.error;
}

/** Moves a scheduled draft to another time by renaming its label; the draft itself (the person's content) is not touched. */
export async function reschedule(client: GmailClient, s: Scheduled, sendAt: Date, zone: string): Promise<Scheduled> {
	const name = scheduleLabelName({ ...s, sendAt, zone });
	if (name === s.labelName) return s;
	await client.renameLabel(s.labelId, name);
	return { ...parseScheduleLabel(name)!, labelId: s.labelId, labelName: name };
}

/** Whether a draft still exists (drafts.get, minimal); false on 404. */
export async function draftExists(client: GmailClient, draftId: string): Promise<boolean> {
	const got = await attempt(() => client.getDraft(draftId, 'minimal'));
	if (got.ok) return true;
	if (got.error instanceof NotFoundError) return false;
	throw got.error;
}
