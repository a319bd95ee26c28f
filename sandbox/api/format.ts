import { badRequest } from '../errors';
import { buildPayload, encodeRaw, snippetOf, type MessagePart } from '../mime';
import type { StoredMessage } from '../store';

/** Gmail's message formats. */
export type Format = 'full' | 'metadata' | 'minimal' | 'raw';

/** The `format` query parameter, checked. */
export function formatOf(value: string | null, fallback: Format = 'full'): Format {
	const f = (value ?? fallback).toLowerCase();
	if (f === 'full' || f === 'metadata' || f === 'minimal' || f === 'raw') return f;
	throw badRequest(`Invalid value at 'format' (type.googleapis.com/google.apps.gmail.v1.Format), "${value}"`);
}

/** A message resource in the requested format. */
export function messageResource(m: StoredMessage, format: Format, metadataHeaders: string[] = []): Record<string, unknown> {
	const out: Record<string, unknown> = {
		id: m.id,
		threadId: m.threadId,
		labelIds: [...m.labelIds],
		snippet: snippetOf(m.parsed),
		sizeEstimate: m.sizeEstimate,
		historyId: String(m.historyId),
		internalDate: String(m.internalDate),
	};
	if (format === 'raw') out.raw = encodeRaw(m.raw);
	if (format === 'full') out.payload = buildPayload(m.raw, m.id);
	if (format === 'metadata') {
		const full = buildPayload(m.raw, m.id);
		const wanted = metadataHeaders.map((h) => h.toLowerCase());
		const payload: MessagePart = {
			partId: '',
			mimeType: full.mimeType,
			filename: '',
			headers: wanted.length ? full.headers.filter((h) => wanted.includes(h.name.toLowerCase())) : full.headers,
			body: { size: 0 },
		};
		out.payload = payload;
	}
	return out;
}
