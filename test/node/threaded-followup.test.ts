import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
	decideFollowup,
	quoteText,
	quoteHtml,
	replyRecipients,
	FollowupError,
	type FollowupInput,
	type ThreadMessage,
} from '../../nodes/shared/core/followup';

const ME = 'sales@acme.test';
const ALIAS = 'Ana.Sales@Acme.test';
const LEAD = 'lead@client.test';
const KEY2 = 'go-step2key';

let seq = 0;
/** A thread message as the transport maps threads.get metadata: lower-case header names. */
function msg(from: string, headers: Record<string, string> = {}, extra: Partial<ThreadMessage> = {}): ThreadMessage {
	seq++;
	return {
		id: `m${seq}`,
		internalDate: String(1_700_000_000_000 + seq * 60_000),
		labelIds: from.includes('acme.test') ? ['SENT'] : ['INBOX'],
		headers: {
			from,
			to: from.includes('acme.test') ? LEAD : ME,
			subject: 'Re: Quick question',
			'message-id': `<id${seq}@mail.test>`,
			...headers,
		},
		...extra,
	};
}

function first(): ThreadMessage {
	return msg(`Ana <${ME}>`, { subject: 'Quick question', 'x-outreach-key': 'go-step1key' });
}

interface Case {
	name: string;
	thread: () => ThreadMessage[];
	input?: Partial<FollowupInput>;
	action: 'send' | 'skip';
	reason?: string;
}

const cases: Case[] = [
	{ name: 'our step 1 alone: step 2 goes', thread: () => [first()], action: 'send' },
	{
		name: 'human reply after step 1 stops step 2',
		thread: () => [first(), msg(`Lead <${LEAD}>`, { 'in-reply-to': '<x>' })],
		action: 'skip',
		reason: 'replied',
	},
	{
		name: 'Auto-Submitted: auto-replied does not count as engaged',
		thread: () => [first(), msg(LEAD, { 'auto-submitted': 'auto-replied', subject: 'Out of office' })],
		action: 'send',
	},
	{
		name: 'Auto-Submitted: no is a human',
		thread: () => [first(), msg(LEAD, { 'auto-submitted': 'no' })],
		action: 'skip',
		reason: 'replied',
	},
	{
		name: 'X-Autoreply does not count',
		thread: () => [first(), msg(LEAD, { 'x-autoreply': 'yes' })],
		action: 'send',
	},
	{
		name: 'Precedence: auto_reply does not count',
		thread: () => [first(), msg(LEAD, { precedence: 'auto_reply' })],
		action: 'send',
	},
	{
		name: 'mailer-daemon bounce stops the sequence',
		thread: () => [
			first(),
			msg('Mail Delivery Subsystem <mailer-daemon@googlemail.com>', {
				'content-type': 'multipart/report; report-type=delivery-status; boundary="b"',
				subject: 'Delivery Status Notification (Failure)',
			}),
		],
		action: 'skip',
		reason: 'bounced',
	},
	{
		name: 'bounce stops even after our later follow-up',
		thread: () => [
			first(),
			msg('MAILER-DAEMON@mx.client.test', { 'content-type': 'multipart/report; report-type=delivery-status' }),
			msg(ME, { 'x-outreach-key': 'go-other' }),
		],
		input: { step: 3 },
		action: 'skip',
		reason: 'bounced',
	},
	{
		name: 'opt-out answer is unsubscribed, not replied',
		thread: () => [first(), msg(LEAD, {}, { snippet: 'Please remove me from your list.' })],
		action: 'skip',
		reason: 'unsubscribed',
	},
	{
		name: 'our own footer quoted in their reply is a reply, not an opt-out',
		thread: () => [
			first(),
			msg(LEAD, {}, { snippet: 'Sure, call me Tuesday. On Mon, 2 Mar 2026, Ana wrote: &gt; Reply stop to unsubscribe' }),
		],
		action: 'skip',
		reason: 'replied',
	},
	{
		name: 'please do not contact me again is an opt-out',
		thread: () => [first(), msg(LEAD, {}, { snippet: 'Please do not contact me again.' })],
		action: 'skip',
		reason: 'unsubscribed',
	},
	{
		name: 'this step key already in the thread: already_sent',
		thread: () => [first(), msg(ME, { 'x-outreach-key': KEY2 })],
		input: { step: undefined },
		action: 'skip',
		reason: 'already_sent',
	},
	{
		name: 'our own hand-written message is never a step: the follow-up goes',
		thread: () => [first(), msg(ME)],
		action: 'send',
	},
	{
		name: 'already_sent wins over a later reply (re-run after the lead answered step 2)',
		thread: () => [first(), msg(ME, { 'x-outreach-key': KEY2 }), msg(LEAD)],
		action: 'skip',
		reason: 'already_sent',
	},
	{
		name: 'step 3 after step 2 and an auto-reply goes',
		thread: () => [first(), msg(LEAD, { 'auto-submitted': 'auto-replied' }), msg(ME, { 'x-outreach-key': KEY2 })],
		input: { step: 3, stepKey: 'go-step3key' },
		action: 'send',
	},
	{
		name: 'live conversation: a reply at any time after the first message stops every later step, whatever followed',
		thread: () => [first(), msg(LEAD), msg(ME), msg(ME, { 'x-outreach-key': KEY2 })],
		input: { step: 3, stepKey: 'go-step3key' },
		action: 'skip',
		reason: 'replied',
	},
	{
		name: 'a human message before the campaign began is an older conversation, not a reply',
		thread: () => [msg(LEAD, { subject: 'Quick question' }, { internalDate: '1' }), first()],
		action: 'send',
	},
	{
		name: 'our alias (case-insensitive) counts as us',
		thread: () => [msg(`Ana <${ALIAS.toUpperCase()}>`, { subject: 'Quick question' })],
		action: 'send',
	},
	{
		name: 'a message from our alias without this step\'s key is not the step',
		thread: () => [first(), msg(ALIAS.toLowerCase())],
		action: 'send',
	},
	{
		name: 'stopIfEngaged false answers an inbound human message',
		thread: () => [msg(LEAD, { subject: 'Pricing?' })],
		input: { stopIfEngaged: false, step: undefined, stepKey: undefined },
		action: 'send',
	},
	{
		name: 'drafts in the thread are ignored',
		thread: () => [first(), msg(ME, {}, { labelIds: ['DRAFT'] })],
		action: 'send',
	},
	{
		name: 'a trashed human reply is ignored',
		thread: () => [first(), msg(LEAD, {}, { labelIds: ['TRASH'] })],
		action: 'send',
	},
];

describe('decideFollowup', () => {
	for (const c of cases) {
		test(c.name, () => {
			const d = decideFollowup({ messages: c.thread(), ourAddresses: [ME, ALIAS], step: 2, stepKey: KEY2, ...c.input });
			assert.equal(d.action, c.action, d.detail);
			assert.equal(d.reason, c.reason);
			if (c.action === 'skip') assert.ok(d.evidence, 'a skip names its evidence');
		});
	}

	test('parent is the last message: In-Reply-To, full References, single Re:', () => {
		const a = msg(ME, { subject: 'Quick question', 'message-id': '<a@x>' });
		const b = msg(ME, { subject: 'Re: Quick question', 'message-id': '<b@x>', references: '<a@x>', 'in-reply-to': '<a@x>' });
		const ooo = msg(LEAD, {
			subject: 'Automatic reply: Re: Quick question',
			'message-id': '<c@y>',
			references: '<a@x> <b@x>',
			'auto-submitted': 'auto-replied',
		});
		const d = decideFollowup({ messages: [b, a, ooo], ourAddresses: [ME], step: 3 });
		assert.equal(d.action, 'send', d.detail);
		assert.equal(d.parent?.id, ooo.id);
		assert.equal(d.inReplyTo, '<c@y>');
		assert.deepEqual(d.references, ['<a@x>', '<b@x>', '<c@y>']);
		assert.equal(d.subject, 'Re: Quick question', 'the thread subject, not the auto-reply subject');
		// Recipients come from our last message, never from the auto-reply.
		assert.deepEqual(
			d.recipients.to.map((r) => r.address),
			[LEAD],
		);
	});

	test('sorts by internalDate: parent is the newest even when listed first', () => {
		const a = msg(ME, { 'message-id': '<a@x>', subject: 'Hello' });
		const b = msg(ME, { 'message-id': '<b@x>', references: '<a@x>', subject: 'Re: Hello' });
		const d = decideFollowup({ messages: [b, a], ourAddresses: [ME], step: 3 });
		assert.equal(d.inReplyTo, '<b@x>');
		assert.deepEqual(d.references, ['<a@x>', '<b@x>']);
		assert.equal(d.subject, 'Re: Hello');
	});

	test('empty thread and missing Message-ID are FollowupErrors', () => {
		assert.throws(() => decideFollowup({ messages: [], ourAddresses: [ME] }), FollowupError);
		const m = msg(ME);
		delete m.headers['message-id'];
		assert.throws(() => decideFollowup({ messages: [m], ourAddresses: [ME], step: 2 }), /no Message-ID/);
	});
});

describe('replyRecipients', () => {
	const rcases: {
		name: string;
		thread: () => ThreadMessage[];
		replyAll: boolean;
		to: string[];
		cc: string[];
	}[] = [
		{
			name: 'follow-up to our own message: its To',
			thread: () => [msg(ME, { to: `Lead <${LEAD}>`, cc: 'boss@client.test' })],
			replyAll: false,
			to: [LEAD],
			cc: [],
		},
		{
			name: 'reply-all on our message keeps Cc',
			thread: () => [msg(ME, { to: `Lead <${LEAD}>`, cc: 'boss@client.test' })],
			replyAll: true,
			to: [LEAD],
			cc: ['boss@client.test'],
		},
		{
			name: 'reply to their message goes to Reply-To before From',
			thread: () => [msg(LEAD, { 'reply-to': 'assistant@client.test', to: ME })],
			replyAll: false,
			to: ['assistant@client.test'],
			cc: [],
		},
		{
			name: 'reply-all: sender + other To, Cc; never ourselves (any case, alias), no duplicates',
			thread: () => [
				msg(`Lead <${LEAD}>`, {
					to: `${ME.toUpperCase()}, Other <other@client.test>, ${ALIAS}`,
					cc: `LEAD@CLIENT.TEST, boss@client.test, Other@Client.test, ${ME}`,
				}),
			],
			replyAll: true,
			to: [LEAD, 'other@client.test'],
			cc: ['boss@client.test'],
		},
		{
			name: 'reply-to-sender never includes ourselves even if we are the Reply-To',
			thread: () => [msg(LEAD, { 'reply-to': ME })],
			replyAll: false,
			to: [],
			cc: [],
		},
		{
			name: 'malformed entries in their headers are dropped, not fatal',
			thread: () => [msg(LEAD, { to: `${ME}, bob@, "Weird, Name" <w@client.test>` })],
			replyAll: true,
			to: [LEAD, 'w@client.test'],
			cc: [],
		},
	];
	for (const c of rcases) {
		test(c.name, () => {
			const r = replyRecipients(c.thread(), [ME, ALIAS], c.replyAll);
			assert.deepEqual(
				r.to.map((a) => a.address.toLowerCase()),
				c.to,
			);
			assert.deepEqual(
				r.cc.map((a) => a.address.toLowerCase()),
				c.cc,
			);
		});
	}
});

describe('quotes', () => {
	test('text quote: intro line then > lines, nested quotes stay nested', () => {
		const q = quoteText('Hi Bob,\r\n\r\n> earlier\nThanks\n\n', { date: 'Mon, 2 Mar 2026 10:00:00 +0000', from: 'Ana <a@x>' });
		assert.equal(q, 'On Mon, 2 Mar 2026 10:00:00 +0000, Ana <a@x> wrote:\n> Hi Bob,\n> \n>> earlier\n> Thanks');
	});
	test('html quote escapes the intro', () => {
		const q = quoteHtml('<p>Hi</p>', { from: 'Ana <a@x>' });
		assert.match(q, /Ana &lt;a@x&gt; wrote:/);
		assert.match(q, /<blockquote[^>]*><p>Hi<\/p><\/blockquote>/);
	});
});
