import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { INodeProperties } from 'n8n-workflow';
import { GmailThreadedReply } from '../../nodes/GmailThreadedReply/GmailThreadedReply.node.js';
import * as pkg from '../../index';

test('the Threaded Reply description is one n8n can load', () => {
	const d = new GmailThreadedReply().description;
	assert.equal(d.name, 'gmailThreadedReply');
	assert.equal(d.displayName, 'Gmail Threaded Reply');
	assert.deepEqual(
		(d.outputs as { displayName: string }[]).map((o) => o.displayName),
		['Sent', 'Skipped', 'Deferred', 'Failed'],
	);
	const check = (props: INodeProperties[], where: string) => {
		const names = new Set<string>();
		for (const p of props) {
			for (const key of ['displayName', 'name', 'type'] as const) assert.ok(p[key], `${where}: ${JSON.stringify(p)} lacks ${key}`);
			assert.ok('default' in p, `${where}.${p.name} has a default`);
			assert.ok(!names.has(p.name) || p.displayOptions, `${where}.${p.name} is unique`);
			names.add(p.name);
			if (p.type === 'collection') check(p.options as INodeProperties[], `${where}.${p.name}`);
		}
	};
	check(d.properties, 'properties');
});

test('no subject parameter: a follow-up always keeps the thread subject, and the node says so', () => {
	const walk = (props: INodeProperties[]): INodeProperties[] => props.flatMap((p) => [p, ...(p.type === 'collection' ? walk(p.options as INodeProperties[]) : [])]);
	const all = walk(new GmailThreadedReply().description.properties);
	assert.ok(!all.some((p) => p.name === 'subject'), 'a subject that is never sent would only confuse');
	const notice = all.find((p) => p.type === 'notice');
	assert.match(String(notice?.displayName), /keeps the thread’s subject/);
});

test('the package exports the node', () => {
	assert.equal((pkg as Record<string, unknown>).GmailThreadedReply, GmailThreadedReply);
});

// Regression: the shared campaign properties gave follow-ups a default step of 1 (the first email's).
test('a follow-up starts at step 2 by default; the first email at step 1', async () => {
	const { GmailOutreachSend } = await import('../../nodes/GmailOutreachSend/GmailOutreachSend.node.js');
	const stepOf = (props: INodeProperties[]) => props.find((p) => p.name === 'step')?.default;
	assert.equal(stepOf(new GmailThreadedReply().description.properties), 2);
	assert.equal(stepOf(new GmailOutreachSend().description.properties), 1);
});
