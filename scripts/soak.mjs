#!/usr/bin/env node
// `npm run soak`: issue 17's fault soak at 1,000 leads (SOAK_LEADS overrides), only that test file.
import { spawnSync } from 'node:child_process';

const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
	console.error(
		`Node ${process.versions.node} is too old: n8n 2.x needs Node >= 24. Run through npm (npm run soak), ` +
			'which puts the project\'s own Node 24 (devDependency "node") first on PATH.',
	);
	process.exit(1);
}

const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', 'test/node/soak.test.ts'], {
	stdio: 'inherit',
	env: { ...process.env, NODE_ENV: 'test', SOAK_LEADS: process.env.SOAK_LEADS ?? '1000' },
});
process.exit(r.status ?? 1);
