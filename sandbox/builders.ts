import { randomBytes } from 'node:crypto';

/** Fields of a simple inbound message for POST /sandbox/deliver. */
export interface SimpleMail {
	to: string;
	from: string;
	subject: string;
	text: string;
	inReplyTo?: string;
	references?: string;
	headers?: Record<string, string>;
}

/** A sandbox-made Message-ID for inbound mail from a domain. */
export function inboundMessageId(from: string): string {
	const domain = /@([^>\s]+)/.exec(from)?.[1] ?? 'sandbox.invalid';
	return `<${randomBytes(12).toString('hex')}@${domain}>`;
}

/** RFC 2047: non-ASCII header text as a UTF-8 base64 encoded-word. */
export function encodeWord(value: string): string {
	return /^[\x20-\x7e]*$/.test(value) ? value : `=?UTF-8?B?${Buffer.from(value).toString('base64')}?=`;
}

function bracket(id: string): string {
	return id.startsWith('<') ? id : `<${id}>`;
}

/** Builds RFC 5322 text for a simple text/plain message (the sandbox's own tiny builder; never the package's). */
export function buildSimple(m: SimpleMail, date: number): string {
	const lines = [
		`From: ${m.from}`,
		`To: ${m.to}`,
		`Subject: ${encodeWord(m.subject)}`,
		`Date: ${new Date(date).toUTCString().replace('GMT', '+0000')}`,
		`Message-ID: ${inboundMessageId(m.from)}`,
	];
	if (m.inReplyTo) lines.push(`In-Reply-To: ${bracket(m.inReplyTo)}`);
	if (m.references) lines.push(`References: ${m.references.split(/\s+/).filter(Boolean).map(bracket).join(' ')}`);
	for (const [k, v] of Object.entries(m.headers ?? {})) lines.push(`${k}: ${encodeWord(v)}`);
	lines.push('MIME-Version: 1.0', 'Content-Type: text/plain; charset=UTF-8', 'Content-Transfer-Encoding: base64', '');
	const body = Buffer.from(m.text.replace(/\r?\n/g, '\r\n')).toString('base64').replace(/.{76}/g, '$&\r\n');
	return lines.join('\r\n') + '\r\n' + body + '\r\n';
}
