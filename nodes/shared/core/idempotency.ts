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
