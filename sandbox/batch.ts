import { randomBytes } from 'node:crypto';
import { badRequest } from './errors';
import { contentType } from './mime';
import type { ApiRequest, ApiResponse } from './router';

const REASONS: Record<number, string> = {
	200: 'OK', 204: 'No Content', 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found',
	409: 'Conflict', 429: 'Too Many Requests', 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable',
};

/** Most inner calls one batch may carry. */
export const MAX_BATCH = 100;

function splitHead(text: string): { head: string; body: string } {
	const m = /\r?\n\r?\n/.exec(text);
	return m ? { head: text.slice(0, m.index), body: text.slice(m.index + m[0].length) } : { head: text, body: '' };
}

function headerMap(head: string): Record<string, string> {
	const out: Record<string, string> = {};
	for (const line of head.split(/\r?\n/)) {
		const i = line.indexOf(':');
		if (i > 0) out[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
	}
	return out;
}

/** Handles POST /batch/gmail/v1: multipart/mixed of application/http calls, each dispatched like a normal request. */
export async function handleBatch(req: ApiRequest, dispatch: (inner: ApiRequest) => Promise<ApiResponse>): Promise<ApiResponse> {
	const ct = contentType(req.headers['content-type']);
	if (ct.type !== 'multipart/mixed' || !ct.params.boundary) throw badRequest('Batch requests must be multipart/mixed with a boundary');
	const b = ct.params.boundary;
	const chunks = req.body.split(`--${b}`).slice(1);
	const parts = chunks.filter((c) => !c.startsWith('--')).map((c) => c.replace(/^\r?\n/, '').replace(/\r?\n$/, ''));
	if (parts.length === 0) throw badRequest('Batch request has no parts');
	if (parts.length > MAX_BATCH) throw badRequest(`Too many requests in batch: ${parts.length} (at most ${MAX_BATCH})`);
	const out = `batch_${randomBytes(12).toString('base64url')}`;
	let body = '';
	// Inner calls run one after another, so a batch does not trip the per-user concurrency limit by itself.
	for (const part of parts) {
		const outer = splitHead(part);
		const partHeaders = headerMap(outer.head);
		const http = splitHead(outer.body.replace(/^\r?\n/, ''));
		const [requestLine, ...headerLines] = http.head.split(/\r?\n/);
		const [method, target] = requestLine.trim().split(/\s+/);
		const url = new URL(target ?? '/', 'http://sandbox.invalid');
		const headers = { ...req.headers, ...headerMap(headerLines.join('\n')) };
		delete headers['content-length'];
		if (!headerMap(headerLines.join('\n'))['content-type']) headers['content-type'] = 'application/json';
		const res = await dispatch({ method: (method ?? 'GET').toUpperCase(), path: url.pathname, query: url.searchParams, headers, body: http.body.trim() });
		const json = res.body === undefined ? '' : typeof res.body === 'string' ? res.body : JSON.stringify(res.body, null, 2);
		const contentId = partHeaders['content-id'] ? `response-${partHeaders['content-id'].replace(/^<|>$/g, '')}` : undefined;
		body += `--${out}\r\nContent-Type: application/http\r\n${contentId ? `Content-ID: <${contentId}>\r\n` : ''}\r\n`;
		body += `HTTP/1.1 ${res.status || 500} ${REASONS[res.status] ?? ''}\r\nContent-Type: application/json; charset=UTF-8\r\n`;
		for (const [k, v] of Object.entries(res.headers ?? {})) if (k.toLowerCase() !== 'content-type') body += `${k}: ${v}\r\n`;
		body += `\r\n${json}\r\n`;
	}
	body += `--${out}--\r\n`;
	return { status: 200, headers: { 'Content-Type': `multipart/mixed; boundary=${out}` }, body };
}
