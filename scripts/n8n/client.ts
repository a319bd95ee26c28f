// A small client for a real n8n's internal REST API (the one its editor uses), with a session cookie.
import { randomUUID } from 'node:crypto';
import { CREDENTIAL_BLANKING_VALUE } from 'n8n-workflow';

/** The demo/test owner account. */
export interface Owner {
	email: string;
	password: string;
	firstName: string;
	lastName: string;
}

/** Raised when n8n answers a REST call with an error status; never carries request bodies. */
export class N8nApiError extends Error {
	override name = 'N8nApiError' as const;

	constructor(
		readonly method: string,
		readonly path: string,
		readonly status: number,
		readonly body: string,
	) {
		super(`n8n ${method} ${path} → ${status}: ${body.slice(0, 500)}`);
	}
}

/** A saved workflow as n8n returns it (the fields we use). */
export interface SavedWorkflow {
	id: string;
	name: string;
	versionId?: string;
	nodes: WorkflowNode[];
	connections: Record<string, unknown>;
	active?: boolean;
	settings?: Record<string, unknown>;
}

/** One node of a workflow JSON (the fields we touch). */
export interface WorkflowNode {
	id?: string;
	name: string;
	type: string;
	typeVersion: number;
	position: [number, number];
	parameters: Record<string, unknown>;
	credentials?: Record<string, { id: string; name: string }>;
	[key: string]: unknown;
}

/** An execution as `/rest/executions/:id` returns it, with `data` already unflattened. */
export interface Execution {
	id: string;
	status: string;
	finished: boolean;
	mode: string;
	workflowId: string;
	data: {
		resultData: {
			error?: { message: string; [k: string]: unknown };
			runData: Record<string, NodeRun[]>;
			lastNodeExecuted?: string;
		};
	};
}

/** One run of one node inside an execution. */
export interface NodeRun {
	executionStatus?: string;
	error?: { message: string; [k: string]: unknown };
	data?: { main?: Array<Array<{ json: Record<string, unknown>; pairedItem?: unknown }> | null> };
}

/** Talks to n8n's REST API as the logged-in owner. */
export class N8nClient {
	private cookie = '';

	// n8n binds the session to a browser id sent as a header; any stable value works.
	private readonly browserId = randomUUID();

	constructor(readonly url: string) {}

	/** A raw request with the session cookie; returns the Response. */
	async raw(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
		const res = await fetch(this.url + path, {
			method,
			redirect: 'manual',
			signal: AbortSignal.timeout(120_000),
			headers: {
				'browser-id': this.browserId,
				...(this.cookie ? { cookie: this.cookie } : {}),
				...(body === undefined ? {} : { 'content-type': 'application/json' }),
				...headers,
			},
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const set = res.headers.getSetCookie();
		for (const c of set) {
			const [pair] = c.split(';');
			if (pair.startsWith('n8n-auth=')) this.cookie = pair;
		}
		return res;
	}

	/** A JSON request; unwraps n8n's `{data}` envelope; throws N8nApiError on a non-2xx status. */
	async api<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
		const res = await this.raw(method, path, body);
		const text = await res.text();
		if (!res.ok) throw new N8nApiError(method, path, res.status, text);
		if (!text) return undefined as T;
		const json = JSON.parse(text) as { data?: T };
		return (json && typeof json === 'object' && 'data' in json ? json.data : json) as T;
	}

	/** The session cookie header value (`n8n-auth=…`), for a browser context. */
	get sessionCookie(): string {
		return this.cookie;
	}

	/** Whether the instance still shows the owner sign-up screen. */
	async needsOwnerSetup(): Promise<boolean> {
		const settings = await this.api<{ userManagement?: { showSetupOnFirstLoad?: boolean } }>('GET', '/rest/settings');
		return Boolean(settings.userManagement?.showSetupOnFirstLoad);
	}

	/** Creates the owner on a fresh instance (no-op when one exists). */
	async setupOwner(owner: Owner): Promise<void> {
		if (!(await this.needsOwnerSetup())) return;
		await this.api('POST', '/rest/owner/setup', owner);
	}

	/** Logs in and keeps the session cookie. */
	async login(owner: Pick<Owner, 'email' | 'password'>): Promise<void> {
		await this.api('POST', '/rest/login', { emailOrLdapLoginId: owner.email, password: owner.password });
		if (!this.cookie) throw new Error('n8n login returned no session cookie');
	}

	/** Every node type n8n loaded (name, displayName, version, credentials …). */
	async nodeTypes(): Promise<Array<{ name: string; displayName: string; [k: string]: unknown }>> {
		const res = await this.raw('GET', '/types/nodes.json');
		if (!res.ok) throw new N8nApiError('GET', '/types/nodes.json', res.status, await res.text());
		return (await res.json()) as Array<{ name: string; displayName: string }>;
	}

	/** Every credential type n8n loaded. */
	async credentialTypes(): Promise<Array<{ name: string; displayName: string; [k: string]: unknown }>> {
		const res = await this.raw('GET', '/types/credentials.json');
		if (!res.ok) throw new N8nApiError('GET', '/types/credentials.json', res.status, await res.text());
		return (await res.json()) as Array<{ name: string; displayName: string }>;
	}

	/** Creates a credential; returns its id. */
	async createCredential(name: string, type: string, data: Record<string, unknown>): Promise<string> {
		const created = await this.api<{ id: string }>('POST', '/rest/credentials', { name, type, data });
		return created.id;
	}

	/** Lists credentials (no secrets). */
	async credentials(): Promise<Array<{ id: string; name: string; type: string }>> {
		return await this.api('GET', '/rest/credentials');
	}

	/**
	 * Connects an OAuth2 credential the way the editor's "Connect" button does: asks n8n for the
	 * authorization URL, lets the provider approve it, and hands the redirect back to n8n's callback.
	 */
	async connectOAuth2(credentialId: string): Promise<void> {
		const authUrl = await this.api<string>('GET', `/rest/oauth2-credential/auth?id=${encodeURIComponent(credentialId)}`);
		const approve = await fetch(authUrl, { redirect: 'manual', signal: AbortSignal.timeout(30_000) });
		const location = approve.headers.get('location');
		if (approve.status < 300 || approve.status >= 400 || !location) {
			throw new Error(`OAuth provider did not redirect back (status ${approve.status})`);
		}
		const callback = new URL(location, authUrl);
		if (!callback.href.startsWith(this.url)) throw new Error(`OAuth redirect leaves n8n: ${callback.origin}${callback.pathname}`);
		const res = await this.raw('GET', callback.pathname + callback.search);
		const html = await res.text();
		if (!res.ok || /error/i.test(html.match(/<title>[^<]*<\/title>/i)?.[0] ?? '')) {
			throw new Error(`n8n OAuth callback failed (${res.status}): ${stripTags(html).slice(0, 300)}`);
		}
	}

	/** Runs n8n's "Test credential" for a saved credential; returns n8n's verdict. */
	async testCredential(credentialId: string): Promise<{ status: string; message: string }> {
		const cred = await this.api<{ id: string; name: string; type: string; data: Record<string, unknown> }>(
			'GET',
			`/rest/credentials/${credentialId}?includeData=true`,
		);
		// n8n shows a connected token only as `true`; the blanking value asks it to use the stored one.
		const data = { ...cred.data };
		if (data.oauthTokenData) data.oauthTokenData = CREDENTIAL_BLANKING_VALUE;
		return await this.api('POST', '/rest/credentials/test', {
			credentials: { id: cred.id, name: cred.name, type: cred.type, data },
		});
	}

	/** Saves a workflow (as imported JSON); returns it with its new id. */
	async createWorkflow(workflow: Partial<SavedWorkflow> & { name: string; nodes: WorkflowNode[] }): Promise<SavedWorkflow> {
		const body: Record<string, unknown> = { settings: { executionOrder: 'v1' }, ...workflow };
		// A new row: n8n assigns the id, and an import never starts active.
		delete body.id;
		body.active = false;
		body.connections ??= {};
		return await this.api<SavedWorkflow>('POST', '/rest/workflows', body);
	}

	/** All saved workflows (id, name). */
	async workflows(): Promise<Array<{ id: string; name: string }>> {
		return await this.api('GET', '/rest/workflows');
	}

	/** Reads a saved workflow. */
	async workflow(id: string): Promise<SavedWorkflow> {
		return await this.api('GET', `/rest/workflows/${id}`);
	}

	/** Starts a manual run of a saved workflow as the editor's "Execute workflow" does; returns the execution id. */
	async startRun(id: string, triggerNode?: string): Promise<string> {
		const wf = await this.workflow(id);
		// n8n 2.x wants the trigger to start from; default to the workflow's manual trigger.
		const trigger = triggerNode ?? wf.nodes.find((n) => n.type === 'n8n-nodes-base.manualTrigger')?.name;
		if (!trigger) throw new Error(`workflow ${id} has no manual trigger; name the trigger to start from`);
		const body: Record<string, unknown> = { workflowData: wf, triggerToStartFrom: { name: trigger } };
		const res = await this.api<{ executionId?: string; waitingForWebhook?: boolean }>(
			'POST',
			`/rest/workflows/${id}/run`,
			body,
		);
		if (!res?.executionId) throw new Error(`n8n did not start workflow ${id}: ${JSON.stringify(res)}`);
		return res.executionId;
	}

	/** Reads an execution, unflattening its data with the given parser (flatted's `parse`). */
	async execution(id: string, unflatten: (s: string) => unknown): Promise<Execution> {
		const raw = await this.api<Omit<Execution, 'data'> & { data: string }>('GET', `/rest/executions/${id}`);
		return { ...raw, data: unflatten(raw.data) as Execution['data'] };
	}

	/** Polls an execution until it is no longer running; returns it. */
	async waitExecution(id: string, unflatten: (s: string) => unknown, timeoutMs = 120_000): Promise<Execution> {
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			try {
				const ex = await this.execution(id, unflatten);
				if (!['new', 'running', 'waiting'].includes(ex.status)) return ex;
			} catch (err) {
				// The execution row appears a moment after the run starts.
				if (!(err instanceof N8nApiError && err.status === 404)) throw err;
			}
			if (Date.now() > deadline) throw new Error(`execution ${id} still running after ${timeoutMs} ms`);
			await new Promise((r) => setTimeout(r, 500));
		}
	}
}

/** Items a node emitted on one output in an execution (last run of that node). */
export function nodeItems(ex: Execution, nodeName: string, output = 0): Array<Record<string, unknown>> {
	const runs = ex.data.resultData.runData[nodeName];
	if (!runs?.length) return [];
	const run = runs[runs.length - 1];
	return (run.data?.main?.[output] ?? []).map((i) => i.json);
}

function stripTags(html: string): string {
	return html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim();
}
