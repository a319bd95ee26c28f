// The first day back an out-of-office states, in ten languages.
//
// The rule (the downstream node reads returnDate as "the first day the lead may be mailed"):
// - "back on X", "returning X", "wieder im Büro ab X", "de retour le X", "de vuelta el X", "rientro il X", "terug op X",
//   "wracam X", "tillbaka den X", "tilbage den X" → X;
// - "until X", "through X", "bis (einschließlich) X", "jusqu'au X", "hasta el X", "até X", "fino al X", "tot (en met) X",
//   "do X", "till (och med) X", "til (og med) X", and the end of a range "X – Y" / "from X to Y" → the day after X (away
//   up to and including X: "bis 12.01." is back on 13.01.). English "until Monday" is read the same way: never a day early;
// - a "back" statement wins over an "until" one; otherwise the first found.
// A date without a year is the next occurrence on or after the message's Date — except that one up to 30 days before it is
// kept in the past (a stale auto-reply "until 5 Jan" sent on 7 Jan is over, not a year away). A weekday is the next one
// strictly after the message date. Numeric dates are day first ('12/01/2027' is 12 January), except in English mail sent
// from a UTC offset of -03:00 or less (the Americas), where they are month first; a part over 12 decides either way.
import { DateTime } from 'luxon';
import type { Lang } from './patterns';
import { normalize } from './text';

const MONTHS: Record<Lang, Array<[string, number]>> = {
	en: pairs('january jan|february feb|march mar|april apr|may|june jun|july jul|august aug|september sep sept|october oct|november nov|december dec'),
	de: pairs('januar jan jänner jänn|februar feb feber|märz mär maerz|april apr|mai|juni jun|juli jul|august aug|september sep sept|oktober okt|november nov|dezember dez'),
	fr: pairs('janvier janv|février févr fevrier fev|mars|avril avr|mai|juin|juillet juil|août aout|septembre sept|octobre oct|novembre nov|décembre déc decembre dec'),
	es: pairs('enero ene|febrero feb|marzo mar|abril abr|mayo may|junio jun|julio jul|agosto ago|septiembre setiembre sep sept|octubre oct|noviembre nov|diciembre dic'),
	pt: pairs('janeiro jan|fevereiro fev|março marco mar|abril abr|maio mai|junho jun|julho jul|agosto ago|setembro set|outubro out|novembro nov|dezembro dez'),
	it: pairs('gennaio gen|febbraio feb|marzo mar|aprile apr|maggio mag|giugno giu|luglio lug|agosto ago|settembre sett set|ottobre ott|novembre nov|dicembre dic'),
	nl: pairs('januari jan|februari feb|maart mrt mar|april apr|mei|juni jun|juli jul|augustus aug|september sep sept|oktober okt|november nov|december dec'),
	pl: pairs('styczeń stycznia sty|luty lutego lut|marzec marca mar|kwiecień kwietnia kwi|maj maja|czerwiec czerwca cze|lipiec lipca lip|sierpień sierpnia sie|wrzesień września wrz|październik października paź|listopad listopada lis|grudzień grudnia gru'),
	sv: pairs('januari jan|februari feb|mars mar|april apr|maj|juni jun|juli jul|augusti aug|september sep sept|oktober okt|november nov|december dec'),
	da: pairs('januar jan|februar feb|marts mar|april apr|maj|juni jun|juli jul|august aug|september sep sept|oktober okt|november nov|december dec'),
};

// Luxon weekday numbers: Monday 1 … Sunday 7.
const WEEKDAYS: Record<Lang, Array<[string, number]>> = {
	en: pairs('monday|tuesday|wednesday|thursday|friday|saturday|sunday'),
	de: pairs('montag|dienstag|mittwoch|donnerstag|freitag|samstag sonnabend|sonntag'),
	fr: pairs('lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche'),
	es: pairs('lunes|martes|miércoles miercoles|jueves|viernes|sábado sabado|domingo'),
	pt: pairs('segunda-feira segunda|terça-feira terça-feira terca-feira terça|quarta-feira quarta|quinta-feira quinta|sexta-feira sexta|sábado sabado|domingo'),
	it: pairs('lunedì lunedi|martedì martedi|mercoledì mercoledi|giovedì giovedi|venerdì venerdi|sabato|domenica'),
	nl: pairs('maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag'),
	pl: pairs('poniedziałek poniedziałku poniedzialek|wtorek wtorku|środa środy środę sroda|czwartek czwartku|piątek piątku piatek|sobota soboty sobotę|niedziela niedzieli niedzielę'),
	sv: pairs('måndag måndagen|tisdag tisdagen|onsdag onsdagen|torsdag torsdagen|fredag fredagen|lördag lördagen|söndag söndagen'),
	da: pairs('mandag|tirsdag|onsdag|torsdag|fredag|lørdag|søndag'),
};

function pairs(spec: string): Array<[string, number]> {
	return spec.split('|').flatMap((names, i) => names.split(' ').map((n): [string, number] => [n, i + 1]));
}

const TOMORROW = /(?<![\p{L}])(?:tomorrow|morgen|demain|mañana|amanhã|domani|jutro|imorgon|i morgen)(?![\p{L}])/giu;

// What precedes a date: a return ("back on"), the end of the absence ("until"), or its start ("from" — a return only
// when a return word follows: "ab dem 12.01. wieder im Büro", "vanaf 12 januari ben ik weer aanwezig").
const BACK_BEFORE = new RegExp(
	'(?:' +
		[
			'back', 'return(?:ing|s)?', 'i return', 'in the office', 'in office', 'available', 'reachable', 'at my desk', 'resum(?:e|ing)',
			'zurück', 'wieder(?: im büro| erreichbar| da| verfügbar| für sie da| am arbeitsplatz)?', 'rückkehr',
			'de retour', 'retour(?: pr[ée]vu)?', 'je reviens', 'je reprendrai', 'reprise', 'disponible', 'joignable', 'rentrerai',
			'de vuelta', 'de regreso', 'regreso', 'regresar[ée]', 'volver[ée]', 'vuelvo', 'me reincorporo', 'reincorporar[ée]',
			'de volta', 'regresso', 'retorno', 'retornarei', 'voltarei', 'volto', 'dispon[íi]vel',
			'di ritorno', 'rientro(?: previsto)?', 'rientrer[òo]', 'torner[òo]', 'di nuovo in ufficio', 'disponibile',
			'weer(?: aanwezig| op kantoor| bereikbaar| beschikbaar)?', 'terug(?: op kantoor)?', 'aanwezig', 'bereikbaar', 'beschikbaar',
			'wracam', 'powr[óo]t(?: do biura)?', 'b[ęe]d[ęe] (?:ponownie )?(?:dost[ęe]pn[ya]|w biurze)', 'z powrotem', 'dost[ęe]pn[ya]',
			'tillbaka', 'åter', 'tillgänglig', 'tilbage', 'igen', 'tilg[æa]ngelig',
		].join('|') +
		')(?: (?:to|in|at|au|a la|ao|do|på|im|zur|al|op|na|in the|to the|at the) (?:office|work|desk|bureau|oficina|escrit[óo]rio|ufficio|lavoro|biura|pracy|kontoret|jobbet|arbejde|arbeit|büro|kantoor|werk|travail|trabajo|trabalho))?(?: again| igen)?' +
		'(?: on| from| by| at| am| ab| ab dem| ab den| dem| den| zum| le| à partir du| dès le| à compter du| el| a partir del| desde el| el d[íi]a| em| no dia| a partir de| a partir do dia| dia| il| dal| a partire dal| da| op| vanaf| per| w dniu| dnia| od| w| we| på| från| från och med| fra| fra og med| om| the)*\\s*$',
	'u',
);
const UNTIL_BEFORE = new RegExp(
	'(?:until|till|til|through|thru|up to and including|up until|bis(?: einschlie(?:ß|ss)lich| einschl\\.| inkl\\.| und mit)?|jusqu\'(?:au|à|a)|jusqu au|hasta|até|ate|fino (?:al|a|alla)|sino (?:al|a)|tot en met|t/m|tot|do|till och med|t\\.o\\.m\\.?|fram till|til og med|indtil|frem til)' +
		'(?: and including| einschlie(?:ß|ss)lich| zum| am| den| dem| le| el| el d[íi]a| o dia| dia| ao dia| o| a| giorno| dnia| den)*\\s*$',
	'u',
);
const FROM_BEFORE = /(?:^|[^\p{L}])(?:ab|vom|von|seit|from|à partir du|à partir de|dès le|à compter du|a partir del|a partir de|a partire dal|a partire da|dal|vanaf|van|od|från och med|fra og med|fra|från)(?: dem| den| le| el| o dia| il| dnia| the)?\s*$/u;
const RETURN_AFTER = /^[\s,.]*(?:(?:bin|ist|ben|je suis|estoy|estou|sono|jestem|är|er|i am|i'm|i will be|i'll be|ich|ik|jag|jeg|werde|will|sarò|serai|estaré|estarei|będę)\s+){0,3}(?:ich\s+|ik\s+)?(?:wieder|zurück|erreichbar|weer|terug|de retour|de nouveau|à nouveau|de vuelta|de nuevo|de volta|novamente|di nuovo|rientro|z powrotem|ponownie|tillbaka|åter|tilbage|igen|back|available|again|in the office)/u;
const RANGE_SEP = /^\s*(?:-|–|—|to|au|al|a|tot|do|till|til|bis|until|through|à|t\/m)\s*$/u;

interface Found {
	start: number;
	end: number;
	date?: DateTime;
	weekday?: number;
	relative?: number;
}

/** The first day back an out-of-office states, as 'YYYY-MM-DD', relative to the message's date; undefined when none is stated. */
export function returnDate(text: string, sentAt: DateTime, lang: Lang | undefined): string | undefined {
	const t = normalize(text.slice(0, 6000));
	const langs: Lang[] = lang ? [...new Set<Lang>([lang, 'en'])] : (Object.keys(MONTHS) as Lang[]);
	const monthFirst = lang === 'en' && sentAt.offset <= -180;
	const found = findDates(t, langs, sentAt, monthFirst);
	let back: DateTime | undefined;
	let until: DateTime | undefined;
	let prevEnd = -100;
	for (const f of found) {
		const before = t.slice(Math.max(0, f.start - 60), f.start);
		const after = t.slice(f.end, f.end + 60);
		const day = resolve(f, sentAt);
		const isRangeEnd = f.start - prevEnd <= 6 && RANGE_SEP.test(t.slice(Math.max(0, prevEnd), f.start));
		prevEnd = f.end;
		if (!day) continue;
		if (UNTIL_BEFORE.test(before) || isRangeEnd) {
			if (!until) until = day.plus({ days: 1 });
		} else if (BACK_BEFORE.test(before) || RETURN_AFTER.test(after)) {
			if (!back) back = day;
		} else if (FROM_BEFORE.test(before)) {
			// The first day of the absence: not a return.
		}
	}
	const pick = back ?? until;
	if (!pick) return undefined;
	const days = pick.diff(sentAt.startOf('day'), 'days').days;
	if (days < -60 || days > 550) return undefined;
	return pick.toISODate() ?? undefined;
}

/** Every date expression in a normalised text, in order, a weekday merged into the date it introduces. */
function findDates(t: string, langs: Lang[], sentAt: DateTime, monthFirst: boolean): Found[] {
	const monthNames = new Map<string, number>();
	const dayNames = new Map<string, number>();
	for (const l of langs) {
		for (const [n, m] of MONTHS[l]) if (!monthNames.has(n)) monthNames.set(n, m);
		for (const [n, d] of WEEKDAYS[l]) if (!dayNames.has(n)) dayNames.set(n, d);
	}
	const mAlt = alternation([...monthNames.keys()]);
	const dAlt = alternation([...dayNames.keys()]);
	const out: Found[] = [];
	const year = sentAt.year;
	const push = (start: number, end: number, y: number | undefined, m: number, d: number) => {
		const yy = y === undefined ? undefined : y < 100 ? 2000 + y : y;
		if (yy !== undefined && (yy < year - 1 || yy > year + 3)) return;
		const date = inferYear(yy, m, d, sentAt);
		if (date) out.push({ start, end, date });
	};
	for (const m of t.matchAll(/(?<![\d.])(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)/g)) push(m.index, m.index + m[0].length, Number(m[1]), Number(m[2]), Number(m[3]));
	for (const m of t.matchAll(/(?<![\d.\/:-])(\d{1,2})([./-])(\d{1,2})(?:\2(\d{4}|\d{2})(?!\d))?\.?(?![\d\/:]|\.\d)/g)) {
		const a = Number(m[1]);
		const b = Number(m[3]);
		if (m[2] === '-' && !m[4]) continue; // '22-05' is as likely a range of days as a date.
		const mf = a <= 12 && (b > 12 || (monthFirst && m[2] === '/'));
		push(m.index, m.index + m[0].length, m[4] ? Number(m[4]) : undefined, mf ? a : b, mf ? b : a);
	}
	const dayMonth = new RegExp(`(?<![\\d\\p{L}])(\\d{1,2})(?:st|nd|rd|th|er|re|e|º|ª|°|\\.)?\\s*(?:of\\s+|de\\s+|di\\s+)?(${mAlt})\\.?(?![\\p{L}])(?:,?\\s*(?:de\\s+|del\\s+)?(\\d{4})(?!\\d))?`, 'gu');
	for (const m of t.matchAll(dayMonth)) push(m.index, m.index + m[0].length, m[3] ? Number(m[3]) : undefined, monthNames.get(m[2]) ?? 0, Number(m[1]));
	const monthDay = new RegExp(`(?<![\\p{L}])(${mAlt})\\.?\\s+(?:the\\s+)?(\\d{1,2})(?:st|nd|rd|th)?(?![\\d\\p{L}])(?:,?\\s*(\\d{4})(?!\\d))?`, 'gu');
	for (const m of t.matchAll(monthDay)) push(m.index, m.index + m[0].length, m[3] ? Number(m[3]) : undefined, monthNames.get(m[1]) ?? 0, Number(m[2]));
	const weekday = new RegExp(`(?<![\\p{L}])(?:next\\s+|this\\s+|nächsten\\s+|kommenden\\s+|prochain\\s+)?(${dAlt})(?![\\p{L}])`, 'gu');
	const dates = [...out];
	for (const m of t.matchAll(weekday)) {
		const start = m.index;
		const end = start + m[0].length;
		// "Monday, 12 January", "Montag, den 12.01.", "lundi 12 janvier": the weekday only introduces the date.
		const next = dates.find((d) => d.start >= end && d.start - end <= 8 && /^[\s,]*(?:the|den|le|el|il|o|dem|w|de)?[\s,]*$/u.test(t.slice(end, d.start)));
		if (next) {
			next.start = start;
			continue;
		}
		if (dates.some((d) => start >= d.start && start < d.end)) continue;
		out.push({ start, end, weekday: dayNames.get(m[1]) });
	}
	for (const m of t.matchAll(TOMORROW)) out.push({ start: m.index, end: m.index + m[0].length, relative: 1 });
	// Overlaps (a numeric date inside a longer match) keep the longer one.
	out.sort((a, b) => a.start - b.start || b.end - a.end);
	const kept: Found[] = [];
	for (const f of out) if (!kept.some((k) => f.start < k.end && f.end > k.start)) kept.push(f);
	return kept;
}

function alternation(names: string[]): string {
	return names
		.sort((a, b) => b.length - a.length)
		.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
		.join('|');
}

function inferYear(year: number | undefined, month: number, day: number, sentAt: DateTime): DateTime | undefined {
	if (month < 1 || month > 12 || day < 1 || day > 31) return undefined;
	const make = (y: number) => {
		const d = DateTime.fromObject({ year: y, month, day }, { zone: 'UTC' });
		return d.isValid ? d : undefined;
	};
	if (year !== undefined) return make(year);
	const sent = DateTime.fromObject({ year: sentAt.year, month: sentAt.month, day: sentAt.day }, { zone: 'UTC' });
	const same = make(sent.year);
	if (same && same.diff(sent, 'days').days >= -30) return same;
	return make(sent.year + 1);
}

function resolve(f: Found, sentAt: DateTime): DateTime | undefined {
	const sent = DateTime.fromObject({ year: sentAt.year, month: sentAt.month, day: sentAt.day }, { zone: 'UTC' });
	if (f.date) return f.date;
	if (f.relative) return sent.plus({ days: f.relative });
	if (f.weekday) {
		let d = sent.plus({ days: 1 });
		while (d.weekday !== f.weekday) d = d.plus({ days: 1 });
		return d;
	}
	return undefined;
}
