// Synthetic leads and the campaign every benchmark renders.
import type { IDataObject, INodeParameters } from 'n8n-workflow';

/** n leads: first.last{i}@company{i}.example with names, company and a pain point. */
export function benchLeads(n: number, from = 0): IDataObject[] {
	return Array.from({ length: n }, (_v, k) => {
		const i = from + k;
		return {
			email: `first.last${i}@company${i}.example`,
			first_name: `First${i}`,
			last_name: `Last${i}`,
			company: `Company ${i} & Sons`,
			pain: i % 3 ? `onboarding <${i}> new hires` : '',
			row_number: i + 2,
		};
	});
}

/** The campaign's templates: merge tags, a fallback, spintax and HTML that needs escaping. */
export const TEMPLATES = {
	subject: '{Quick|Short} question for {{company}}',
	text: '{Hi|Hello} {{first_name}},\n\nI noticed {{company}} is hiring. Is {{pain | "scaling the team"}} on your list?\n\nOlivia',
	html: '<p>{Hi|Hello} <b>{{first_name}}</b>,</p><p>I noticed {{company}} is hiring. Is {{pain | "scaling the team"}} on your list?</p><p>Olivia</p>',
};

/** Opt-out settings (RFC 8058 one-click URL, mailto, footer, postal address). */
export const UNSUBSCRIBE = {
	url: 'https://unsub.example/u?e={{email}}',
	mailto: 'mailto:stop@bench.example?subject=stop',
	footer: 'Not interested? {{unsubscribe_url}}',
	postalAddress: '1 Main St, Springfield',
};

/** Send node parameters for the benchmark campaign. */
export function sendParameters(mode: 'send' | 'preview'): INodeParameters {
	return {
		mode,
		campaign: 'bench',
		step: 1,
		emailField: 'email',
		nameFields: 'first_name, last_name',
		senderName: 'Olivia Owner',
		subject: TEMPLATES.subject,
		bodyType: 'both',
		text: TEMPLATES.text,
		html: TEMPLATES.html,
		options: {
			unsubscribeUrl: UNSUBSCRIBE.url,
			unsubscribeMailto: UNSUBSCRIBE.mailto,
			footer: UNSUBSCRIBE.footer,
			postalAddress: UNSUBSCRIBE.postalAddress,
			// The sandbox's quota is lifted for this bench; the in-process pacer should not wait either.
			quotaUnitsPerMinute: 1_000_000,
		},
	};
}
