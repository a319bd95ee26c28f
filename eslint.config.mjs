// n8n's own community-node rules over the package sources; typescript-eslint parses TypeScript everywhere.
import tseslint from 'typescript-eslint';
import * as jsoncParser from 'jsonc-eslint-parser';
import { n8nCommunityNodesPlugin } from '@n8n/eslint-plugin-community-nodes';

export default tseslint.config(
	{ ignores: ['dist/**', 'build/**', 'node_modules/**', '.n8n-runtime/**', '.n8n-data/**', 'test-artifacts/**', 'packages/*/dist/**'] },
	{
		files: ['**/*.ts'],
		languageOptions: { parser: tseslint.parser },
		plugins: { '@typescript-eslint': tseslint.plugin },
		rules: {
			'@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
		},
	},
	// Self-hosted package: the runtime dependencies (nodemailer, luxon) are deliberate, so the
	// n8n Cloud variant of the rules (which forbids any) is not the one we follow.
	{
		...n8nCommunityNodesPlugin.configs.recommendedWithoutN8nCloudSupport,
		files: ['index.ts', 'credentials/**/*.ts', 'nodes/**/*.ts'],
	},
	{
		...n8nCommunityNodesPlugin.configs.recommendedWithoutN8nCloudSupport,
		files: ['package.json'],
		languageOptions: { parser: jsoncParser },
	},
);
