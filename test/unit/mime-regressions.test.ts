// Bugs the hostile-lead corpus (test/node/hostile-corpus.test.ts) found, each pinned where it was fixed.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { composeMessage, FieldError, leadRecipient, type ComposeOptions } from '../../nodes/shared/core/compose';
import { buildMime, buildRaw, MAX_MESSAGE_BYTES, MimeError, type MessageSpec } from '../../nodes/shared/core/mime';

const base: MessageSpec = {
	from: { name: 'Bo Sender', address: 'bo@sender.com' },
	to: [{ name: 'Ann Lee', address: 'ann@acme.com' }],
	subject: 'Quick question',
	text: 'Hello Ann',
	date: new Date('2026-11-21T10:00:00Z'),
	messageId: '<m1@sender.com>',
};
const opts: ComposeOptions = { from: { name: 'Olivia', address: 'owner@sender.test' }, to: { address: 'ann@example.com' }, campaign: 'q3', step: 1 };
// '=?utf-8?b?…?=' decodes to 'x\r\nBcc: victim@evil.test'.
const SMUGGLED = `=?utf-8?b?${Buffer.from('x\r\nBcc: victim@evil.test').toString('base64').replace(/=/g, '')}?=@acme.com`;

describe('encoded-word local part (Python’s email package decoded "=?utf-8?b?…?=@x" into an address holding CR LF)', () => {
	const fields: Record<string, Partial<MessageSpec>> = {
		to: { to: SMUGGLED },
		'to as an object': { to: [{ address: SMUGGLED }] },
		cc: { cc: `Cy <${SMUGGLED}>` },
		bcc: { bcc: ['ok@acme.com', SMUGGLED] },
		replyTo: { replyTo: SMUGGLED },
		from: { from: SMUGGLED },
	};
	for (const [name, over] of Object.entries(fields)) {
		test(`buildMime refuses it in ${name}, naming the field`, async () => {
			const field = name.split(' ')[0];
			await assert.rejects(buildMime({ ...base, ...over }), (e: unknown) => {
				assert.ok(e instanceof MimeError);
				assert.equal(e.field, field);
				assert.match(e.message, new RegExp(`^${field}: Invalid email address ".*": the local part looks like an RFC 2047 encoded word`));
				return true;
			});
		});
	}
	test('leadRecipient refuses it, naming the email column', () => {
		assert.throws(
			() => leadRecipient({ email: SMUGGLED }, { emailField: 'email' }, 4),
			(e: unknown) => e instanceof FieldError && e.field === 'email' && e.reason === 'invalid_address' && /^Row 4, field "email": invalid address ".*": the local part looks like an RFC 2047 encoded word/.test(e.message),
		);
	});
	test('an encoded word in a display name is still fine (it is encoded again, so read literally)', async () => {
		const raw = (await buildMime({ ...base, to: [{ name: '=?utf-8?q?x=0D=0ABcc:_v@evil.test?=', address: 'ann@acme.com' }] })).toString();
		assert.match(raw, /^To: =\?UTF-8\?/m);
	});
	test('"=?" alone in a local part is a valid address', async () => {
		await buildMime({ ...base, to: 'a=?b@acme.com' });
	});
});

describe('a message over Gmail’s 35 MB limit (was sent to Gmail, refused, and deferred on every run)', () => {
	test('attachments that alone exceed the limit fail naming them, before they are encoded', async () => {
		const content = Buffer.alloc(40 * 1024 * 1024);
		await assert.rejects(buildRaw({ ...base, attachments: [{ filename: 'big.pdf', content }] }), (e: unknown) => {
			assert.ok(e instanceof MimeError);
			assert.equal(e.field, 'attachments');
			assert.match(e.message, /^attachments: the message is at least 55,924,056 bytes \(53\.3 MB\) once encoded; Gmail accepts at most 36,700,160 bytes \(35 MB\) per message$/);
			return true;
		});
	});
	test('a message whose encoded total exceeds the limit fails too', async () => {
		// base64 alone stays under the limit; its line breaks and the rest of the message push it over.
		const content = Buffer.alloc(Math.floor((MAX_MESSAGE_BYTES / 4) * 3) - 3);
		await assert.rejects(buildMime({ ...base, attachments: [{ filename: 'big.pdf', content }] }), { name: 'MimeError', field: 'attachments' });
	});
	test('a large message under the limit is built', async () => {
		const { size } = await buildRaw({ ...base, attachments: [{ filename: 'ok.pdf', content: Buffer.alloc(20 * 1024 * 1024) }] });
		assert.ok(size > 27_000_000 && size <= MAX_MESSAGE_BYTES, String(size));
	});
});

describe('lone surrogate in a row (crashed the whole run with "URI malformed" when an unsubscribe target was set)', () => {
	test('composeMessage renders the row; the URL carries U+FFFD like the UTF-8 body', () => {
		const row = { first_name: 'Ann', company: 'Acme \ud83d', notes: '\udc00 unused' };
		const c = composeMessage(row, { subject: 'Hi {{company}}', text: 'Hi {{first_name}}' }, { ...opts, unsubscribe: { url: 'https://u.example/?c={{company}}&e={{email}}' } });
		assert.equal(c.spec.listUnsubscribe?.url, 'https://u.example/?c=Acme%20%EF%BF%BD&e=ann%40example.com');
		assert.equal(c.subject, 'Hi Acme \ud83d');
	});
	test('well-formed text is encoded as before', () => {
		const c = composeMessage({ company: 'Café 😀 & Co' }, { subject: 'x', text: 'x' }, { ...opts, unsubscribe: { mailto: 'stop@u.example?subject={{company}}' } });
		assert.equal(c.spec.listUnsubscribe?.mailto, 'stop@u.example?subject=Caf%C3%A9%20%F0%9F%98%80%20%26%20Co');
	});
});

describe('object or array in a name column (became the display name "[object Object]" or "Lee,Smith")', () => {
	for (const [name, value, kind] of [['object', { first: 'Ann' }, 'object'], ['array', ['Lee', 'Smith'], 'array']] as const) {
		test(`an ${name} fails naming the column`, () => {
			assert.throws(
				() => leadRecipient({ email: 'a@x.com', last_name: value }, { emailField: 'email', nameFields: ['first_name', 'last_name'] }, 9),
				(e: unknown) => e instanceof FieldError && e.field === 'last_name' && e.reason === 'invalid_row' && e.message === `Row 9, field "last_name": not text (${kind})`,
			);
		});
	}
	test('numbers and booleans are still names', () => {
		assert.deepEqual(leadRecipient({ email: 'a@x.com', first_name: 42, last_name: true }, { emailField: 'email', nameFields: ['first_name', 'last_name'] }, 9), {
			name: '42 true',
			address: 'a@x.com',
		});
	});
});
