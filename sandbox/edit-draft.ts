// "A person edits this draft in Gmail's web UI": POST /sandbox/mailboxes/:email/drafts/:id/edit.
// Gmail documents only that a draft's message is replaced on every update while the draft id stays (drafts guide:
// "the underlying message IDs change every time the message is replaced"). What the web composer keeps is not
// documented; public reports say its autosave rewrites the body and drops what it does not know. So each of those
// behaviours is a switch here, defaulting to the worst case, and tests run both ways.
import { randomBytes } from 'node:crypto';
import { jsonBody, type SandboxParts } from './api/context';
import { badRequest, notFound } from './errors';
import { headerOf, parseMessage, removeHeader, setHeader } from './mime';
import { freshId, serverMessageId, threadByHeaders } from './outgoing';
import type { ApiRequest, ApiResponse } from './router';
import type { Mailbox, StoredMessage } from './store';

/** Top-level headers Gmail's composer writes itself; everything else (X-…, List-Unsubscribe, …) is "unknown" to it. */
const COMPOSER_HEADERS = new Set([
	'from', 'to', 'cc', 'bcc', 'reply-to', 'subject', 'date', 'message-id', 'in-reply-to', 'references',
	'mime-version', 'content-type', 'content-transfer-encoding',
]);

/** What the person does and what Gmail's save does to the draft. */
interface Edit {
	text?: string;
	subject?: string;
	/** Save as a new message (new message id, new Message-ID), same draft id. Default true. */
	replaceMessage: boolean;
	/** Keep only the headers the composer knows. Default true. */
	dropCustomHeaders: boolean;
	/** The saved message carries only DRAFT. Default true. */
	dropLabels: boolean;
}

function flag(body: Record<string, unknown>, name: string): boolean {
	const v = body[name];
	if (v === undefined) return true;
	if (typeof v !== 'boolean') throw badRequest(`${name} must be true or false`);
	return v;
}

function optionalText(body: Record<string, unknown>, name: string): string | undefined {
	const v = body[name];
	if (v === undefined || v === null) return undefined;
	if (typeof v !== 'string') throw badRequest(`${name} must be a string`);
	return v;
}

function editOf(body: Record<string, unknown>): Edit {
	const text = optionalText(body, 'text');
	const subject = optionalText(body, 'subject');
	return {
		...(text !== undefined ? { text } : {}),
		...(subject !== undefined ? { subject } : {}),
		replaceMessage: flag(body, 'replaceMessage'),
		dropCustomHeaders: flag(body, 'dropCustomHeaders'),
		dropLabels: flag(body, 'dropLabels'),
	};
}

function headerNames(raw: string): string[] {
	const end = /\r?\n\r?\n/.exec(raw);
	const head = end ? raw.slice(0, end.index) : raw;
	return head
		.split(/\r?\n/)
		.filter((l) => !/^[ \t]/.test(l) && l.includes(':'))
		.map((l) => l.slice(0, l.indexOf(':')).trim());
}

function escapeHtml(s: string): string {
	return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function base64Lines(text: string): string {
	return Buffer.from(text, 'utf8').toString('base64').replace(/.{76}/g, '$&\r\n');
}

/** The body Gmail's composer saves: text/plain and its `<div dir="ltr">` HTML twin. */
function composerBody(raw: string, text: string): string {
	const boundary = `000000000000${randomBytes(8).toString('hex')}`;
	let out = removeHeader(removeHeader(raw, 'Content-Type'), 'Content-Transfer-Encoding');
	out = setHeader(out, 'Content-Type', `multipart/alternative; boundary="${boundary}"`);
	const end = /\r?\n\r?\n/.exec(out);
	const head = end ? out.slice(0, end.index) : out;
	const lines = text.replace(/\r\n?/g, '\n');
	const html = `<div dir="ltr">${lines.split('\n').map(escapeHtml).join('<br>')}</div>`;
	const part = (type: string, content: string) =>
		`--${boundary}\r\nContent-Type: ${type}; charset="UTF-8"\r\nContent-Transfer-Encoding: base64\r\n\r\n${base64Lines(content)}\r\n`;
	return `${head}\r\n\r\n${part('text/plain', lines.replace(/\n/g, '\r\n'))}${part('text/html', html)}--${boundary}--\r\n`;
}

function encodedSubject(subject: string): string {
	return /^[\x20-\x7e]*$/.test(subject) ? subject : `=?UTF-8?B?${Buffer.from(subject).toString('base64')}?=`;
}

/** The message text after the person's edit and the composer's save. */
function editedRaw(raw: string, edit: Edit, now: number, newMessage: boolean): string {
	let out = raw;
	if (edit.text !== undefined) out = composerBody(out, edit.text);
	if (edit.subject !== undefined) out = setHeader(out, 'Subject', encodedSubject(edit.subject));
	if (edit.dropCustomHeaders) {
		for (const name of new Set(headerNames(out))) if (!COMPOSER_HEADERS.has(name.toLowerCase())) out = removeHeader(out, name);
	}
	if (newMessage) {
		out = setHeader(out, 'Message-ID', serverMessageId());
		out = setHeader(out, 'Date', new Date(now).toUTCString().replace('GMT', '+0000'));
	}
	return out;
}

/** The thread the saved draft is in: Gmail threads by headers and subject, so a new subject can start a new thread. */
function threadOf(parts: SandboxParts, mb: Mailbox, old: StoredMessage, parsed: StoredMessage['parsed'], newId: string): string {
	const others = parts.store.threadMessages(mb, old.threadId).filter((m) => m.id !== old.id);
	if (!others.length) return old.parsed.subject === parsed.subject ? old.threadId : newId;
	return threadByHeaders(parts.store, mb, parsed, others) ?? newId;
}

/** Applies "a person edits this draft" to a sandbox mailbox's draft. */
export async function editDraft(parts: SandboxParts, req: ApiRequest, params: Record<string, string>): Promise<ApiResponse> {
	const { store } = parts;
	const mb = store.mailbox(params.email ?? '');
	if (!mb) throw notFound(`No sandbox mailbox ${params.email ?? ''}`);
	const draft = mb.drafts.get(params.id ?? '');
	const old = draft && mb.messages.get(draft.messageId);
	if (!draft || !old) throw notFound(`No draft ${params.id ?? ''} in ${mb.email}`);
	const edit = editOf(jsonBody(req));
	const now = store.clock.now();
	const raw = editedRaw(old.raw, edit, now, edit.replaceMessage);
	const parsed = await parseMessage(raw);
	if (!headerOf(parsed, 'message-id')) throw badRequest('the edited draft has no Message-ID');
	const userLabels = old.labelIds.filter((l) => l !== 'DRAFT');
	if (!edit.replaceMessage) {
		// The same message, rewritten where it is (not something Gmail documents; the kinder case, for the "both ways" tests).
		old.raw = raw;
		old.parsed = parsed;
		old.sizeEstimate = Buffer.byteLength(raw);
		if (edit.dropLabels && userLabels.length) store.changeLabels(mb, old, [], userLabels);
		store.onChange();
		return { status: 200, body: { id: draft.id, message: { id: old.id, threadId: old.threadId, labelIds: [...old.labelIds] }, previousMessageId: old.id } };
	}
	const id = freshId(mb);
	const saved = store.addMessage(mb, {
		id,
		threadId: threadOf(parts, mb, old, parsed, id),
		labelIds: ['DRAFT', ...(edit.dropLabels ? [] : userLabels)],
		raw,
		internalDate: now,
		sizeEstimate: Buffer.byteLength(raw),
		parsed,
	});
	store.deleteMessage(mb, old);
	draft.messageId = saved.id;
	store.onChange();
	return { status: 200, body: { id: draft.id, message: { id: saved.id, threadId: saved.threadId, labelIds: [...saved.labelIds] }, previousMessageId: old.id } };
}
