import type { IDataObject } from 'n8n-workflow';
import type { BuiltRaw } from '../core/mime';

/** How much of the MIME message a preview item shows when the whole of it is not asked for. */
export const MIME_HEAD_BYTES = 2048;

/**
 * What a preview item carries of the built message. The whole base64url MIME (every attachment, the Bcc) only
 * when asked for: n8n keeps every item in the execution data, so 500 leads × a 2 MB brochure would be gigabytes.
 * Otherwise the message's first bytes — its headers, as Gmail would get them — and its size.
 */
export function previewMime(built: BuiltRaw, includeRaw: boolean): IDataObject {
	if (includeRaw) return { mimeSize: built.size, raw: built.raw };
	return { mimeSize: built.size, mimeHead: built.start(MIME_HEAD_BYTES).toString('utf8'), mimeTruncated: built.size > MIME_HEAD_BYTES };
}
