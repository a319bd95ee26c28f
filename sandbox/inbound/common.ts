// What every simulated answer needs of the message it answers: the lead, the threading headers, dates as mail writes them.
import { randomBytes } from 'node:crypto';
import { headerBlock } from '../notices';
import { headerOf } from '../mime';
import type { StoredMessage } from '../store';

/** The answer's options as POST /sandbox/deliver takes them. */
export interface AnswerOptions {
	text?: string;
	/** DSN writer: postfix, exim, sendmail, qmail, exchange, gmail, yahoo or outlook. */
	format?: string;
	/** Enhanced status code of a DSN, e.g. '5.1.1'. */
	status?: string;
	/** Language of an automatic answer: en de fr es pt it nl pl sv da. */
	lang?: string;
	/** false: an automatic answer without Auto-Submitted / X-Autoreply (as many clients and gateways send them). */
	headers?: boolean;
	/** First day back of an out-of-office, YYYY-MM-DD (default: a week after now). */
	returnDate?: string;
	/** The address a left-company answer names instead. */
	alternateContact?: string;
	/** A DSN threaded on the original (In-Reply-To/References); default only for Gmail's own. */
	threaded?: boolean;
	/** Sender of a colleague's reply (default: a colleague at the lead's domain). */
	from?: string;
}

/** The lead a sent message went to, as address and display form. */
export function leadOf(sent: StoredMessage): { address: string; display: string; name: string } {
	const lead = sent.parsed.to[0] ?? sent.parsed.cc[0] ?? sent.parsed.bcc[0];
	const address = lead?.address.toLowerCase() ?? 'someone@example.com';
	const name = lead?.name?.replace(/"/g, '') ?? '';
	return { address, name, display: name ? `"${name}" <${address}>` : address };
}

/** The domain of an address. */
export function domainOf(address: string): string {
	return address.split('@')[1] ?? 'example.com';
}

/** The From of a message we sent (who an answer goes back to). */
export function ourFrom(sent: StoredMessage, mailbox: string): string {
	return headerOf(sent.parsed, 'from') ?? mailbox;
}

/** In-Reply-To and References of an answer to a message. */
export function threading(sent: StoredMessage): { inReplyTo: string; references: string } {
	const id = sent.parsed.messageId ?? '';
	return { inReplyTo: id, references: [...sent.parsed.references, id].filter(Boolean).join(' ') };
}

/** Header lines that thread an answer on a message (none when it has no Message-ID). */
export function threadLines(sent: StoredMessage): string[] {
	const t = threading(sent);
	if (!t.inReplyTo) return [];
	return [`In-Reply-To: <${t.inReplyTo}>`, `References: ${t.references.split(' ').map((r) => `<${r}>`).join(' ')}`];
}

/** RFC 5322 date-time in UTC. */
export function mailDate(ms: number): string {
	return new Date(ms).toUTCString().replace('GMT', '+0000');
}

/** A Message-ID at a host. */
export function messageIdAt(host: string): string {
	return `<${randomBytes(10).toString('hex').toUpperCase()}@${host}>`;
}

/** A MIME boundary. */
export function boundary(prefix: string): string {
	return `${prefix}${randomBytes(8).toString('hex')}`;
}

/** The header block of the original as a DSN returns it. */
export function originalHeaders(sent: StoredMessage): string {
	return headerBlock(sent.raw);
}

/** The original as a message/rfc822 part or a plain-text copy carries it, CRLF line ends. */
export function originalCopy(sent: StoredMessage): string {
	return sent.raw.replace(/\r?\n/g, '\r\n').replace(/\r\n$/, '');
}

/** A quoted copy of the original's text, as mail clients add under a reply. */
export function quote(sent: StoredMessage, who: string, date: number): string {
	const body = (sent.parsed.text || '').split(/\r?\n/).map((l) => `> ${l}`).join('\n');
	return `\n\nOn ${new Date(date).toUTCString()}, ${who} wrote:\n${body}`;
}
