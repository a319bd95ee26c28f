// Must be imported before n8n-core: n8n-core writes an encryption key under the user folder on first use.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

if (!process.env.N8N_USER_FOLDER) {
	process.env.N8N_USER_FOLDER = mkdtempSync(path.join(tmpdir(), 'n8n-harness-'));
}
process.env.N8N_DIAGNOSTICS_ENABLED ??= 'false';
// Loopback sandboxes only: n8n's SSRF guard would otherwise refuse 127.0.0.1.
process.env.N8N_SSRF_PROTECTION_ENABLED ??= 'false';

/** The temporary n8n user folder the harness runs in. */
export const n8nUserFolder = process.env.N8N_USER_FOLDER;
