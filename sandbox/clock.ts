/** The sandbox clock: real time plus an offset that /sandbox/clock moves, so time keeps passing. */
export class Clock {
	constructor(public offsetMs = 0) {}

	/** Sandbox time in epoch ms. */
	now(): number {
		return Date.now() + this.offsetMs;
	}

	/** Moves the clock forward by an ISO 8601 duration such as P3D or PT2H30M. */
	advance(duration: string): void {
		this.offsetMs += parseDuration(duration);
	}

	/** Sets the clock to an absolute time. */
	set(iso: string): void {
		const t = Date.parse(iso);
		if (Number.isNaN(t)) throw new Error(`not an ISO time: ${iso}`);
		this.offsetMs = t - Date.now();
	}
}

/** Milliseconds in an ISO 8601 duration (weeks, days, hours, minutes, seconds; months/years are not fixed lengths, so refused). */
export function parseDuration(text: string): number {
	const m = /^P(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i.exec(
		text.trim(),
	);
	if (!m || text.trim().toUpperCase() === 'P' || /T$/i.test(text.trim())) {
		throw new Error(`not an ISO 8601 duration (e.g. P3D, PT2H): ${text}`);
	}
	const [w, d, h, min, s] = m.slice(1).map((v) => (v ? Number(v) : 0));
	return Math.round((((w * 7 + d) * 24 + h) * 60 + min) * 60 * 1000 + s * 1000);
}
