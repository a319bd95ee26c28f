import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import MailComposer from 'nodemailer/lib/mail-composer';
import { writeMimeTree, type TreeNode } from '../../nodes/shared/core/mime';

// buildMime writes nodemailer's compiled tree without its streams; the streams' own output is the oracle.
const bytes = (n: number, seed = 1) => Buffer.from(Array.from({ length: n }, (_v, i) => (i * 31 + seed * 17) & 0xff));
const date = new Date('2026-11-21T10:00:00Z');

const shapes: { name: string; mail: ConstructorParameters<typeof MailComposer>[0] }[] = [
	{ name: 'short ASCII text (7bit)', mail: { text: 'Hello Ann' } },
	{ name: 'text with long lines (quoted-printable)', mail: { text: `${'word '.repeat(40)}\r\nend` } },
	{ name: 'mostly non-Latin text (base64)', mail: { text: 'Привет, как дела? '.repeat(20) } },
	{ name: 'empty text', mail: { text: '' } },
	{ name: 'text ending in CR', mail: { text: 'x\r' } },
	{ name: 'text with NUL, tab and trailing spaces', mail: { text: 'a\u0000b\tc   \r\nd \r\n' } },
	{ name: 'html only', mail: { html: '<p>Hi <b>Ann</b> &amp; co</p>' } },
	{ name: 'text and html (alternative)', mail: { text: 'Hi Ann', html: '<p>Hi Ann</p>' } },
	{ name: 'large text and html (several stream chunks)', mail: { text: `${'lorem ipsum é '.repeat(10)}\r\n`.repeat(3000), html: `<p>${'x'.repeat(100_000)}</p>` } },
	...[0, 1, 2, 3, 4, 56, 57, 58, 59, 60, 1000, 65_536, 1_048_577].map((n) => ({
		name: `text, html and a ${n}-byte attachment (mixed, base64 line ends)`,
		mail: { text: 'Hi', html: '<p>Hi</p>', attachments: [{ filename: 'a.bin', contentType: 'application/octet-stream', content: bytes(n) }] },
	})),
	{
		name: 'two attachments with non-ASCII and long file names',
		mail: {
			text: 'Hi',
			attachments: [
				{ filename: `Angebot für Müller ${'x'.repeat(120)}.pdf`, contentType: 'application/pdf', content: bytes(5000, 2) },
				{ filename: 'notes.txt', contentType: 'text/plain', content: Buffer.from('plain text attachment\r\n') },
			],
		},
	},
	{ name: 'attachment only', mail: { attachments: [{ filename: 'only.pdf', contentType: 'application/pdf', content: bytes(300) }] } },
	{
		name: 'prepared custom headers, references and a date',
		mail: {
			text: 'Hi',
			references: '<a@b.example> <c@d.example>',
			headers: [
				{ key: 'Subject', value: { prepared: true, foldLines: true, value: `=?UTF-8?Q?${'a'.repeat(90)}?=` } },
				{ key: 'X-Outreach-Key', value: { prepared: true, foldLines: true, value: 'go-abc' } },
			] as never,
		},
	},
];

describe('writeMimeTree', () => {
	for (const s of shapes) {
		test(`writes byte for byte what MimeNode.build() streams: ${s.name}`, async () => {
			const tree = new MailComposer({ date, messageId: '<m1@sender.example>', ...s.mail }).compile();
			const written = writeMimeTree(tree as unknown as TreeNode);
			assert.ok(written, 'the tree is one the writer handles');
			const streamed = await tree.build();
			assert.equal(written.toString('latin1'), streamed.toString('latin1'));
		});
	}
	test('leaves trees with streamed or raw content to build()', () => {
		const raw = new MailComposer({ date, messageId: '<m1@sender.example>', text: 'x', attachments: [{ raw: 'Content-Type: text/plain\r\n\r\nraw\r\n' }] }).compile();
		assert.equal(writeMimeTree(raw as unknown as TreeNode), undefined);
		const path = new MailComposer({ date, messageId: '<m1@sender.example>', text: 'x', attachments: [{ path: '/nonexistent/file.pdf' }] }).compile();
		assert.equal(writeMimeTree(path as unknown as TreeNode), undefined);
	});
});
