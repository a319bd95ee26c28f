import { badRequest } from '../errors';
import type { Faults, FaultTimers } from '../faults';
import type { QuotaWindows, Stats } from '../quota';
import type { ApiRequest } from '../router';
import type { AccessToken, Mailbox, Store } from '../store';

/** The parts of a sandbox the API handlers use. */
export interface SandboxParts {
	store: Store;
	faults: Faults;
	quota: QuotaWindows;
	stats: Stats;
	inflight: Map<string, number>;
	/** Late commits and held sockets of injected faults. */
	timers: FaultTimers;
}

/** What a Gmail API handler gets: the request, its authenticated mailbox and the sandbox. */
export interface ApiContext {
	parts: SandboxParts;
	req: ApiRequest;
	mailbox: Mailbox;
	token: AccessToken;
	method: string;
}

/** The JSON body of a request (an empty object if there is none). */
export function jsonBody(req: ApiRequest): Record<string, unknown> {
	if (!req.body.trim()) return {};
	try {
		const v = JSON.parse(req.body) as unknown;
		if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Record<string, unknown>;
	} catch {
		// fall through to the error below
	}
	throw badRequest('Invalid JSON payload received. Unknown name or malformed JSON body.');
}

/** A page of a list: offset-based page tokens (opaque to clients). */
export function paginate<T>(items: T[], req: ApiRequest, defaultSize = 100, maxSize = 500): { page: T[]; nextPageToken?: string } {
	const asked = Number(req.query.get('maxResults') ?? defaultSize);
	const size = Math.min(maxSize, Math.max(1, Number.isFinite(asked) && asked > 0 ? Math.floor(asked) : defaultSize));
	const token = req.query.get('pageToken');
	const offset = token ? Number(Buffer.from(token, 'base64url').toString('utf8')) || 0 : 0;
	const page = items.slice(offset, offset + size);
	const next = offset + size < items.length ? Buffer.from(String(offset + size)).toString('base64url') : undefined;
	return { page, nextPageToken: next };
}
