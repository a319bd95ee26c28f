/** What an inbound message is, as far as the outreach sequence is concerned. */
export type InboundKind = 'human' | 'auto_reply' | 'bounce';

/** Inbound message headers keyed by lower-case name. */
export interface InboundHeaders {
	[lowerCaseName: string]: string | undefined;
}

const BOUNCE_SENDERS = /^(mailer-daemon|postmaster)$/i;
const BULK_PRECEDENCE = new Set(['auto_reply', 'bulk', 'junk', 'list']);

/** The bare local part of the first address in a From header. */
function senderLocalPart(from: string): string {
	const m = /<([^<>]*)>/.exec(from);
	const address = (m ? m[1] : from).trim();
	const at = address.lastIndexOf('@');
	return (at < 0 ? address : address.slice(0, at)).replace(/^"|"$/g, '').trim();
}

/** Parameter value of a structured header (case-insensitive name, optional quotes). */
function headerParam(value: string, name: string): string | undefined {
	const m = new RegExp(`;\\s*${name}\\s*=\\s*(?:"([^"]*)"|([^;\\s]*))`, 'i').exec(value);
	return m ? (m[1] ?? m[2]).toLowerCase() : undefined;
}

/** Human reply, auto-reply (RFC 3834 and common vendor headers) or bounce (DSN, RFC 3464), from headers alone. */
export function classifyInbound(headers: InboundHeaders): { kind: InboundKind; reason: string } {
	const h = (name: string) => (headers[name] ?? '').trim();
	const contentType = h('content-type').toLowerCase();
	const mediaType = contentType.split(';')[0].trim();
	const reportType = headerParam(contentType, 'report-type');

	if (mediaType === 'multipart/report' && reportType === 'delivery-status') {
		return { kind: 'bounce', reason: 'Content-Type multipart/report; report-type=delivery-status' };
	}
	const local = senderLocalPart(h('from'));
	if (BOUNCE_SENDERS.test(local)) return { kind: 'bounce', reason: `From ${local.toLowerCase()}@` };
	if (h('x-failed-recipients')) return { kind: 'bounce', reason: 'X-Failed-Recipients present' };

	const autoSubmitted = h('auto-submitted').split(';')[0].trim().toLowerCase();
	if (autoSubmitted && autoSubmitted !== 'no') return { kind: 'auto_reply', reason: `Auto-Submitted: ${autoSubmitted}` };
	if (h('x-autoreply')) return { kind: 'auto_reply', reason: 'X-Autoreply present' };
	if (h('x-autorespond')) return { kind: 'auto_reply', reason: 'X-Autorespond present' };
	const precedence = h('precedence').toLowerCase();
	if (BULK_PRECEDENCE.has(precedence)) return { kind: 'auto_reply', reason: `Precedence: ${precedence}` };
	if (mediaType === 'multipart/report') return { kind: 'auto_reply', reason: `multipart/report; report-type=${reportType ?? '?'}` };
	// RFC 3834 §3.3: automatic responses are sent with a null envelope sender; people's replies never are.
	if (h('return-path') === '<>') return { kind: 'auto_reply', reason: 'null Return-Path' };
	return { kind: 'human', reason: 'no automatic-reply or bounce markers' };
}
