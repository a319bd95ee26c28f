import { test } from 'node:test';
import assert from 'node:assert/strict';
import PostalMime from 'postal-mime';
import { CLAIM_HEADER, claimedKeys, claimNote, OUTREACH_HEADER, outreachKey } from '../../nodes/shared/core/idempotency';

test('same inputs, same key; stable format', () => {
	const k = outreachKey('spring', 1, 'ann@acme.com');
	assert.equal(k, outreachKey('spring', 1, 'ann@acme.com'));
	assert.match(k, /^go-[a-z2-7]{20}$/);
});
test('normalised address: case, display name and IDN form do not change the key', () => {
	const k = outreachKey('spring', 1, 'ann@acme.com');
	assert.equal(outreachKey('spring', 1, 'Ann <ANN@Acme.COM>'), k);
	assert.equal(outreachKey('c', 0, 'x@münchen.de'), outreachKey('c', 0, 'x@xn--mnchen-3ya.de'));
});
test('campaign, step and lead each change the key', () => {
	const keys = new Set([
		outreachKey('spring', 1, 'ann@acme.com'),
		outreachKey('spring', 2, 'ann@acme.com'),
		outreachKey('autumn', 1, 'ann@acme.com'),
		outreachKey('spring', 1, 'bob@acme.com'),
		outreachKey('spring', 1, 'ann+x@acme.com'),
		outreachKey('spring1', 1, 'ann@acme.com'),
	]);
	assert.equal(keys.size, 6);
});
test('pinned value (a changed algorithm would resend to everyone)', () => {
	assert.equal(outreachKey('spring', 1, 'ann@acme.com'), outreachKey(' spring ', 1, ' ann@acme.com '));
	assert.equal(outreachKey('spring', 1, 'ann@acme.com'), PINNED);
});
test('bad step or address throws', () => {
	assert.throws(() => outreachKey('c', 1.5, 'a@b.co'), RangeError);
	assert.throws(() => outreachKey('c', 1, 'nope'), /missing @/);
});
test('header name', () => assert.equal(OUTREACH_HEADER, 'X-Outreach-Key'));
// Cross-checked with Python: base64.b32encode(sha256(b'spring\x001\x00ann@acme.com').digest()[:13]).
const PINNED = 'go-roo7nhaia45g663lzinj';

test('a claim draft for 50 keys: an independent parser reads back exactly the keys, no recipient, lines within 78 characters', async () => {
	const keys = Array.from({ length: 50 }, (_v, i) => outreachKey('spring', 1, `lead${i}@acme.com`));
	const raw = Buffer.from(claimNote(keys, new Date('2026-12-04T10:00:00Z')), 'base64url').toString();
	for (const line of raw.split('\r\n\r\n')[0].split('\r\n')) assert.ok(line.length <= 78, `header line over 78: ${line.slice(0, 40)}…`);
	const parsed = await PostalMime.parse(raw);
	assert.equal(parsed.to, undefined);
	assert.equal(parsed.cc, undefined);
	const header = parsed.headers.find((h) => h.key === CLAIM_HEADER.toLowerCase())?.value ?? '';
	assert.deepEqual(claimedKeys(header), keys);
	assert.ok(!raw.includes('acme.com'), 'no lead address in the claim');
	assert.deepEqual(claimedKeys('go-aaaa\r\n go-bbbb  junk<> go-cccc'), ['go-aaaa', 'go-bbbb', 'go-cccc']);
	// From is the mailbox when it is a bare address; anything else is left out (never a header of its own).
	const withFrom = await PostalMime.parse(Buffer.from(claimNote(keys.slice(0, 1), new Date(), 'owner@acme.example'), 'base64url').toString());
	assert.equal(withFrom.from?.address, 'owner@acme.example');
	const injected = Buffer.from(claimNote(keys.slice(0, 1), new Date(), 'x@y.example\r\nBcc: lead@acme.com'), 'base64url').toString();
	assert.ok(!/^(From|Bcc):/im.test(injected), 'no From, no injected header');
});
