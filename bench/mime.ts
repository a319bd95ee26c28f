// Benchmark 3: building 1,000 personalised text+HTML messages — our compose + MIME builder vs plain nodemailer MailComposer —
// and a dry run with a 1 MB attachment: the builder alone and the Send node in Preview mode, with peak RSS growth.
import v8 from 'node:v8';
import vm from 'node:vm';
import MailComposer from 'nodemailer/lib/mail-composer';
import PostalMime from 'postal-mime';
import type { INodeExecutionData } from 'n8n-workflow';
import { composeMessage, leadRecipient, senderAddress } from '../nodes/shared/core/compose';
import { buildRaw, type MessageSpec } from '../nodes/shared/core/mime';
import { benchLeads, sendParameters, TEMPLATES, UNSUBSCRIBE } from './leads';
import { startBenchSandbox } from './sandbox';
import { median, num, ratio, type Table } from './table';

const MESSAGES = 1000;
const ROUNDS = 3;
const WARM_UP = 100;
// The 10,000 leads, each a 1.4 MB message (about 15 s each phase); BENCH_DRY_RUN_LEADS and BENCH_NODE_PREVIEW_LEADS
// set fewer for a quick look.
const DRY_RUN_LEADS = Number(process.env.BENCH_DRY_RUN_LEADS) || 10_000;
const PLAIN_DRY_RUN_LEADS = Math.min(DRY_RUN_LEADS, 300);
const NODE_PREVIEW_LEADS = Number(process.env.BENCH_NODE_PREVIEW_LEADS) || 10_000;
const ATTACHMENT_BYTES = 1024 * 1024;

type Row = Record<string, unknown>;
type Attachments = NonNullable<MessageSpec['attachments']>;

/** Ours: address validation, merge tags with fallbacks, spintax, HTML escaping, footer, List-Unsubscribe, outreach headers, hardened MIME. */
async function ours(row: Row, i: number, attachments?: Attachments): Promise<string> {
	const from = senderAddress('owner@bench.example', 'Olivia Owner');
	const to = leadRecipient(row, { emailField: 'email', nameFields: ['first_name', 'last_name'] }, i + 2);
	const c = composeMessage(row, TEMPLATES, { from, to, campaign: 'bench', step: 1, unsubscribe: UNSUBSCRIBE, attachments });
	return (await buildRaw(c.spec)).raw;
}

/** Plain: the guide's str.format (template literals over pre-filled strings, no escaping), then MailComposer as documented. */
async function plain(row: Row, _i = 0, attachments?: Attachments): Promise<string> {
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
		attachments,
	});
	return (await composer.compile().build()).toString('base64url');
}

type Build = (row: Row, i: number, attachments?: Attachments) => Promise<string>;

/** Builds every row; only the raw length is kept, as a dry run keeps only a summary. Peak RSS is sampled every 20 messages. */
async function timed(build: Build, rows: Row[], attachments?: Attachments): Promise<{ ms: number; bytes: number; peakRss: number }> {
	collectGarbage();
	const start = process.memoryUsage.rss();
	let peak = start;
	const t = performance.now();
	let bytes = 0;
	for (const [i, row] of rows.entries()) {
		bytes += (await build(row, i, attachments)).length;
		if (i % 20 === 0) peak = Math.max(peak, process.memoryUsage.rss());
	}
	return { ms: performance.now() - t, bytes, peakRss: Math.max(peak, process.memoryUsage.rss()) - start };
}

let gc: (() => void) | undefined;
/** A full collection before a measured phase, so its RSS growth is its own (gc exposed at run time, no CLI flag needed). */
function collectGarbage(): void {
	if (!gc) {
		v8.setFlagsFromString('--expose-gc');
		gc = vm.runInNewContext('gc') as () => void;
	}
	gc();
}

const mb = (bytes: number) => `${num(bytes / 1024 / 1024, bytes < 10 * 1024 * 1024 ? 1 : 0)} MB`;

/** The Send node (n8n-core, in process) in Preview mode over leads sharing one 1 MB binary: msgs/s, peak RSS growth and what its outputs keep. */
async function nodePreview(): Promise<{ ms: number; peakRss: number; retained: number; raw: number; previewed: number }> {
	const { GmailOutreachSend } = await import('../nodes/GmailOutreachSend/GmailOutreachSend.node.js');
	const { runNode, sandboxOAuthCredential } = await import('../test/support/n8n');
	const b = await startBenchSandbox({ quotaUnitsPerWindow: 100_000_000 });
	try {
		const mailbox = await b.sb.createMailbox({ email: 'owner@bench.example', type: 'workspace' });
		const binary = { file: { data: Buffer.alloc(ATTACHMENT_BYTES, 0x41).toString('base64'), mimeType: 'application/pdf', fileName: 'brochure.pdf' } };
		const items: INodeExecutionData[] = benchLeads(NODE_PREVIEW_LEADS).map((json, i) => ({ json, binary, pairedItem: { item: i } }));
		const parameters = sendParameters('preview');
		parameters.options = { ...(parameters.options as object), attachments: 'file' };
		collectGarbage();
		const before = process.memoryUsage();
		let peak = before.rss;
		const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 10);
		const t = performance.now();
		const run = await runNode({ node: GmailOutreachSend, parameters, items, credentials: { gmailOutreachOAuth2Api: sandboxOAuthCredential(b.apiUrl, mailbox) } });
		const ms = performance.now() - t;
		clearInterval(sampler);
		if (run.error) throw run.error;
		const previews = (run.outputs[0] ?? []).filter((i) => i.json.status === 'preview');
		const raw = previews.reduce((n, i) => n + String(i.json.raw ?? '').length, 0);
		collectGarbage();
		await new Promise((resolve) => setTimeout(resolve, 20));
		collectGarbage();
		const after = process.memoryUsage();
		// Still holding the outputs: what one previewed lead keeps (its raw message is an external string).
		const retained = after.heapUsed + after.external - before.heapUsed - before.external;
		return { ms, peakRss: Math.max(peak, process.memoryUsage.rss()) - before.rss, retained, raw, previewed: previews.length };
	} finally {
		await b.close();
	}
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

	// Dry run: every lead gets the same 1 MB attachment Buffer; nothing per lead may keep a copy of it.
	const attachments = [{ filename: 'brochure.pdf', contentType: 'application/pdf', content: Buffer.alloc(ATTACHMENT_BYTES, 0x41) }];
	const dryRows = benchLeads(DRY_RUN_LEADS);
	const dryPlain = await timed(plain, dryRows.slice(0, PLAIN_DRY_RUN_LEADS), attachments);
	const dryOurs = await timed(ours, dryRows, attachments);
	const withAttachment = await PostalMime.parse(Buffer.from(await ours(dryRows[0], 0, attachments), 'base64url').toString('utf8'));
	const content = withAttachment.attachments[0]?.content;
	if (typeof content === 'string' || content?.byteLength !== ATTACHMENT_BYTES) throw new Error('the dry run message lost its attachment');
	const node = await nodePreview();
	if (node.previewed !== NODE_PREVIEW_LEADS) throw new Error(`the Send node previewed ${node.previewed} of ${NODE_PREVIEW_LEADS}`);

	const rate = (n: number, ms: number) => num((n / ms) * 1000);
	const us = (n: number, ms: number) => num((ms * 1000) / n);
	return {
		title: `3. MIME: ${num(MESSAGES)} personalised text+HTML messages, and a dry run with a 1 MB attachment (one core)`,
		columns: ['approach', 'leads', 'msgs/s', 'µs per msg', 'avg raw bytes', 'peak RSS growth'],
		rows: [
			['plain: template literals + MailComposer', num(MESSAGES), rate(MESSAGES, plainMs), us(MESSAGES, plainMs), num(bytes.plain / MESSAGES), ''],
			['ours: composeMessage + buildRaw', num(MESSAGES), rate(MESSAGES, oursMs), us(MESSAGES, oursMs), num(bytes.ours / MESSAGES), ''],
			['overhead ratio ours / plain (time)', '', '', ratio(oursMs, plainMs), ratio(bytes.ours, bytes.plain), ''],
			['dry run, 1 MB attachment: plain MailComposer', num(PLAIN_DRY_RUN_LEADS), rate(PLAIN_DRY_RUN_LEADS, dryPlain.ms), us(PLAIN_DRY_RUN_LEADS, dryPlain.ms), num(dryPlain.bytes / PLAIN_DRY_RUN_LEADS), mb(dryPlain.peakRss)],
			['dry run, 1 MB attachment: ours (builder)', num(DRY_RUN_LEADS), rate(DRY_RUN_LEADS, dryOurs.ms), us(DRY_RUN_LEADS, dryOurs.ms), num(dryOurs.bytes / DRY_RUN_LEADS), mb(dryOurs.peakRss)],
			['dry run ratio ours / plain (time)', '', '', ratio(dryOurs.ms / DRY_RUN_LEADS, dryPlain.ms / PLAIN_DRY_RUN_LEADS), '', ''],
			['Send node, Preview mode (n8n-core), 1 MB binary', num(NODE_PREVIEW_LEADS), rate(NODE_PREVIEW_LEADS, node.ms), us(NODE_PREVIEW_LEADS, node.ms), '', mb(node.peakRss)],
		],
		notes: [
			`median of ${ROUNDS} alternating rounds after ${WARM_UP} warm-up messages each; both outputs parsed by postal-mime for one sample lead.`,
			`HTML escaping of row values: ours ${o.html?.includes('&lt;1&gt;') ? 'escapes "<1>" to "&lt;1&gt;"' : 'does not escape'}; plain ${p.html?.includes('&lt;1&gt;') ? 'escapes' : 'puts the raw "<1>" into the HTML'}.`,
			`dry run: one shared 1 MB Buffer, only each raw's length kept; peak RSS growth over a full collection before the phase (BENCH_DRY_RUN_LEADS=${DRY_RUN_LEADS}).`,
			`Send node Preview (BENCH_NODE_PREVIEW_LEADS=${NODE_PREVIEW_LEADS}): peak RSS growth ${mb(node.peakRss)} over the whole run (target < 300 MB at 10,000 leads); after the run its outputs keep ${num(node.retained / NODE_PREVIEW_LEADS / 1024, 1)} kB per lead, ${num(node.raw / NODE_PREVIEW_LEADS / 1024, 1)} kB of it raw MIME (only with Include Raw MIME in Preview).`,
		],
	};
}
