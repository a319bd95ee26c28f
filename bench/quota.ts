// Benchmark: Gmail Quota Guard — what measuring the rolling window costs, full-size multi-day campaigns
// (Quota Guard → Gmail Outreach Send), and a run schedule against the plain alternative: a local counter reset at midnight.
import type { IDataObject } from 'n8n-workflow';
import { sandboxOAuthCredential } from '../test/support/n8n';
import {
	campaignSendParameters,
	freshToken,
	guardParameters,
	leads,
	oneSenderDay,
	runCampaign,
	runGuard,
	seedWindow,
	serviceAccount,
	serviceAccountDay,
} from '../test/node/quota-guard-helpers';
import { plainGmail, statusOf } from './plain';
import { meter, startBenchSandbox, type BenchSandbox } from './sandbox';
import { num, type Table } from './table';

const FAST = { quotaUnitsPerMinute: 1_000_000 };

/** Quota units the guard spends to measure a window holding `counted` sends (all leads fit: no send time is read). */
async function measureCost(b: BenchSandbox, counted: number): Promise<{ units: number; calls: number }> {
	const mb = await b.sb.createMailbox({ email: `measure${counted}@bench-quota.example`, type: 'workspace' });
	await seedWindow(b.sb, mb, counted);
	await b.sb.clock({ advance: 'PT1M' });
	const m = await meter(b, mb.email);
	const out = await runGuard(leads(1, 'measure.example'), guardParameters({ accountType: 'workspace', options: FAST }), { gmailOutreachOAuth2Api: sandboxOAuthCredential(b.apiUrl, mb) });
	const cost = await m.cost();
	if (out.summary[0].sentInWindow !== counted) throw new Error(`counted ${String(out.summary[0].sentInWindow)} of ${counted}`);
	return { units: cost.units, calls: cost.calls };
}

/** Full-size campaigns: days taken, the fewest the caps allow, 429s, wall time. */
async function campaigns(b: BenchSandbox): Promise<Array<Array<string | number>>> {
	const rows: Array<Array<string | number>> = [];
	const ws = await b.sb.createMailbox({ email: 'founder@bench-quota-ws.example', type: 'workspace' });
	let t = performance.now();
	const m = await meter(b, ws.email);
	const guard = guardParameters({ accountType: 'workspace', options: FAST });
	const one = await runCampaign(b.sb, leads(2000, 'ws-leads.example'), oneSenderDay(guard, campaignSendParameters({ options: FAST }), { gmailOutreachOAuth2Api: sandboxOAuthCredential(b.apiUrl, ws) }));
	const cost = await m.cost();
	if (one.problems.length || !one.done) throw new Error(one.problems.join('; ') || 'not done');
	rows.push(['2,000 leads, 1 Workspace sender (1,800 a day)', `${one.days} (${one.perDay.join(' + ')})`, Math.ceil(2000 / 1800), num(cost.rateLimited), num((performance.now() - t) / 1000, 1)]);

	const gmail = await Promise.all([0, 1, 2].map((i) => b.sb.createMailbox({ email: `rep${i}@bench-quota-sa.example`, type: 'gmail' })));
	const emails = gmail.map((g) => g.email);
	const creds = await serviceAccount(b.sb, emails[0]);
	creds.gmailOutreachServiceAccountApi.apiBaseUrl = b.apiUrl;
	t = performance.now();
	const meters = await Promise.all(emails.map((e) => meter(b, e)));
	const sa = guardParameters({ authentication: 'serviceAccount', mailboxes: emails.join(','), accountType: 'gmail', options: FAST });
	const three = await runCampaign(b.sb, leads(1200, 'sa-leads.example'), serviceAccountDay(sa, campaignSendParameters({ options: FAST }), creds));
	const limited = (await Promise.all(meters.map((x) => x.cost()))).reduce((a, c) => a + c.rateLimited, 0);
	if (three.problems.length || !three.done) throw new Error(three.problems.join('; ') || 'not done');
	rows.push(['1,200 leads, 3 @gmail.com senders via a service account (3 × 450 a day)', `${three.days} (${three.perDay.join(' + ')})`, Math.ceil(1200 / 1350), num(limited), num((performance.now() - t) / 1000, 1)]);
	return rows;
}

/**
 * The same 1,200 leads on one @gmail.com mailbox, a run every 6 hours from 18:00 for 4 days: the plain loop counts its
 * sends and resets the count at midnight (450 a calendar day); ours runs the guard (450 in any 24 h) and feeds the
 * Deferred leads whose retryAt has come.
 */
async function schedule(b: BenchSandbox): Promise<{ plain: { sent: number; refused: number; doneAfter?: number }; ours: { sent: number; refused: number; doneAfter?: number }; runs: number }> {
	const RUNS = 16;
	const LIMIT = 450;
	const plainBox = await b.sb.createMailbox({ email: 'counter@bench-quota.example', type: 'gmail' });
	const oursBox = await b.sb.createMailbox({ email: 'guard@bench-quota.example', type: 'gmail' });
	await b.sb.clock({ now: '2027-03-01T18:00:00Z' });
	const all = leads(1200, 'schedule.example');
	let plainPending = [...all];
	let counterDay = '';
	let counter = 0;
	const plain = { sent: 0, refused: 0, doneAfter: undefined as number | undefined };
	let oursPending: IDataObject[] = [...all];
	const ours = { sent: 0, refused: 0, doneAfter: undefined as number | undefined };
	const guard = guardParameters({ accountType: 'gmail', options: FAST });
	const day = oneSenderDay(guard, campaignSendParameters({ options: FAST }), { gmailOutreachOAuth2Api: sandboxOAuthCredential(b.apiUrl, oursBox) });
	const before = await b.sb.stats(oursBox.email);
	for (let run = 1; run <= RUNS; run++) {
		const now = Date.parse((await b.sb.clock()).now);
		const today = new Date(now).toISOString().slice(0, 10);
		if (today !== counterDay) {
			counterDay = today;
			counter = 0;
		}
		// A fresh token each run: the sandbox clock moved 6 h, past the last one.
		const gmail = plainGmail(b.apiUrl, { ...plainBox, accessToken: await freshToken(b.sb, plainBox) });
		const left: IDataObject[] = [];
		for (const lead of plainPending) {
			if (counter >= LIMIT) {
				left.push(lead);
				continue;
			}
			try {
				const raw = Buffer.from(`From: ${plainBox.email}\r\nTo: ${String(lead.email)}\r\nSubject: Hello\r\n\r\nHi`).toString('base64url');
				await gmail.users.messages.send({ userId: 'me', requestBody: { raw } });
				counter++;
				plain.sent++;
			} catch (error) {
				if (statusOf(error) !== 429) throw error;
				// The counter thinks there is room; Gmail's rolling window says no. A naive loop tries the next lead.
				plain.refused++;
				left.push(lead);
			}
		}
		plainPending = left;
		if (!plainPending.length && plain.doneAfter === undefined) plain.doneAfter = run;

		const due = oursPending.filter((p) => !p.retryAt || Date.parse(String(p.retryAt)) <= now);
		const waiting = oursPending.filter((p) => !due.includes(p));
		if (due.length) {
			const r = await day(due);
			ours.sent += r.sent.length;
			if (r.other.length) throw new Error(`ours: ${r.other.length} not sent (${r.other.map((o) => o.reason).join(', ')})`);
			oursPending = [...waiting, ...r.deferred];
		}
		if (!oursPending.length && ours.doneAfter === undefined) ours.doneAfter = run;
		await b.sb.clock({ advance: 'PT6H' });
	}
	const after = await b.sb.stats(oursBox.email);
	ours.refused = (after.errors['429'] ?? 0) - (before.errors['429'] ?? 0);
	return { plain, ours, runs: RUNS };
}

/** The Quota Guard benchmark table. */
export async function quotaBench(): Promise<Table> {
	const b = await startBenchSandbox({ quotaUnitsPerWindow: 100_000_000 });
	try {
		const rows: Array<Array<string | number>> = [];
		for (const counted of [100, 500, 1000, 1500]) {
			const c = await measureCost(b, counted);
			const per100 = c.units / (counted / 100);
			rows.push([`measure a window of ${num(counted)} sends`, `${num(c.units)} units (${num(per100, 2)} per 100)`, `${num(counted * 5)} units (every send's time read)`, `${(c.units / (counted * 5)).toFixed(4)}x`]);
		}
		for (const [what, daysTaken, minimum, limited, seconds] of await campaigns(b)) {
			rows.push([String(what), `${daysTaken} days, ${limited} × 429, ${seconds} s`, `fewest the caps allow: ${minimum}`, '']);
		}
		const s = await schedule(b);
		const done = (x: { doneAfter?: number }) => (x.doneAfter ? `done after run ${x.doneAfter}` : `not done after ${s.runs} runs`);
		rows.push([
			'1,200 leads, 1 @gmail.com, a run every 6 h',
			`${num(s.ours.sent)} sent, ${num(s.ours.refused)} × 429, ${done(s.ours)}`,
			`midnight counter: ${num(s.plain.sent)} sent, ${num(s.plain.refused)} × 429, ${done(s.plain)}`,
			'',
		]);
		return {
			title: 'Quota Guard: measuring the rolling 24 h, multi-day campaigns, and a midnight counter',
			columns: ['measure', 'ours (Quota Guard)', 'plain alternative', 'ours / plain'],
			rows,
			notes: [
				'measuring = getProfile (the clock, 1 unit) + `in:sent after:<epoch s>` pages of 500 (5 units each: 1 unit per 100) + one lag-free Sent page (5 units); every lead fits here, so no send time is read.',
				'a deferred lead adds one send time (messages.get minimal, 5 units), read only for the oldest sends whose leaving frees its slot.',
				'campaigns: Quota Guard → Gmail Outreach Send, "as fast as the quota allows", Deferred fed back after a day (+1 min), the sandbox\'s real caps.',
				'the midnight counter refuses nothing itself, so Gmail does: real Gmail may then block the mailbox for up to a day.',
			],
		};
	} finally {
		await b.close();
	}
}
