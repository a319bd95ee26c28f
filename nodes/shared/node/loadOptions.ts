import type { ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';
import { CLAIM_HEADER } from '../core/idempotency';
import { gmailClient, NotFoundError } from '../transport';
import { headerOf } from './payload';

const CONNECTED_MAILBOX: INodePropertyOptions = {
	name: 'The Connected Mailbox (Default)',
	value: '',
	description: "Sends as the credential's own mailbox",
};

/** Whether the node has a credential for the chosen authentication yet. */
function hasCredential(ctx: ILoadOptionsFunctions): boolean {
	return Object.keys(ctx.getNode().credentials ?? {}).length > 0;
}

/** The node's 'authentication' choice (read here, in the node layer, never by the transport). */
function credentialChoice(ctx: ILoadOptionsFunctions): 'oAuth2' | 'serviceAccount' {
	try {
		return ctx.getNodeParameter('authentication', 'oAuth2') === 'serviceAccount' ? 'serviceAccount' : 'oAuth2';
	} catch {
		return 'oAuth2';
	}
}

/** The connected mailbox (the default), then its verified send-as aliases (settings.sendAs), primary first. */
export async function getSendAsAliases(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	// The editor asks as soon as the node is added, before a credential is chosen: offer the default
	// (the connected mailbox) instead of an error the field would keep showing. The default stays
	// first in the full list too, so the parameter's default value is always a listed one.
	if (!hasCredential(this)) return [CONNECTED_MAILBOX];
	const client = await gmailClient(this, { credentialType: credentialChoice(this) });
	const aliases = await client.listSendAs();
	const listed = aliases
		.filter((a) => a.sendAsEmail && (a.isPrimary || a.verificationStatus === 'accepted'))
		.sort((a, b) => Number(!!b.isPrimary) - Number(!!a.isPrimary))
		.map((a) => ({
			name: a.displayName ? `${a.displayName} <${a.sendAsEmail}>` : a.sendAsEmail!,
			value: a.sendAsEmail!,
			description: a.isPrimary ? 'The mailbox itself' : 'Send-as alias',
		}));
	return [CONNECTED_MAILBOX, ...listed];
}

/** The mailbox's drafts (newest 50) by subject, for "template from a Gmail draft". */
export async function getDrafts(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	if (!hasCredential(this)) return [];
	const client = await gmailClient(this, { credentialType: credentialChoice(this) });
	const list = await client.listDrafts({ maxResults: 50 });
	const ids = (list.drafts ?? []).map((d) => d.id).filter((id): id is string => !!id);
	// One batch request for all subjects, not one drafts.get per draft; a draft deleted meanwhile is left out.
	const read = await client.batchGetDraftsSettled(ids, 'metadata');
	const options: INodePropertyOptions[] = [];
	for (const r of read) {
		if (r.error && !(r.error instanceof NotFoundError)) throw r.error;
		// A run's claim (no recipient, keys only) is no template.
		if (!r.draft || headerOf(r.draft.message, CLAIM_HEADER) !== undefined) continue;
		const subject = headerOf(r.draft.message, 'Subject');
		options.push({ name: subject?.trim() || `(no subject) ${r.id}`, value: r.id });
	}
	return options;
}
