// Benchmark 1 of issue 17: a whole sequence's API cost per lead. N leads (default 1,000), 3 steps over 14 simulated days,
// daily reply checks, 5 % replies, 2 % remote bounces, 3 % out-of-office. Ours: Quota Guard → Send, the Reply Detector
// node once a day, Threaded Reply for steps 2 and 3. Plain: the guides' per-lead algorithm with googleapis — one
// messages.list per lead per check (plus a read per hit to tell a reply from an out-of-office or a bounce), one search
// per lead before each step, one send and one modify per message. Both must mail exactly the same leads.
import type { INodeParameters } from 'n8n-workflow';
import { GmailReplyDetector } from '../nodes/GmailReplyDetector/GmailReplyDetector.node.js';
import { GmailThreadedReply } from '../nodes/GmailThreadedReply/GmailThreadedReply.node.js';
import { classifyMessage } from '../nodes/shared/core/classify';
import { campaignSendParameters, freshToken, guardParameters, oneSenderDay } from '../test/node/quota-guard-helpers';
import { runNode, sandboxOAuthCredential, type HarnessCredentials } from '../test/support/n8n';
import { b64url, type TestMailbox } from '../test/support/sandbox';
import { plainGmail } from './plain';
import { meter, startBenchSandbox, type BenchSandbox, type Cost } from './sandbox';
import { num, ratio, type Table } from './table';

const LEADS = Number(process.env.BENCH_SEQUENCE_LEADS ?? 1_000);
const DAYS = 14;
/** Days (from the first email) on which steps 2 and 3 go. */
const STEPS: Record<number, number> = { 3: 2, 7: 3 };
const FAST = { quotaUnitsPerMinute: 100_000_000 };
const CAMPAIGN = 'bench-seq';

type Behaviour = 'reply' | 'bounce' | 'out-of-office' | 'silent';

/** 5 % reply, 2 % bounce, 3 % out of office (back the next day), the rest stay silent; fixed by position. */
function behaviour(i: number): Behaviour {
	const r = i % 100;
	if (r >= 10 && r < 15) return 'reply';
	if (r === 20 || r === 21) return 'bounce';
	if (r >= 30 && r < 33) return 'out-of-office';
	return 'silent';
}

const leadAddress = (i: number) => `lead${i}@prospect${i % 211}.example`;

/** Who got which step: "address#step". */
type Mailed = Set<string>;

/** The answers of day 1, to step 1 (the same leads on both sides; the out-of-office is back on day 2). */
async function answer(b: BenchSandbox, mailbox: string, step1: Map<string, string>, day2: string): Promise<void> {
	for (let i = 0; i < LEADS; i++) {
		const kind = behaviour(i);
		const id = step1.get(leadAddress(i));
		if (kind === 'silent' || !id) continue;
		if (kind === 'reply') await b.sb.deliver({ to: mailbox, replyTo: id, kind: 'reply', text: 'Interesting, tell me more.' });
		else if (kind === 'bounce') await b.sb.deliver({ to: mailbox, replyTo: id, kind: 'dsn', format: 'postfix', status: '5.1.1' });
		else await b.sb.deliver({ to: mailbox, replyTo: id, kind: 'out-of-office', returnDate: day2 });
	}
	// They come in during the day; the daily check runs hours later (Gmail's search index lags behind new mail).
	await b.sb.clock({ advance: 'PT2H' });
}

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** Our nodes over the simulated days; returns who got which step. */
async function ours(b: BenchSandbox, mb: TestMailbox): Promise<Mailed> {
	const credentials: HarnessCredentials = { gmailOutreachOAuth2Api: sandboxOAuthCredential(b.apiUrl, mb) };
	const mailed: Mailed = new Set();
	const rows = Array.from({ length: LEADS }, (_v, i) => ({ email: leadAddress(i), first_name: `Lead${i}`, company: `Company ${i}`, row_number: i + 2 }));
	const day0 = await oneSenderDay(guardParameters({ accountType: 'workspace', options: FAST }), campaignSendParameters({ campaign: CAMPAIGN, options: FAST }), credentials)(rows);
	if (day0.sent.length !== LEADS || day0.other.length) throw new Error(`ours, step 1: ${day0.sent.length} sent, ${day0.other.length} other`);
	const active = new Map(day0.sent.map((s) => [String(s.email), s]));
	for (const s of day0.sent) mailed.add(`${String(s.email)}#1`);
	let lastCheck = (await b.sb.clock()).now;
	for (let day = 1; day <= DAYS; day++) {
		await b.sb.clock({ advance: 'P1D' });
		if (day === 1) await answer(b, mb.email, new Map(day0.sent.map((s) => [String(s.email), String(s.messageId)])), isoDay(Date.parse((await b.sb.clock()).now) + 86400_000));
		// The daily check: one Reply Detector run over the active leads since the last check.
		const check = await runNode({ node: GmailReplyDetector, parameters: { campaign: CAMPAIGN, emailField: 'email', since: 'date', sinceDate: lastCheck, options: FAST }, items: [...active.values()], credentials });
		if (check.error) throw check.error;
		lastCheck = (await b.sb.clock()).now;
		for (const s of (check.outputs[0] ?? []).map((x) => x.json)) active.delete(String(s.email));
		const step = STEPS[day];
		if (!step) continue;
		const params: INodeParameters = { campaign: CAMPAIGN, step, threadBy: 'threadId', threadId: '={{ $json.threadId }}', bodyType: 'text', text: `Hi {{first_name}}, a short follow-up (step ${step}).`, options: { ...FAST, waitUntilBack: false } };
		const run = await runNode({ node: GmailThreadedReply, parameters: params, items: [...active.values()], credentials });
		if (run.error) throw run.error;
		const [sent, ...other] = run.outputs.map((o) => o.map((x) => x.json));
		const unexpected = other.flat();
		if (unexpected.length) throw new Error(`ours, step ${step}: ${unexpected.length} not sent (${[...new Set(unexpected.map((u) => u.reason))].join(', ')})`);
		for (const s of sent) mailed.add(`${String(s.email)}#${step}`);
	}
	return mailed;
}

/** The guides' per-lead algorithm with googleapis, over the same days. */
async function plain(b: BenchSandbox, mb: TestMailbox): Promise<Mailed> {
	let gmail = plainGmail(b.apiUrl, mb);
	const mailed: Mailed = new Set();
	const label = (await gmail.users.labels.create({ userId: 'me', requestBody: { name: `Outreach/${CAMPAIGN}` } })).data.id!;
	const threads = new Map<string, { threadId: string; messageId: string; subject: string }>();
	const send = async (i: number, step: number) => {
		const to = leadAddress(i);
		// Already sent? One search per lead before each step.
		const found = await gmail.users.messages.list({ userId: 'me', q: `in:sent to:${to} "step ${step}"`, maxResults: 1 });
		if (found.data.messages?.length) return;
		const t = threads.get(to);
		const subject = t ? `Re: ${t.subject}` : `A question for Company ${i}`;
		const head = [`From: ${mb.email}`, `To: ${to}`, `Subject: ${subject}`, ...(t ? [`In-Reply-To: ${t.messageId}`, `References: ${t.messageId}`] : []), 'Content-Type: text/plain; charset=UTF-8'];
		const raw = `${head.join('\r\n')}\r\n\r\nHi Lead${i}, step ${step}.\r\n`;
		const r = await gmail.users.messages.send({ userId: 'me', requestBody: { raw: b64url(raw), ...(t ? { threadId: t.threadId } : {}) } });
		await gmail.users.messages.modify({ userId: 'me', id: r.data.id!, requestBody: { addLabelIds: [label] } });
		if (!t) {
			const meta = await gmail.users.messages.get({ userId: 'me', id: r.data.id!, format: 'metadata', metadataHeaders: ['Message-ID'] });
			threads.set(to, { threadId: r.data.threadId!, messageId: meta.data.payload?.headers?.find((h) => h.name?.toLowerCase() === 'message-id')?.value ?? '', subject });
		}
		mailed.add(`${to}#${step}`);
	};
	const active = new Set(Array.from({ length: LEADS }, (_v, i) => i));
	for (const i of active) await send(i, 1);
	let lastCheck = Math.floor(Date.parse((await b.sb.clock()).now) / 1000);
	for (let day = 1; day <= DAYS; day++) {
		await b.sb.clock({ advance: 'P1D' });
		// A day later the access token has expired: a fresh one, as the client's refresh would get.
		gmail = plainGmail(b.apiUrl, { ...mb, accessToken: await freshToken(b.sb, mb) });
		if (day === 1) {
			const step1 = new Map<string, string>();
			for (const m of await b.sb.messages(mb.email)) if (m.labelIds.includes('SENT')) step1.set(m.to[0].address, m.id);
			await answer(b, mb.email, step1, isoDay(Date.parse((await b.sb.clock()).now) + 86400_000));
		}
		// The daily check: one search per lead (from the lead, or naming it: bounces come from mailer daemons), a read per hit.
		for (const i of [...active]) {
			const a = leadAddress(i);
			const hits = await gmail.users.messages.list({ userId: 'me', q: `{from:${a} "${a}"} -in:sent after:${lastCheck}`, maxResults: 20 });
			for (const h of hits.data.messages ?? []) {
				const full = await gmail.users.messages.get({ userId: 'me', id: h.id!, format: 'raw' });
				const cls = classifyMessage(Buffer.from(full.data.raw ?? '', 'base64url'), { ourAddresses: [mb.email] });
				if (cls.kind === 'human' || cls.kind === 'unsubscribe' || cls.kind === 'feedback_report' || (cls.kind === 'bounce' && cls.hard)) active.delete(i);
			}
		}
		lastCheck = Math.floor(Date.parse((await b.sb.clock()).now) / 1000);
		const step = STEPS[day];
		if (step) for (const i of active) await send(i, step);
	}
	return mailed;
}

/** A side's cost per lead: in total, and without the sends themselves (100 units and one round trip per message). */
function perLead(c: Cost): { calls: number; requests: number; units: number; overheadCalls: number; overheadRequests: number; overheadUnits: number } {
	const sends = c.byMethod['messages.send'] ?? 0;
	return {
		calls: c.calls / LEADS,
		requests: c.requests / LEADS,
		units: c.units / LEADS,
		overheadCalls: (c.calls - sends) / LEADS,
		overheadRequests: (c.requests - sends) / LEADS,
		overheadUnits: (c.units - 100 * sends) / LEADS,
	};
}

/** One side on a sandbox of its own (HTTP requests are counted per sandbox). */
async function side(name: string, run: (b: BenchSandbox, mb: TestMailbox) => Promise<Mailed>): Promise<{ mailed: Mailed; cost: Cost; ms: number }> {
	const b = await startBenchSandbox({ quotaUnitsPerWindow: 100_000_000 } as never);
	try {
		const mb = await b.sb.createMailbox({ email: `${name}@bench-sequence.example`, type: 'workspace' });
		const m = await meter(b, mb.email);
		const t = performance.now();
		const mailed = await run(b, mb);
		return { mailed, cost: await m.cost(), ms: performance.now() - t };
	} finally {
		await b.close();
	}
}

/** The whole sequence, ours against the per-lead algorithm, per lead. */
export async function sequenceBench(): Promise<Table> {
	const o = await side('ours', ours);
	const p = await side('plain', plain);
	const missing = [...p.mailed].filter((x) => !o.mailed.has(x));
	const extra = [...o.mailed].filter((x) => !p.mailed.has(x));
	if (missing.length || extra.length) throw new Error(`the two sides mailed different leads: ours lacks ${missing.slice(0, 5).join(', ')}…, has more ${extra.slice(0, 5).join(', ')}…`);
	const a = perLead(o.cost);
	const q = perLead(p.cost);
	const f = (n: number) => num(n, 2);
	return {
		title: `1. A whole sequence per lead: ${num(LEADS)} leads, 3 steps over ${DAYS} days, daily reply checks (5 % replies, 2 % bounces, 3 % out of office); ${num(o.mailed.size)} emails on each side`,
		columns: ['approach', 'calls', 'HTTP requests', 'quota units', 'calls w/o sends', 'requests w/o sends', 'units w/o sends', 'wall s'],
		rows: [
			['plain: per lead (googleapis)', f(q.calls), f(q.requests), f(q.units), f(q.overheadCalls), f(q.overheadRequests), f(q.overheadUnits), num(p.ms / 1000, 1)],
			['ours: Quota Guard → Send, Reply Detector daily, Threaded Reply', f(a.calls), f(a.requests), f(a.units), f(a.overheadCalls), f(a.overheadRequests), f(a.overheadUnits), num(o.ms / 1000, 1)],
			['ratio ours / plain (target w/o sends: units ≤ 0.10x, requests ≤ 0.05x)', ratio(a.calls, q.calls), ratio(a.requests, q.requests), ratio(a.units, q.units), ratio(a.overheadCalls, q.overheadCalls), ratio(a.overheadRequests, q.overheadRequests), ratio(a.overheadUnits, q.overheadUnits), ''],
		],
		notes: [
			`plain: ${Object.entries(p.cost.byMethod).map(([k, v]) => `${k} ×${num(v)}`).join(', ')}`,
			`ours: ${Object.entries(o.cost.byMethod).map(([k, v]) => `${k} ×${num(v)}`).join(', ')}`,
			'ours claims each group of sends (up to a look-up batch of 25) with one draft (drafts.create + history + drafts.delete: 22 units, three round trips a group) so overlapping executions never mail a lead twice, reads back the Message-ID Gmail gave (5 units an email, batched), and reads each thread before a follow-up (10 units, batched); the plain loop has none of these',
			'BENCH_SEQUENCE_LEADS=200 runs a smaller sequence',
		],
	};
}
