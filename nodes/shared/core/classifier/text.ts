// Text helpers shared by the pattern tables: one normal form to match against, and word-bounded phrase regexes.

/** The form every phrase table matches against: NFC, lower case, typographic apostrophes and dashes plain, whitespace single. */
export function normalize(text: string): string {
	return text
		.normalize('NFC')
		.toLowerCase()
		.replace(/[\u2018\u2019\u02bc\u00b4`]/g, "'")
		.replace(/[\u2010-\u2015\u2212]/g, '-')
		.replace(/[\u00a0\u2000-\u200b\u202f\u205f\u3000]/g, ' ')
		.replace(/[ \t\r\f\v]+/g, ' ');
}

// \b only knows ASCII: 'büro', 'écrit', 'już' need Unicode letter boundaries.
const L = '[\\p{L}\\p{N}]';

/** One regex matching any of the phrases (regex sources) as whole words, Unicode-aware, case-insensitive. */
export function phrases(sources: string[]): RegExp {
	return new RegExp(`(?<!${L})(?:${sources.join('|')})(?!${L})`, 'iu');
}

/** Like phrases(), global, for finding every occurrence. */
export function phrasesAll(sources: string[]): RegExp {
	return new RegExp(`(?<!${L})(?:${sources.join('|')})(?!${L})`, 'giu');
}

/** The sentences of a text (split at . ! ? and line breaks), trimmed, non-empty. */
export function sentences(text: string): string[] {
	return text
		.split(/(?<=[.!?])\s+|\n+/)
		.map((s) => s.trim())
		.filter((s) => s !== '');
}

/** The first n characters of a text, cut at a word boundary. */
export function clip(text: string, n: number): string {
	if (text.length <= n) return text;
	const cut = text.slice(0, n);
	const space = cut.lastIndexOf(' ');
	return (space > n * 0.8 ? cut.slice(0, space) : cut).trimEnd() + '…';
}
