// Issue 18: the README's "Try the demo" steps and the hints `npm start` prints are one list (DEMO_STEPS in
// scripts/demo/seed.ts). Both are read back here — workflow to open and simulate.ts commands, step by step — and
// must equal it, so a change to one that the other does not follow fails.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { demoHints } from '../../scripts/demo/start';
import { DEMO_STEPS, DEMO_WORKFLOWS, simulateCommand, type DemoStep } from '../../scripts/demo/seed';
import { readExample } from '../../scripts/n8n/workflows';

const README = readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
/** The sandbox URL the README's commands use (npm start's default port). */
const README_SANDBOX = 'http://127.0.0.1:8787';

/** The numbered items of a list: each item is its first line plus the indented lines under it. */
function numberedItems(lines: string[]): string[] {
	const items: string[] = [];
	for (const line of lines) {
		if (/^\s{0,2}\d+\. /.test(line)) items.push(line);
		else if (items.length && (line.trim() === '' || /^\s{3,}/.test(line))) items[items.length - 1] += `\n${line}`;
		else if (items.length) break;
	}
	return items;
}

/** What one step's text asks for: the simulate.ts arguments it runs and the demo workflow it opens. */
function stepOf(text: string, workflow: RegExp): DemoStep {
	const run = [...text.matchAll(/simulate\.ts ([a-z][a-z-]*(?: P\w+)?)/g)].map((m) => m[1]);
	const open = [...new Set([...text.matchAll(workflow)].map((m) => m[1]))];
	assert.ok(open.length <= 1, `one workflow per step: ${text}`);
	return { ...(run.length ? { run } : {}), ...(open.length ? { open: open[0] } : {}) };
}

/** The README's "Try the demo" list. */
function readmeItems(): string[] {
	const section = README.split(/^### Try the demo$/m)[1]?.split(/^#{2,3} /m)[0];
	assert.ok(section, 'README has no "### Try the demo" section');
	return numberedItems(section.split('\n'));
}

const ids = new Map([
	[DEMO_WORKFLOWS.coldCampaign, 'Cold123'],
	[DEMO_WORKFLOWS.followUp, 'Follow456'],
]);
const hints = demoHints({ n8nUrl: 'http://127.0.0.1:5678', sandboxUrl: 'http://127.0.0.1:9999', workflowIds: ids });

test('the README\'s "Try the demo" steps are DEMO_STEPS: same workflows, same simulate.ts commands, same order', () => {
	const items = readmeItems();
	assert.deepEqual(items.map((t) => stepOf(t, /\*\*(Demo: [^*]+)\*\*/g)), DEMO_STEPS);
	// Commands written out in full are the ones npm start prints for its default sandbox.
	for (const [i, text] of items.entries()) {
		for (const line of text.split('\n').filter((l) => l.includes('SANDBOX_URL='))) {
			const args = DEMO_STEPS[i].run ?? [];
			assert.ok(args.some((a) => line.trim() === simulateCommand(README_SANDBOX, a)), `README step ${i + 1}: "${line.trim()}" is not one of ${JSON.stringify(args.map((a) => simulateCommand(README_SANDBOX, a)))}`);
		}
	}
});

test('npm start\'s hints are DEMO_STEPS too, with each workflow\'s own link and the running sandbox\'s URL', () => {
	const items = numberedItems(hints);
	assert.deepEqual(items.map((t) => stepOf(t, /"(Demo: [^"]+)"/g)), DEMO_STEPS);
	const all = hints.join('\n');
	assert.match(all, /Open "Demo: cold campaign": http:\/\/127\.0\.0\.1:5678\/workflow\/Cold123 \(sign in/);
	assert.match(all, /Open "Demo: follow-up sequence": http:\/\/127\.0\.0\.1:5678\/workflow\/Follow456,/);
	for (const args of DEMO_STEPS.flatMap((s) => s.run ?? [])) assert.ok(hints.some((l) => l.trim() === simulateCommand('http://127.0.0.1:9999', args)), args);
});

test('the hints and the README give the same steps (compared with each other, not only with DEMO_STEPS)', () => {
	const readme = readmeItems().map((t) => stepOf(t, /\*\*(Demo: [^*]+)\*\*/g));
	const printed = numberedItems(hints).map((t) => stepOf(t, /"(Demo: [^"]+)"/g));
	assert.deepEqual(printed, readme);
});

test('DEMO_STEPS names the demo workflows as the example files do, and simulate.ts knows every command', () => {
	assert.equal(readExample('demo-cold-campaign.json').name, DEMO_WORKFLOWS.coldCampaign);
	assert.equal(readExample('demo-follow-up-sequence.json').name, DEMO_WORKFLOWS.followUp);
	const simulate = readFileSync(path.join(__dirname, '..', '..', 'scripts', 'demo', 'simulate.ts'), 'utf8');
	for (const args of DEMO_STEPS.flatMap((s) => s.run ?? [])) {
		const cmd = args.split(' ')[0];
		assert.ok(simulate.includes(`cmd === '${cmd}'`), `simulate.ts has no "${cmd}" command`);
	}
});

test('a hint for a workflow n8n does not have (yet) points at the workflow list instead', () => {
	const lines = demoHints({ n8nUrl: 'http://n8n.test', sandboxUrl: README_SANDBOX, workflowIds: new Map() });
	assert.match(lines.join('\n'), /Open "Demo: cold campaign": http:\/\/n8n\.test\/home\/workflows/);
});

test('each demo workflow has one enabled trigger, so the editor\'s button reads just "Execute workflow" and runs it now', () => {
	for (const file of ['demo-cold-campaign.json', 'demo-follow-up-sequence.json']) {
		const triggers = readExample(file).nodes.filter((n) => /trigger$/i.test(n.type) && !(n as { disabled?: boolean }).disabled);
		assert.deepEqual(triggers.map((n) => n.type), ['n8n-nodes-base.manualTrigger'], file);
	}
});
