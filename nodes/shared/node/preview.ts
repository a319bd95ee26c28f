import type { IDataObject } from 'n8n-workflow';

/** How much of the MIME message a preview item shows when the whole of it is not asked for. */
export const MIME_HEAD_BYTES = 2048;

/**
 * What a preview item carries of the built message. The whole base64url MIME (every attachment, the Bcc) only
 * when asked for: n8n keeps every item in the execution data, so 500 leads × a 2 MB brochure would be gigabytes.
 * Otherwise the message's first bytes — its headers, as Gmail would get them — and its size.
 */
export function previewMime(raw: string, size: number, includeRaw: boolean): IDataObject {
	if (includeRaw) return { mimeSize: size, raw };
	// 4 base64 characters are 3 bytes: decode just enough of the start, never the whole message.
	const head = Buffer.from(raw.slice(0, Math.ceil((MIME_HEAD_BYTES * 4) / 3)), 'base64url').subarray(0, MIME_HEAD_BYTES).toString('utf8');
	return { mimeSize: size, mimeHead: head, mimeTruncated: size > MIME_HEAD_BYTES };
}
