import { NotFoundError, type GmailError } from '../transport';
import { attempt } from './attempt';

/**
 * Reads a batch's resources at once through a settled batch call: each id's value, `gone` where Gmail answers 404.
 * An id whose read failed otherwise (or a failed batch) is left out, so the caller reads it again alone, which
 * reports the error; fewer than two ids are left to that single read too.
 */
export async function prefetch<R extends { id: string; error?: GmailError }, V>(
	ids: string[],
	read: (ids: string[]) => Promise<R[]>,
	value: (r: R) => V | undefined,
	gone: V,
): Promise<Map<string, V>> {
	const out = new Map<string, V>();
	const unique = [...new Set(ids.filter((id) => !!id))];
	if (unique.length < 2) return out;
	const got = await attempt(() => read(unique));
	for (const r of got.ok ? got.value : []) {
		const v = r.error ? undefined : value(r);
		if (v !== undefined) out.set(r.id, v);
		else if (r.error instanceof NotFoundError) out.set(r.id, gone);
	}
	return out;
}
