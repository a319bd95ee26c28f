import { createHash } from 'node:crypto';
import { normalizeAddress } from './address';

/** Header carrying the outreach key in every message we send (Gmail keeps custom X- headers). */
export const OUTREACH_HEADER = 'X-Outreach-Key';

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** RFC 4648 base32 (lower case, no padding). */
function base32(buf: Buffer): string {
	let bits = 0;
	let value = 0;
	let out = '';
	for (const byte of buf) {
		value = (value << 8) | byte;
		bits += 8;
		while (bits >= 5) {
			out += BASE32[(value >>> (bits - 5)) & 31];
			bits -= 5;
		}
	}
	if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
	return out;
}

/** 'go-' + 20 base32 chars (100 bits of sha256) over campaign, step and the normalised lead address; same inputs, same key. */
export function outreachKey(campaign: string, step: number, leadAddress: string): string {
	if (!Number.isInteger(step) || step < 0) throw new RangeError(`Invalid step ${step}: must be a whole number >= 0`);
	const digest = createHash('sha256').update(`${campaign.trim()}\u0000${step}\u0000${normalizeAddress(leadAddress)}`).digest();
	return 'go-' + base32(digest.subarray(0, 13)).slice(0, 20);
}

/** Header of a claim draft: the outreach keys one execution is about to send, space-separated. */
export const CLAIM_HEADER = 'X-Outreach-Claim';

/**
 * A claim draft for a group of keys, as base64url RFC 5322: no recipient, so neither a person nor a mistake can
 * send it; the keys are opaque, so it says nothing about the leads.
 */
export function claimNote(keys: string[], date: Date, from?: string): string {
	// Folded within 78 characters a line (RFC 5322): the first line after the name, the others after a space.
	const folded: string[] = [];
	let line = '';
	for (const k of keys) {
		const room = folded.length ? 77 : 76 - CLAIM_HEADER.length;
		if (line && line.length + k.length + 1 > room) {
			folded.push(line);
			line = '';
		}
		line = line ? `${line} ${k}` : k;
	}
	if (line) folded.push(line);
	const lines = [
		// The mailbox itself, as Gmail would fill it in (only a bare address: nothing else can reach the header).
		...(from && /^[^\s<>@,;:"]+@[^\s<>@,;:"]+$/.test(from) ? [`From: ${from}`] : []),
		`Date: ${date.toUTCString().replace('GMT', '+0000')}`,
		'Subject: Outreach claim (internal, never sent)',
		`${CLAIM_HEADER}: ${folded.join('\r\n ')}`,
		'MIME-Version: 1.0',
		'Content-Type: text/plain; charset=utf-8',
		'',
		`An outreach execution is sending ${keys.length} email${keys.length === 1 ? '' : 's'} right now; this draft keeps an overlapping execution from sending them twice. It has no recipient, is deleted when the run ends, and is cleared 10 minutes after a crash.`,
		'',
	];
	return Buffer.from(lines.join('\r\n')).toString('base64url');
}

/** The keys a claim header lists (folded or not). */
export function claimedKeys(value: string): string[] {
	return value.split(/\s+/).filter((k) => /^[\w.-]+$/.test(k));
}
