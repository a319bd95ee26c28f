import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
	AddressError,
	asciiAddress,
	domainOf,
	formatAddress,
	normalizeAddress,
	parseAddress,
	parseAddressList,
	sameAddress,
} from '../../nodes/shared/core/address';

describe('parseAddress accepts', () => {
	const cases: { input: string; want: { name?: string; address: string } }[] = [
		{ input: 'a@b.co', want: { address: 'a@b.co' } },
		{ input: '  a@b.co  ', want: { address: 'a@b.co' } },
		{ input: '<a@b.co>', want: { address: 'a@b.co' } },
		{ input: 'Ann Lee <ann@example.com>', want: { name: 'Ann Lee', address: 'ann@example.com' } },
		{ input: '"Lee, Ann" <ann@example.com>', want: { name: 'Lee, Ann', address: 'ann@example.com' } },
		{ input: '"Ann \\"AJ\\" Lee" <ann@example.com>', want: { name: 'Ann "AJ" Lee', address: 'ann@example.com' } },
		{ input: 'bob+outreach@gmail.com', want: { address: 'bob+outreach@gmail.com' } },
		{ input: 'Bob.Smith@Example.COM', want: { address: 'Bob.Smith@Example.COM' } },
		{ input: 'José <jose@jõgeva.ee>', want: { name: 'José', address: 'jose@jõgeva.ee' } },
		{ input: 'info@xn--jgeva-dua.ee', want: { address: 'info@xn--jgeva-dua.ee' } },
		{ input: 'Zoë Ünal <z@münchen.de>', want: { name: 'Zoë Ünal', address: 'z@münchen.de' } },
		{ input: "o'brien@example.ie", want: { address: "o'brien@example.ie" } },
		{ input: 'x@sub.domain.example.org', want: { address: 'x@sub.domain.example.org' } },
	];
	for (const c of cases) {
		test(c.input, () => assert.deepEqual(parseAddress(c.input), c.want));
	}
});

describe('parseAddress rejects', () => {
	const cases: { input: string; problem: RegExp }[] = [
		{ input: 'bob@', problem: /missing domain/ },
		{ input: 'bob', problem: /missing @/ },
		{ input: '@example.com', problem: /missing local part/ },
		{ input: '', problem: /empty/ },
		{ input: '   ', problem: /empty/ },
		{ input: 'bob@localhost', problem: /no top-level domain/ },
		{ input: 'bob@exa_mple.com', problem: /invalid domain/ },
		{ input: 'bob@-example.com', problem: /invalid domain/ },
		{ input: 'bob@example..com', problem: /invalid domain/ },
		{ input: 'bob@1.2.3.4', problem: /invalid domain/ },
		{ input: 'bob@[1.2.3.4]', problem: /IP address literals/ },
		{ input: 'bo b@example.com', problem: /whitespace/ },
		{ input: '.bob@example.com', problem: /invalid local part/ },
		{ input: 'bob..x@example.com', problem: /invalid local part/ },
		{ input: 'bob"@example.com', problem: /invalid local part/ },
		{ input: 'bob@example.com\r\nBcc: evil@x.com', problem: /control characters/ },
		{ input: 'Bob\n <bob@example.com>', problem: /control characters/ },
		{ input: 'bob\u0000@example.com', problem: /control characters/ },
		{ input: 'bob@example.com\u2028', problem: /control characters/ },
		{ input: 'Bob <bob@example.com', problem: /unbalanced/ },
		{ input: 'Bob bob@example.com>', problem: /unbalanced/ },
		{ input: 'Bob <<bob@example.com>>', problem: /unbalanced/ },
		{ input: '"Bob <bob@example.com>', problem: /unterminated/ },
		{ input: 'Bob <>', problem: /empty/ },
		{ input: 'a'.repeat(65) + '@example.com', problem: /longer than 64/ },
	];
	for (const c of cases) {
		test(JSON.stringify(c.input), () => {
			assert.throws(
				() => parseAddress(c.input),
				(e: unknown) => {
					assert.ok(e instanceof AddressError);
					assert.equal(e.name, 'AddressError');
					assert.equal(e.input, c.input);
					assert.match(e.message, c.problem);
					assert.match(e.message, /^Invalid email address "/);
					assert.ok(!/[\r\n]/.test(e.message), 'message stays on one line');
					return true;
				},
			);
		});
	}
	test('message names the problem exactly', () => {
		assert.throws(() => parseAddress('bob@'), { message: 'Invalid email address "bob@": missing domain' });
	});
});

describe('parseAddressList', () => {
	test('commas, semicolons, quoted names with commas', () => {
		assert.deepEqual(parseAddressList('"Lee, Ann" <ann@example.com>, bob@example.com; Cy <cy@example.org>'), [
			{ name: 'Lee, Ann', address: 'ann@example.com' },
			{ address: 'bob@example.com' },
			{ name: 'Cy', address: 'cy@example.org' },
		]);
	});
	test('array input, empty parts ignored', () => {
		assert.deepEqual(parseAddressList(['a@x.com, ', 'b@y.com;;']), [{ address: 'a@x.com' }, { address: 'b@y.com' }]);
	});
	test('one bad entry fails the list', () => {
		assert.throws(() => parseAddressList('a@x.com, bob@'), /bob@": missing domain/);
	});
	test('CRLF anywhere is rejected', () => {
		assert.throws(() => parseAddressList('a@x.com,\r\nBcc: evil@x.com'), AddressError);
	});
});

describe('normalizeAddress / sameAddress / domainOf', () => {
	const cases: [string, string][] = [
		['Bob@Example.COM', 'bob@example.com'],
		['  bob@example.com ', 'bob@example.com'],
		['Bob <BOB+Tag@Example.com>', 'bob+tag@example.com'],
		['jose@Jõgeva.ee', 'jose@xn--jgeva-dua.ee'],
		['jose@xn--jgeva-dua.ee', 'jose@xn--jgeva-dua.ee'],
	];
	for (const [input, want] of cases) test(`normalize ${input}`, () => assert.equal(normalizeAddress(input), want));
	test('sameAddress ignores case and IDN form', () => {
		assert.ok(sameAddress('Bob@EXAMPLE.com', 'bob@example.com'));
		assert.ok(sameAddress('x@münchen.de', 'X@xn--mnchen-3ya.de'));
		assert.ok(!sameAddress('bob+a@example.com', 'bob@example.com'));
		assert.ok(!sameAddress('bob@example.com', 'bob@example.org'));
	});
	test('domainOf', () => {
		assert.equal(domainOf('A <a@Sub.Example.COM>'), 'sub.example.com');
		assert.equal(domainOf('a@münchen.de'), 'xn--mnchen-3ya.de');
	});
	test('asciiAddress keeps the local part', () => {
		assert.equal(asciiAddress('Bob@München.de'), 'Bob@xn--mnchen-3ya.de');
	});
});

describe('formatAddress', () => {
	const cases: [{ name?: string; address: string }, string][] = [
		[{ address: 'a@b.co' }, 'a@b.co'],
		[{ name: 'Ann Lee', address: 'a@b.co' }, 'Ann Lee <a@b.co>'],
		[{ name: 'Lee, Ann', address: 'a@b.co' }, '"Lee, Ann" <a@b.co>'],
		[{ name: 'A "B" C', address: 'a@b.co' }, '"A \\"B\\" C" <a@b.co>'],
		[{ name: 'Zoë', address: 'z@münchen.de' }, 'Zoë <z@münchen.de>'],
		[{ name: '', address: 'a@b.co' }, 'a@b.co'],
	];
	for (const [input, want] of cases) test(want, () => assert.equal(formatAddress(input), want));
	test('round-trips through parseAddress', () => {
		for (const [input] of cases) {
			const back = parseAddress(formatAddress(input));
			assert.equal(back.address, input.address);
			assert.equal(back.name ?? '', input.name ?? '');
		}
	});
});
