/** The outcome of an async call as a value, so callers branch on errors instead of re-throwing them. */
export type Attempt<T> = { ok: true; value: T } | { ok: false; error: unknown };

/** Runs fn and captures its result or error. */
export async function attempt<T>(fn: () => Promise<T> | T): Promise<Attempt<T>> {
	try {
		return { ok: true, value: await fn() };
	} catch (error) {
		return { ok: false, error };
	}
}
