// The Gmail client: every call paced, charged, retried when it can succeed later, and classified when it fails.
import type { gmail_v1 } from 'googleapis';
import type {
	IDataObject,
	IExecuteFunctions,
	IHttpRequestMethods,
	IHttpRequestOptions,
	ILoadOptionsFunctions,
	IPollFunctions,
} from 'n8n-workflow';

import {
	BackendError,
	ConcurrencyError,
	ConflictError,
	DailyCapError,
	GmailError,
	InvalidRequestError,
	NetworkError,
	ProjectQuotaError,
	RateLimitError,
	UnknownOutcomeError,
	classifyError,
} from './errors';
import { buildBatchBody, parseBatchResponse, type BatchPart } from './batch';
import { DelegatedTokens } from './delegation';
import { Pacer, pacerFor, unitsFor } from './quota';
import { backoffDelay } from './retry';

/** Any n8n context a node may call Gmail from. */
export type GmailContext = IExecuteFunctions | ILoadOptionsFunctions | IPollFunctions;

/** Pacing and retry settings for one client. */
export interface ClientOptions {
	perMinuteUnits?: number;
	windowMs?: number;
	concurrency?: number;
	budgetMs?: number;
	maxRetries?: number;
	/** Per-request timeout (ms). */
	timeoutMs?: number;
	/** Calls per batch request (Gmail allows 100, advises 50). */
	batchSize?: number;
	/** Which of the node's credentials to use (the node's 'authentication' value): 'oAuth2' (Gmail Outreach OAuth2 API) or 'serviceAccount'. */
	credentialType?: CredentialChoice;
	/** Service account only: the mailbox to act as instead of the credential's Delegated User (the credential is never changed). */
	delegatedUser?: string;
}

/** The two ways a node can authenticate to Gmail. */
export type CredentialChoice = 'oAuth2' | 'serviceAccount';

/** The credential types the transport can use. */
// eslint-disable-next-line @n8n/community-nodes/no-hardcoded-secrets -- a credential type name, not a secret
export const OAUTH2_CREDENTIAL_TYPE = 'gmailOutreachOAuth2Api';
/** The service-account credential type name. */
export const SERVICE_ACCOUNT_CREDENTIAL_TYPE = 'gmailOutreachServiceAccountApi';

type Format = 'full' | 'metadata' | 'minimal' | 'raw';

/** Options for reading one message. */
export interface GetOptions {
	format?: Format;
	metadataHeaders?: string[];
}

interface CallInit {
	verb: IHttpRequestMethods;
	path: string;
	qs?: IDataObject;
	body?: IDataObject;
}

// Calls that would duplicate something if repeated after an unanswered attempt.
const NOT_IDEMPOTENT = new Set(['messages.send', 'drafts.send', 'drafts.create', 'messages.insert', 'messages.import']);

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A plain, secret-free stand-in for an HTTP library error (those carry request headers, i.e. tokens). */
function safeCause(error: unknown): Error {
	const e = error as { name?: string; message?: string; code?: string; cause?: unknown };
	const inner = e?.cause as { code?: string; message?: string } | undefined;
	const code = e?.code ?? inner?.code;
	const out = new Error(`${e?.name ?? 'Error'}: ${String(e?.message ?? error).slice(0, 300)}`) as Error & { code?: string };
	if (code) out.code = code;
	return out;
}

interface Extracted {
	status?: number;
	body?: unknown;
	headers?: Record<string, string>;
	gmailError?: GmailError;
	reconnect?: boolean;
}

/** Finds status, body and headers in whatever n8n-core threw (NodeApiError → HTTP error → response). */
function extract(error: unknown): Extracted {
	const seen = new Set<unknown>();
	const queue: unknown[] = [error];
	const out: Extracted = {};
	while (queue.length) {
		const e = queue.shift() as Record<string, unknown> | undefined;
		if (!e || typeof e !== 'object' || seen.has(e)) continue;
		seen.add(e);
		if (e instanceof GmailError) return { gmailError: e };
		const failure = e.failure as { cause?: string } | undefined;
		if (failure?.cause === 'credential-invalid' || /needs to be reconnected/.test(String(e.message ?? ''))) out.reconnect = true;
		const response = e.response as Record<string, unknown> | undefined;
		if (response && typeof response === 'object' && out.status === undefined) {
			const status = Number(response.status ?? response.statusCode);
			if (Number.isFinite(status) && status > 0) {
				out.status = status;
				out.body = response.data ?? response.body;
				out.headers = response.headers as Record<string, string> | undefined;
			}
		}
		queue.push(e.cause, e.error, e.reason);
	}
	return out;
}

function toGmailError(method: string, error: unknown): GmailError {
	const x = extract(error);
	if (x.gmailError) return x.gmailError;
	if (x.reconnect) return classifyError(method, 400, { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' });
	return classifyError(method, x.status, x.body, x.headers, x.status === undefined ? safeCause(error) : undefined);
}

/** A Gmail API client bound to one n8n context and credential. */
export class GmailClient {
	/** Quota units charged so far by this client. */
	unitsSpent = 0;

	/** Calls made so far, by Gmail method id (retries included). */
	readonly calls: Record<string, number> = {};

	/** Retries performed so far (all methods). */
	retries = 0;

	/** Gmail's clock minus this machine's, from the last profile read (Date header, whole seconds); unknown before one. */
	clockOffsetMs?: number;

	constructor(
		private readonly ctx: GmailContext,
		readonly credentialType: string,
		private readonly baseUrl: string,
		private readonly pacer: Pacer,
		private readonly opts: Required<Pick<ClientOptions, 'budgetMs' | 'maxRetries' | 'timeoutMs' | 'batchSize'>>,
		private readonly delegated?: DelegatedTokens,
	) {}

	/** One HTTP request with the credential's token, or the delegated mailbox's own. */
	private async request(options: IHttpRequestOptions): Promise<unknown> {
		if (this.delegated) return await this.delegated.request(this.ctx, options);
		return await this.ctx.helpers.httpRequestWithAuthentication.call(this.ctx, this.credentialType, options);
	}

	private charge(method: string, units: number) {
		this.unitsSpent += units;
		this.calls[method] = (this.calls[method] ?? 0) + 1;
	}

	/** Runs one HTTP attempt through n8n (token attach + refresh on 401), paced. */
	private async attempt(method: string, units: number, options: IHttpRequestOptions, retry: boolean): Promise<unknown> {
		return await this.paced(units, async () => {
			this.charge(method, units);
			return await this.request(options);
		}, method, retry);
	}

	/** Runs `run` (given its grant time) once the pacer has room for `units`, a retry first in line; tells the pacer of a per-minute refusal. */
	private async paced<T>(units: number, run: (granted: number) => Promise<T>, method: string, retry: boolean): Promise<T> {
		const release = await this.pacer.acquire(units, retry);
		const granted = Date.now();
		try {
			return await run(granted);
		} catch (error) {
			const failure = toGmailError(method, error);
			if (failure instanceof RateLimitError) this.pacer.refused(granted);
			throw failure;
		} finally {
			release();
		}
	}

	/** Retries what can succeed later, with backoff and a total time budget. */
	private async withRetries<T>(method: string, run: (attempt: number) => Promise<T>): Promise<T> {
		// The budget runs from the first failure: time spent queued in the pacer is not retrying.
		let started: number | undefined;
		for (let attempt = 0; ; attempt++) {
			let failure: GmailError;
			try {
				return await run(attempt);
			} catch (error) {
				failure = toGmailError(method, error);
			}
			if (NOT_IDEMPOTENT.has(method) && (failure instanceof NetworkError || failure instanceof BackendError)) {
				failure = new UnknownOutcomeError(method, failure);
			}
			// Neither comes back within a run: the cap lasts hours, the project quota until midnight Pacific.
			if (failure instanceof DailyCapError || failure instanceof ProjectQuotaError) throw failure;
			if (!failure.retryable || attempt >= this.opts.maxRetries) throw failure;
			started ??= Date.now();
			// Asking again before the time Gmail named only earns another refusal (and spends quota).
			const hint = failure instanceof RateLimitError || failure instanceof ConcurrencyError ? failure.retryAt : undefined;
			const wait = Math.max(backoffDelay(attempt), hint ? hint.getTime() - Date.now() : 0);
			if (Date.now() + wait > this.deadline(started, failure)) throw failure;
			this.retries++;
			await sleep(wait);
		}
	}

	/**
	 * When retries of a call that first failed at `started` give up. The per-minute quota frees within a window, but a
	 * refused call waits for Gmail's retry time and then queues behind a cut budget: that refusal alone gets 3 windows.
	 */
	private deadline(started: number, failure: GmailError | undefined): number {
		const budget = started + this.opts.budgetMs;
		return failure instanceof RateLimitError ? Math.max(budget, started + 3 * this.pacer.options.windowMs) : budget;
	}

	/** One Gmail REST call: JSON in, typed JSON out. */
	async call<T>(method: string, init: CallInit): Promise<T> {
		const options: IHttpRequestOptions = {
			method: init.verb,
			url: `${this.baseUrl}/gmail/v1/users/me${init.path}`,
			qs: init.qs,
			body: init.body,
			json: true,
			timeout: this.opts.timeoutMs,
			arrayFormat: 'repeat',
		};
		return await this.withRetries(method, async (n) => (await this.attempt(method, unitsFor(method), { ...options }, n > 0)) as T);
	}

	/** The mailbox's address, message/thread totals and current historyId. */
	async getProfile(): Promise<gmail_v1.Schema$Profile> {
		return await this.call('users.getProfile', { verb: 'GET', path: '/profile' });
	}

	/** The profile and Gmail's clock (the response's Date header, whole seconds): "now" for rolling windows, whatever this machine's clock says. */
	async getProfileAndClock(): Promise<{ profile: gmail_v1.Schema$Profile; serverTime?: number }> {
		const method = 'users.getProfile';
		const options: IHttpRequestOptions = {
			method: 'GET',
			url: `${this.baseUrl}/gmail/v1/users/me/profile`,
			json: true,
			timeout: this.opts.timeoutMs,
			returnFullResponse: true,
		};
		const r = await this.withRetries(method, async (n) => (await this.attempt(method, unitsFor(method), { ...options }, n > 0)) as { body: unknown; headers?: Record<string, string> });
		const date = Date.parse(String(r.headers?.date ?? r.headers?.Date ?? ''));
		if (Number.isFinite(date)) this.clockOffsetMs = date - Date.now();
		return { profile: r.body as gmail_v1.Schema$Profile, ...(Number.isFinite(date) ? { serverTime: date } : {}) };
	}

	/** The mailbox's clock as the last profile read saw it (this machine's before any): times we write for the sheet. */
	now(): number {
		return Date.now() + (this.clockOffsetMs ?? 0);
	}

	/** The mailbox's send-as addresses (the user and verified aliases). */
	async listSendAs(): Promise<gmail_v1.Schema$SendAs[]> {
		const r = await this.call<gmail_v1.Schema$ListSendAsResponse>('settings.sendAs.list', { verb: 'GET', path: '/settings/sendAs' });
		return r.sendAs ?? [];
	}

	/** Sends base64url RFC 5322 mail; never resent on an ambiguous failure (UnknownOutcomeError). */
	async sendMessage(raw: string, threadId?: string): Promise<gmail_v1.Schema$Message> {
		return await this.call('messages.send', { verb: 'POST', path: '/messages/send', body: threadId ? { raw, threadId } : { raw } });
	}

	/** One message. */
	async getMessage(id: string, opts: GetOptions = {}): Promise<gmail_v1.Schema$Message> {
		return await this.call('messages.get', { verb: 'GET', path: `/messages/${encodeURIComponent(id)}`, qs: getQs(opts) });
	}

	/** Many messages through the batch endpoint; per-item results (message or typed error) in input order. */
	async batchGetMessagesSettled(ids: string[], opts: GetOptions = {}): Promise<Array<{ id: string; message?: gmail_v1.Schema$Message; error?: GmailError }>> {
		return (await this.batchGetSettled('messages.get', 'messages', ids, opts)).map(({ id, body, error }) => (error ? { id, error } : { id, message: body as gmail_v1.Schema$Message }));
	}

	/** Many threads through the batch endpoint (10 units each, one request per batch); per-item results in input order. */
	async batchGetThreadsSettled(ids: string[], opts: GetOptions = {}): Promise<Array<{ id: string; thread?: gmail_v1.Schema$Thread; error?: GmailError }>> {
		return (await this.batchGetSettled('threads.get', 'threads', ids, opts)).map(({ id, body, error }) => (error ? { id, error } : { id, thread: body as gmail_v1.Schema$Thread }));
	}

	/** GETs one resource per id through the batch endpoint; per-item body or typed error, in input order. */
	private async batchGetSettled(method: string, collection: string, ids: string[], opts: GetOptions): Promise<Array<{ id: string; body?: unknown; error?: GmailError }>> {
		const qs = new URLSearchParams();
		for (const [k, v] of Object.entries(getQs(opts))) {
			for (const one of Array.isArray(v) ? v : [v]) qs.append(k, String(one));
		}
		const query = qs.toString() ? `?${qs.toString()}` : '';
		const results = await this.batch(
			method,
			ids.map((id) => ({ verb: 'GET', path: `/${collection}/${encodeURIComponent(id)}${query}` })),
		);
		return ids.map((id, i) => (results[i].error ? { id, error: results[i].error } : { id, body: results[i].body }));
	}

	/** Many drafts through the batch endpoint (5 units each, one request per batch); per-item results in input order. */
	async batchGetDraftsSettled(ids: string[], format: Format = 'metadata'): Promise<Array<{ id: string; draft?: gmail_v1.Schema$Draft; error?: GmailError }>> {
		return (await this.batchGetSettled('drafts.get', 'drafts', ids, { format })).map(({ id, body, error }) => (error ? { id, error } : { id, draft: body as gmail_v1.Schema$Draft }));
	}

	/** Many messages through the batch endpoint (≤ batchSize per request); throws the first per-item error. */
	async batchGetMessages(ids: string[], opts: GetOptions = {}): Promise<gmail_v1.Schema$Message[]> {
		const settled = await this.batchGetMessagesSettled(ids, opts);
		const failed = settled.find((s) => s.error);
		if (failed?.error) throw failed.error;
		return settled.map((s) => s.message as gmail_v1.Schema$Message);
	}

	/** Runs inner calls through `POST /batch/gmail/v1`, chunked; retryable per-item failures are retried. */
	async batch(method: string, parts: Array<{ verb: string; path: string; body?: unknown }>): Promise<Array<{ status: number; body?: unknown; error?: GmailError }>> {
		const results: Array<{ status: number; body?: unknown; error?: GmailError }> = new Array(parts.length);
		let pending = parts.map((_p, i) => i);
		let started: number | undefined;
		for (let round = 0; pending.length; round++) {
			const retry: number[] = [];
			for (let start = 0; start < pending.length; start += this.opts.batchSize) {
				const chunk = pending.slice(start, start + this.opts.batchSize);
				const batchParts: BatchPart[] = chunk.map((i) => ({
					id: String(i),
					verb: parts[i].verb,
					path: `/gmail/v1/users/me${parts[i].path}`,
					body: parts[i].body,
				}));
				const { boundary, body } = buildBatchBody(batchParts);
				let granted = 0;
				const response = await this.withRetries('batch', async (n) => {
					const units = chunk.length * unitsFor(method);
					return await this.paced(units, async (at) => {
						granted = at;
						this.unitsSpent += units;
						this.calls[method] = (this.calls[method] ?? 0) + chunk.length;
						return (await this.request({
							method: 'POST',
							url: `${this.baseUrl}/batch/gmail/v1`,
							headers: { 'Content-Type': `multipart/mixed; boundary=${boundary}` },
							body,
							json: false,
							encoding: 'text',
							returnFullResponse: true,
							timeout: this.opts.timeoutMs,
						})) as { body: unknown; headers: Record<string, string> };
					}, 'batch', n > 0 || round > 0);
				});
				const parsed = parseBatchResponse(String(response.body), response.headers['content-type'] ?? response.headers['Content-Type']);
				for (const i of chunk) {
					const part = parsed.get(String(i));
					if (!part) {
						results[i] = { status: 0, error: new NetworkError(method, `${method}: the batch response had no answer for item ${i}.`) };
						continue;
					}
					if (part.status >= 200 && part.status < 300) {
						results[i] = { status: part.status, body: part.body };
						continue;
					}
					const error = classifyError(method, part.status, part.body, part.headers);
					if (error instanceof RateLimitError) this.pacer.refused(granted);
					results[i] = { status: part.status, body: part.body, error };
					if (error.retryable) retry.push(i);
				}
			}
			if (!retry.length || round >= this.opts.maxRetries) break;
			const wait = backoffDelay(round);
			started ??= Date.now();
			if (Date.now() + wait > this.deadline(started, retry.map((i) => results[i].error).find((e) => e instanceof RateLimitError))) break;
			this.retries++;
			await sleep(wait);
			pending = retry;
		}
		return results;
	}

	/** One page of message ids. */
	async listMessages(opts: { q?: string; labelIds?: string[]; maxResults?: number; pageToken?: string; includeSpamTrash?: boolean } = {}): Promise<gmail_v1.Schema$ListMessagesResponse> {
		return await this.call('messages.list', { verb: 'GET', path: '/messages', qs: compact(opts) });
	}

	/** Every matching message id (pageToken loop), up to max (default 500). */
	async listAllMessages(opts: { q?: string; labelIds?: string[]; max?: number; includeSpamTrash?: boolean } = {}): Promise<gmail_v1.Schema$Message[]> {
		const max = opts.max ?? 500;
		const out: gmail_v1.Schema$Message[] = [];
		let pageToken: string | undefined;
		do {
			const page = await this.listMessages({
				q: opts.q,
				labelIds: opts.labelIds,
				includeSpamTrash: opts.includeSpamTrash,
				maxResults: Math.min(500, max - out.length),
				pageToken,
			});
			out.push(...(page.messages ?? []));
			pageToken = page.nextPageToken ?? undefined;
		} while (pageToken && out.length < max);
		return out.slice(0, max);
	}

	/** Adds/removes labels on one message. */
	async modifyMessage(id: string, add: string[], remove: string[]): Promise<gmail_v1.Schema$Message> {
		return await this.call('messages.modify', {
			verb: 'POST',
			path: `/messages/${encodeURIComponent(id)}/modify`,
			body: { addLabelIds: add, removeLabelIds: remove },
		});
	}

	/** Adds/removes labels on many messages, 1,000 ids per call. */
	async batchModify(ids: string[], add: string[], remove: string[]): Promise<void> {
		for (let i = 0; i < ids.length; i += 1000) {
			await this.call('messages.batchModify', {
				verb: 'POST',
				path: '/messages/batchModify',
				body: { ids: ids.slice(i, i + 1000), addLabelIds: add, removeLabelIds: remove },
			});
		}
	}

	/** One thread with its messages. */
	async getThread(id: string, opts: { format?: 'full' | 'metadata' | 'minimal'; metadataHeaders?: string[] } = {}): Promise<gmail_v1.Schema$Thread> {
		return await this.call('threads.get', { verb: 'GET', path: `/threads/${encodeURIComponent(id)}`, qs: getQs(opts) });
	}

	/** One page of threads. */
	async listThreads(opts: { q?: string; labelIds?: string[]; maxResults?: number; pageToken?: string } = {}): Promise<gmail_v1.Schema$ListThreadsResponse> {
		return await this.call('threads.list', { verb: 'GET', path: '/threads', qs: compact(opts) });
	}

	/** Every label of the mailbox (system and user). */
	async listLabels(): Promise<gmail_v1.Schema$Label[]> {
		const r = await this.call<gmail_v1.Schema$ListLabelsResponse>('labels.list', { verb: 'GET', path: '/labels' });
		return r.labels ?? [];
	}

	/** Renames a label. */
	async renameLabel(id: string, name: string): Promise<gmail_v1.Schema$Label> {
		return await this.call('labels.patch', { verb: 'PATCH', path: `/labels/${encodeURIComponent(id)}`, body: { name } });
	}

	/** Deletes a label (messages keep their other labels). */
	async deleteLabel(id: string): Promise<void> {
		await this.call('labels.delete', { verb: 'DELETE', path: `/labels/${encodeURIComponent(id)}` });
	}

	/** Creates a user label (visible in the label list and message list). */
	async createLabel(name: string): Promise<gmail_v1.Schema$Label> {
		return await this.call('labels.create', {
			verb: 'POST',
			path: '/labels',
			body: { name, labelListVisibility: 'labelShow', messageListVisibility: 'show' },
		});
	}

	/** Label name → id for every name, creating missing ones (and parents of nested names); safe against races. */
	async ensureLabels(names: string[]): Promise<Record<string, string>> {
		const wanted = new Set<string>();
		for (const name of names.map((n) => n.trim()).filter(Boolean)) {
			const parts = name.split('/');
			for (let i = 1; i <= parts.length; i++) wanted.add(parts.slice(0, i).join('/'));
		}
		let labels = await this.listLabels();
		const find = (name: string) => labels.find((l) => (l.name ?? '').toLowerCase() === name.toLowerCase());
		// Parents first, so "A/B" never exists without "A".
		for (const name of [...wanted].sort((a, b) => a.split('/').length - b.split('/').length)) {
			if (find(name)) continue;
			try {
				labels.push(await this.createLabel(name));
			} catch (error) {
				if (!(error instanceof ConflictError)) throw error as Error;
				// Someone created it meanwhile (another worker, or a case variant): read it back.
				labels = await this.listLabels();
				if (!find(name)) throw error as Error;
			}
		}
		const out: Record<string, string> = {};
		for (const name of names) {
			const label = find(name.trim());
			if (label?.id) out[name] = label.id;
		}
		return out;
	}

	/** Creates a draft (optionally in a thread). */
	async createDraft(raw: string, threadId?: string): Promise<gmail_v1.Schema$Draft> {
		return await this.call('drafts.create', { verb: 'POST', path: '/drafts', body: { message: threadId ? { raw, threadId } : { raw } } });
	}

	/** One draft. */
	async getDraft(id: string, format: Format = 'full'): Promise<gmail_v1.Schema$Draft> {
		return await this.call('drafts.get', { verb: 'GET', path: `/drafts/${encodeURIComponent(id)}`, qs: { format } });
	}

	/** One page of drafts. */
	async listDrafts(opts: { q?: string; maxResults?: number; pageToken?: string } = {}): Promise<gmail_v1.Schema$ListDraftsResponse> {
		return await this.call('drafts.list', { verb: 'GET', path: '/drafts', qs: compact(opts) });
	}

	/** Replaces a draft's message. */
	async updateDraft(id: string, raw: string, threadId?: string): Promise<gmail_v1.Schema$Draft> {
		return await this.call('drafts.update', {
			verb: 'PUT',
			path: `/drafts/${encodeURIComponent(id)}`,
			body: { id, message: threadId ? { raw, threadId } : { raw } },
		});
	}

	/** Sends a stored draft (replacing its message first when `raw` is given); an ambiguous failure is an UnknownOutcomeError, like sendMessage. */
	async sendDraft(id: string, raw?: string, threadId?: string): Promise<gmail_v1.Schema$Message> {
		const body = raw === undefined ? { id } : { id, message: threadId ? { raw, threadId } : { raw } };
		return await this.call('drafts.send', { verb: 'POST', path: '/drafts/send', body });
	}

	/** An attachment's body (base64url data) by message and attachment id. */
	async getAttachment(messageId: string, attachmentId: string): Promise<gmail_v1.Schema$MessagePartBody> {
		return await this.call('messages.attachments.get', { verb: 'GET', path: `/messages/${encodeURIComponent(messageId)}/attachments/${encodeURIComponent(attachmentId)}` });
	}

	/** Deletes a draft for good. */
	async deleteDraft(id: string): Promise<void> {
		await this.call('drafts.delete', { verb: 'DELETE', path: `/drafts/${encodeURIComponent(id)}` });
	}

	/** Changes since startHistoryId; a too-old id is a HistoryTooOldError. */
	async listHistory(
		startHistoryId: string,
		opts: { historyTypes?: string[]; labelId?: string; maxResults?: number; pageToken?: string } = {},
	): Promise<gmail_v1.Schema$ListHistoryResponse> {
		return await this.call('history.list', { verb: 'GET', path: '/history', qs: compact({ startHistoryId, ...opts }) });
	}
}

function getQs(opts: GetOptions): IDataObject {
	return compact({ format: opts.format, metadataHeaders: opts.metadataHeaders });
}

function compact(obj: object): IDataObject {
	const out: IDataObject = {};
	for (const [k, v] of Object.entries(obj)) if (v !== undefined && v !== null && v !== '') out[k] = v as IDataObject[string];
	return out;
}

/** Case-insensitive header value from a message's payload headers. */
export function headerValue(message: gmail_v1.Schema$Message, name: string): string | undefined {
	const lower = name.toLowerCase();
	return message.payload?.headers?.find((h) => (h.name ?? '').toLowerCase() === lower)?.value ?? undefined;
}

/** A client for the credential opts.credentialType names ('oAuth2' default, or 'serviceAccount'). */
export async function gmailClient(ctx: GmailContext, opts: ClientOptions = {}): Promise<GmailClient> {
	const choice = opts.credentialType ?? 'oAuth2';
	const credentialType = choice === 'serviceAccount' ? SERVICE_ACCOUNT_CREDENTIAL_TYPE : OAUTH2_CREDENTIAL_TYPE;
	const credentials = await ctx.getCredentials(credentialType);
	const baseUrl = String(credentials.apiBaseUrl || 'https://gmail.googleapis.com').replace(/\/+$/, '');
	if (!/^https?:\/\//.test(baseUrl)) {
		throw new InvalidRequestError('client', `The credential's API Base URL is not an http(s) URL.`, { field: 'apiBaseUrl' });
	}
	const credentialId = ctx.getNode().credentials?.[credentialType]?.id ?? 'unsaved';
	// One pacer per mailbox in this process: the credential, plus the delegated user for service accounts.
	const own = String(credentials.delegatedUser ?? '');
	const other = credentialType === SERVICE_ACCOUNT_CREDENTIAL_TYPE ? opts.delegatedUser?.trim() : undefined;
	const delegatedUser = other && other.toLowerCase() !== own.trim().toLowerCase() ? other : undefined;
	const key = `${credentialType}:${credentialId}:${delegatedUser ?? own}`;
	const pacer = pacerFor(key, {
		unitsPerWindow: opts.perMinuteUnits ?? 15000,
		windowMs: opts.windowMs ?? 60000,
		concurrency: opts.concurrency ?? 4,
		marginMs: 25,
	});
	return new GmailClient(ctx, credentialType, baseUrl, pacer, {
		budgetMs: opts.budgetMs ?? 60000,
		maxRetries: opts.maxRetries ?? 8,
		timeoutMs: opts.timeoutMs ?? 30000,
		batchSize: Math.max(1, Math.min(100, opts.batchSize ?? 50)),
	}, delegatedUser ? new DelegatedTokens(credentials, delegatedUser) : undefined);
}
