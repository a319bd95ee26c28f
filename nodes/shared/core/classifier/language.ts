// A small stop-word scorer: enough to tell the ten covered languages apart in a few sentences of own words.
import { LANGS, STOP_WORDS, type Lang } from './patterns';
import { normalize } from './text';

const SETS = new Map<Lang, Set<string>>(LANGS.map((l) => [l, new Set(STOP_WORDS[l])]));

// Letters only some of the languages use tip close calls (e.g. Swedish vs Danish, Spanish vs Portuguese).
const LETTERS: Array<[RegExp, Lang, number]> = [
	[/[ąęłńśźż]/g, 'pl', 2],
	[/ß/g, 'de', 2],
	[/[æø]/g, 'da', 2],
	[/[ãõ]/g, 'pt', 2],
	[/ñ|¿|¡/g, 'es', 2],
	[/[äö]/g, 'sv', 0.5],
	[/[äöü]/g, 'de', 0.5],
	[/[èàù]/g, 'it', 0.3],
	[/[çéèêàû]/g, 'fr', 0.3],
];

/** The language of a text ('en', 'de', …) when the evidence is clear; undefined otherwise. */
export function detectLanguage(text: string): Lang | undefined {
	const t = normalize(text.slice(0, 4000));
	const words = t.split(/[^\p{L}']+/u).filter((w) => w !== '');
	if (!words.length) return undefined;
	const score = new Map<Lang, number>(LANGS.map((l) => [l, 0]));
	for (const w of words) {
		for (const [l, set] of SETS) if (set.has(w)) score.set(l, (score.get(l) ?? 0) + 1);
	}
	for (const [re, l, weight] of LETTERS) score.set(l, (score.get(l) ?? 0) + Math.min(6, (t.match(re) ?? []).length) * weight);
	const ranked = [...score.entries()].sort((a, b) => b[1] - a[1]);
	const [best, second] = ranked;
	if (best[1] < 2 || best[1] < second[1] * 1.25) return best[1] >= 1 && second[1] === 0 && words.length <= 8 ? best[0] : undefined;
	return best[0];
}
