// Benchmark: "may this lead get the next message?" for 200 leads — the whole mailbox, not only the thread.
import { GmailOutreachSend } from '../nodes/GmailOutreachSend/GmailOutreachSend.node.js';
import { runNode, sandboxOAuthCredential } from '../test/support/n8n';
import { benchLeads, sendParameters } from './leads';
import { plainGmail } from './plain';
import { BenchProbe } from './probe';
import { meter, methods, startBenchSandbox, type Cost } from './sandbox';
import { num, ratio, type Table } from './table';

const LEADS = 200;

/** Ours: the engagement check (one search per 25 leads, batched reads) vs the guide: one `from:<lead>` list per lead + a get per hit. */
export async function engagementBench(): Promise<Table> {
	const b = await startBenchSandbox({ quotaUnitsPerWindow: 100_000_000, searchLagMs: 0 } as never);
	try {
		const mb = await b.sb.createMailbox({ email: 'owner@bench-engaged.example', type: 'workspace' });
		const credentials = { gmailOutreachOAuth2Api: sandboxOAuthCredential(b.apiUrl, mb) };
		const leads = benchLeads(LEADS);
		const seeded = await runNode({ node: GmailOutreachSend, parameters: sendParameters('send'), items: leads, credentials });
		if (seeded.error) throw seeded.error;
		const sent = (seeded.outputs[0] ?? []).map((i) => i.json);
		// 10 replies in new threads, 5 remote bounces (unthreaded), 5 opt-outs; the other 180 are silent.
		for (let i = 0; i < 20; i++) {
			const kind = i < 10 ? 'reply-new-thread' : i < 15 ? 'dsn' : 'unsubscribe-new-thread';
			await b.sb.deliver({ to: mb.email, replyTo: sent[i * 10].messageId, kind, ...(kind === 'dsn' ? { format: 'postfix', status: '5.1.1' } : {}) });
		}

		const gmail = plainGmail(b.apiUrl, mb);
		let m = await meter(b, mb.email);
		let found = 0;
		for (const lead of leads) {
			const res = await gmail.users.messages.list({ userId: 'me', q: `from:${String(lead.email)}`, maxResults: 10 });
			for (const hit of res.data.messages ?? []) {
				await gmail.users.messages.get({ userId: 'me', id: hit.id as string, format: 'metadata' });
				found++;
			}
		}
		const plain = await m.cost();

		m = await meter(b, mb.email);
		const run = await runNode({ node: BenchProbe, parameters: { op: 'engagement' }, items: leads, credentials });
		if (run.error) throw run.error;
		const ours = await m.cost();
		const stops = (run.outputs[0] ?? []).filter((i) => i.json.stop !== 'none').length;
		if (stops !== 20) throw new Error(`ours stopped ${stops} leads, expected 20`);

		return {
			title: `Engagement check for ${LEADS} leads (10 replies in new threads, 5 remote bounces, 5 opt-outs)`,
			columns: ['approach', 'leads stopped', 'API calls', 'HTTP requests', 'quota units'],
			rows: [
				row('plain: from:<lead> per lead + get per hit', found, plain),
				row('ours: checkEngagement (25 leads per search)', stops, ours),
				['ratio ours / plain', '', ratio(ours.calls, plain.calls), ratio(ours.requests, plain.requests), ratio(ours.units, plain.units)],
			],
			notes: [
				`plain: ${methods(plain)}; ours: ${methods(ours)}`,
				'plain finds only the 15 messages sent from the lead\'s own address (the remote bounces come from mailer daemons) and cannot tell a reply from an opt-out without more reads; ours classifies all 20 correctly.',
			],
		};
	} finally {
		await b.close();
	}
}

function row(name: string, found: number, c: Cost): Array<string | number> {
	return [name, found, num(c.calls), num(c.requests), num(c.units)];
}
