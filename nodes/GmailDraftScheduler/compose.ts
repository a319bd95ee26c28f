import type { IExecuteFunctions } from 'n8n-workflow';
import { formatAddress, type ParsedAddress } from '../shared/core/address';
import { composeMessage, type Composed } from '../shared/core/compose';
import type { FollowupDecision } from '../shared/core/followup';
import { addressListParameter, binaryAttachments, ParameterError, senderParameter } from '../shared/node/inputs';
import { checkFrom, type Senders } from '../shared/node/senders';
import type { ReplyParams } from '../GmailThreadedReply/params';

/**
 * Renders step N into the lead's thread exactly as Gmail Threaded Reply renders it (same parameters, same core
 * composer, same threading headers from decideFollowup), to be saved as a draft instead of sent.
 * TODO(lead): this mirrors GmailThreadedReply/execute.ts composeReply (minus the quote); move that one to
 * nodes/shared/node so both nodes call the same function.
 */
export async function composeDraft(ctx: IExecuteFunctions, us: Senders, p: ReplyParams, decision: FollowupDecision, i: number, lead: ParsedAddress): Promise<Composed> {
	const row = i + 1;
	if (!p.text.trim() && !p.html.trim()) throw new ParameterError(row, 'text', 'the body is empty');
	const to = decision.recipients.to;
	if (!to.length) throw new ParameterError(row, 'replyMode', 'no recipient left in the thread once this mailbox is excluded');
	const from = senderParameter(row, p.from || us.mailbox, p.senderName);
	checkFrom(us, row, from.address);
	const cc = [...decision.recipients.cc.map(formatAddress), ...(addressListParameter(row, 'cc', p.cc) ? [p.cc.trim()] : [])].join(', ');
	const composed = composeMessage(
		ctx.getInputData()[i].json,
		{ subject: '', text: p.text, html: p.html },
		{
			from,
			to: lead,
			campaign: p.campaign,
			step: p.step,
			replyTo: addressListParameter(row, 'replyTo', p.replyTo),
			cc,
			bcc: addressListParameter(row, 'bcc', p.bcc),
			unsubscribe: { mailto: p.unsubscribeMailto, url: p.unsubscribeUrl, footer: p.footer, postalAddress: p.postalAddress },
			attachments: await binaryAttachments(ctx, i, p.attachments),
			subjectOverride: decision.subject,
			inReplyTo: decision.inReplyTo,
			references: decision.references,
		},
	);
	composed.spec.to = to;
	return composed;
}
