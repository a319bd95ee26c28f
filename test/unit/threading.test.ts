import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { ThreadingError, baseSubject, parseMessageIds, replyHeaders, replySubject } from '../../nodes/shared/core/threading';

describe('baseSubject / replySubject', () => {
	const cases: [string, string][] = [
		['Quick question', 'Quick question'],
		['Re: Quick question', 'Quick question'],
		['RE: Quick question', 'Quick question'],
		['re:Quick question', 'Quick question'],
		['Re: Re: RE: Quick question', 'Quick question'],
		['Fwd: Re: Quick question', 'Quick question'],
		['FW: Quick question', 'Quick question'],
		['Fw: Quick question', 'Quick question'],
		['AW: Quick question', 'Quick question'],
		['SV: Quick question', 'Quick question'],
		['Antw: Quick question', 'Quick question'],
		['Réf: Quick question', 'Quick question'],
		['RÉF : Quick question', 'Quick question'],
		['WG: AW: Quick question', 'Quick question'],
		['Re[2]: Quick question', 'Quick question'],
		['Re [3] : Quick question', 'Quick question'],
		['Re(2): Quick question', 'Quick question'],
		['回复：Quick question', 'Quick question'],
		['  Re:   Quick   question  ', 'Quick   question'],
		['Re:\tQuick question', 'Quick question'],
		['Regarding: pricing', 'Regarding: pricing'],
		['Re pricing', 'Re pricing'],
		['Refund: policy', 'Refund: policy'],
		['Re:', ''],
		['', ''],
	];
	for (const [input, base] of cases) {
		test(JSON.stringify(input), () => {
			assert.equal(baseSubject(input), base);
			assert.equal(replySubject(input), base ? `Re: ${base}` : 'Re:');
			assert.ok(!/^Re: Re:/i.test(replySubject(input)));
		});
	}
	test('reply of a reply is stable', () => {
		assert.equal(replySubject(replySubject(replySubject('Hello'))), 'Re: Hello');
	});
	test('control characters never survive', () => {
		assert.equal(replySubject('Hi\r\nBcc: x@y.z'), 'Re: Hi Bcc: x@y.z');
	});
});

describe('parseMessageIds', () => {
	const cases: [string | undefined, string[]][] = [
		[undefined, []],
		['', []],
		['<a@b>', ['<a@b>']],
		['<a@b> <c@d>', ['<a@b>', '<c@d>']],
		['<a@b>,<c@d>', ['<a@b>', '<c@d>']],
		['<a@b>\r\n <c@d>\r\n\t<e@f>', ['<a@b>', '<c@d>', '<e@f>']],
		['<a@b> <a@b>', ['<a@b>']],
		['a@b', ['<a@b>']],
		['a@b c@d', ['<a@b>', '<c@d>']],
		['<CAF=x+y/z@mail.gmail.com>', ['<CAF=x+y/z@mail.gmail.com>']],
		['<a@b>\r\nBcc: evil@x.com', ['<a@b>']],
		['<a@\r\n b>', ['<a@b>']],
	];
	for (const [input, want] of cases) test(JSON.stringify(input), () => assert.deepEqual(parseMessageIds(input), want));
});

describe('replyHeaders', () => {
	test('first reply', () => {
		assert.deepEqual(replyHeaders({ messageId: '<p1@x>', subject: 'Hello' }), { inReplyTo: '<p1@x>', references: ['<p1@x>'], subject: 'Re: Hello' });
	});
	test('appends the parent to its References', () => {
		assert.deepEqual(replyHeaders({ messageId: '<p3@x>', references: '<p1@x> <p2@x>', subject: 'Re: Hello' }), {
			inReplyTo: '<p3@x>',
			references: ['<p1@x>', '<p2@x>', '<p3@x>'],
			subject: 'Re: Hello',
		});
	});
	test('dedupes, keeps parent last', () => {
		assert.deepEqual(replyHeaders({ messageId: 'p2@x', references: '<p1@x> <p2@x> <p1@x>', subject: 's' }).references, ['<p1@x>', '<p2@x>']);
	});
	test('long chains keep the first and the most recent', () => {
		const refs = Array.from({ length: 30 }, (_, i) => `<m${i}@x>`).join(' ');
		const r = replyHeaders({ messageId: '<m30@x>', references: refs, subject: 's' });
		assert.equal(r.references.length, 20);
		assert.equal(r.references[0], '<m0@x>');
		assert.deepEqual(r.references.slice(1), Array.from({ length: 19 }, (_, i) => `<m${i + 12}@x>`));
		assert.equal(r.references.at(-1), '<m30@x>');
	});
	test('maxReferences option', () => {
		const r = replyHeaders({ messageId: '<m5@x>', references: '<m1@x> <m2@x> <m3@x> <m4@x>', subject: 's' }, { maxReferences: 3 });
		assert.deepEqual(r.references, ['<m1@x>', '<m4@x>', '<m5@x>']);
	});
	test('no usable Message-ID is an error', () => {
		assert.throws(() => replyHeaders({ messageId: '  ', subject: 's' }), ThreadingError);
	});
});

test('References fallback: a parent without References but with In-Reply-To (Outlook, auto-replies) keeps the chain (RFC 5322 §3.6.4)', () => {
	const h = replyHeaders({ messageId: '<c@x>', inReplyTo: '<b@x>', subject: 'Re: hi' });
	assert.deepEqual(h.references, ['<b@x>', '<c@x>']);
	// Several ids in In-Reply-To do not say which is the parent: RFC 5322 then leaves References to the parent alone.
	assert.deepEqual(replyHeaders({ messageId: '<c@x>', inReplyTo: '<a@x> <b@x>', subject: 'hi' }).references, ['<c@x>']);
	// References, when present, win over In-Reply-To.
	assert.deepEqual(replyHeaders({ messageId: '<c@x>', references: '<a@x> <b@x>', inReplyTo: '<z@x>', subject: 'hi' }).references, ['<a@x>', '<b@x>', '<c@x>']);
});
