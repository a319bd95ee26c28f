import { notFound } from '../errors';
import type { ApiResponse } from '../router';
import type { Mailbox } from '../store';
import type { ApiContext } from './context';

/** users.getProfile */
export function getProfile(ctx: ApiContext): ApiResponse {
	const mb = ctx.mailbox;
	const msgs = [...mb.messages.values()];
	return {
		status: 200,
		body: {
			emailAddress: mb.email,
			messagesTotal: msgs.length,
			threadsTotal: new Set(msgs.map((m) => m.threadId)).size,
			historyId: String(mb.historyId),
		},
	};
}

function sendAs(mb: Mailbox, address: string, verified = true): Record<string, unknown> {
	const primary = address === mb.email;
	const out: Record<string, unknown> = {
		sendAsEmail: address,
		displayName: '',
		replyToAddress: '',
		isPrimary: primary,
		isDefault: primary,
		treatAsAlias: !primary,
	};
	// Gmail reports verification only for custom "from" aliases, not for the primary address.
	if (!primary) out.verificationStatus = verified ? 'accepted' : 'pending';
	return out;
}

/** users.settings.sendAs.list: the primary address, every verified alias, and unverified ones as pending. */
export function listSendAs(ctx: ApiContext): ApiResponse {
	const mb = ctx.mailbox;
	const list = [...[mb.email, ...mb.aliases].map((a) => sendAs(mb, a)), ...(mb.unverifiedAliases ?? []).map((a) => sendAs(mb, a, false))];
	return { status: 200, body: { sendAs: list } };
}

/** users.settings.sendAs.get */
export function getSendAs(ctx: ApiContext, params: Record<string, string>): ApiResponse {
	const mb = ctx.mailbox;
	const addr = params.email.toLowerCase();
	if (mb.unverifiedAliases?.includes(addr)) return { status: 200, body: sendAs(mb, addr, false) };
	if (addr !== mb.email && !mb.aliases.includes(addr)) throw notFound();
	return { status: 200, body: sendAs(mb, addr) };
}
