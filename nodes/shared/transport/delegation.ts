// Acting as another mailbox of the domain with the same service account: tokens minted and kept here, not on the credential.
import type { ICredentialDataDecryptedObject, IHttpRequestOptions } from 'n8n-workflow';

import { fetchServiceAccountToken, readServiceAccountKey } from './serviceAccount';
import type { GmailContext } from './client';

// Tokens per (service account, mailbox, scopes, token URL) in this process; a worker mints its own.
const cache = new Map<string, { token: string; expiresAt: number }>();

/** Renew this long before Google's stated expiry, so a token never runs out mid-request. */
const EARLY_MS = 60_000;

function statusOf(error: unknown): number | undefined {
	const e = error as { response?: { status?: number; statusCode?: number }; httpCode?: string } | undefined;
	const status = Number(e?.response?.status ?? e?.response?.statusCode ?? e?.httpCode);
	return Number.isFinite(status) ? status : undefined;
}

/**
 * Bearer tokens for one delegated mailbox. n8n's own path would store the token (and so the other mailbox)
 * on the credential, which every node using it would then act as; these stay in memory instead.
 */
export class DelegatedTokens {
	private readonly credentials: ICredentialDataDecryptedObject;
	private readonly key: string;

	constructor(credentials: ICredentialDataDecryptedObject, readonly subject: string) {
		this.credentials = { ...credentials, delegatedUser: subject, accessToken: '' };
		const k = readServiceAccountKey(this.credentials);
		this.key = [k.clientEmail, k.subject, k.scopes.join(' '), k.tokenUrl].join('\n');
	}

	private async token(ctx: GmailContext, renew: boolean): Promise<string> {
		const cached = cache.get(this.key);
		if (!renew && cached && cached.expiresAt > Date.now()) return cached.token;
		const { accessToken, expiresIn } = await fetchServiceAccountToken(ctx.helpers, this.credentials);
		cache.set(this.key, { token: accessToken, expiresAt: Date.now() + expiresIn * 1000 - EARLY_MS });
		return accessToken;
	}

	/** One HTTP request as the delegated mailbox; a 401 gets one fresh token and one more try, as n8n does for its credentials. */
	async request(ctx: GmailContext, options: IHttpRequestOptions): Promise<unknown> {
		const send = async (token: string) =>
			await ctx.helpers.httpRequest({ ...options, headers: { ...(options.headers ?? {}), Authorization: `Bearer ${token}` } });
		let failure: unknown;
		try {
			return await send(await this.token(ctx, false));
		} catch (error) {
			failure = error;
		}
		if (statusOf(failure) !== 401) throw failure as Error;
		return await send(await this.token(ctx, true));
	}
}
