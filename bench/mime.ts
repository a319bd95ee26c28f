// Benchmark 3: building 1,000 personalised text+HTML messages — our compose + MIME builder vs plain nodemailer MailComposer.
import MailComposer from 'nodemailer/lib/mail-composer';
import PostalMime from 'postal-mime';
import { composeMessage, leadRecipient, senderAddress } from '../nodes/shared/core/compose';
import { buildRaw } from '../nodes/shared/core/mime';
import { benchLeads, TEMPLATES, UNSUBSCRIBE } from './leads';
import { median, num, ratio, type Table } from './table';

const MESSAGES = 1000;
const ROUNDS = 3;
const WARM_UP = 100;

type Row = Record<string, unknown>;

/** Ours: address validation, merge tags with fallbacks, spintax, HTML escaping, footer, List-Unsubscribe, outreach headers, hardened MIME. */
async function ours(row: Row, i: number): Promise<string> {
	const from = senderAddress('owner@bench.example', 'Olivia Owner');
	const to = leadRecipient(row, { emailField: 'email', nameFields: ['first_name', 'last_name'] }, i + 2);
	const c = composeMessage(row, TEMPLATES, { from, to, campaign: 'bench', step: 1, unsubscribe: UNSUBSCRIBE });
	return (await buildRaw(c.spec)).raw;
}

/** Plain: the guide's str.format (template literals over pre-filled strings, no escaping), then MailComposer as documented. */
async function plain(row: Row): Promise<string> {
	const first = String(row.first_name);
	const company = String(row.company);
	const pain = String(row.pain || 'scaling the team');
	const email = String(row.email);
	const unsubscribe = `https://unsub.example/u?e=${encodeURIComponent(email)}`;
	const footer = `Not interested? ${unsubscribe}\n1 Main St, Springfield`;
	const composer = new MailComposer({
		from: { name: 'Olivia Owner', address: 'owner@bench.example' },
		to: { name: `${first} ${String(row.last_name)}`, address: email },
		subject: `Quick question for ${company}`,
		text: `Hi ${first},\n\nI noticed ${company} is hiring. Is ${pain} on your list?\n\nOlivia\n\n${footer}\n`,
		html: `<p>Hi <b>${first}</b>,</p><p>I noticed ${company} is hiring. Is ${pain} on your list?</p><p>Olivia</p>\n<p>${footer.replace('\n', '<br>')}</p>`,
		headers: {
			'List-Unsubscribe': `<mailto:stop@bench.example?subject=stop>, <${unsubscribe}>`,
			'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
		},
	});
	return (await composer.compile().build()).toString('base64url');
}

async function timed(build: (row: Row, i: number) => Promise<string>, rows: Row[]): Promise<{ ms: number; bytes: number }> {
	const t = performance.now();
	let bytes = 0;
	for (const [i, row] of rows.entries()) bytes += (await build(row, i)).length;
	return { ms: performance.now() - t, bytes };
}

/** Median of alternating rounds after a warm-up; a sample of each is parsed with postal-mime (an independent parser). */
export async function mimeBench(): Promise<Table> {
	const rows = benchLeads(MESSAGES);
	await timed(ours, rows.slice(0, WARM_UP));
	await timed(plain, rows.slice(0, WARM_UP));
	const times = { ours: [] as number[], plain: [] as number[] };
	let bytes = { ours: 0, plain: 0 };
	for (let round = 0; round < ROUNDS; round++) {
		const o = await timed(ours, rows);
		const p = await timed(plain, rows);
		times.ours.push(o.ms);
		times.plain.push(p.ms);
		bytes = { ours: o.bytes, plain: p.bytes };
	}
	const sample = rows[1];
	const o = await PostalMime.parse(Buffer.from(await ours(sample, 1), 'base64url').toString('utf8'));
	const p = await PostalMime.parse(Buffer.from(await plain(sample), 'base64url').toString('utf8'));
	if (!/question for Company 1 & Sons$/.test(o.subject ?? '') || !o.html?.includes('&lt;1&gt;') || o.to?.[0]?.address !== sample.email) {
		throw new Error(`our sample message is not what the template says: ${o.subject}`);
	}
	if (p.subject !== 'Quick question for Company 1 & Sons') throw new Error(`plain sample subject: ${p.subject}`);
	const oursMs = median(times.ours);
	const plainMs = median(times.plain);
	const rate = (ms: number) => num((MESSAGES / ms) * 1000);
	return {
		title: `3. MIME: ${num(MESSAGES)} personalised text+HTML messages (one core)`,
		columns: ['approach', 'msgs/s', 'ms per 1,000', 'µs per msg', 'avg raw bytes'],
		rows: [
			['plain: template literals + MailComposer', rate(plainMs), num(plainMs), num((plainMs * 1000) / MESSAGES), num(bytes.plain / MESSAGES)],
			['ours: composeMessage + buildRaw', rate(oursMs), num(oursMs), num((oursMs * 1000) / MESSAGES), num(bytes.ours / MESSAGES)],
			['overhead ratio ours / plain (time)', '', ratio(oursMs, plainMs), '', ratio(bytes.ours, bytes.plain)],
		],
		notes: [
			`median of ${ROUNDS} alternating rounds after ${WARM_UP} warm-up messages each; both outputs parsed by postal-mime for one sample lead.`,
			`HTML escaping of row values: ours ${o.html?.includes('&lt;1&gt;') ? 'escapes "<1>" to "&lt;1&gt;"' : 'does not escape'}; plain ${p.html?.includes('&lt;1&gt;') ? 'escapes' : 'puts the raw "<1>" into the HTML'}.`,
		],
	};
}
