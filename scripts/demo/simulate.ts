// Demo helper: make a lead answer (reply, out-of-office, bounce, opt-out …) in the Gmail Sandbox, or move its clock.
// Usage: SANDBOX_URL=http://127.0.0.1:8787 npx tsx scripts/demo/simulate.ts <kind> <lead email> [text]   (kinds: see SIMULATED in seed.ts)
//        SANDBOX_URL=… npx tsx scripts/demo/simulate.ts advance P3D
//        SANDBOX_URL=… npx tsx scripts/demo/simulate.ts leads     (every demo lead does what its `behaviour` says)
import { DEMO_LEADS, SIMULATED, advanceClock, simulate } from './seed';

async function main(): Promise<void> {
	const url = process.env.SANDBOX_URL || 'http://127.0.0.1:8787';
	const [cmd, arg, text] = process.argv.slice(2);
	if (cmd === 'advance' && arg) {
		console.log(`sandbox clock is now ${await advanceClock(url, arg)}`);
	} else if (cmd === 'leads') {
		for (const lead of DEMO_LEADS) {
			if (lead.behaviour === 'silent') continue;
			const r = await simulate(url, lead.email, lead.behaviour);
			console.log(`${lead.email}: ${lead.behaviour} → message ${r.id} in thread ${r.threadId}`);
		}
	} else if ((SIMULATED as readonly string[]).includes(cmd) && arg) {
		const r = await simulate(url, arg, cmd as (typeof SIMULATED)[number], text);
		console.log(`${arg}: ${cmd} → message ${r.id} in thread ${r.threadId}`);
	} else {
		console.error(`usage: simulate.ts ${SIMULATED.join('|')} <lead email> [text] | advance <ISO duration> | leads`);
		process.exit(2);
	}
}

main().catch((err) => {
	console.error(err instanceof Error ? err.message : err);
	process.exit(1);
});
