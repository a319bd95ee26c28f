// Installs the packed package into an n8n user folder the two ways users do: Settings → Community Nodes in n8n, and
// the README's manual npm command. Both write to the nodes folder n8n scans on start (`<userFolder>/.n8n/nodes`).
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PACKAGE_NAME, REPO_DIR, assertBuilt } from '../../scripts/n8n/runtime';

/** The README's manual install, run in ~/.n8n/nodes; the package (name, or here the tarball) is the last argument. */
export const MANUAL_INSTALL_ARGS = ['install', '--legacy-peer-deps'] as const;

/** n8n's default N8N_COMMUNITY_PACKAGES_REGISTRY, which it passes to every npm command it runs. */
const N8N_REGISTRY = 'https://registry.npmjs.org';

/** The environment a user's shell gives npm: none of the npm_* variables an enclosing `npm test` sets (its local prefix is the repo). */
function userNpmEnv(): NodeJS.ProcessEnv {
	return Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
}

function npm(args: string[], cwd: string): string {
	return execFileSync('npm', args, { cwd, env: userNpmEnv(), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** `npm pack` of the built repo into dest (the tarball `npm publish` would upload); returns the tarball's path. */
export function packPackage(dest: string): string {
	assertBuilt();
	// --workspaces=false: the root package only, whatever workspaces the root package.json lists.
	const out = npm(['pack', '--json', '--workspaces=false', '--pack-destination', dest], REPO_DIR);
	const [{ filename }] = JSON.parse(out) as Array<{ filename: string }>;
	return path.join(dest, path.basename(filename));
}

/** The nodes folder of a user folder, with the package.json n8n writes there on start (ensurePackageJson) if it is missing. */
export function nodesFolder(userFolder: string): string {
	const dir = path.join(userFolder, '.n8n', 'nodes');
	mkdirSync(dir, { recursive: true });
	const ledger = path.join(dir, 'package.json');
	if (!existsSync(ledger)) writeFileSync(ledger, JSON.stringify({ name: 'installed-nodes', private: true, dependencies: {} }, null, 2), 'utf8');
	return dir;
}

/**
 * Settings → Community Nodes → Install, done with n8n 2.41's own steps (downloadPackage in
 * node_modules/n8n/dist/modules/community-packages/community-packages.service.js) on our tarball. Only its first step,
 * `npm pack <name>@<version>` from the registry into the nodes folder, is replaced by copying the tarball there: n8n's
 * install endpoint checks the version on npmjs.org, and pointing it at another registry needs an enterprise licence.
 * The database row n8n also writes only feeds the Community Nodes list; on start n8n loads what it finds on disk.
 * Returns the package's folder.
 */
export function installLikeCommunityNodesUi(userFolder: string, tarball: string): string {
	const nodesDir = nodesFolder(userFolder);
	const packageDir = path.join(nodesDir, 'node_modules', PACKAGE_NAME);
	mkdirSync(packageDir, { recursive: true });
	const tarballName = path.basename(tarball);
	copyFileSync(tarball, path.join(nodesDir, tarballName));
	try {
		execFileSync('tar', ['-xzf', tarballName, '-C', packageDir, '--strip-components=1'], { cwd: nodesDir });
		const pkgPath = path.join(packageDir, 'package.json');
		const pkg = JSON.parse(readFileSync(pkgPath, 'utf8')) as Record<string, unknown> & { name: string; version: string };
		for (const field of ['devDependencies', 'peerDependencies', 'optionalDependencies']) delete pkg[field];
		writeFileSync(pkgPath, JSON.stringify(pkg, null, 2), 'utf8');
		npm(
			[
				'install',
				'--audit=false',
				'--fund=false',
				'--bin-links=false',
				'--install-strategy=shallow',
				'--ignore-scripts=true',
				'--package-lock=false',
				`--registry=${N8N_REGISTRY}`,
			],
			packageDir,
		);
		const ledgerPath = path.join(nodesDir, 'package.json');
		const ledger = JSON.parse(readFileSync(ledgerPath, 'utf8')) as { dependencies: Record<string, string> };
		ledger.dependencies[pkg.name] = pkg.version;
		writeFileSync(ledgerPath, JSON.stringify(ledger, null, 2), 'utf8');
	} finally {
		rmSync(path.join(nodesDir, tarballName), { force: true });
	}
	return packageDir;
}

/** The README's manual route: its command in the nodes folder (which has n8n's package.json once n8n has run). Returns the package's folder. */
export function installManually(userFolder: string, tarball: string): string {
	const nodesDir = nodesFolder(userFolder);
	npm([...MANUAL_INSTALL_ARGS, tarball], nodesDir);
	return path.join(nodesDir, 'node_modules', PACKAGE_NAME);
}

/** One package found on disk. */
export interface InstalledPackage {
	name: string;
	version: string;
	dir: string;
	/** Names in its package.json "dependencies". */
	dependencies: string[];
}

/** Every package under nodeModules, nested node_modules and @scopes included (npm's .bin and .package-lock.json skipped). */
export function installedPackages(nodeModules: string): InstalledPackage[] {
	if (!existsSync(nodeModules)) return [];
	const entries = readdirSync(nodeModules)
		.filter((n) => !n.startsWith('.'))
		.sort()
		.flatMap((n) =>
			n.startsWith('@')
				? readdirSync(path.join(nodeModules, n))
						.sort()
						.map((m) => path.join(nodeModules, n, m))
				: [path.join(nodeModules, n)],
		);
	return entries.flatMap((dir) => {
		const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as {
			name: string;
			version: string;
			dependencies?: Record<string, string>;
		};
		const found = { name: pkg.name, version: pkg.version, dir, dependencies: Object.keys(pkg.dependencies ?? {}) };
		return [found, ...installedPackages(path.join(dir, 'node_modules'))];
	});
}

/** Files in a package's folder, relative and sorted, its own node_modules left out. */
export function packageFiles(dir: string, rel = ''): string[] {
	return readdirSync(path.join(dir, rel))
		.sort()
		.flatMap((n) => {
			const r = path.posix.join(rel, n);
			if (r === 'node_modules') return [];
			return statSync(path.join(dir, r)).isDirectory() ? packageFiles(dir, r) : [r];
		});
}
