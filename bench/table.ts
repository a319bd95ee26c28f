// Plain-text result tables for the benchmark report.

/** One printed table: a title, column names and rows of cells. */
export interface Table {
	title: string;
	columns: string[];
	rows: Array<Array<string | number>>;
	notes?: string[];
}

/** A number with thousands separators, or with `digits` decimals. */
export function num(n: number, digits = 0): string {
	return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** `a / b` as "0.27x"; "–" when b is 0. */
export function ratio(a: number, b: number): string {
	return b === 0 ? '–' : `${(a / b).toFixed(2)}x`;
}

/** Renders a table with aligned columns (numbers right-aligned). */
export function render(t: Table): string {
	const cells = [t.columns, ...t.rows.map((r) => r.map(String))];
	const widths = t.columns.map((_c, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
	const line = (r: string[]) =>
		r.map((c, i) => (i === 0 || !/^[-\d.,x–%]+$/.test(c) ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
	const out = [`\n## ${t.title}`, line(t.columns), widths.map((w) => '-'.repeat(w)).join('  '), ...t.rows.map((r) => line(r.map(String)))];
	for (const n of t.notes ?? []) out.push(`  ${n}`);
	return out.join('\n');
}

/** The median of a non-empty list. */
export function median(values: number[]): number {
	const s = [...values].sort((a, b) => a - b);
	const mid = s.length >> 1;
	return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}
