import type { IDataObject } from 'n8n-workflow';

/**
 * How an error names an item: its sheet row when the item carries `row_number` (Google Sheets gives every row one),
 * else its position in this node's input, counted from 1 — and which of the two it is. Inside Loop Over Items the
 * position is the place in the batch, not the lead's row, so the row number wins whenever there is one.
 */
export function rowLabel(json: IDataObject | undefined, itemIndex: number): string {
	const raw = json?.row_number;
	const n = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw.trim()) : NaN;
	if (Number.isInteger(n) && n > 0) return `Row ${n} (row_number)`;
	return `Item ${itemIndex + 1} (input position; the item has no row_number)`;
}

/** The label of item i of the node's input (see rowLabel). */
export function itemRow(items: Array<{ json?: IDataObject }>, i: number): string {
	return rowLabel(items[i]?.json, i);
}
