// Gmail's batch wire format: multipart/mixed of application/http parts, in and out.
import { randomBytes } from 'node:crypto';

/** One inner call of a batch request. */
export interface BatchPart {
	id: string;
	verb: string;
	path: string;
	body?: unknown;
}

/** One inner answer of a batch response. */
export interface BatchAnswer {
	status: number;
	headers: Record<string, string>;
	body: unknown;
}

/** The multipart/mixed body for a batch request and its boundary. */
export function buildBatchBody(parts: BatchPart[]): { boundary: string; body: string } {
	const boundary = `batch_${randomBytes(12).toString('hex')}`;
	const chunks = parts.map((p) => {
		const json = p.body === undefined ? '' : JSON.stringify(p.body);
		const inner = [`${p.verb} ${p.path} HTTP/1.1`];
		if (json) inner.push('Content-Type: application/json', `Content-Length: ${Buffer.byteLength(json)}`);
		return [
			`--${boundary}`,
			'Content-Type: application/http',
			`Content-ID: <item-${p.id}>`,
			'',
			inner.join('\r\n'),
			'',
			json,
		].join('\r\n');
	});
	return { boundary, body: `${chunks.join('\r\n')}\r\n--${boundary}--\r\n` };
}

function headerBlock(text: string): Record<string, string> {
	const out: Record<string, string> = {};
	for (const line of text.split(/\r?\n/)) {
		const i = line.indexOf(':');
		if (i > 0) out[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
	}
	return out;
}

/** Parses a batch response into answers keyed by the request part id (Content-ID "response-item-<id>"). */
export function parseBatchResponse(body: string, contentType: string | undefined): Map<string, BatchAnswer> {
	const out = new Map<string, BatchAnswer>();
	const m = /boundary="?([^";]+)"?/i.exec(contentType ?? '') ?? /^--([^\r\n]+)/.exec(body.trimStart());
	if (!m) return out;
	const boundary = m[1];
	for (const raw of body.split(`--${boundary}`)) {
		const part = raw.replace(/^\r?\n/, '');
		if (!part.trim() || part.startsWith('--')) continue;
		const [outerHead, rest = ''] = splitOnce(part);
		const outer = headerBlock(outerHead);
		const id = /<(?:response-)?item-([^>]+)>/i.exec(outer['content-id'] ?? '')?.[1];
		const [statusAndHeaders, innerBody = ''] = splitOnce(rest);
		const [statusLine, ...headerLines] = statusAndHeaders.split(/\r?\n/);
		const status = Number(/HTTP\/\d(?:\.\d)?\s+(\d{3})/.exec(statusLine)?.[1] ?? 0);
		const text = innerBody.replace(/\r?\n$/, '').trim();
		let parsed: unknown = text;
		try {
			parsed = text ? JSON.parse(text) : undefined;
		} catch {
			parsed = text;
		}
		if (id !== undefined) out.set(id, { status, headers: headerBlock(headerLines.join('\n')), body: parsed });
	}
	return out;
}

function splitOnce(text: string): [string, string?] {
	const m = /\r?\n\r?\n/.exec(text);
	return m ? [text.slice(0, m.index), text.slice(m.index + m[0].length)] : [text];
}
