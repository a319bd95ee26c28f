import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

// nodes/shared/core must stay pure: no n8n imports, only node built-ins, nodemailer and luxon.
const root = path.join(__dirname, '../../nodes/shared/core');

function files(dir: string): string[] {
	return readdirSync(dir).flatMap((name) => {
		const full = path.join(dir, name);
		if (statSync(full).isDirectory()) return files(full);
		return name.endsWith('.ts') ? [full] : [];
	});
}

/** Every module specifier a file imports or requires. */
function specifiers(source: string): string[] {
	const out: string[] = [];
	const patterns = [
		/^\s*(?:import|export)\b[^;'"]*?\bfrom\s*['"]([^'"]+)['"]/gm,
		/^\s*import\s*['"]([^'"]+)['"]/gm,
		/\b(?:import|require)\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
	];
	for (const re of patterns) for (const m of source.matchAll(re)) out.push(m[1]);
	return out;
}

test('the scan finds the core modules', () => {
	const names = files(root).map((f) => path.basename(f));
	for (const n of ['address.ts', 'template.ts', 'mime.ts', 'threading.ts', 'classify.ts', 'idempotency.ts', 'index.ts']) assert.ok(names.includes(n), n);
});

test('specifier scan sees imports, dynamic imports and requires', () => {
	const src = `import x from 'n8n-workflow';\nimport type {\n\tY,\n} from "n8n-core";\nexport * from 'n8n-workflow/x';\nimport 'n8n-core';\nconst z = require('n8n-core');\nawait import('n8n-workflow');\nconst s = Buffer.from('abc');`;
	assert.deepEqual(specifiers(src).sort(), ['n8n-core', 'n8n-core', 'n8n-core', 'n8n-workflow', 'n8n-workflow', 'n8n-workflow/x']);
});

for (const file of files(root)) {
	test(`${path.relative(root, file)} imports no n8n package`, () => {
		const bad = specifiers(readFileSync(file, 'utf8')).filter((s) => /^(n8n-workflow|n8n-core)(\/|$)/.test(s));
		assert.deepEqual(bad, []);
	});
	test(`${path.relative(root, file)} imports only built-ins, nodemailer, luxon or core files`, () => {
		const bad = specifiers(readFileSync(file, 'utf8')).filter((s) => !/^(node:|\.\/|\.\.\/|nodemailer(\/|$)|luxon$)/.test(s));
		assert.deepEqual(bad, []);
	});
}
