import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { INodeProperties } from 'n8n-workflow';
import { GmailOutreachSend } from '../../nodes/GmailOutreachSend/GmailOutreachSend.node.js';

const root = path.resolve(__dirname, '../..');
const node = new GmailOutreachSend();
const d = node.description;

/** Every property, collection options included, with the path that reached it. */
function walk(props: INodeProperties[], at = ''): { where: string; p: INodeProperties }[] {
	return props.flatMap((p) => {
		const where = `${at}${p.name}`;
		const nested = (p.options ?? []).filter((o): o is INodeProperties => 'type' in o && 'displayName' in o);
		return [{ where, p }, ...walk(nested, `${where}.`)];
	});
}

test('description identity and wiring', () => {
	assert.equal(d.name, 'gmailOutreachSend');
	assert.equal(d.displayName, 'Gmail Outreach Send');
	assert.deepEqual(d.version, [1, 2]);
	assert.equal(d.defaultVersion, 2);
	assert.deepEqual(d.group, ['output']);
	assert.deepEqual(d.icon, { light: 'file:gmailOutreachSend.svg', dark: 'file:gmailOutreachSend.dark.svg' });
	for (const f of ['gmailOutreachSend.svg', 'gmailOutreachSend.dark.svg']) assert.ok(existsSync(path.join(root, 'nodes/GmailOutreachSend', f)), f);
	assert.ok(d.subtitle);
	assert.deepEqual(d.inputs, ['main']);
	assert.ok(Array.isArray(d.outputs));
	const outputs = d.outputs as { type: string; displayName: string }[];
	assert.deepEqual(
		outputs.map((o) => [o.type, o.displayName]),
		[['main', 'Sent'], ['main', 'Skipped'], ['main', 'Deferred'], ['main', 'Failed']],
	);
	assert.deepEqual(
		d.credentials?.map((c) => c.name),
		['gmailOutreachOAuth2Api', 'gmailOutreachServiceAccountApi'],
	);
	assert.equal(typeof node.execute, 'function');
});

test('every property has displayName, name, type and default; names are unique per level', () => {
	const all = walk(d.properties);
	assert.ok(all.length > 20);
	for (const { where, p } of all) {
		assert.equal(typeof p.displayName, 'string', `${where}: displayName`);
		assert.ok(p.displayName.length > 0, `${where}: displayName empty`);
		assert.match(p.name, /^[a-zA-Z][a-zA-Z0-9]*$/, `${where}: name`);
		assert.equal(typeof p.type, 'string', `${where}: type`);
		assert.ok('default' in p, `${where}: default`);
		if (p.type === 'options') {
			const values = (p.options ?? []).map((o) => ('value' in o ? o.value : undefined));
			if (!p.typeOptions?.loadOptionsMethod) assert.ok(values.includes(p.default as string), `${where}: default not an option`);
		}
		if (p.type === 'boolean') assert.equal(typeof p.default, 'boolean', `${where}: boolean default`);
	}
	const top = d.properties.map((p) => p.name);
	assert.equal(new Set(top).size, top.length, 'duplicate top-level names');
});

test('load-options methods named in the description exist', () => {
	for (const { where, p } of walk(d.properties)) {
		const method = p.typeOptions?.loadOptionsMethod;
		if (method) assert.equal(typeof node.methods.loadOptions[method as keyof typeof node.methods.loadOptions], 'function', where);
	}
});

test('displayOptions only refer to existing parameters', () => {
	const names = new Set(walk(d.properties).map(({ p }) => p.name));
	for (const { where, p } of walk(d.properties)) {
		for (const key of Object.keys(p.displayOptions?.show ?? {})) {
			// '@tool', '@version': n8n's own conditions; '/mode': a top-level parameter seen from inside a collection.
			if (key.startsWith('@')) continue;
			assert.ok(names.has(key.replace(/^\//, '')), `${where} shows on unknown ${key}`);
		}
	}
});

test('codex file and package registration', () => {
	const codex = JSON.parse(readFileSync(path.join(root, 'nodes/GmailOutreachSend/GmailOutreachSend.node.json'), 'utf8'));
	assert.equal(codex.node, 'n8n-nodes-gmail-outreach.gmailOutreachSend');
	assert.deepEqual(codex.categories, ['Communication', 'Sales']);
	const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
	assert.ok(pkg.n8n.nodes.includes('dist/nodes/GmailOutreachSend/GmailOutreachSend.node.js'));
	assert.match(readFileSync(path.join(root, 'index.ts'), 'utf8'), /GmailOutreachSend\.node/);
});
