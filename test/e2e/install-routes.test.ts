// The packed package, installed into a fresh user folder both ways users install it — n8n's Community Nodes UI and the
// README's manual command — holds only itself and its two runtime dependencies (not n8n-workflow's 160-odd packages
// with isolated-vm), and a fresh n8n started on that folder loads every node and credential it declares.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { PACKAGE_NAME } from '../../scripts/n8n/runtime';
import { nodeType } from '../../scripts/n8n/workflows';
import {
	installLikeCommunityNodesUi,
	installManually,
	installedPackages,
	packPackage,
	packageFiles,
	type InstalledPackage,
} from '../support/install-package';
import { declaredTypes } from '../support/package-types';
import { startRealN8n, type RealN8n } from '../support/real-n8n';

/** Packages that come only with n8n-workflow (our peer dependency, which n8n itself provides). */
const N8N_OWN = ['n8n-workflow', 'n8n-core', 'isolated-vm'];

const routes = [
	{ name: 'Community Nodes UI (n8n\'s own install steps)', id: 'ui', install: installLikeCommunityNodesUi },
	{ name: 'manual (the README\'s npm command)', id: 'manual', install: installManually },
];

/** Our package plus everything its "dependencies" pull in, following what is installed. */
function dependencyClosure(all: InstalledPackage[]): Set<string> {
	const byName = new Map(all.map((p) => [p.name, p]));
	const seen = new Set<string>();
	const visit = (name: string) => {
		if (seen.has(name)) return;
		seen.add(name);
		for (const dep of byName.get(name)?.dependencies ?? []) visit(dep);
	};
	visit(PACKAGE_NAME);
	return seen;
}

// A temp folder outside the repo: no node_modules above it that a missing dependency could silently resolve from.
const work = mkdtempSync(path.join(os.tmpdir(), 'n8n-install-routes-'));

describe('the packed package installs without n8n\'s own packages, and n8n loads it', { timeout: 600_000 }, () => {
	let tarball: string;
	before(() => {
		mkdirSync(path.join(work, 'pack'));
		tarball = packPackage(path.join(work, 'pack'));
	});
	after(() => rmSync(work, { recursive: true, force: true }));

	for (const route of routes) {
		describe(route.name, () => {
			const userFolder = path.join(work, route.id);
			let packageDir: string;
			let env: RealN8n | undefined;
			before(() => {
				packageDir = route.install(userFolder, tarball);
			});
			after(async () => {
				await env?.close();
			});

			test('installs only the package and what its dependencies pull in: luxon and nodemailer, none of n8n\'s', () => {
				assert.ok(!lstatSync(packageDir).isSymbolicLink(), 'the package must be a real folder, not a link to the repo');
				const all = installedPackages(path.join(userFolder, '.n8n', 'nodes', 'node_modules'));
				const names = [...new Set(all.map((p) => p.name))].sort();
				const forbidden = names.filter((n) => N8N_OWN.includes(n));
				assert.deepEqual(forbidden, [], `n8n's own packages installed (${names.length} packages in all)`);
				assert.deepEqual(names, [...dependencyClosure(all)].sort(), 'packages installed that nothing of ours depends on');
				for (const dep of [PACKAGE_NAME, 'luxon', 'nodemailer']) assert.ok(names.includes(dep), `${dep} not installed; installed: ${names.join(', ')}`);
			});

			test('the package folder holds dist/, package.json, README and LICENSE only', () => {
				const stray = packageFiles(packageDir).filter((f) => !f.startsWith('dist/') && !['package.json', 'README.md', 'LICENSE'].includes(f));
				assert.deepEqual(stray, []);
			});

			test('luxon and nodemailer resolve from the user folder, not from n8n\'s or the repo\'s node_modules', () => {
				const req = createRequire(path.join(packageDir, 'package.json'));
				const home = realpathSync(userFolder) + path.sep;
				for (const dep of ['luxon', 'nodemailer']) {
					const resolved = realpathSync(req.resolve(dep));
					assert.ok(resolved.startsWith(home), `${dep} resolves outside the user folder`);
				}
			});

			test('the nodes folder\'s package.json (n8n\'s ledger) lists the package', () => {
				const ledger = JSON.parse(readFileSync(path.join(userFolder, '.n8n', 'nodes', 'package.json'), 'utf8')) as {
					dependencies: Record<string, string>;
				};
				assert.ok(ledger.dependencies[PACKAGE_NAME], JSON.stringify(ledger));
			});

			test('a fresh n8n on that user folder loads every node and credential the package declares', async () => {
				env = await startRealN8n({ name: `install-${route.id}`, connect: false, userFolder });
				assert.ok(!lstatSync(packageDir).isSymbolicLink(), 'starting n8n replaced the installed package with a link to the repo');
				const declared = declaredTypes(packageDir);
				assert.deepEqual(declared, declaredTypes(), 'the installed package.json declares what the repo\'s does');
				const nodes = new Set((await env.client.nodeTypes()).map((t) => t.name));
				const credentials = new Set((await env.client.credentialTypes()).map((t) => t.name));
				assert.deepEqual(declared.nodes.map(nodeType).filter((n) => !nodes.has(n)), [], 'nodes not loaded');
				assert.deepEqual(declared.credentials.filter((c) => !credentials.has(c)), [], 'credentials not loaded');
				await env.close();
				env = undefined;
			});
		});
	}
});
