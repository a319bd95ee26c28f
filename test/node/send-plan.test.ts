import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import PostalMime from 'postal-mime';
import {
	evidenceByKey,
	labelSegment,
	mentionSearchQuery,
	parseSuppressionList,
	RunDeduper,
	sentLabelName,
	sentSearchQuery,
	suppressedByMailbox,
	suppressionReason,
	SuppressionListError,
	chunk,
	type MessageEvidence,
} from '../../nodes/shared/core/campaign';
import { composeMessage, FieldError, leadRecipient, senderAddress, type ComposeOptions } from '../../nodes/shared/core/compose';
import { outreachKey } from '../../nodes/shared/core/idempotency';
import { buildMime } from '../../nodes/shared/core/mime';

const from = senderAddress('owner@sender.test', 'Olivia Owner');
const opts = (over: Partial<ComposeOptions> = {}): ComposeOptions => ({
	from,
	to: { name: 'Ann Lee', address: 'Ann@Example.com' },
	campaign: 'q3',
	step: 1,
	...over,
});
const header = (email: Awaited<ReturnType<typeof PostalMime.parse>>, name: string) =>
	email.headers.filter((h) => h.key === name.toLowerCase()).map((h) => h.value);

describe('leadRecipient', () => {
	const cases: { name: string; row: Record<string, unknown>; names?: string[]; want?: object; error?: RegExp; reason?: string }[] = [
		{ name: 'bare address', row: { email: 'a@x.com' }, want: { address: 'a@x.com' } },
		{ name: 'name fields joined', row: { email: 'a@x.com', first_name: 'Ann', last_name: 'Lee' }, names: ['first_name', 'last_name'], want: { name: 'Ann Lee', address: 'a@x.com' } },
		{ name: 'column matched loosely', row: { Email: ' b@y.org ', 'First Name': 'Bo' }, names: ['first_name'], want: { name: 'Bo', address: 'b@y.org' } },
		{ name: 'IDN domain kept', row: { email: 'jörg@bücher.de' }, error: /invalid local part/, reason: 'invalid_address' },
		{ name: 'IDN domain, ascii local', row: { email: 'info@bücher.de' }, want: { address: 'info@bücher.de' } },
		{ name: 'non-ASCII display name', row: { email: 'z@x.com', name: 'Zoë Ørsted' }, names: ['name'], want: { name: 'Zoë Ørsted', address: 'z@x.com' } },
		{ name: 'missing email', row: { name: 'x' }, error: /^Row 7, field "email": missing or empty$/, reason: 'missing_fields' },
		{ name: 'bad address', row: { email: 'bob@' }, error: /^Row 7, field "email": invalid address "bob@": missing domain$/, reason: 'invalid_address' },
		{ name: 'two addresses', row: { email: 'a@x.com, b@x.com' }, error: /expected one address/, reason: 'invalid_address' },
		{ name: 'CRLF in name', row: { email: 'a@x.com', first_name: 'Ann\r\nBcc: evil@x.com' }, names: ['first_name'], error: /^Row 7, field "first_name": contains line breaks/, reason: 'invalid_row' },
		{ name: 'number as email', row: { email: 42 }, error: /not text/, reason: 'invalid_address' },
	];
	for (const c of cases) {
		test(c.name, () => {
			const run = () => leadRecipient(c.row, { emailField: 'email', nameFields: c.names }, 7);
			if (c.error) {
				assert.throws(run, (e: unknown) => e instanceof FieldError && c.error!.test(e.message) && e.reason === c.reason);
			} else {
				assert.deepEqual(run(), c.want);
			}
		});
	}
});

describe('composeMessage', () => {
	test('merges, spins per lead, sets outreach headers and parses back', async () => {
		const row = { first_name: 'Ann', company: 'Acme & Sons' };
		const c = composeMessage(row, { subject: '{Hi|Hello} {{first_name}} at {{company}}', html: '<p>Dear {{first_name}}, {{company}}</p>' }, opts());
		assert.deepEqual(c.missing, []);
		assert.equal(c.key, outreachKey('q3', 1, 'ann@example.com'));
		assert.match(c.subject, /^(Hi|Hello) Ann at Acme & Sons$/);
		assert.equal(c.html, '<p>Dear Ann, Acme &amp; Sons</p>');
		assert.equal(c.text, 'Dear Ann, Acme & Sons');
		const again = composeMessage(row, { subject: '{Hi|Hello} {{first_name}} at {{company}}', html: 'x' }, opts({ to: { address: 'ann@EXAMPLE.com' } }));
		assert.equal(again.subject, c.subject, 'spintax is seeded by the normalised address');
		const email = await PostalMime.parse((await buildMime(c.spec)).toString());
		assert.equal(email.subject, c.subject);
		assert.deepEqual(header(email, 'x-outreach-key'), [c.key]);
		// The campaign and step are in no header a lead can read (versions up to 0.1.0 wrote them).
		assert.deepEqual(header(email, 'x-outreach-campaign'), []);
		assert.deepEqual(header(email, 'x-outreach-step'), []);
		assert.equal(email.from?.address, 'owner@sender.test');
		assert.equal(email.from?.name, 'Olivia Owner');
		assert.equal(email.to?.[0].address?.toLowerCase(), 'ann@example.com');
		assert.equal(email.to?.[0].name, 'Ann Lee');
	});

	test('spintax varies across leads', () => {
		const subjects = new Set<string>();
		for (let i = 0; i < 20; i++) {
			subjects.add(composeMessage({}, { subject: '{A|B|C}', text: 'x' }, opts({ to: { address: `lead${i}@x.com` } })).subject);
		}
		assert.ok(subjects.size >= 2);
	});

	test('strict field check lists every missing field, including the unsubscribe URL and footer', () => {
		const c = composeMessage(
			{ first_name: ' ', company: 'Acme' },
			{ subject: 'Hi {{first_name}}', text: '{{pain}} at {{company}} {{city | "your city"}}' },
			opts({ unsubscribe: { url: 'https://u.test/{{token}}', footer: 'Bye {{nick}}' } }),
		);
		assert.deepEqual(c.missing, ['first_name', 'pain', 'token', 'nick']);
	});

	test('unsubscribe URL and mailto get URL-encoded merge values; footer and postal address in both bodies', async () => {
		const c = composeMessage(
			{ email: 'a+b@x.com', first_name: 'Ann' },
			{ subject: 'S', text: 'Hello', html: '<html><body><p>Hello</p></body></html>' },
			opts({
				to: { address: 'a+b@x.com' },
				unsubscribe: {
					url: 'https://u.test/unsub?e={{email}}&n={{first_name}}',
					mailto: 'mailto:stop@sender.test?subject=stop%20{{email}}',
					footer: 'Not interested? {{unsubscribe_url}}',
					postalAddress: '1 Main St, Springfield',
				},
			}),
		);
		assert.deepEqual(c.spec.listUnsubscribe, {
			mailto: 'mailto:stop@sender.test?subject=stop%20a%2Bb%40x.com',
			url: 'https://u.test/unsub?e=a%2Bb%40x.com&n=Ann',
		});
		assert.match(c.text, /Hello\n\n-- \nNot interested\? https:\/\/u\.test\/unsub\?e=a%2Bb%40x\.com&n=Ann\n1 Main St, Springfield\n$/);
		assert.match(c.html!, /<p style="[^"]*">Not interested\? https:\/\/u\.test\/unsub\?e=a%2Bb%40x\.com&amp;n=Ann<br>1 Main St, Springfield<\/p>\n<\/body>/);
		const email = await PostalMime.parse((await buildMime(c.spec)).toString());
		const lu = header(email, 'list-unsubscribe')[0];
		assert.match(lu, /<https:\/\/u\.test\/unsub\?e=a%2Bb%40x\.com&n=Ann>/);
		assert.match(lu, /<mailto:stop@sender\.test\?subject=stop%20a%2Bb%40x\.com>/);
		assert.deepEqual(header(email, 'list-unsubscribe-post'), ['List-Unsubscribe=One-Click']);
	});

	test('email merge field comes from the lead when the row names it differently', () => {
		const c = composeMessage({ 'Work Email': 'w@x.com' }, { subject: 'For {{email}}', text: 'x' }, opts({ to: { address: 'w@x.com' } }));
		assert.equal(c.subject, 'For w@x.com');
		const own = composeMessage({ Email: 'Row@X.com' }, { subject: 'For {{email}}', text: 'x' }, opts({ to: { address: 'w@x.com' } }));
		assert.equal(own.subject, 'For Row@X.com', "the row's own column wins");
	});

	test('reply options: literal subject override (no spintax) and threading headers', async () => {
		const c = composeMessage(
			{ first_name: 'Ann' },
			{ subject: 'ignored {{first_name}}', text: 'Following up, {{first_name}}' },
			opts({ step: 2, subjectOverride: 'Re: {Deal|x} for {{first_name}}', inReplyTo: '<p@x>', references: ['<a@x>', '<p@x>'], cc: 'boss@sender.test', replyTo: 'Team <team@sender.test>' }),
		);
		assert.equal(c.subject, 'Re: {Deal|x} for {{first_name}}');
		assert.deepEqual(c.missing, []);
		const email = await PostalMime.parse((await buildMime(c.spec)).toString());
		assert.equal(email.inReplyTo, '<p@x>');
		assert.equal(email.references, '<a@x> <p@x>');
		assert.equal(email.cc?.[0].address, 'boss@sender.test');
		assert.equal(email.replyTo?.[0].address, 'team@sender.test');
		assert.deepEqual(header(email, 'x-outreach-key'), [outreachKey('q3', 2, 'ann@example.com')]);
	});

	test('caller headers cannot override the outreach key', () => {
		const c = composeMessage({}, { subject: 's', text: 't' }, opts({ headers: { 'X-Outreach-Key': 'forged', 'X-Other': '1' } }));
		assert.equal(c.spec.headers!['X-Outreach-Key'], c.key);
		assert.equal(c.spec.headers!['X-Other'], '1');
	});
});

describe('campaign decisions', () => {
	test('suppression list: addresses, domains, wildcards; invalid entries named', () => {
		const list = parseSuppressionList('CEO@Example.com; @competitor.com\n*@Other.NET, bücher.de');
		assert.deepEqual([...list.addresses], ['ceo@example.com']);
		assert.deepEqual([...list.domains], ['competitor.com', 'other.net', 'xn--bcher-kva.de']);
		assert.throws(() => parseSuppressionList('ok@x.com, an@'), (e: unknown) => e instanceof SuppressionListError && /"an@"/.test(e.message));
	});

	const list = parseSuppressionList('ceo@example.com @competitor.com bücher.de');
	const cases: { name: string; address: string; status?: unknown; mailbox?: Map<string, string>; want?: RegExp }[] = [
		{ name: 'listed address, other case', address: 'CEO@example.COM', want: /address is on the suppression list/ },
		{ name: 'listed domain', address: 'x@competitor.com', want: /domain competitor\.com/ },
		{ name: 'listed IDN domain, unicode vs punycode', address: 'info@xn--bcher-kva.de', want: /domain xn--bcher-kva\.de/ },
		{ name: 'subdomain is not the domain', address: 'x@mail.competitor.com' },
		{ name: 'status unsubscribed', address: 'a@x.com', status: 'Unsubscribed ', want: /status is "Unsubscribed"/ },
		{ name: 'status Do Not Contact', address: 'a@x.com', status: 'Do Not Contact', want: /status/ },
		{ name: 'status new', address: 'a@x.com', status: 'new' },
		{ name: 'mailbox label', address: 'A@x.com', mailbox: new Map([['a@x.com', 'Outreach/Bounced']]), want: /Outreach\/Bounced/ },
		{ name: 'clean', address: 'a@x.com' },
	];
	for (const c of cases) {
		test(`suppression: ${c.name}`, () => {
			const r = suppressionReason(c.address, { list, status: c.status, mailbox: c.mailbox });
			if (c.want) assert.match(r ?? '', c.want);
			else assert.equal(r, undefined);
		});
	}

	test('labels and search queries', () => {
		assert.equal(sentLabelName('Q3 launch'), 'Outreach/Q3 launch/Sent');
		assert.equal(labelSegment('a/b\r\nc'), 'a-b c');
		assert.equal(sentSearchQuery(['a@x.com', 'B@Y.com']), 'in:sent {to:a@x.com to:B@Y.com to:b@y.com}');
		assert.equal(sentSearchQuery(['info@bücher.de']), 'in:sent {to:"info@bücher.de" to:info@xn--bcher-kva.de}');
		assert.equal(mentionSearchQuery(['a@x.com']), '{from:a@x.com to:a@x.com a@x.com}');
	});

	test('evidence by key: the oldest message carrying a key wins; others are ignored', () => {
		const ev = (id: string, key?: string): MessageEvidence => ({ id, threadId: 't' + id, headers: key ? { 'x-outreach-key': key } : {} });
		const map = evidenceByKey([ev('1', 'k1'), ev('2'), ev('3', 'k1'), ev('4', ' k2 ')]);
		assert.equal(map.get('k1')?.id, '1');
		assert.equal(map.get('k2')?.id, '4');
		assert.equal(map.size, 2);
	});

	test('mailbox suppression reads From/To/X-Failed-Recipients and only reports candidates', () => {
		const msgs: MessageEvidence[] = [
			{ id: '1', threadId: 't', headers: { From: 'Ann <ANN@x.com>', To: 'me@sender.test' } },
			{ id: '2', threadId: 't', headers: { From: 'Mail Delivery Subsystem <mailer-daemon@googlemail.com>', 'X-Failed-Recipients': 'bob@y.com' } },
			{ id: '3', threadId: 't', headers: { From: 'junk', To: '"Lee, Carl" <carl@z.com>, other@z.com' } },
		];
		const found = suppressedByMailbox(msgs, ['ann@x.com', 'bob@y.com', 'carl@z.com', 'dan@w.com'], (m) => `L${m.id}`);
		assert.deepEqual(Object.fromEntries(found), { 'ann@x.com': 'L1', 'bob@y.com': 'L2', 'carl@z.com': 'L3' });
	});

	test('dedupe by normalised address; chunking', () => {
		const d = new RunDeduper();
		assert.equal(d.claim('a@x.com', 0), undefined);
		assert.equal(d.claim('A@X.COM', 3), 0);
		assert.equal(d.claim('b@x.com', 4), undefined);
		assert.deepEqual(chunk([1, 2, 3, 4, 5], 2), [[1, 2], [3, 4], [5]]);
	});
});
