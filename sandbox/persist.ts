import { mkdirSync, readFileSync, renameSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { mergeSettings } from './settings';
import type { Draft, HistoryRecord, Mailbox, StoredMessage, Store } from './store';

const FILE = 'sandbox-state.json';

interface MailboxJson extends Omit<Mailbox, 'messages' | 'drafts'> {
	messages: StoredMessage[];
	drafts: Draft[];
	history: HistoryRecord[];
}

/** Writes the whole store to DIR/sandbox-state.json (atomically: temp file, then rename). */
export function saveState(store: Store, dir: string): void {
	mkdirSync(dir, { recursive: true });
	const data = {
		version: 1,
		clockOffsetMs: store.clock.offsetMs,
		settings: store.settings,
		mailboxes: [...store.mailboxes.values()].map((mb): MailboxJson => ({ ...mb, messages: [...mb.messages.values()], drafts: [...mb.drafts.values()] })),
		accessTokens: [...store.accessTokens],
		refreshTokens: [...store.refreshTokens],
		serviceAccounts: [...store.serviceAccounts],
	};
	const file = path.join(dir, FILE);
	writeFileSync(`${file}.tmp`, JSON.stringify(data));
	renameSync(`${file}.tmp`, file);
}

/** Loads DIR/sandbox-state.json into the store if it exists. */
export function loadState(store: Store, dir: string): boolean {
	const file = path.join(dir, FILE);
	if (!existsSync(file)) return false;
	const data = JSON.parse(readFileSync(file, 'utf8'));
	store.clock.offsetMs = data.clockOffsetMs ?? 0;
	store.settings = mergeSettings(store.settings, data.settings ?? {});
	store.mailboxes.clear();
	for (const mb of data.mailboxes as MailboxJson[]) {
		store.mailboxes.set(mb.email, {
			...mb,
			messages: new Map(mb.messages.map((m) => [m.id, m])),
			drafts: new Map(mb.drafts.map((d) => [d.id, d])),
		});
	}
	store.accessTokens = new Map(data.accessTokens);
	store.refreshTokens = new Map(data.refreshTokens);
	store.serviceAccounts = new Map(data.serviceAccounts);
	return true;
}
