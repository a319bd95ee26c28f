// The plain alternative: Google's own client, used as the outreach guide uses it (one call per lead or message).
// Only Gmail's part of googleapis: loading all of its APIs takes seconds on a busy machine.
import { auth as googleAuth, gmail as gmailApi, type gmail_v1 } from 'googleapis/build/src/apis/gmail';
import type { TestMailbox } from '../test/support/sandbox';

/** A googleapis Gmail client for a sandbox mailbox, with the library's own retries off (each bench decides). */
export function plainGmail(apiUrl: string, mailbox: TestMailbox): gmail_v1.Gmail {
	const auth = new googleAuth.OAuth2({ clientId: 'bench-client', clientSecret: 'bench-secret', endpoints: { oauth2TokenUrl: `${apiUrl}/token` } });
	auth.setCredentials({ access_token: mailbox.accessToken, refresh_token: mailbox.refreshToken });
	return gmailApi({ version: 'v1', rootUrl: `${apiUrl}/`, auth, retry: false });
}

/** HTTP status of a googleapis error (undefined for anything else). */
export function statusOf(error: unknown): number | undefined {
	const e = error as { status?: number; code?: number | string; response?: { status?: number } };
	const s = e?.response?.status ?? e?.status ?? (typeof e?.code === 'number' ? e.code : undefined);
	return typeof s === 'number' ? s : undefined;
}
