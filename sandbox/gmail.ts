import { createDraft, deleteDraft, getDraft, listDrafts, planDraftSend, sendDraft, updateDraft } from './api/drafts';
import type { ApiContext, SandboxParts } from './api/context';
import { listHistory } from './api/history';
import { createLabel, deleteLabel, getLabel, listLabels, updateLabel } from './api/labels';
import {
	batchModify, deleteMessage, getAttachment, getMessage, listMessages, modifyMessage, planMessageSend, sendMessage, trashMessage,
	type SendPlan,
} from './api/messages';
import { getProfile, getSendAs, listSendAs } from './api/profile';
import { getThread, listThreads, modifyThread } from './api/threads';
import { HttpError } from './errors';
import { commitsAnyway, SEND_METHODS, type FaultRule, type FaultTimers } from './faults';
import { METADATA_READ, METHODS } from './methods';
import { authenticate, invalidCredentials, requireScope } from './oauth';
import { concurrencyError, rateLimitError } from './quota';
import type { ApiRequest, ApiResponse, Router } from './router';

const FAULT_MESSAGES: Record<number, string> = {
	400: 'Bad Request',
	403: 'Forbidden',
	404: 'Requested entity was not found.',
	429: 'Resource has been exhausted (e.g. check quota).',
	500: 'Backend Error',
	502: 'Bad Gateway',
	503: 'The service is currently unavailable.',
	504: 'Deadline exceeded',
};

type GmailHandler = (ctx: ApiContext, params: Record<string, string>) => Promise<ApiResponse> | ApiResponse;

/** The send methods split at the commit, for faults whose send is committed despite the error. */
const PLANNERS: Record<string, (ctx: ApiContext) => Promise<SendPlan>> = {
	'messages.send': planMessageSend,
	'drafts.send': planDraftSend,
};

/** Registers the Gmail REST API under /gmail/v1/users/{userId}. */
export function registerGmail(router: Router<ApiRequest>, parts: SandboxParts): void {
	const api = (verb: string, path: string, method: string, handler: GmailHandler, scopes?: (req: ApiRequest) => string[]) => {
		router.on(verb, `/gmail/v1/users/:userId${path}`, (req, params) => call(parts, req, params, method, handler, scopes));
	};
	const metaOk = (req: ApiRequest) => (req.query.get('format') === 'metadata' ? METADATA_READ : METHODS['messages.get'].scopes);
	const listMetaOk = (req: ApiRequest) => (req.query.get('q') ? METHODS['messages.list'].scopes : METADATA_READ);

	api('GET', '/profile', 'getProfile', getProfile);
	api('GET', '/messages', 'messages.list', listMessages, listMetaOk);
	api('POST', '/messages/send', 'messages.send', sendMessage);
	api('POST', '/messages/batchModify', 'messages.batchModify', batchModify);
	api('GET', '/messages/:id', 'messages.get', getMessage, metaOk);
	api('DELETE', '/messages/:id', 'messages.delete', deleteMessage);
	api('POST', '/messages/:id/modify', 'messages.modify', modifyMessage);
	api('POST', '/messages/:id/trash', 'messages.trash', (c, p) => trashMessage(c, p, true));
	api('POST', '/messages/:id/untrash', 'messages.untrash', (c, p) => trashMessage(c, p, false));
	api('GET', '/messages/:id/attachments/:attachmentId', 'messages.attachments.get', getAttachment);
	api('GET', '/threads', 'threads.list', listThreads, listMetaOk);
	api('GET', '/threads/:id', 'threads.get', getThread, metaOk);
	api('POST', '/threads/:id/modify', 'threads.modify', modifyThread);
	api('GET', '/labels', 'labels.list', listLabels);
	api('POST', '/labels', 'labels.create', createLabel);
	api('GET', '/labels/:id', 'labels.get', getLabel);
	api('PUT', '/labels/:id', 'labels.update', updateLabel);
	api('PATCH', '/labels/:id', 'labels.patch', updateLabel);
	api('DELETE', '/labels/:id', 'labels.delete', deleteLabel);
	api('GET', '/drafts', 'drafts.list', listDrafts);
	api('POST', '/drafts', 'drafts.create', createDraft);
	api('POST', '/drafts/send', 'drafts.send', sendDraft);
	api('GET', '/drafts/:id', 'drafts.get', getDraft);
	api('PUT', '/drafts/:id', 'drafts.update', updateDraft);
	api('DELETE', '/drafts/:id', 'drafts.delete', deleteDraft);
	api('GET', '/history', 'history.list', listHistory, () => METADATA_READ);
	api('GET', '/settings/sendAs', 'settings.sendAs.list', listSendAs);
	api('GET', '/settings/sendAs/:email', 'settings.sendAs.get', getSendAs);
}

/**
 * One Gmail call: auth, userId, scope, concurrency, latency, injected faults, quota, handler, post-send reset.
 * A send fault that commits anyway (lateCommitMs, errorAfterCommit) is charged and checked like a real send first.
 */
async function call(
	parts: SandboxParts,
	req: ApiRequest,
	params: Record<string, string>,
	method: string,
	handler: GmailHandler,
	scopes?: (req: ApiRequest) => string[],
): Promise<ApiResponse> {
	const { store, faults, stats, inflight, timers } = parts;
	const { token, mailbox } = authenticate(store, req);
	const email = mailbox.email;
	const st = stats.of(email);
	st.calls[method] = (st.calls[method] ?? 0) + 1;
	try {
		const userId = params.userId.toLowerCase();
		if (userId !== 'me' && userId !== email) {
			throw new HttpError(403, `Delegation denied for ${email}`, { reason: 'forbidden' });
		}
		requireScope(token, scopes ? scopes(req) : METHODS[method].scopes);
		const limit = faults.value(email, 'concurrency') ?? store.settings.concurrency;
		const running = inflight.get(email) ?? 0;
		if (limit > 0 && running >= limit) throw concurrencyError();
		inflight.set(email, running + 1);
		try {
			const latency = faults.latency(email, method);
			if (latency > 0) await timers.wait(latency);
			const rule = faults.fire(email, method);
			if (rule && !commitsAnyway(rule)) return await failWith(rule, timers);
			const units = METHODS[method].units;
			const q = faults.value(email, 'quota') ?? { unitsPerWindow: store.settings.quotaUnitsPerWindow, windowMs: store.settings.quotaWindowMs };
			if (!parts.quota.charge(email, units, q.unitsPerWindow, q.windowMs)) {
				const wait = store.settings.retryAfterOnRateLimit ? parts.quota.waitMs(email, q.windowMs) : undefined;
				throw rateLimitError(store.settings.rateLimitStatus, wait);
			}
			st.quotaUnits += units;
			const ctx: ApiContext = { parts, req, mailbox, token, method };
			if (rule) {
				// The message is checked now (a bad one fails as usual); Gmail commits it, but the client hears only the error.
				const plan = await PLANNERS[method](ctx);
				if (rule.errorAfterCommit) await plan.commit();
				else timers.schedule(email, rule.lateCommitMs ?? 0, () => plan.commit());
				return await failWith(rule, timers);
			}
			const res = await handler(ctx, params);
			const resetP = faults.value(email, 'resetAfterSend') ?? 0;
			if (SEND_METHODS.includes(method) && resetP > 0 && Math.random() < resetP) {
				return { ...res, reset: true };
			}
			return res;
		} finally {
			inflight.set(email, (inflight.get(email) ?? 1) - 1);
		}
	} catch (err) {
		const code = err instanceof HttpError ? err.status : 500;
		st.errors[String(code)] = (st.errors[String(code)] ?? 0) + 1;
		throw err;
	}
}

/** The injected failure itself, after `holdMs`: no answer (status 0: the socket is destroyed) or Google's error. */
async function failWith(rule: FaultRule, timers: FaultTimers): Promise<ApiResponse> {
	if (rule.holdMs) await timers.wait(rule.holdMs);
	if (rule.status === 0) return { status: 0, reset: true };
	if (rule.status === 401) throw invalidCredentials();
	throw new HttpError(rule.status, rule.message ?? FAULT_MESSAGES[rule.status] ?? 'Injected fault', { reason: rule.reason });
}
