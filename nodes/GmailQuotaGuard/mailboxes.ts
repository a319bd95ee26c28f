import { NodeOperationError, type IExecuteFunctions } from 'n8n-workflow';
import { normalizeAddress } from '../shared/core/address';
import { attempt } from '../shared/node/attempt';
import { SentWindow, type MailboxPlan } from '../shared/node/capacity';
import { AuthError, GmailError, gmailClient, PermissionError, ScopeError, type GmailClient } from '../shared/transport';
import type { GuardSettings } from './params';

/** One mailbox the node may send as, with what its window holds and what this run gives it. */
export interface Mailbox {
	/** Normalised address ('' when an OAuth mailbox could not even be read). */
	address: string;
	client?: GmailClient;
	window?: SentWindow;
	/** Why it cannot be used this run. */
	failure?: GmailError;
	/** Room before this run. */
	roomBefore: number;
	/** Room left as items are given to it. */
	room: number;
	plan?: MailboxPlan;
	/** Items this run gave it: Send Now or scheduled. */
	sendNow: number;
	scheduled: number;
	deferred: number;
}

/** Whether a failure is the credential's (no later run fixes it by itself). */
export function credentialProblem(error: GmailError): boolean {
	return error instanceof AuthError || error instanceof ScopeError || error instanceof PermissionError;
}

/** Opens a client per mailbox and measures each one's window; a mailbox Gmail refuses is kept with its failure. */
export async function openMailboxes(ctx: IExecuteFunctions, settings: GuardSettings): Promise<Mailbox[]> {
	const names: Array<string | undefined> = settings.credentialType === 'serviceAccount' && settings.mailboxes.length ? settings.mailboxes : [undefined];
	const out: Mailbox[] = [];
	for (const name of names) {
		const box: Mailbox = { address: name ?? '', roomBefore: 0, room: 0, sendNow: 0, scheduled: 0, deferred: 0 };
		const opened = await attempt(async () => {
			box.client = await gmailClient(ctx, { credentialType: settings.credentialType, perMinuteUnits: settings.perMinuteUnits, ...(name ? { delegatedUser: name } : {}) });
			box.window = await SentWindow.measure(box.client);
			box.roomBefore = box.room = await box.window.room(settings.limit, settings.recipients);
		});
		if (!opened.ok) {
			if (!(opened.error instanceof GmailError)) throw new NodeOperationError(ctx.getNode(), opened.error as Error);
			box.failure = opened.error;
		} else if (box.window) {
			box.address = normalizeAddress(box.window.mailbox || box.address);
		}
		out.push(box);
	}
	// Nothing can be decided and waiting will not help: the credential itself is the problem.
	if (out.every((b) => b.failure && credentialProblem(b.failure))) {
		const first = out[0].failure as GmailError;
		throw new NodeOperationError(ctx.getNode(), first, { description: `Gmail refused to tell what ${out.map((b) => b.address || 'the mailbox').join(', ')} sent: ${first.message}` });
	}
	return out;
}
