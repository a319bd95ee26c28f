// DESIGN.md's layering, checked on the source: Gmail REST calls only in the transport, the transport reads no node
// parameters, and the nodes reach Gmail only through the transport's typed methods.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const nodes = path.join(__dirname, '../../nodes');
const transport = path.join(nodes, 'shared/transport');

function files(dir: string): string[] {
	return readdirSync(dir).flatMap((name) => {
		const full = path.join(dir, name);
		if (statSync(full).isDirectory()) return files(full);
		return name.endsWith('.ts') ? [full] : [];
	});
}

const outside = files(nodes).filter((f) => !f.startsWith(transport + path.sep));

test('the scan sees the node files and the transport', () => {
	assert.ok(outside.some((f) => f.endsWith('GmailOutreachSend/execute.ts')));
	assert.ok(files(transport).some((f) => f.endsWith('client.ts')));
});

for (const file of outside) {
	const rel = path.relative(nodes, file);
	test(`${rel}: no Gmail REST path or raw transport call outside the transport`, () => {
		const src = readFileSync(file, 'utf8');
		// A path like '/messages/…', '/drafts/send', '/labels/…' handed to client.call is the transport's business.
		assert.deepEqual(src.match(/\.call(?:<[^>]*>)?\(\s*'[a-z]+(?:\.[a-zA-Z]+)+'/g) ?? [], [], 'client.call(<method>) outside the transport');
		assert.deepEqual(src.match(/['`]\/gmail\/v1\//g) ?? [], [], 'a Gmail REST URL outside the transport');
	});
}

for (const file of files(transport)) {
	test(`transport/${path.basename(file)} reads no node parameter`, () => {
		assert.deepEqual(readFileSync(file, 'utf8').match(/getNodeParameter/g) ?? [], []);
	});
}
