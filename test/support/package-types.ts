// The node and credential types a package.json's "n8n" section declares, named as n8n names them once loaded.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_DIR } from '../../scripts/n8n/runtime';

/** Type names a package declares: nodes without the `<package>.` prefix n8n adds, credentials as they are. */
export interface DeclaredTypes {
	nodes: string[];
	credentials: string[];
}

/** What the package.json in packageDir (default: the repo's) declares; dist/nodes/X/X.node.js → x with a lower-case first letter. */
export function declaredTypes(packageDir = REPO_DIR): DeclaredTypes {
	const pkg = JSON.parse(readFileSync(path.join(packageDir, 'package.json'), 'utf8')) as {
		n8n: { nodes: string[]; credentials: string[] };
	};
	// n8n requires the class name to be the file's base name, and our classes' `name` is that with a lower-case first letter.
	const typeName = (file: string, suffix: string) => {
		const base = path.basename(file, suffix);
		return base[0].toLowerCase() + base.slice(1);
	};
	return {
		nodes: pkg.n8n.nodes.map((f) => typeName(f, '.node.js')),
		credentials: pkg.n8n.credentials.map((f) => typeName(f, '.credentials.js')),
	};
}
