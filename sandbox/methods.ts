const G = 'https://www.googleapis.com/auth/gmail.';
const FULL = 'https://mail.google.com/';

/** Scope URLs the sandbox knows. */
export const SCOPES = {
	send: `${G}send`,
	compose: `${G}compose`,
	modify: `${G}modify`,
	readonly: `${G}readonly`,
	metadata: `${G}metadata`,
	labels: `${G}labels`,
	insert: `${G}insert`,
	settingsBasic: `${G}settings.basic`,
	full: FULL,
};

/** Every Gmail scope; a new mailbox grants all of them unless told otherwise. */
export const ALL_SCOPES = Object.values(SCOPES);

const READ = [SCOPES.readonly, SCOPES.modify, FULL];
const READ_META = [...READ, SCOPES.metadata];

/** A Gmail API method: its Google method id, quota units and the scopes that allow it. */
export interface MethodInfo {
	id: string;
	units: number;
	scopes: string[];
}

/** Units per method as in GMAIL.md; scopes per the sandbox contract. */
export const METHODS: Record<string, MethodInfo> = Object.fromEntries(
	(
		[
			['getProfile', 1, ALL_SCOPES],
			['labels.list', 1, [SCOPES.labels, SCOPES.modify, SCOPES.readonly, SCOPES.metadata, FULL]],
			['labels.get', 1, [SCOPES.labels, SCOPES.modify, SCOPES.readonly, SCOPES.metadata, FULL]],
			['labels.create', 5, [SCOPES.labels, SCOPES.modify, FULL]],
			['labels.update', 5, [SCOPES.labels, SCOPES.modify, FULL]],
			['labels.patch', 5, [SCOPES.labels, SCOPES.modify, FULL]],
			['labels.delete', 5, [SCOPES.labels, SCOPES.modify, FULL]],
			['settings.sendAs.list', 1, [SCOPES.readonly, SCOPES.modify, SCOPES.settingsBasic, FULL]],
			['settings.sendAs.get', 1, [SCOPES.readonly, SCOPES.modify, SCOPES.settingsBasic, FULL]],
			['history.list', 2, READ_META],
			['messages.get', 5, READ],
			['messages.list', 5, READ],
			['messages.attachments.get', 5, READ],
			['messages.modify', 5, [SCOPES.modify, FULL]],
			['messages.trash', 5, [SCOPES.modify, FULL]],
			['messages.untrash', 5, [SCOPES.modify, FULL]],
			['messages.delete', 10, [FULL]],
			['messages.batchModify', 50, [SCOPES.modify, FULL]],
			['messages.insert', 25, [SCOPES.insert, SCOPES.modify, FULL]],
			['messages.send', 100, [SCOPES.send, SCOPES.compose, SCOPES.modify, FULL]],
			['threads.get', 10, READ],
			['threads.list', 10, READ],
			['threads.modify', 10, [SCOPES.modify, FULL]],
			['drafts.create', 10, [SCOPES.compose, SCOPES.modify, FULL]],
			['drafts.get', 5, [SCOPES.compose, SCOPES.modify, SCOPES.readonly, FULL]],
			['drafts.list', 5, [SCOPES.compose, SCOPES.modify, SCOPES.readonly, FULL]],
			['drafts.update', 15, [SCOPES.compose, SCOPES.modify, FULL]],
			['drafts.delete', 10, [SCOPES.compose, SCOPES.modify, FULL]],
			['drafts.send', 100, [SCOPES.compose, SCOPES.modify, FULL]],
		] as Array<[string, number, string[]]>
	).map(([id, units, scopes]) => [id, { id, units, scopes }]),
);

/** Scopes that allow a read that gmail.metadata may also do (get format=metadata, list without q). */
export const METADATA_READ = READ_META;
