import { createSandbox, type Sandbox, type SandboxSettings } from '../../sandbox/index';

/** A mailbox created in a test sandbox, with tokens for all its scopes. */
export interface TestMailbox {
	email: string;
	accessToken: string;
	refreshToken: string;
}

/** Options for createMailbox. */
export interface MailboxOptions {
	email: string;
	type?: 'gmail' | 'workspace' | 'workspace-trial' | number;
	aliases?: string[];
	/** Send-as aliases that are not verified: listed as pending, and not a From Gmail keeps. */
	unverifiedAliases?: string[];
	timezone?: string;
	scopes?: string[];
}

/** A message as GET /sandbox/mailboxes/{email}/messages returns it. */
export interface AdminMessage {
	id: string;
	threadId: string;
	labelIds: string[];
	internalDate: number;
	date: string;
	historyId: number;
	headers: Array<{ name: string; value: string }>;
	from?: { name: string; address: string };
	to: Array<{ name: string; address: string }>;
	cc: Array<{ name: string; address: string }>;
	bcc: Array<{ name: string; address: string }>;
	subject: string;
	messageId?: string;
	inReplyTo?: string;
	references?: string;
	text: string;
	html: string;
	attachments: Array<{ filename: string; mimeType: string; size: number }>;
	raw: string;
}

/** Stats of GET /sandbox/stats. */
export interface SandboxStats {
	calls: Record<string, number>;
	quotaUnits: number;
	sent24h: number;
	errors: Record<string, number>;
	cap?: number;
	/** Late commits of injected faults still waiting. */
	pendingCommits?: number;
}

/** A running sandbox with thin wrappers over its admin API. */
export interface TestSandbox {
	url: string;
	sandbox: Sandbox;
	close(): Promise<void>;
	createMailbox(opts: MailboxOptions): Promise<TestMailbox>;
	deliver(body: Record<string, unknown>): Promise<{ id: string; threadId: string }>;
	manualSend(body: { from: string; to: string; subject?: string; count?: number }): Promise<{ sent: number; refused: number; ids: string[] }>;
	clock(body?: { advance?: string; now?: string }): Promise<{ now: string }>;
	faults(body: Record<string, unknown>): Promise<unknown>;
	clearFaults(): Promise<void>;
	stats(mailbox?: string): Promise<SandboxStats>;
	reset(): Promise<void>;
	settings(body: Partial<SandboxSettings>): Promise<SandboxSettings>;
	expireTokens(email: string): Promise<void>;
	revokeTokens(email: string): Promise<void>;
	/** Alias of revokeTokens (contract name). */
	revokeRefreshTokens(email: string): Promise<void>;
	registerServiceAccount(clientEmail: string, publicKeyPem: string): Promise<void>;
	/** Every message of a mailbox (oldest first) with parsed headers and raw text. */
	messages(email: string): Promise<AdminMessage[]>;
	/** A Gmail API call with a bearer token; returns status and parsed JSON (or text). */
	gmail(token: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: any; headers: Headers }>;
}

/** Starts an in-process sandbox on 127.0.0.1, port 0. Close it in `after`. */
export async function startSandbox(settings?: Partial<SandboxSettings>): Promise<TestSandbox> {
	const sandbox = createSandbox({ settings });
	const url = await sandbox.listen(0, '127.0.0.1');
	const admin = async (method: string, path: string, body?: unknown): Promise<any> => {
		const res = await fetch(url + path, {
			method,
			headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
			body: body === undefined ? undefined : JSON.stringify(body),
			signal: AbortSignal.timeout(30_000),
		});
		const text = await res.text();
		const parsed = text ? JSON.parse(text) : {};
		if (!res.ok) throw new Error(`sandbox ${method} ${path} → ${res.status}: ${parsed?.error?.message ?? text}`);
		return parsed;
	};
	return {
		url,
		sandbox,
		close: () => sandbox.close(),
		createMailbox: (opts) => admin('POST', '/sandbox/mailboxes', opts),
		deliver: (body) => admin('POST', '/sandbox/deliver', body),
		manualSend: (body) => admin('POST', '/sandbox/manual-send', body),
		clock: (body) => (body ? admin('POST', '/sandbox/clock', body) : admin('GET', '/sandbox/clock')),
		faults: (body) => admin('POST', '/sandbox/faults', body),
		clearFaults: async () => void (await admin('DELETE', '/sandbox/faults')),
		stats: (mailbox) => admin('GET', `/sandbox/stats${mailbox ? `?mailbox=${encodeURIComponent(mailbox)}` : ''}`),
		reset: async () => void (await admin('POST', '/sandbox/reset')),
		settings: (body) => admin('POST', '/sandbox/settings', body),
		expireTokens: async (email) => void (await admin('POST', '/sandbox/tokens/expire', { email })),
		revokeTokens: async (email) => void (await admin('POST', '/sandbox/tokens/revoke', { email })),
		revokeRefreshTokens: async (email) => void (await admin('POST', '/sandbox/tokens/revoke', { email })),
		registerServiceAccount: async (clientEmail, publicKeyPem) => void (await admin('POST', '/sandbox/service-accounts', { clientEmail, publicKeyPem })),
		messages: async (email) => (await admin('GET', `/sandbox/mailboxes/${encodeURIComponent(email)}/messages`)).messages,
		gmail: async (token, method, path, body) => {
			const res = await fetch(url + path, {
				method,
				headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
				body: body === undefined ? undefined : JSON.stringify(body),
				signal: AbortSignal.timeout(30_000),
			});
			const text = await res.text();
			let parsed: unknown = text;
			try {
				parsed = text ? JSON.parse(text) : undefined;
			} catch {
				// not JSON (HTML or multipart): keep the text
			}
			return { status: res.status, body: parsed, headers: res.headers };
		},
	};
}

/** Header fields for rawMessage. */
export interface RawMessageFields {
	from?: string;
	to?: string;
	cc?: string;
	bcc?: string;
	subject?: string;
	messageId?: string;
	inReplyTo?: string;
	references?: string;
	headers?: Record<string, string>;
	text?: string;
}

/** A plain text/plain RFC 5322 message written out by hand (for sandbox tests; not the package's MIME builder). */
export function rawMessage(f: RawMessageFields): string {
	const lines: string[] = [];
	if (f.from !== undefined) lines.push(`From: ${f.from}`);
	if (f.to !== undefined) lines.push(`To: ${f.to}`);
	if (f.cc !== undefined) lines.push(`Cc: ${f.cc}`);
	if (f.bcc !== undefined) lines.push(`Bcc: ${f.bcc}`);
	lines.push(`Subject: ${f.subject ?? 'Hello'}`);
	if (f.messageId) lines.push(`Message-ID: ${f.messageId}`);
	if (f.inReplyTo) lines.push(`In-Reply-To: ${f.inReplyTo}`);
	if (f.references) lines.push(`References: ${f.references}`);
	for (const [k, v] of Object.entries(f.headers ?? {})) lines.push(`${k}: ${v}`);
	lines.push('MIME-Version: 1.0', 'Content-Type: text/plain; charset=UTF-8', '', f.text ?? 'Hi there');
	return lines.join('\r\n') + '\r\n';
}

/** base64url without padding, as Gmail wants `raw`. */
export function b64url(text: string): string {
	return Buffer.from(text).toString('base64url');
}
