import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
	TemplateError,
	assertFields,
	htmlToText,
	missingFields,
	normalizeFieldName,
	referencedFields,
	renderTemplate,
	spin,
} from '../../nodes/shared/core/template';

const row = {
	'First Name': 'Ann',
	Company: 'Acme & Sons',
	city: '',
	score: 42,
	'pain-point': 'slow <b>invoicing</b>',
	blank: '   ',
	nothing: null,
};

describe('renderTemplate merge', () => {
	const cases: { name: string; tpl: string; want: string; html?: boolean }[] = [
		{ name: 'exact column name', tpl: 'Hi {{First Name}}', want: 'Hi Ann' },
		{ name: 'normalised name', tpl: 'Hi {{first_name}}', want: 'Hi Ann' },
		{ name: 'normalised case-insensitive', tpl: '{{COMPANY}}', want: 'Acme & Sons' },
		{ name: 'hyphen column ↔ underscore tag', tpl: '{{pain_point}}', want: 'slow <b>invoicing</b>' },
		{ name: 'spaces inside braces', tpl: '{{  first_name  }}', want: 'Ann' },
		{ name: 'number value', tpl: 'score {{score}}', want: 'score 42' },
		{ name: 'fallback used when empty', tpl: 'in {{city | "your city"}}', want: 'in your city' },
		{ name: 'fallback used when missing', tpl: 'Hi {{nick | "there"}}', want: 'Hi there' },
		{ name: 'fallback used when blank', tpl: '{{blank|"x"}}', want: 'x' },
		{ name: 'fallback used when null', tpl: '{{nothing | \'n/a\'}}', want: 'n/a' },
		{ name: 'bare fallback', tpl: 'Hi {{nick | there}}', want: 'Hi there' },
		{ name: 'fallback ignored when present', tpl: 'Hi {{first_name | "there"}}', want: 'Hi Ann' },
		{ name: 'missing without fallback renders empty', tpl: 'Hi {{nick}}!', want: 'Hi !' },
		{ name: 'html escapes values', tpl: '<p>{{company}}: {{pain_point}}</p>', want: '<p>Acme &amp; Sons: slow &lt;b&gt;invoicing&lt;/b&gt;</p>', html: true },
		{ name: 'html escapes fallbacks too', tpl: '{{nick | "<you>"}}', want: '&lt;you&gt;', html: true },
		{ name: 'text does not escape', tpl: '{{company}}', want: 'Acme & Sons' },
		{ name: 'single braces are not merge tags', tpl: '{first_name}', want: '{first_name}' },
	];
	for (const c of cases) test(c.name, () => assert.equal(renderTemplate(c.tpl, row, { html: c.html }), c.want));

	test('values are not re-interpreted as tags or spintax', () => {
		const r = { a: '{{b}} {x|y}', b: 'SECRET' };
		assert.equal(renderTemplate('{{a}}', r, { seed: 's' }), '{{b}} {x|y}');
	});
});

describe('referencedFields / missingFields (strict mode)', () => {
	const tpls = ['Hi {{first_name | "there"}}, {{company}}', '<p>{{pain_point}} in {{city}} {{company}}</p>', '{{First Name}}'];
	test('required vs optional', () => {
		assert.deepEqual(referencedFields(tpls), { required: ['company', 'pain_point', 'city', 'First Name'], optional: ['first_name'] });
	});
	test('a field required anywhere is required', () => {
		assert.deepEqual(referencedFields(['{{a|"x"}}', '{{a}}']), { required: ['a'], optional: [] });
	});
	test('lists every missing or empty field', () => {
		assert.deepEqual(missingFields(tpls, { company: ' ', 'First Name': 'Ann' }), ['company', 'pain_point', 'city']);
	});
	test('nothing missing', () => {
		assert.deepEqual(missingFields(tpls, { company: 'A', pain_point: 'p', city: 'c', first_name: 'Ann' }), []);
	});
	test('zero is not empty', () => {
		assert.deepEqual(missingFields(['{{n}}'], { n: 0 }), []);
	});
	test('TemplateError names the row and all fields', () => {
		assert.throws(
			() => assertFields(['{{first_name}} {{company}}'], { first_name: '' }, 3),
			(e: unknown) => {
				assert.ok(e instanceof TemplateError);
				assert.equal(e.message, 'Row 3: missing or empty fields: first_name, company');
				assert.deepEqual(e.fields, ['first_name', 'company']);
				assert.equal(e.row, 3);
				return true;
			},
		);
	});
	test('normalizeFieldName', () => {
		assert.equal(normalizeFieldName('First Name'), 'first_name');
		assert.equal(normalizeFieldName('  E-mail Address '), 'e_mail_address');
		assert.equal(normalizeFieldName('Café'), 'cafe');
	});
});

describe('spin', () => {
	const cases: { name: string; tpl: string; oneOf: string[] }[] = [
		{ name: 'simple', tpl: '{Hi|Hello|Hey} Ann', oneOf: ['Hi Ann', 'Hello Ann', 'Hey Ann'] },
		{ name: 'nested', tpl: '{Hi|{Good morning|Morning}}!', oneOf: ['Hi!', 'Good morning!', 'Morning!'] },
		{ name: 'empty option', tpl: 'a{ b|}c', oneOf: ['a bc', 'ac'] },
		{ name: 'merge tag inside option kept', tpl: '{Hi {{first_name}}|Hello}', oneOf: ['Hi {{first_name}}', 'Hello'] },
		{ name: 'merge tag with fallback untouched', tpl: '{{first_name | "there"}}', oneOf: ['{{first_name | "there"}}'] },
		{ name: 'single-option braces literal', tpl: '{x}', oneOf: ['{x}'] },
		{ name: 'unbalanced literal', tpl: '{a|b', oneOf: ['{a|b'] },
		{ name: 'unbalanced before a group', tpl: '{x {a|b}', oneOf: ['{x a', '{x b'] },
		{ name: 'single-option braces inside a group', tpl: '{a|{x}b}', oneOf: ['a', '{x}b'] },
		{ name: 'group inside single-option braces', tpl: '{x {a|b}}', oneOf: ['{x a}', '{x b}'] },
		{ name: 'stray pipe and brace', tpl: 'a | b }', oneOf: ['a | b }'] },
	];
	for (const c of cases) {
		test(c.name, () => {
			for (const seed of ['a', 'b', 'c', 'd', 'e', 'f']) assert.ok(c.oneOf.includes(spin(c.tpl, seed)), spin(c.tpl, seed));
		});
	}
	test('same seed, same text on every run', () => {
		const tpl = '{Hi|Hello|Hey} {there|friend}, {quick|short} {note|question}';
		for (const seed of ['ann@acme.com', 'bob@x.org']) assert.equal(spin(tpl, seed), spin(tpl, seed));
	});
	test('different leads vary (20 seeds give at least two variants)', () => {
		const seen = new Set<string>();
		for (let i = 0; i < 20; i++) seen.add(spin('{Hi|Hello|Hey}', `lead${i}@example.com`));
		assert.ok(seen.size >= 2, [...seen].join(','));
	});
	test('renderTemplate spins then merges with the seed', () => {
		const out = renderTemplate('{Hi|Hello} {{first_name}}', row, { seed: 'ann@acme.com' });
		assert.equal(out, renderTemplate('{Hi|Hello} {{first_name}}', row, { seed: 'ann@acme.com' }));
		assert.match(out, /^(Hi|Hello) Ann$/);
	});
});

describe('htmlToText', () => {
	const cases: { name: string; html: string; want: string }[] = [
		{ name: 'paragraphs', html: '<p>Hi Ann,</p><p>Quick question.</p>', want: 'Hi Ann,\n\nQuick question.' },
		{ name: 'line breaks', html: 'one<br>two<br/>three', want: 'one\ntwo\nthree' },
		{ name: 'link as text (url)', html: 'See <a href="https://x.io/a?b=1&amp;c=2">our page</a>.', want: 'See our page (https://x.io/a?b=1&c=2).' },
		{ name: 'link whose text is the url', html: '<a href="https://x.io">https://x.io</a>', want: 'https://x.io' },
		{ name: 'mailto link', html: '<a href=\'mailto:a@b.co\'>mail me</a>', want: 'mail me (a@b.co)' },
		{ name: 'entities', html: 'A &amp; B &lt;3 &quot;q&quot; &#39;s&#39; &#x263A; &euro;5&nbsp;now', want: 'A & B <3 "q" \'s\' ☺ €5 now' },
		{ name: 'lists', html: '<ul><li>one</li><li>two</li></ul>', want: '- one\n- two' },
		{ name: 'drops script/style/comments', html: '<style>p{color:red}</style><!-- x --><p>ok</p><script>alert(1)</script>', want: 'ok' },
		{ name: 'collapses source whitespace', html: '<p>Hi\n   Ann,\n  there</p>', want: 'Hi Ann, there' },
		{ name: 'nested tags inside link text', html: '<a href="https://x.io"><b>Book</b> a call</a>', want: 'Book a call (https://x.io)' },
	];
	for (const c of cases) test(c.name, () => assert.equal(htmlToText(c.html), c.want));
});

describe('spin stays fast on hostile input', () => {
	test('thousands of unbalanced braces', () => {
		const t = Date.now();
		for (const text of ['{a|'.repeat(3000), '{ '.repeat(5000) + '}'.repeat(5000), '{{'.repeat(5000), '{{x}'.repeat(3000)]) {
			assert.equal(spin(text, 's'), text);
		}
		assert.ok(Date.now() - t < 2000, `${Date.now() - t} ms`);
	});
});
