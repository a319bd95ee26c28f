// What a user pastes into n8n to use a running sandbox: the "Gmail Outreach OAuth2 API" credential's settings.

/** The credential's fields, by their names in n8n (credentials/GmailOutreachOAuth2Api.credentials.ts and Google's OAuth2). */
export interface CredentialSettings {
	clientId: string;
	clientSecret: string;
	apiBaseUrl: string;
	authUrl: string;
	accessTokenUrl: string;
}

/**
 * The settings for a sandbox n8n reaches at `apiUrl` and the browser at `browserUrl`: n8n itself calls the API and the
 * token endpoint, while the sign-in page is opened by the browser, so in Docker the two differ. Any client id and secret work.
 */
export function credentialSettings(apiUrl: string, browserUrl: string = apiUrl): CredentialSettings {
	return {
		clientId: 'sandbox-client-id.apps.googleusercontent.com',
		clientSecret: 'sandbox-client-secret',
		apiBaseUrl: apiUrl,
		authUrl: `${browserUrl}/o/oauth2/v2/auth`,
		accessTokenUrl: `${apiUrl}/token`,
	};
}

/** Whether a listen address means every interface (then the listen URL is no address anyone can use). */
export function isWildcardHost(host: string): boolean {
	return host === '' || host === '0.0.0.0' || host === '::' || host === '[::]';
}

/** Where the printed settings point: the sandbox as n8n reaches it and as the browser does. */
export interface Reach {
	apiUrl: string;
	browserUrl: string;
	/** The API address is a placeholder to replace (bound to every interface and no --url given). */
	placeholder: boolean;
}

/** The addresses to print for a sandbox listening on `host`:`port`, unless --url / --browser-url say them. */
export function reachOf(opts: { host: string; port: number; url?: string; browserUrl?: string }): Reach {
	const wildcard = isWildcardHost(opts.host);
	const own = `http://${opts.host.includes(':') && !opts.host.startsWith('[') ? `[${opts.host}]` : opts.host}:${opts.port}`;
	// Bound to every interface, the browser usually reaches a published port on its own machine.
	const browserUrl = opts.browserUrl ?? (wildcard ? `http://localhost:${opts.port}` : own);
	if (opts.url) return { apiUrl: opts.url, browserUrl, placeholder: false };
	return { apiUrl: wildcard ? `http://<sandbox-host>:${opts.port}` : own, browserUrl, placeholder: wildcard };
}

/** The lines the CLI prints after start: the mailboxes, the mail view and the credential settings for n8n. */
export function connectLines(reach: Reach, mailboxes: string[], created: string | undefined): string[] {
	const s = credentialSettings(reach.apiUrl, reach.browserUrl);
	const newest = mailboxes[mailboxes.length - 1];
	const lines = [
		mailboxes.length
			? `Mailboxes: ${mailboxes
					.slice(-5)
					.map((m) => (m === created ? `${m} (the demo mailbox, just created)` : m))
					.join(', ')}${mailboxes.length > 5 ? ` and ${mailboxes.length - 5} more` : ''}`
			: 'Mailboxes: none yet. Restart with --demo for the demo mailbox, or create one: POST /sandbox/mailboxes {"email": "you@example.com"}',
		`Mail view: ${reach.browserUrl}/`,
		'',
		'In n8n, create a "Gmail Outreach OAuth2 API" credential with:',
		`  Client ID:          ${s.clientId}`,
		`  Client Secret:      ${s.clientSecret}`,
		`  API Base URL:       ${s.apiBaseUrl}`,
		`  Authorization URL:  ${s.authUrl}`,
		`  Access Token URL:   ${s.accessTokenUrl}`,
		`then click "Sign in with Google": the sandbox signs in ${newest ? `its newest mailbox (${newest})` : 'its newest mailbox'} at once.`,
		'n8n calls the API Base and Access Token URLs; your browser opens the Authorization URL.',
	];
	if (reach.placeholder) {
		lines.push(
			'<sandbox-host>: the name n8n reaches this sandbox by: its Docker service or container name (same network),',
			'host.docker.internal (n8n in Docker, the sandbox on the host), or this machine\'s address. Start with',
			`--url ${reach.apiUrl.replace('<sandbox-host>', 'NAME')} to have it filled in.`,
		);
	}
	return lines;
}
