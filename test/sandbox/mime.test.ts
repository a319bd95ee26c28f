import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { HttpError } from '../../sandbox/errors';
import { baseSubject, buildPayload, decodeRaw, idList, parseMessage, removeHeader, setHeader } from '../../sandbox/mime';
import { parseDuration } from '../../sandbox/clock';

describe('decodeRaw', () => {
	const text = 'Subject: ?>?\r\n\r\n~~~';
	const url = Buffer.from(text).toString('base64url');
	const cases: Array<[string, string, boolean, boolean]> = [
		['base64url', url, true, true],
		['standard base64 with + or /', Buffer.from(text).toString('base64'), true, false],
		['padded, padding accepted', `${url}==`.slice(0, url.length + ((4 - (url.length % 4)) % 4)), true, true],
		['impossible length', 'abcde', true, false],
		['empty', '', true, false],
	];
	for (const [name, raw, pad, ok] of cases) {
		test(`${name} → ${ok ? 'ok' : '400'}`, () => {
			if (ok) assert.equal(decodeRaw(raw, pad), text);
			else assert.throws(() => decodeRaw(raw, pad), (e) => e instanceof HttpError && e.status === 400);
		});
	}
	test('padding refused when the setting says so', () => {
		assert.throws(() => decodeRaw('QQ==', false), HttpError);
		assert.equal(decodeRaw('QQ', false), 'A');
	});
});

describe('headers and subjects', () => {
	test('baseSubject strips Re:/Fwd: chains, case and spacing', () => {
		assert.equal(baseSubject('RE: Fwd: re:  Hello   World'), 'hello world');
		assert.equal(baseSubject('Hello World'), 'hello world');
		assert.notEqual(baseSubject('Re: Hello'), baseSubject('Hello again'));
	});
	test('setHeader replaces folded headers; removeHeader removes them', async () => {
		const raw = 'From: a@b.c\r\nMessage-ID:\r\n <old@x>\r\nSubject: s\r\n\r\nbody\r\nMessage-ID: <in-body@x>\r\n';
		const out = setHeader(raw, 'Message-ID', '<new@y>');
		const parsed = await parseMessage(out);
		assert.equal(parsed.messageId, 'new@y');
		assert.match(out, /<in-body@x>/, 'body untouched');
		assert.ok(!removeHeader(raw, 'subject').includes('Subject: s'));
	});
	test('idList reads References in any spacing', () => {
		assert.deepEqual(idList('<a@x>\r\n <b@y><c@z>'), ['a@x', 'b@y', 'c@z']);
		assert.deepEqual(idList(undefined), []);
	});
	test('ISO durations', () => {
		assert.equal(parseDuration('P3D'), 3 * 86400_000);
		assert.equal(parseDuration('PT2H30M'), 9000_000);
		assert.equal(parseDuration('P1W'), 7 * 86400_000);
		assert.throws(() => parseDuration('P'));
		assert.throws(() => parseDuration('3d'));
	});
});

describe('buildPayload', () => {
	test('nested multipart: alternative inside mixed, part ids, decoded bodies, attachment ids', () => {
		const raw = [
			'Content-Type: multipart/mixed; boundary=outer', 'Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=', '',
			'preamble', '--outer', 'Content-Type: multipart/alternative; boundary="inner"', '',
			'--inner', 'Content-Type: text/plain; charset=utf-8', '', 'plain', '--inner', 'Content-Type: text/html', 'Content-Transfer-Encoding: base64', '', Buffer.from('<p>html</p>').toString('base64'), '--inner--',
			'--outer', 'Content-Type: text/csv; name=a.csv', 'Content-Disposition: attachment; filename="a.csv"', '', 'x,y', '--outer--', 'epilogue', '',
		].join('\r\n');
		const p = buildPayload(raw, 'abc');
		assert.equal(p.mimeType, 'multipart/mixed');
		assert.equal(p.headers.find((h) => h.name === 'Subject')?.value, 'Grüße');
		assert.deepEqual(p.parts?.map((x) => x.partId), ['0', '1']);
		assert.deepEqual(p.parts?.[0].parts?.map((x) => [x.partId, x.mimeType]), [['0.0', 'text/plain'], ['0.1', 'text/html']]);
		assert.equal(Buffer.from(p.parts?.[0].parts?.[1].body.data as string, 'base64url').toString(), '<p>html</p>');
		assert.equal(p.parts?.[1].filename, 'a.csv');
		assert.ok(p.parts?.[1].body.attachmentId);
		assert.equal(p.parts?.[1].body.data, undefined);
	});
});
