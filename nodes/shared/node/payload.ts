import type { gmail_v1 } from 'googleapis';

/** A header of a Gmail API message (case-insensitive name); undefined when absent. */
export function headerOf(message: gmail_v1.Schema$Message | undefined, name: string): string | undefined {
	const want = name.toLowerCase();
	return message?.payload?.headers?.find((h) => (h.name ?? '').toLowerCase() === want)?.value ?? undefined;
}

/** A message's headers as a map (names lower-cased when asked); the first value of a repeated header wins. */
export function headerMap(message: gmail_v1.Schema$Message, lowerCase: boolean): Record<string, string> {
	const headers: Record<string, string> = {};
	for (const h of message.payload?.headers ?? []) {
		const name = lowerCase ? (h.name ?? '').toLowerCase() : (h.name ?? '');
		if (name && !(name in headers)) headers[name] = h.value ?? '';
	}
	return headers;
}

/** Decodes a part body's data (base64url; Node also accepts plain base64 here). */
export function decodeBody(data: string | null | undefined): Buffer {
	return Buffer.from(data ?? '', 'base64url');
}

/** What a format=full payload holds: the first text/plain and text/html bodies, and the parts that are files. */
export interface PayloadParts {
	text?: string;
	html?: string;
	files: gmail_v1.Schema$MessagePart[];
}

/** Walks a payload tree; a part with a filename, an attachment disposition or a Content-ID (not text) is a file, never a body. */
export function payloadParts(payload: gmail_v1.Schema$MessagePart | undefined): PayloadParts {
	const out: PayloadParts = { files: [] };
	const walk = (part: gmail_v1.Schema$MessagePart) => {
		const type = (part.mimeType ?? '').toLowerCase();
		const disposition = part.headers?.find((h) => (h.name ?? '').toLowerCase() === 'content-disposition')?.value ?? '';
		// An inline image of the HTML (Content-ID, often without a filename) is a file too, or the HTML loses it.
		const inline = !!part.headers?.some((h) => (h.name ?? '').toLowerCase() === 'content-id') && !type.startsWith('multipart/') && !type.startsWith('text/');
		if (part.filename || inline || /^\s*attachment/i.test(disposition)) out.files.push(part);
		else if (type === 'text/plain' && out.text === undefined && part.body?.data) out.text = decodeBody(part.body.data).toString('utf8');
		else if (type === 'text/html' && out.html === undefined && part.body?.data) out.html = decodeBody(part.body.data).toString('utf8');
		for (const child of part.parts ?? []) walk(child);
	};
	if (payload) walk(payload);
	return out;
}
