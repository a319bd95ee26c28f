import type { MessageSpec } from '../shared/core/mime';
import type { Templates } from '../shared/core/compose';
import { GmailError, NotFoundError, type GmailClient } from '../shared/transport';
import { attempt } from '../shared/node/attempt';
import { decodeBody, headerOf, payloadParts } from '../shared/node/payload';

/** A draft used as a template: its subject and bodies (with merge tags) and its attachments. */
export interface DraftTemplate {
	templates: Templates;
	attachments: NonNullable<MessageSpec['attachments']>;
}

/** The chosen draft cannot serve as a template (missing, empty, unreadable). */
export class DraftTemplateError extends Error {
	override name = 'DraftTemplateError' as const;
	draftId: string;
	constructor(draftId: string, problem: string, options?: { cause?: unknown }) {
		super(`Draft "${draftId}": ${problem}`, options);
		this.draftId = draftId;
	}
}

/** Returns a loader that reads each draft once per run (format=full) and turns it into templates + attachments. */
export function draftTemplateLoader(client: GmailClient): (draftId: string) => Promise<DraftTemplate> {
	const cache = new Map<string, Promise<DraftTemplate>>();
	return (draftId) => {
		let hit = cache.get(draftId);
		if (!hit) cache.set(draftId, (hit = load(client, draftId)));
		return hit;
	};
}

async function load(client: GmailClient, draftId: string): Promise<DraftTemplate> {
	const got = await attempt(() => client.getDraft(draftId, 'full'));
	if (!got.ok) {
		if (got.error instanceof NotFoundError) throw new DraftTemplateError(draftId, 'not found in the mailbox', { cause: got.error });
		throw got.error;
	}
	const message = got.value.message;
	const payload = message?.payload;
	if (!message?.id || !payload) throw new DraftTemplateError(draftId, 'has no message');
	const subject = headerOf(message, 'Subject') ?? '';
	const parts = payloadParts(payload);
	if (!subject.trim()) throw new DraftTemplateError(draftId, 'has no subject');
	if (!parts.text?.trim() && !parts.html?.trim()) throw new DraftTemplateError(draftId, 'has an empty body');
	const attachments: DraftTemplate['attachments'] = [];
	for (const file of parts.files) {
		let content = decodeBody(file.body?.data);
		const attachmentId = file.body?.attachmentId;
		if (attachmentId) {
			const body = await attempt(() => client.getAttachment(message.id!, attachmentId));
			if (!body.ok) {
				const e = body.error;
				if (e instanceof GmailError) throw new DraftTemplateError(draftId, `attachment "${file.filename}" could not be read: ${e.message}`, { cause: e });
				throw e;
			}
			content = decodeBody(body.value.data);
		}
		// A part the HTML shows by its Content-ID stays inline (multipart/related), not a plain attachment.
		const contentId = file.headers?.find((h) => (h.name ?? '').toLowerCase() === 'content-id')?.value?.trim();
		const disposition = file.headers?.find((h) => (h.name ?? '').toLowerCase() === 'content-disposition')?.value ?? '';
		const inline = contentId && !/^\s*attachment/i.test(disposition) ? { cid: contentId.replace(/^<|>$/g, '') } : {};
		attachments.push({ filename: file.filename || 'inline', contentType: file.mimeType ?? 'application/octet-stream', content, ...inline });
	}
	return { templates: { subject, text: parts.text, html: parts.html }, attachments };
}
