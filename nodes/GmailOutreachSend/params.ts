import type { IExecuteFunctions } from 'n8n-workflow';
import { csv, readMessageParams, str, type MessageParams } from '../shared/node/params';

/** One item's parameters, expressions resolved for that item: the shared ones plus the Send node's own. */
export interface ItemParams extends MessageParams {
	emailField: string;
	/** Recipient Field before n8n resolved it: an expression ('={{ $json.email }}') gives the address itself. */
	emailFieldRaw: string;
	nameFields: string[];
	templateSource: 'parameters' | 'draft';
	draftId: string;
	subject: string;
}

/** Reads one item's parameters; throws n8n's own error for an expression that cannot be resolved. */
export function readItemParams(ctx: IExecuteFunctions, i: number): ItemParams {
	const templateSource = ctx.getNodeParameter('templateSource', i, 'parameters') === 'draft' ? 'draft' : 'parameters';
	return {
		...readMessageParams(ctx, i, templateSource === 'parameters'),
		emailField: str(ctx.getNodeParameter('emailField', i, 'email')).trim(),
		emailFieldRaw: str(ctx.getNodeParameter('emailField', i, 'email', { rawExpressions: true })),
		nameFields: csv(ctx.getNodeParameter('nameFields', i, '')),
		templateSource,
		draftId: templateSource === 'draft' ? str(ctx.getNodeParameter('draftId', i, '')).trim() : '',
		subject: templateSource === 'parameters' ? str(ctx.getNodeParameter('subject', i, '')) : '',
	};
}
