import type { SandboxParts } from './api/context';
import { jsonBody } from './api/context';
import { buildSimple } from './builders';
import { buildAnswer } from './inbound/answers';
import type { AnswerOptions } from './inbound/common';
import { editDraft } from './edit-draft';
import { badRequest, HttpError, notFound } from './errors';
import { parseMessage } from './mime';
import { commitSend, deliverInbound, freshId } from './outgoing';
import type { ApiRequest, ApiResponse, Router } from './router';
import { mergeSettings } from './settings';
import { byDateAsc, type Mailbox, type MailboxType, type StoredMessage } from './store';

function ok(body: unknown, status = 200): ApiResponse {
	return { status, body };
}

function str(body: Record<string, unknown>, key: string, required = true): string | undefined {
	const v = body[key];
	if (v === undefined || v === null) {
		if (required) throw badRequest(`${key} is required`);
		return undefined;
	}
	if (typeof v !== 'string') throw badRequest(`${key} must be a string`);
	return v;
}

/** The answer options of a deliver request, type-checked. */
function answerOptions(b: Record<string, unknown>): AnswerOptions {
	const flag = (key: string) => {
		if (b[key] !== undefined && typeof b[key] !== 'boolean') throw badRequest(`${key} must be true or false`);
		return b[key] as boolean | undefined;
	};
	return {
		text: str(b, 'text', false),
		format: str(b, 'format', false),
		status: str(b, 'status', false),
		lang: str(b, 'lang', false),
		returnDate: str(b, 'returnDate', false),
		alternateContact: str(b, 'alternateContact', false),
		from: str(b, 'from', false),
		headers: flag('headers'),
		threaded: flag('threaded'),
	};
}

function mailboxOr404(parts: SandboxParts, email: string | undefined): Mailbox {
	const mb = email ? parts.store.mailbox(email) : undefined;
	if (!mb) throw notFound(`No sandbox mailbox ${email ?? ''}`);
	return mb;
}

/** A message as GET /sandbox/mailboxes/{email}/messages shows it: parsed fields plus the raw text. */
export function adminMessage(m: StoredMessage): Record<string, unknown> {
	const p = m.parsed;
	return {
		id: m.id,
		threadId: m.threadId,
		labelIds: [...m.labelIds],
		internalDate: m.internalDate,
		date: new Date(m.internalDate).toISOString(),
		historyId: m.historyId,
		headers: p.headers,
		from: p.from,
		to: p.to,
		cc: p.cc,
		bcc: p.bcc,
		subject: p.subject,
		messageId: p.messageId ? `<${p.messageId}>` : undefined,
		inReplyTo: p.inReplyTo.map((i) => `<${i}>`).join(' ') || undefined,
		references: p.references.map((i) => `<${i}>`).join(' ') || undefined,
		text: p.text,
		html: p.html,
		attachments: p.attachments,
		raw: m.raw,
	};
}

function mailboxSummary(parts: SandboxParts, mb: Mailbox): Record<string, unknown> {
	return {
		email: mb.email,
		type: mb.type,
		aliases: mb.aliases,
		unverifiedAliases: mb.unverifiedAliases ?? [],
		timezone: mb.timezone,
		scopes: mb.scopes,
		cap: parts.store.capOf(mb),
		sent24h: parts.store.sent24h(mb).length,
		messages: mb.messages.size,
		drafts: mb.drafts.size,
		historyId: String(mb.historyId),
	};
}

/** Send-as aliases of a new mailbox: `aliases` as addresses or `{email, verified}`, plus `unverifiedAliases`. */
function aliasesOf(b: Record<string, unknown>): { aliases: string[]; unverified: string[] } {
	const aliases: string[] = [];
	const unverified: string[] = [];
	const list = (v: unknown, name: string): unknown[] => {
		if (v === undefined) return [];
		if (!Array.isArray(v)) throw badRequest(`${name} must be a list`);
		return v;
	};
	for (const a of list(b.aliases, 'aliases')) {
		if (typeof a === 'string') aliases.push(a);
		else if (a && typeof a === 'object' && typeof (a as Record<string, unknown>).email === 'string') {
			const { email, verified } = a as { email: string; verified?: unknown };
			(verified === false ? unverified : aliases).push(email);
		} else throw badRequest('aliases must be addresses or {email, verified}');
	}
	for (const a of list(b.unverifiedAliases, 'unverifiedAliases')) {
		if (typeof a !== 'string') throw badRequest('unverifiedAliases must be addresses');
		unverified.push(a);
	}
	return { aliases, unverified: unverified.map((a) => a.trim().toLowerCase()) };
}

/** Registers the sandbox-only admin API under /sandbox. */
export function registerAdmin(router: Router<ApiRequest>, parts: SandboxParts): void {
	const { store } = parts;
	router.on('POST', '/sandbox/mailboxes', (req) => {
		const b = jsonBody(req);
		const scopes = Array.isArray(b.scopes) ? (b.scopes as string[]) : undefined;
		const { aliases, unverified } = aliasesOf(b);
		const mb = store.createMailbox({
			email: String(b.email ?? ''),
			type: b.type as MailboxType | undefined,
			aliases,
			timezone: str(b, 'timezone', false),
			scopes,
		});
		if (unverified.length) mb.unverifiedAliases = unverified;
		const t = store.issueTokens(mb.email, mb.scopes, true);
		return ok({ email: mb.email, accessToken: t.accessToken, refreshToken: t.refreshToken });
	});
	router.on('GET', '/sandbox/mailboxes', () => ok({ mailboxes: [...store.mailboxes.values()].map((mb) => mailboxSummary(parts, mb)) }));
	router.on('GET', '/sandbox/mailboxes/:email', (_req, p) => ok(mailboxSummary(parts, mailboxOr404(parts, p.email))));
	router.on('GET', '/sandbox/mailboxes/:email/messages', (_req, p) => {
		const mb = mailboxOr404(parts, p.email);
		return ok({ messages: [...mb.messages.values()].sort(byDateAsc).map(adminMessage) });
	});
	router.on('POST', '/sandbox/service-accounts', (req) => {
		const b = jsonBody(req);
		const clientEmail = str(b, 'clientEmail') as string;
		const pem = str(b, 'publicKeyPem') as string;
		if (!pem.includes('BEGIN')) throw badRequest('publicKeyPem must be a PEM public key (or certificate)');
		store.serviceAccounts.set(clientEmail, pem);
		store.onChange();
		return ok({ clientEmail });
	});
	router.on('POST', '/sandbox/tokens/expire', (req) => {
		const mb = mailboxOr404(parts, str(jsonBody(req), 'email'));
		store.expireTokens(mb.email);
		return ok({ email: mb.email });
	});
	router.on('POST', '/sandbox/tokens/revoke', (req) => {
		const mb = mailboxOr404(parts, str(jsonBody(req), 'email'));
		store.revokeTokens(mb.email);
		return ok({ email: mb.email });
	});
	router.on('POST', '/sandbox/deliver', async (req) => {
		const b = jsonBody(req);
		const mb = mailboxOr404(parts, str(b, 'to'));
		let raw: string;
		if (typeof b.raw === 'string') {
			raw = b.raw;
		} else if (b.replyTo !== undefined) {
			const sent = mb.messages.get(str(b, 'replyTo') as string);
			if (!sent) throw notFound(`No message ${String(b.replyTo)} in ${mb.email}`);
			const answer = buildAnswer(mb, sent, str(b, 'kind', false) ?? 'reply', answerOptions(b), store.clock.now());
			if (answer.sentIn) {
				// The owner's answer by hand: a send from the mailbox (it counts against the daily cap), in that thread.
				const m = await commitSend(store, mb, { raw: answer.raw, parsed: await parseMessage(answer.raw), threadId: answer.sentIn, id: freshId(mb) });
				return ok({ id: m.id, threadId: m.threadId });
			}
			raw = answer.raw;
		} else {
			const headers = b.headers && typeof b.headers === 'object' ? (b.headers as Record<string, string>) : undefined;
			raw = buildSimple(
				{
					to: mb.email,
					from: str(b, 'from') as string,
					subject: str(b, 'subject', false) ?? '',
					text: str(b, 'text', false) ?? '',
					inReplyTo: str(b, 'inReplyTo', false),
					references: str(b, 'references', false),
					headers,
				},
				store.clock.now(),
			);
		}
		const m = await deliverInbound(store, mb, raw);
		return ok({ id: m.id, threadId: m.threadId });
	});
	router.on('POST', '/sandbox/mailboxes/:email/drafts/:id/edit', (req, p) => editDraft(parts, req, p));
	router.on('POST', '/sandbox/manual-send', async (req) => {
		const b = jsonBody(req);
		const mb = mailboxOr404(parts, str(b, 'from'));
		const to = str(b, 'to') as string;
		const subject = str(b, 'subject', false) ?? 'Sent by hand';
		const count = b.count === undefined ? 1 : Number(b.count);
		if (!Number.isInteger(count) || count < 1 || count > 10000) throw badRequest('count must be an integer 1..10000');
		const ids: string[] = [];
		let refused = 0;
		for (let i = 0; i < count; i++) {
			const raw = buildSimple({ to, from: mb.email, subject, text: 'Sent by hand from the Gmail web interface.' }, store.clock.now());
			const id = freshId(mb);
			try {
				const m = await commitSend(store, mb, { raw, parsed: await parseMessage(raw), threadId: id, id });
				ids.push(m.id);
			} catch (err) {
				if (!(err instanceof HttpError) || err.status !== 429) throw err;
				refused = count - i;
				break;
			}
		}
		return ok({ sent: ids.length, refused, ids });
	});
	const clockBody = () => ok({ now: new Date(store.clock.now()).toISOString() });
	router.on('GET', '/sandbox/clock', clockBody);
	router.on('POST', '/sandbox/clock', (req) => {
		const b = jsonBody(req);
		try {
			if (typeof b.advance === 'string') store.clock.advance(b.advance);
			else if (typeof b.now === 'string') store.clock.set(b.now);
			else throw new Error('give {advance: "P3D"} or {now: ISO time}');
		} catch (err) {
			throw badRequest((err as Error).message);
		}
		store.onChange();
		return clockBody();
	});
	router.on('GET', '/sandbox/faults', () => ok(parts.faults.toJSON()));
	router.on('POST', '/sandbox/faults', (req) => {
		try {
			parts.faults.set(jsonBody(req));
		} catch (err) {
			if (err instanceof HttpError) throw err;
			throw badRequest((err as Error).message);
		}
		return ok(parts.faults.toJSON());
	});
	router.on('DELETE', '/sandbox/faults', () => {
		parts.faults.clear();
		return ok({});
	});
	router.on('GET', '/sandbox/settings', () => ok(store.settings));
	router.on('POST', '/sandbox/settings', (req) => {
		try {
			store.settings = mergeSettings(store.settings, jsonBody(req));
		} catch (err) {
			if (err instanceof HttpError) throw err;
			throw badRequest((err as Error).message);
		}
		store.onChange();
		return ok(store.settings);
	});
	router.on('GET', '/sandbox/stats', (req) => {
		const email = req.query.get('mailbox');
		const boxes = email ? [mailboxOr404(parts, email)] : [...store.mailboxes.values()];
		const calls: Record<string, number> = {};
		const errors: Record<string, number> = {};
		let quotaUnits = 0;
		let sent24h = 0;
		for (const mb of boxes) {
			const s = parts.stats.of(mb.email);
			for (const [k, v] of Object.entries(s.calls)) calls[k] = (calls[k] ?? 0) + v;
			for (const [k, v] of Object.entries(s.errors)) errors[k] = (errors[k] ?? 0) + v;
			quotaUnits += s.quotaUnits;
			sent24h += store.sent24h(mb).length;
		}
		const pendingCommits = email ? parts.timers.pending(boxes[0].email) : parts.timers.pending();
		const body: Record<string, unknown> = { calls, quotaUnits, sent24h, errors, pendingCommits };
		if (email) body.cap = store.capOf(boxes[0]);
		return ok(body);
	});
	router.on('POST', '/sandbox/reset', () => {
		store.reset();
		parts.faults.clear();
		parts.timers.clear();
		parts.quota.clear();
		parts.stats.clear();
		parts.inflight.clear();
		return ok({});
	});
}
