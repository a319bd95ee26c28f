import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluate, parseQuery, parseDateValue, tokenize, wantsSpamTrash, type Query } from '../../sandbox/search';
import type { Mailbox, StoredMessage } from '../../sandbox/store';

const NOW = Date.parse('2026-11-21T12:00:00Z');
const DAY = 24 * 3600_000;

function mailbox(): Mailbox {
	return {
		email: 'me@example.com', type: 'gmail', aliases: ['alias@example.com'], timezone: 'UTC', scopes: [], createdAt: 0,
		historyId: 1, historyFloor: 1, nextLabel: 3,
		labels: [
			{ id: 'Label_1', name: 'Outreach/Replied', type: 'user' },
			{ id: 'Label_2', name: 'Big Deals', type: 'user' },
		],
		messages: new Map(), drafts: new Map(), history: [], sendLog: [],
	};
}

function msg(over: Partial<StoredMessage['parsed']> & { labelIds?: string[]; ageDays?: number; size?: number }): StoredMessage {
	const { labelIds, ageDays, size, ...parsed } = over;
	return {
		id: 'm1', threadId: 't1', labelIds: labelIds ?? ['INBOX'], raw: '', historyId: 1,
		internalDate: NOW - (ageDays ?? 0) * DAY, sizeEstimate: size ?? 1000,
		parsed: {
			headers: [], to: [], cc: [], bcc: [], subject: '', inReplyTo: [], references: [], text: '', html: '', attachments: [],
			...parsed,
		},
	};
}

const base = msg({
	from: { name: 'Ann Lead', address: 'ann@acme.com' },
	to: [{ name: '', address: 'me@example.com' }],
	cc: [{ name: 'Carl', address: 'carl@acme.com' }],
	bcc: [{ name: '', address: 'boss@example.com' }],
	subject: 'Re: Quick question about pricing',
	text: 'Hello, thanks for the note. Let us meet next week.',
	messageId: 'abc123@acme.com',
	labelIds: ['INBOX', 'UNREAD', 'Label_1'],
	attachments: [{ filename: 'deck.pdf', mimeType: 'application/pdf', size: 10 }],
	ageDays: 1,
});

describe('tokenize', () => {
	test('operators, phrases, negation, OR and groups', () => {
		assert.deepEqual(tokenize('from:ann -subject:"hello world" OR {a b}').map((t) => t.t), ['term', '-', 'term', 'OR', '{', 'term', 'term', '}']);
		const [t] = tokenize('subject:"hello world"');
		assert.deepEqual(t, { t: 'term', op: 'subject', value: 'hello world', phrase: true });
		assert.deepEqual(tokenize('foo:bar')[0], { t: 'term', value: 'foo:bar', phrase: false });
		assert.equal(tokenize('a or b').filter((t) => t.t === 'OR').length, 0, 'lower-case or is a word');
	});
});

describe('parseQuery', () => {
	test('OR binds tighter than the implicit AND, as in Gmail', () => {
		const q = parseQuery('from:a OR from:b subject:x') as Extract<Query, { kind: 'and' }>;
		assert.equal(q.kind, 'and');
		assert.equal(q.items[0].kind, 'or');
	});
	test('unbalanced brackets are forgiven', () => {
		assert.doesNotThrow(() => parseQuery('(from:a'));
		assert.doesNotThrow(() => parseQuery('from:a )) }'));
	});
});

const cases: Array<[string, boolean]> = [
	['', true],
	['from:ann', true],
	['from:acme.com', true],
	['from:"Ann Lead"', true],
	['from:bob', false],
	['to:me', true],
	['to:carl@acme.com', true],
	['to:boss@example.com', true],
	['cc:carl', true],
	['subject:pricing', true],
	['subject:(quick pricing)', true],
	['subject:(quick nothing)', false],
	['subject:"quick question"', true],
	['subject:"question quick"', false],
	['SUBJECT:PRICING', true],
	['pricing', true],
	['PRICING', true],
	['pric', false],
	['"next week"', true],
	['"week next"', false],
	['label:outreach/replied', true],
	['label:outreach-replied', true],
	['label:OUTREACH-REPLIED', true],
	['label:big-deals', false],
	['in:inbox', true],
	['in:sent', false],
	['in:anywhere', true],
	['is:unread', true],
	['is:read', false],
	['is:starred', false],
	['has:attachment', true],
	['has:userlabels', true],
	['filename:pdf', true],
	['newer_than:2d', true],
	['newer_than:1h', false],
	['older_than:12h', true],
	['older_than:2d', false],
	['after:2026/11/20', true],
	['after:2026/11/21', false],
	['before:2026/11/21', true],
	['before:2026-11-20', false],
	[`after:${Math.floor((NOW - 2 * DAY) / 1000)}`, true],
	[`before:${Math.floor((NOW - 2 * DAY) / 1000)}`, false],
	['rfc822msgid:abc123@acme.com', true],
	['rfc822msgid:<abc123@acme.com>', true],
	['rfc822msgid:abc12@acme.com', false],
	['-from:ann', false],
	['-from:bob', true],
	['from:bob OR from:ann', true],
	['from:bob OR from:zed', false],
	['{from:bob from:ann}', true],
	['{from:bob from:zed}', false],
	['(from:bob OR from:ann) subject:pricing', true],
	['from:bob OR from:ann subject:nothing', false],
	['-(from:bob OR subject:nothing)', true],
	['from:ann -{is:starred in:sent}', true],
	['larger:500', true],
	['smaller:500', false],
	['deck.pdf', true],
];

describe('evaluate', () => {
	for (const [q, want] of cases) {
		test(`${JSON.stringify(q)} → ${want}`, () => {
			assert.equal(evaluate(parseQuery(q), base, { mailbox: mailbox(), now: NOW, dateZone: 'UTC' }), want);
		});
	}
	test('in:anywhere, in:spam and in:trash lift the spam/trash exclusion; negation does not', () => {
		assert.equal(wantsSpamTrash(parseQuery('in:anywhere from:a')), true);
		assert.equal(wantsSpamTrash(parseQuery('in:trash')), true);
		assert.equal(wantsSpamTrash(parseQuery('-in:spam')), false);
		assert.equal(wantsSpamTrash(parseQuery('from:a')), false);
	});
	test('after:/before: dates are midnight in the zone given', () => {
		assert.equal(parseDateValue('2026/11/21', 'UTC'), Date.parse('2026-11-21T00:00:00Z'));
		assert.equal(parseDateValue('2026/11/21', 'America/New_York'), Date.parse('2026-11-21T05:00:00Z'));
		assert.equal(parseDateValue('21/11/2026', 'UTC'), undefined);
	});
});
