// The address an automatic answer points to instead ("please contact jane@acme.com", "wenden Sie sich bitte an …").
import { emailsIn, localPart } from './addresses';
import { CONTACT_CUE_RE } from './patterns';
import { normalize } from './text';

const NOT_A_PERSON = /^(?:no-?reply|do-?not-?reply|donotreply|mailer-daemon|postmaster|bounces?|notifications?)$/;

/** The address the own words name as the one to write to, never one of `exclude` (ours, the sender's); undefined if none. */
export function alternateContact(own: string, exclude: Set<string>): string | undefined {
	const text = normalize(own.slice(0, 4000));
	const candidates: Array<{ address: string; cued: boolean }> = [];
	for (const address of emailsIn(text, 20)) {
		if (exclude.has(address) || NOT_A_PERSON.test(localPart(address))) continue;
		const at = text.indexOf(address);
		const before = at < 0 ? '' : text.slice(Math.max(0, at - 160), at);
		candidates.push({ address, cued: CONTACT_CUE_RE.test(before) });
	}
	return (candidates.find((c) => c.cued) ?? candidates[0])?.address;
}
