import { normalizeAddress } from '../core/address';
import { AuthError, GmailError, type GmailClient } from '../transport';
import { attempt } from './attempt';
import { ParameterError } from './inputs';

/** Who this mailbox is: the address, the send-as addresses Gmail will send from, and every address that is ours. */
export interface Senders {
	mailbox: string;
	/** The mailbox and its verified send-as aliases (normalised): the only From addresses Gmail keeps. */
	verified: string[];
	/** Every address whose mail is ours (verified or not): a message from one of them is never the lead's. */
	ours: string[];
	/** False when the aliases could not be read (no settings scope): only the mailbox itself is verified. */
	aliasesKnown: boolean;
}

/** Reads the profile and the send-as list once; without the settings scope only the mailbox itself counts. */
export async function readSenders(client: GmailClient): Promise<Senders> {
	// The profile read also sets the client's clock (Gmail's Date header): sentAt and retry times follow the mailbox.
	const mailbox = String((await client.getProfileAndClock()).profile.emailAddress ?? '');
	const verified = new Set([normalizeAddress(mailbox)]);
	const ours = new Set(verified);
	const aliases = await attempt(() => client.listSendAs());
	if (!aliases.ok) {
		if (aliases.error instanceof AuthError || !(aliases.error instanceof GmailError)) throw aliases.error;
		return { mailbox, verified: [...verified], ours: [...ours], aliasesKnown: false };
	}
	for (const alias of aliases.value) {
		if (!alias.sendAsEmail) continue;
		const address = normalizeAddress(alias.sendAsEmail);
		ours.add(address);
		// Gmail silently replaces a From that is not verified with the primary address (as users report).
		if (alias.isPrimary || alias.verificationStatus === 'accepted') verified.add(address);
	}
	return { mailbox, verified: [...verified], ours: [...ours], aliasesKnown: true };
}

/** Fails the item before anything is sent when From is neither the mailbox nor a verified send-as alias. */
export function checkFrom(senders: Senders, row: string, address: string): void {
	if (senders.verified.includes(normalizeAddress(address))) return;
	const known = senders.aliasesKnown
		? `this mailbox's verified send-as addresses are ${senders.verified.join(', ')}`
		: `only ${senders.mailbox} can be checked (the credential cannot read the send-as settings)`;
	throw new ParameterError(
		row,
		'from',
		`"${address}" is not a verified send-as address of ${senders.mailbox}: Gmail would send from ${senders.mailbox} instead. Add and verify it in Gmail (Settings → Accounts), or leave From empty; ${known}.`,
	);
}
