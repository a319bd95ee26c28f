import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { lookupField } from '../core/template';

/** The one field our nodes write from version 2 on: the row's own columns beside it are never touched. */
export const OUR_FIELD = 'outreach';

/** The node versions: 1 writes its fields at the top level (older workflows), 2 under `outreach`. */
export const NODE_VERSIONS = [1, 2];

/** Fields added after version 1: only version 2 (under `outreach`) writes them, so version 1's flat set (and a row's own column of that name) stays as it was. */
const V2_ONLY_FIELDS = ['from'];

/** Whether this node writes its fields under `outreach` (version 2 and later). */
export function nested(ctx: Pick<IExecuteFunctions, 'getNode'>): boolean {
	return (ctx.getNode().typeVersion ?? 1) >= 2;
}

/**
 * An output item's json: the row's own fields plus this node's for this step. Version 2 replaces the whole
 * `outreach` object an earlier step left; version 1 writes flat, dropping the named fields an earlier step wrote.
 */
export function withOurFields(row: IDataObject | undefined, ours: IDataObject, nestedFields: boolean, flatStale: readonly string[] = []): IDataObject {
	const own: IDataObject = { ...(row ?? {}) };
	if (nestedFields) {
		delete own[OUR_FIELD];
		return { ...own, [OUR_FIELD]: ours };
	}
	for (const f of flatStale) delete own[f];
	const flat = { ...ours };
	for (const f of V2_ONLY_FIELDS) delete flat[f];
	return { ...own, ...flat };
}

/** The fields of ours an output item carries, in either version (to complete or inspect them later in the run). */
export function ourFieldsOf(json: IDataObject, nestedFields: boolean): IDataObject {
	const o = json[OUR_FIELD];
	return nestedFields && o && typeof o === 'object' && !Array.isArray(o) ? (o as IDataObject) : json;
}

/** A field an earlier node of ours wrote on the item: under `outreach` (version 2), else the row's (or version 1's) own. */
export function earlierField(json: IDataObject | undefined, name: string): unknown {
	const o = json?.[OUR_FIELD];
	const ours = o && typeof o === 'object' && !Array.isArray(o) ? lookupField(o as IDataObject, name) : undefined;
	return ours !== undefined ? ours : json ? lookupField(json, name) : undefined;
}
