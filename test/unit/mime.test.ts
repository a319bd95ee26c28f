import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import PostalMime from 'postal-mime';
import { buildMime, buildRaw, MAX_RECIPIENTS, MimeError, toBase64Url, type MessageSpec } from '../../nodes/shared/core/mime';

const base: MessageSpec = {
	from: 'Bo Sender <bo@sender.com>',
	to: 'Ann Lee <ann@acme.com>',
	subject: 'Quick question',
	text: 'Hello Ann',
	date: new Date('2026-11-21T10:00:00Z'),
};

async function build(over: Partial<MessageSpec>) {
	const buf = await buildMime({ ...base, ...over });
	const raw = buf.toString('binary');
	const head = raw.slice(0, raw.indexOf('\r\n\r\n'));
	const header = (name: string) =>
		new RegExp(`^${name}:(.*(?:\\r\\n[ \\t].*)*)`, 'im').exec(head)?.[1].replace(/\r\n[ \t]/g, ' ').trim();
	return { buf, raw, head, header, email: await PostalMime.parse(raw) };
}

const emails = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => `${prefix}${i}@acme.com`);

describe('addresses and recipients', () => {
	test('From with display name, To, Cc, Bcc kept for Gmail, Reply-To', async () => {
		const { email, header } = await build({
			cc: ['Cy <cy@acme.com>', 'dee@acme.com'],
			bcc: 'boss@sender.com',
			replyTo: { name: 'Sales Desk', address: 'desk@sender.com' },
		});
		assert.deepEqual(email.from, { name: 'Bo Sender', address: 'bo@sender.com' });
		assert.deepEqual(email.to, [{ name: 'Ann Lee', address: 'ann@acme.com' }]);
		assert.deepEqual(email.cc?.map((a) => a.address), ['cy@acme.com', 'dee@acme.com']);
		assert.deepEqual(email.bcc?.map((a) => a.address), ['boss@sender.com']);
		assert.deepEqual(email.replyTo, [{ name: 'Sales Desk', address: 'desk@sender.com' }]);
		assert.equal(header('Bcc'), 'boss@sender.com');
	});
	test('exactly 100 recipients is fine', async () => {
		const { email } = await build({ to: emails(50, 't'), cc: emails(30, 'c'), bcc: emails(20, 'b') });
		assert.equal((email.to?.length ?? 0) + (email.cc?.length ?? 0) + (email.bcc?.length ?? 0), MAX_RECIPIENTS);
	});
	test('more than 100 recipients is a clear error', async () => {
		await assert.rejects(buildMime({ ...base, to: emails(80, 't'), cc: emails(30, 'c'), bcc: emails(20, 'b') }), (e: unknown) => {
			assert.ok(e instanceof MimeError);
			assert.equal(e.field, 'to');
			assert.equal(e.message, 'More than 100 recipients (To+Cc+Bcc = 130)');
			return true;
		});
	});
	test('no recipient at all', async () => {
		await assert.rejects(buildMime({ ...base, to: [] }), { name: 'MimeError', field: 'to' });
	});
	test('bad address names the field', async () => {
		await assert.rejects(buildMime({ ...base, cc: 'bob@' }), (e: unknown) => {
			assert.ok(e instanceof MimeError);
			assert.equal(e.field, 'cc');
			assert.equal(e.message, 'cc: Invalid email address "bob@": missing domain');
			return true;
		});
	});
	test('two senders rejected', async () => {
		await assert.rejects(buildMime({ ...base, from: 'a@x.com, b@x.com' }), { field: 'from' });
	});
	test('IDN domain goes out as punycode; plus-address kept', async () => {
		const { header, email } = await build({ to: 'Zoë <zoe+news@münchen.de>' });
		assert.match(header('To') ?? '', /<zoe\+news@xn--mnchen-3ya\.de>$/);
		assert.equal(email.to?.[0].name, 'Zoë');
	});
});

describe('encoding', () => {
	test('non-ASCII subject and names use RFC 2047 and decode back', async () => {
		const { header, email, head } = await build({ subject: 'Grüße aus München 🚀', from: 'Jürgen Groß <j@sender.com>', to: '"李, 小龙" <li@acme.com>' });
		assert.match(header('Subject') ?? '', /^=\?UTF-8\?[BQ]\?/);
		assert.ok(!/[^\x00-\x7f]/.test(head), 'header block is ASCII');
		assert.equal(email.subject, 'Grüße aus München 🚀');
		assert.equal(email.from?.name, 'Jürgen Groß');
		assert.equal(email.to?.[0].name, '李, 小龙');
	});
	test('ASCII name with specials is quoted', async () => {
		const { header, email } = await build({ to: '"Lee, Ann (CEO)" <ann@acme.com>' });
		assert.equal(header('To'), '"Lee, Ann (CEO)" <ann@acme.com>');
		assert.equal(email.to?.[0].name, 'Lee, Ann (CEO)');
	});
	test('subject spacing is kept exactly (threading matches subjects)', async () => {
		assert.equal((await build({ subject: 'Re: Hello  world' })).email.subject, 'Re: Hello  world');
	});
	test('header lines are folded', async () => {
		const { head, email } = await build({ subject: 'word '.repeat(60).trim() });
		for (const line of head.split('\r\n')) assert.ok(line.length <= 78, line);
		assert.equal(email.subject, 'word '.repeat(60).trim());
	});
});

describe('body structure', () => {
	test('text only → text/plain', async () => {
		const { header, email } = await build({});
		assert.match(header('Content-Type') ?? '', /^text\/plain/);
		assert.equal(email.text?.trim(), 'Hello Ann');
	});
	test('text + html → multipart/alternative', async () => {
		const { header, email } = await build({ text: 'Hi Ann', html: '<p>Hi <b>Ann</b></p>' });
		assert.match(header('Content-Type') ?? '', /^multipart\/alternative/);
		assert.equal(email.text?.trim(), 'Hi Ann');
		assert.equal(email.html?.trim(), '<p>Hi <b>Ann</b></p>');
	});
	test('html only → plain-text alternative derived', async () => {
		const { header, email } = await build({ text: undefined, html: '<p>Hi Ann,</p><p>See <a href="https://x.io">this</a>.</p>' });
		assert.match(header('Content-Type') ?? '', /^multipart\/alternative/);
		assert.equal(email.text?.replace(/\r\n/g, '\n').trim(), 'Hi Ann,\n\nSee this (https://x.io).');
	});
	test('attachments → multipart/mixed with filename, type and bytes', async () => {
		const pdf = Buffer.from([0x25, 0x50, 0x44, 0x46, 0x00, 0xff, 0x10]);
		const { header, email } = await build({
			text: 'Hi',
			html: '<p>Hi</p>',
			attachments: [
				{ filename: 'offer.pdf', contentType: 'application/pdf', content: pdf },
				{ filename: 'Preisübersicht.csv', contentType: 'text/csv', content: Buffer.from('a,b\n1,2\n') },
			],
		});
		assert.match(header('Content-Type') ?? '', /^multipart\/mixed/);
		assert.equal(email.attachments.length, 2);
		assert.equal(email.attachments[0].filename, 'offer.pdf');
		assert.equal(email.attachments[0].mimeType, 'application/pdf');
		assert.deepEqual(Buffer.from(email.attachments[0].content as ArrayBuffer), pdf);
		assert.equal(email.attachments[1].filename, 'Preisübersicht.csv');
		assert.equal(email.text?.trim(), 'Hi');
		assert.equal(email.html?.trim(), '<p>Hi</p>');
	});
	test('bad attachment content type is rejected', async () => {
		await assert.rejects(buildMime({ ...base, attachments: [{ filename: 'a', contentType: 'text/plain; x=1', content: Buffer.from('') }] }), {
			field: 'attachments[0]',
		});
	});
	test('body lines end in CRLF', async () => {
		const { raw } = await build({ text: 'a\nb\rc\r\nd' });
		assert.ok(!/\r(?!\n)|(?<!\r)\n/.test(raw));
	});
});

describe('headers', () => {
	test('custom headers kept', async () => {
		const { email } = await build({ headers: { 'X-Outreach-Key': 'go-abc', 'X-Campaign': 'Spring ☀' } });
		const get = (k: string) => email.headers.find((h) => h.key === k)?.value;
		assert.equal(get('x-outreach-key'), 'go-abc');
		assert.match(get('x-campaign') ?? '', /^=\?UTF-8\?/);
	});
	test('custom header cannot replace a builder header', async () => {
		for (const name of ['Bcc', 'subject', 'Content-Type', 'List-Unsubscribe']) {
			await assert.rejects(buildMime({ ...base, headers: { [name]: 'x' } }), { field: 'headers' }, name);
		}
	});
	test('List-Unsubscribe with https and mailto + one-click Post', async () => {
		const { header } = await build({ listUnsubscribe: { url: 'https://sender.com/u?id=ab c', mailto: 'mailto:unsub@sender.com?subject=unsubscribe' } });
		assert.equal(header('List-Unsubscribe'), '<https://sender.com/u?id=ab%20c>, <mailto:unsub@sender.com?subject=unsubscribe>');
		assert.equal(header('List-Unsubscribe-Post'), 'List-Unsubscribe=One-Click');
	});
	test('mailto only: no one-click Post header', async () => {
		const { header } = await build({ listUnsubscribe: { mailto: 'unsub@sender.com' } });
		assert.equal(header('List-Unsubscribe'), '<mailto:unsub@sender.com>');
		assert.equal(header('List-Unsubscribe-Post'), undefined);
	});
	test('http unsubscribe URL rejected', async () => {
		await assert.rejects(buildMime({ ...base, listUnsubscribe: { url: 'http://sender.com/u' } }), { field: 'listUnsubscribe.url' });
	});
	test('In-Reply-To and References', async () => {
		const { email, header } = await build({ inReplyTo: 'p2@acme.com', references: ['<p1@acme.com>', '<p2@acme.com>'], subject: 'Re: Quick question' });
		assert.equal(email.inReplyTo, '<p2@acme.com>');
		assert.equal(header('References'), '<p1@acme.com> <p2@acme.com>');
	});
	test('Message-ID given or generated at the sender domain; Date set', async () => {
		assert.equal((await build({ messageId: 'abc@sender.com' })).email.messageId, '<abc@sender.com>');
		const gen = await build({});
		assert.match(gen.email.messageId ?? '', /^<[0-9a-f-]{36}@sender\.com>$/);
		assert.equal(gen.header('Date'), 'Sat, 21 Nov 2026 10:00:00 +0000');
		assert.equal(gen.header('MIME-Version'), '1.0');
	});
});

describe('raw for messages.send', () => {
	test('base64url without padding that decodes to the same bytes', async () => {
		for (const subject of ['a', 'ab', 'abc', 'Grüße ✓ ??>>']) {
			const spec = { ...base, subject, messageId: '<fixed@sender.com>' };
			const { raw, size } = await buildRaw(spec);
			assert.match(raw, /^[A-Za-z0-9_-]+$/, 'no +, / or =');
			const back = Buffer.from(raw, 'base64url');
			assert.equal(back.length, size);
			assert.equal((await PostalMime.parse(back.toString('binary'))).subject, subject);
		}
	});
	test('an attachment shared by many messages: each raw is its own message with the attachment byte for byte', async () => {
		const content = Buffer.from(Array.from({ length: 300_001 }, (_v, i) => (i * 7 + 3) & 0xff));
		const attachments = [{ filename: 'brochure.pdf', contentType: 'application/pdf', content }];
		const [a, b] = [await buildRaw({ ...base, subject: 'A', attachments }), await buildRaw({ ...base, subject: 'B', attachments })];
		for (const [built, subject] of [[a, 'A'], [b, 'B']] as const) {
			const bytes = Buffer.from(built.raw, 'base64url');
			assert.equal(bytes.length, built.size);
			const email = await PostalMime.parse(bytes.toString('binary'));
			assert.equal(email.subject, subject);
			assert.ok(Buffer.from(email.attachments[0].content as ArrayBuffer).equals(content));
		}
		assert.notEqual(a.raw, b.raw, 'own headers and boundaries');
	});
	test('start(n) is the first n bytes of the message, headers and past them', async () => {
		const built = await buildRaw({ ...base, html: '<p>Hi</p>', attachments: [{ filename: 'a.bin', content: Buffer.alloc(100_000, 0x41) }] });
		const bytes = Buffer.from(built.raw, 'base64url');
		for (const n of [0, 1, 10, 2048, 70_000, built.size, built.size + 10]) assert.ok(built.start(n).equals(bytes.subarray(0, n)), String(n));
	});
	test('toBase64Url table', () => {
		const cases: [number[], string][] = [
			[[], ''],
			[[0xfb], '-w'],
			[[0xfb, 0xff], '-_8'],
			[[0xfb, 0xff, 0xbf], '-_-_'],
			[[0x3e, 0x3f], 'Pj8'],
		];
		for (const [bytes, want] of cases) assert.equal(toBase64Url(Buffer.from(bytes)), want);
	});
});
