import { randomBytes, randomInt } from 'node:crypto';
import { Clock } from './clock';
import { HttpError } from './errors';
import type { ParsedMessage } from './mime';
import { ALL_SCOPES } from './methods';
import { DEFAULT_SETTINGS, type SandboxSettings } from './settings';

/** A mailbox's kind, or a number = its own daily cap. */
export type MailboxType = 'gmail' | 'workspace' | 'workspace-trial' | number;

/** A Gmail label. */
export interface Label {
	id: string;
	name: string;
	type: 'system' | 'user';
	messageListVisibility?: string;
	labelListVisibility?: string;
	color?: { textColor?: string; backgroundColor?: string };
}

/** A message as stored. `raw` is the RFC 5322 text. */
export interface StoredMessage {
	id: string;
	threadId: string;
	labelIds: string[];
	raw: string;
	internalDate: number;
	historyId: number;
	sizeEstimate: number;
	parsed: ParsedMessage;
}

/** A draft: a stable id pointing at its current message. */
export interface Draft {
	id: string;
	messageId: string;
}

/** One history record, in Gmail's shape once ids are stringified. */
export interface HistoryRecord {
	id: number;
	at: number;
	messages: Array<{ id: string; threadId: string }>;
	messagesAdded?: Array<{ message: MessageRef }>;
	messagesDeleted?: Array<{ message: MessageRef }>;
	labelsAdded?: Array<{ message: MessageRef; labelIds: string[] }>;
	labelsRemoved?: Array<{ message: MessageRef; labelIds: string[] }>;
}

/** `{id, threadId, labelIds}` as history and modify return it. */
export interface MessageRef {
	id: string;
	threadId: string;
	labelIds: string[];
}

/** One mailbox and everything in it. */
export interface Mailbox {
	email: string;
	type: MailboxType;
	aliases: string[];
	/** Send-as aliases added but not verified (sendAs.list shows them pending; they do not count as the mailbox's). */
	unverifiedAliases?: string[];
	timezone: string;
	scopes: string[];
	createdAt: number;
	historyId: number;
	/** Start ids below this are too old (their records were pruned). */
	historyFloor: number;
	nextLabel: number;
	labels: Label[];
	messages: Map<string, StoredMessage>;
	drafts: Map<string, Draft>;
	history: HistoryRecord[];
	/** Sandbox times of every send (API and manual) in the last 24 h or so. */
	sendLog: number[];
}

/** What an access token stands for. */
export interface AccessToken {
	email: string;
	scopes: string[];
	expiresAt: number;
}

/** What a refresh token stands for. */
export interface RefreshToken {
	email: string;
	scopes: string[];
	revoked: boolean;
}

/** System labels every mailbox has. */
export const SYSTEM_LABELS = [
	'INBOX',
	'SENT',
	'DRAFT',
	'SPAM',
	'TRASH',
	'UNREAD',
	'STARRED',
	'IMPORTANT',
	'CHAT',
	'CATEGORY_PERSONAL',
	'CATEGORY_SOCIAL',
	'CATEGORY_PROMOTIONS',
	'CATEGORY_UPDATES',
	'CATEGORY_FORUMS',
];

/** 16 lower-case hex chars, like Gmail's message ids. */
export function newMessageId(): string {
	// Gmail ids grow over time; a time prefix keeps ids roughly ordered too.
	return (Date.now().toString(16).padStart(11, '0') + randomBytes(3).toString('hex')).slice(-16);
}

/** A random url-safe token. */
export function randomToken(bytes = 24): string {
	return randomBytes(bytes).toString('base64url');
}

/** All state of one sandbox instance (no module-level state, so tests can run several). */
export class Store {
	mailboxes = new Map<string, Mailbox>();

	accessTokens = new Map<string, AccessToken>();

	refreshTokens = new Map<string, RefreshToken>();

	codes = new Map<string, { email: string; scopes: string[]; redirectUri: string }>();

	serviceAccounts = new Map<string, string>();

	clock = new Clock();

	/** Called after every change (persistence hooks in here). */
	onChange: () => void = () => {};

	constructor(public settings: SandboxSettings = DEFAULT_SETTINGS) {}

	/** Empties everything but the settings. */
	reset(): void {
		this.mailboxes.clear();
		this.accessTokens.clear();
		this.refreshTokens.clear();
		this.codes.clear();
		this.serviceAccounts.clear();
		this.clock = new Clock();
		this.onChange();
	}

	/** Adds a mailbox. */
	createMailbox(opts: { email: string; type?: MailboxType; aliases?: string[]; timezone?: string; scopes?: string[] }): Mailbox {
		const email = String(opts.email ?? '').trim().toLowerCase();
		if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) throw new HttpError(400, `Invalid mailbox email: "${opts.email}"`);
		if (this.mailboxes.has(email)) throw new HttpError(409, `Mailbox ${email} already exists`, { reason: 'duplicate' });
		const type = opts.type ?? 'gmail';
		if (typeof type === 'number' ? !(type >= 0) : !['gmail', 'workspace', 'workspace-trial'].includes(type)) {
			throw new HttpError(400, `Invalid mailbox type: ${String(type)} (gmail, workspace, workspace-trial or a number)`);
		}
		const start = randomInt(1000, 5000);
		const mb: Mailbox = {
			email,
			type,
			aliases: (opts.aliases ?? []).map((a) => a.trim().toLowerCase()),
			timezone: opts.timezone ?? 'UTC',
			scopes: opts.scopes ?? [...ALL_SCOPES],
			createdAt: this.clock.now(),
			historyId: start,
			historyFloor: start,
			nextLabel: 1,
			labels: [],
			messages: new Map(),
			drafts: new Map(),
			history: [],
			sendLog: [],
		};
		this.mailboxes.set(email, mb);
		this.onChange();
		return mb;
	}

	/** A mailbox by address (case-insensitive). */
	mailbox(email: string): Mailbox | undefined {
		return this.mailboxes.get(email.trim().toLowerCase());
	}

	/** Issues a fresh access token (and optionally a refresh token) for a mailbox. */
	issueTokens(email: string, scopes: string[], withRefresh: boolean): { accessToken: string; refreshToken?: string; expiresIn: number } {
		const accessToken = `ya29.sandbox-${randomToken()}`;
		const expiresIn = this.settings.tokenLifetimeSec;
		this.accessTokens.set(accessToken, { email, scopes, expiresAt: this.clock.now() + expiresIn * 1000 });
		let refreshToken: string | undefined;
		if (withRefresh) {
			refreshToken = `1//sandbox-${randomToken()}`;
			this.refreshTokens.set(refreshToken, { email, scopes, revoked: false });
		}
		this.onChange();
		return { accessToken, refreshToken, expiresIn };
	}

	/** Expires every access token of a mailbox now. */
	expireTokens(email: string): void {
		const now = this.clock.now();
		for (const t of this.accessTokens.values()) if (t.email === email) t.expiresAt = Math.min(t.expiresAt, now - 1);
		this.onChange();
	}

	/** Revokes every refresh token of a mailbox and expires its access tokens. */
	revokeTokens(email: string): void {
		for (const t of this.refreshTokens.values()) if (t.email === email) t.revoked = true;
		this.expireTokens(email);
	}

	/** Daily cap of a mailbox. */
	capOf(mb: Mailbox): number {
		return typeof mb.type === 'number' ? mb.type : this.settings.dailyCaps[mb.type];
	}

	/** Sends in the rolling 24 h before now (sandbox clock). */
	sent24h(mb: Mailbox): number[] {
		const since = this.clock.now() - 24 * 3600_000;
		mb.sendLog = mb.sendLog.filter((t) => t > since);
		return mb.sendLog;
	}

	/** Next history id: increases by 1..5 so ids are not contiguous. */
	private bump(mb: Mailbox): number {
		mb.historyId += randomInt(1, 6);
		return mb.historyId;
	}

	/** Appends a history record and returns its id. */
	record(mb: Mailbox, fill: (rec: HistoryRecord) => void, touched: StoredMessage[]): number {
		const id = this.bump(mb);
		const rec: HistoryRecord = { id, at: this.clock.now(), messages: touched.map((m) => ({ id: m.id, threadId: m.threadId })) };
		fill(rec);
		for (const m of touched) m.historyId = id;
		mb.history.push(rec);
		this.onChange();
		return id;
	}

	/** Drops records older than the retention and raises the floor below which start ids are refused. */
	pruneHistory(mb: Mailbox): void {
		const cutoff = this.clock.now() - this.settings.historyRetentionDays * 24 * 3600_000;
		let drop = 0;
		while (drop < mb.history.length && mb.history[drop].at < cutoff) drop++;
		if (drop === 0) return;
		mb.historyFloor = mb.history[drop - 1].id;
		mb.history.splice(0, drop);
	}

	/** Stores a new message and records messagesAdded. */
	addMessage(mb: Mailbox, msg: Omit<StoredMessage, 'historyId'>): StoredMessage {
		const stored: StoredMessage = { ...msg, historyId: 0 };
		mb.messages.set(stored.id, stored);
		this.record(mb, (r) => (r.messagesAdded = [{ message: refOf(stored) }]), [stored]);
		return stored;
	}

	/** Deletes a message for good and records messagesDeleted. */
	deleteMessage(mb: Mailbox, msg: StoredMessage): void {
		mb.messages.delete(msg.id);
		this.record(mb, (r) => (r.messagesDeleted = [{ message: refOf(msg) }]), [msg]);
	}

	/** Adds and removes labels on a message, recording only what actually changed. */
	changeLabels(mb: Mailbox, msg: StoredMessage, add: string[], remove: string[]): void {
		const added = add.filter((l) => !msg.labelIds.includes(l) && !remove.includes(l));
		const removed = remove.filter((l) => msg.labelIds.includes(l));
		if (!added.length && !removed.length) return;
		msg.labelIds = [...msg.labelIds.filter((l) => !removed.includes(l)), ...added];
		this.record(
			mb,
			(r) => {
				if (added.length) r.labelsAdded = [{ message: refOf(msg), labelIds: added }];
				if (removed.length) r.labelsRemoved = [{ message: refOf(msg), labelIds: removed }];
			},
			[msg],
		);
	}

	/** Messages of a thread in date order. */
	threadMessages(mb: Mailbox, threadId: string): StoredMessage[] {
		return [...mb.messages.values()].filter((m) => m.threadId === threadId).sort(byDateAsc);
	}
}

/** `{id, threadId, labelIds}` of a message (a copy). */
export function refOf(m: StoredMessage): MessageRef {
	return { id: m.id, threadId: m.threadId, labelIds: [...m.labelIds] };
}

/** Oldest first, then by id. */
export function byDateAsc(a: StoredMessage, b: StoredMessage): number {
	return a.internalDate - b.internalDate || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}
