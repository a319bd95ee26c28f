import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import PostalMime from 'postal-mime';
import { buildMime, MimeError, type MessageSpec } from '../../nodes/shared/core/mime';
import { renderTemplate } from '../../nodes/shared/core/template';

// Header injection table: one hostile value in one field at a time, parsed back by postal-mime (not our builder).
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
const BODY = 'Hello Ann,\nsecond line\n\nBest, Bo';

const attacks: Record<string, string> = {
	'CRLF Bcc': '\r\nBcc: evil@x.com',
	'LF header': '\nX-Injected: 1',
	'CR header': '\rX-Injected: 1',
	'CRLFCRLF body': '\r\n\r\n<html>injected body',
	'CRLF folded continuation': '\r\n X-Folded: 1',
	'tab CRLF tab Bcc': '\t\r\n\tBcc: evil@x.com',
	'URL-encoded CRLF': '%0d%0aBcc: evil@x.com',
	'U+2028 line separator': '\u2028X-Injected: 1',
	'U+0085 NEL': '\u0085X-Injected: 1',
	NUL: '\u0000X-Injected: 1',
	'VT FF': '\u000b\u000cX-Injected: 1',
	ESC: '\u001b[31mred',
	'Q encoded-word with CRLF': '=?utf-8?q?x=0D=0ABcc:_evil@x.com?=',
	'B encoded-word with CRLF': `=?utf-8?b?${Buffer.from('x\r\nBcc: evil@x.com').toString('base64')}?=`,
	'very long line': 'A'.repeat(2000),
	'non-ASCII then CRLF': 'Ωmega\r\nBcc: evil@x.com',
	'SMTP dot line': '\r\n.\r\nMAIL FROM:<evil@x.com>',
};

type Outcome = 'clean' | 'reject';
interface Field {
	apply: (attack: string) => Partial<MessageSpec>;
	outcome: (attack: string) => Outcome;
	mimeField?: string;
}
const clean = (): Outcome => 'clean';
const rejectIfControl = (a: string): Outcome => (CONTROL.test(a) ? 'reject' : 'clean');
const rejectIfControlOrLong = (a: string): Outcome => (CONTROL.test(a) || a.length > 900 ? 'reject' : 'clean');

const fields: Record<string, Field> = {
	subject: { apply: (a) => ({ subject: `Quick question${a}` }), outcome: clean },
	'merge value rendered into subject': {
		apply: (a) => ({ subject: renderTemplate('{Hi|Hello} {{first_name}}, quick question', { 'First Name': `Ann${a}` }, { seed: 'ann@acme.com' }) }),
		outcome: clean,
	},
	'from name': { apply: (a) => ({ from: { name: `Bo${a}`, address: 'bo@sender.com' } }), outcome: clean },
	'to name': { apply: (a) => ({ to: [{ name: `Ann${a}`, address: 'ann@acme.com' }] }), outcome: clean },
	'cc name': { apply: (a) => ({ cc: [{ name: `Cy${a}`, address: 'cy@acme.com' }] }), outcome: clean },
	'reply-to name': { apply: (a) => ({ replyTo: [{ name: `Desk${a}`, address: 'desk@sender.com' }] }), outcome: clean },
	'to as a string': { apply: (a) => ({ to: `Ann${a} <ann@acme.com>` }), outcome: rejectIfControl, mimeField: 'to' },
	'to address object': { apply: (a) => ({ to: [{ address: `ann@acme.com${a}` }] }), outcome: () => 'reject', mimeField: 'to' },
	'reply-to as a string': { apply: (a) => ({ replyTo: `desk@sender.com${a}` }), outcome: () => 'reject', mimeField: 'replyTo' },
	'custom header value': { apply: (a) => ({ headers: { 'X-Campaign': `spring${a}` } }), outcome: clean },
	'custom header name': { apply: (a) => ({ headers: { [`X-Campaign${a}`]: 'spring' } }), outcome: () => 'reject', mimeField: 'headers' },
	'List-Unsubscribe url': { apply: (a) => ({ listUnsubscribe: { url: `https://sender.com/u?id=1${a}` } }), outcome: rejectIfControlOrLong, mimeField: 'listUnsubscribe.url' },
	'List-Unsubscribe mailto': {
		apply: (a) => ({ listUnsubscribe: { mailto: `unsubscribe@sender.com?subject=stop${a}` } }),
		outcome: (a) => (rejectIfControlOrLong(a) === 'reject' || /[\s<>,"]/.test(a) ? 'reject' : 'clean'),
		mimeField: 'listUnsubscribe.mailto',
	},
	'In-Reply-To': { apply: (a) => ({ inReplyTo: `<p1@acme.com>${a}` }), outcome: clean },
	References: { apply: (a) => ({ references: `<p0@acme.com> <p1@acme.com>${a}` }), outcome: clean },
	'Message-ID': { apply: (a) => ({ messageId: `<m1@sender.com>${a}` }), outcome: clean },
	'attachment filename': {
		apply: (a) => ({ attachments: [{ filename: `offer${a}.pdf`, contentType: 'application/pdf', content: Buffer.from('%PDF-1.4 fake') }] }),
		outcome: clean,
	},
};

const base: MessageSpec = {
	from: { name: 'Bo Sender', address: 'bo@sender.com' },
	to: [{ name: 'Ann Lee', address: 'ann@acme.com' }],
	subject: 'Quick question',
	text: BODY,
	date: new Date('2026-11-21T10:00:00Z'),
	messageId: '<m1@sender.com>',
};

/** Header names (lower-case, in order) as an independent parser sees them. */
async function parse(buf: Buffer) {
	const email = await PostalMime.parse(buf.toString('binary'));
	return { email, names: email.headers.map((h) => h.key).sort() };
}

/** Structural checks on the raw bytes: ASCII header block, every line a header start or a continuation, no line over 998. */
function checkRaw(raw: string) {
	const end = raw.indexOf('\r\n\r\n');
	assert.ok(end > 0, 'header block ends');
	const head = raw.slice(0, end);
	assert.ok(!/[^\x09\x0d\x0a\x20-\x7e]/.test(head), 'header block is printable ASCII');
	for (const line of head.split('\r\n')) {
		assert.match(line, /^([\x21-\x39\x3b-\x7e]+:|[ \t])/, `header line: ${line.slice(0, 80)}`);
	}
	assert.ok(!/\r(?!\n)|(?<!\r)\n/.test(raw), 'only CRLF line ends');
	for (const line of raw.split('\r\n')) assert.ok(line.length <= 998, `line of ${line.length} octets`);
}

describe('hostile header table', () => {
	let count = 0;
	for (const [fieldName, field] of Object.entries(fields)) {
		for (const [attackName, attack] of Object.entries(attacks)) {
			count++;
			const outcome = field.outcome(attack);
			test(`${fieldName} ← ${attackName} (${outcome})`, async () => {
				const spec = { ...base, ...field.apply(attack) };
				if (outcome === 'reject') {
					await assert.rejects(buildMime(spec), (e: unknown) => {
						assert.ok(e instanceof MimeError, String(e));
						assert.equal(e.field, field.mimeField);
						assert.ok(!/[\r\n]/.test(e.message), 'error message on one line');
						return true;
					});
					return;
				}
				const benign = await parse(await buildMime({ ...base, ...field.apply('') }));
				const buf = await buildMime(spec);
				const raw = buf.toString('binary');
				checkRaw(raw);
				const { email, names } = await parse(buf);
				assert.deepEqual(names, benign.names, 'exactly the expected header names');
				for (const bad of ['bcc', 'x-injected', 'x-folded', 'mail from']) assert.ok(!names.includes(bad), bad);
				for (const h of email.headers) assert.ok(!/[\r\n]/.test(h.value), `${h.key} value has no CR/LF`);
				const decoded = [
					email.subject,
					email.from?.name,
					email.from?.address,
					email.inReplyTo,
					email.references,
					email.messageId,
					...[email.to, email.cc, email.replyTo].flatMap((l) => (l ?? []).flatMap((a) => [a.name, a.address])),
					...email.attachments.map((a) => a.filename),
				];
				for (const v of decoded) assert.ok(!CONTROL.test(v ?? ''), `decoded value has no control characters: ${JSON.stringify(v)}`);
				assert.equal((email.text ?? '').replace(/\r\n/g, '\n').trimEnd(), BODY, 'body intact');
				assert.equal(email.attachments.length, benign.email.attachments.length, 'no smuggled parts');
				assert.equal(email.to?.length, 1);
				assert.equal(email.from?.address, (spec.from as { address: string }).address);
				if (fieldName === 'Message-ID') assert.equal(email.messageId, '<m1@sender.com>');
				if (fieldName === 'In-Reply-To') assert.equal(email.inReplyTo, '<p1@acme.com>');
				if (fieldName === 'References') assert.match(email.references ?? '', /^<p0@acme\.com> <p1@acme\.com>( <[^\s<>]+>)*$/);
			});
		}
	}
	test('table has at least 50 cases', () => assert.ok(count >= 50, String(count)));
});

describe('hostile values keep their visible text', () => {
	test('CRLF in subject becomes a space', async () => {
		const { email } = await parse(await buildMime({ ...base, subject: 'Hi\r\nBcc: evil@x.com' }));
		assert.equal(email.subject, 'Hi Bcc: evil@x.com');
	});
	test('encoded-word text in a subject is shown literally, not decoded', async () => {
		const s = '=?utf-8?q?x=0D=0ABcc:_evil@x.com?=';
		const { email } = await parse(await buildMime({ ...base, subject: s }));
		assert.equal(email.subject, s);
	});
	test('encoded-word text in a display name is shown literally', async () => {
		const name = '=?utf-8?q?x=0D=0ABcc:_evil@x.com?=';
		const { email } = await parse(await buildMime({ ...base, from: { name, address: 'bo@sender.com' } }));
		assert.equal(email.from?.name, name);
	});
	test('a 2000-character subject survives folding', async () => {
		const s = 'A'.repeat(2000);
		const { email } = await parse(await buildMime({ ...base, subject: s }));
		assert.equal(email.subject, s);
	});
});
