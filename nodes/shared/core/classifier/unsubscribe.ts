// Opt-outs in the person's own words (never the quoted footer of our email) in ten languages.
import { FOOTER_RE, UNSUBSCRIBE_BY_LANG, UNSUBSCRIBE_RE, type Lang } from './patterns';
import { normalize, sentences } from './text';

// A subject or a whole message that is just the request ("unsubscribe", "Re: STOP", "Abmelden").
const BARE = /^(?:(?:re|aw|sv|vs|antw|odp|r|rif|ref|réf|fw|fwd|wg|tr)\s*:\s*)*(?:please\s+)?(unsubscribe(?: me)?|un-subscribe|stop|remove(?: me)?|opt[- ]?out|abmelden|austragen|abbestellen|désabonner|désinscription|désinscrire|baja|darme de baja|dar de baja|descadastrar|descadastre|cancellami|cancella(?:zione)?|disiscrizione|afmelden|uitschrijven|wypisz(?: mnie)?|wypisz się|avregistrera|avsluta|afmeld|afmelding|stopp)[\s.!]*$/iu;

const BARE_LANG: Array<[RegExp, Lang]> = [
	[/^(?:abmelden|austragen|abbestellen)$/, 'de'], [/^d[ée]s/, 'fr'], [/baja$/, 'es'], [/^descadastr/, 'pt'], [/^(?:cancell|disiscri)/, 'it'],
	[/^(?:afmelden|uitschrijven)$/, 'nl'], [/^wypisz/, 'pl'], [/^(?:avregistrera|avsluta)$/, 'sv'], [/^afmeld/, 'da'], [/./, 'en'],
];

/** An opt-out request: the sentence (or subject) asking not to be mailed again and the language it is in, if there is one. */
export function unsubscribeRequest(own: string, subject: string): { why: string; lang?: Lang } | undefined {
	const subj = normalize(subject).trim();
	const bare = (m: RegExpExecArray) => BARE_LANG.find(([re]) => re.test(m[1].toLowerCase()))?.[1];
	const s1 = BARE.exec(subj);
	if (s1) return { why: `subject "${subject.trim().slice(0, 60)}"`, lang: bare(s1) };
	const text = normalize(own).trim();
	const t1 = text.length < 80 ? BARE.exec(text.split('\n')[0].trim()) : null;
	if (t1) return { why: `"${own.trim().slice(0, 60)}"`, lang: bare(t1) };
	for (const s of sentences(text)) {
		if (s.length > 400) continue;
		if (UNSUBSCRIBE_RE.test(s) && !FOOTER_RE.test(s)) return { why: `"${s.slice(0, 120)}"`, lang: UNSUBSCRIBE_BY_LANG.find(([, re]) => re.test(s))?.[0] };
	}
	return undefined;
}
