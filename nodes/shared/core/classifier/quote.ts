// The sender's own words: the quoted earlier message (attribution lines in ten languages, Outlook header blocks,
// '>' lines, separators) and the signature cut away. Our own email — footer "unsubscribe" link included — is in the quote.
import { decodeEntities } from '../template';

// The verb that ends an attribution line: "On … wrote:", "Am … schrieb …:", "Le … a écrit :", "W dniu … napisał(a):", "Den … skrev …:".
const ATTRIBUTION_VERB = /(?:wrote|writes|schrieb|a écrit|a ecrit|escribió|escribio|escreveu|ha scritto|scrive|schreef|pisze|napisał\(a\)|napisał|napisała|skrev)(?:\s[^\n:]{0,160})?:\s*$/i;
// Attribution lines start with a date phrase or end with a name and an address; either way they are short.
const ATTRIBUTION_START = /^\s*(?:on|am|le|el|em|il|op|w dniu|den|dnia|\d|[a-zà-ÿ]{2,10}\.?,?\s+\d)/i;

const SEPARATOR = new RegExp(
	'^\\s*[-_=*]{2,}\\s*(?:original message|original e-?mail|ursprüngliche nachricht|originalnachricht|message d\'origine|message original|mensaje original|mensagem original|' +
		'messaggio originale|oorspronkelijk bericht|origineel bericht|wiadomość oryginalna|oryginalna wiadomość|ursprungligt meddelande|originalmeddelande|oprindelig meddelelse|' +
		'original meddelelse|forwarded message|weitergeleitete nachricht|message transféré|mensaje reenviado|mensagem encaminhada|messaggio inoltrato|doorgestuurd bericht|' +
		'przekazana wiadomość|vidarebefordrat meddelande|videresendt meddelelse|reply message|antwort)\\s*[-_=*]*\\s*$',
	'i',
);
const UNDERSCORES = /^\s*_{10,}\s*$/;

// An Outlook-style header block: "From:" then, within a few lines, "Sent:/Date:/To:/Subject:" (in the client's language).
const BLOCK_FROM = /^\s*\*?(?:from|von|de|da|van|od|från|fra|absender)\s*:\s*\*?\s*\S/i;
const BLOCK_FIELD = /^\s*\*?(?:sent|date|to|cc|subject|gesendet|datum|an|betreff|envoyé(?: le)?|date d'envoi|à|objet|enviado(?: el)?|fecha|para|asunto|enviada em|data|assunto|inviato|a|oggetto|verzonden|aan|onderwerp|wysłano|wysłane|data|do|temat|skickat|till|ämne|sendt|til|emne|kopie|cc)\s*:/i;

// Client taglines, not words: "Sent from my iPhone", "Von meinem iPhone gesendet", "Get Outlook for iOS".
const TAGLINE = /^\s*(?:sent from|sent via|sent with|envoyé de|envoyé depuis|enviado desde|enviado do|enviado de|inviato da|verzonden (?:vanaf|met)|wysłane z|skickat från|sendt fra|von meinem|gesendet von|get outlook for|holen sie sich outlook|obtenir outlook|obtener outlook|baixe o outlook|scarica outlook|download outlook)\b.{0,80}$/i;

/** The sender's own text of a plain-text body: quoted history, '>' lines, signature and taglines removed (max ~2,000 chars). */
export function ownWords(text: string, max = 2000): string {
	return splitReply(text, max).own;
}

/** The own words of a plain-text body, and whether it quotes an earlier message. */
export function splitReply(text: string, max = 2000): { own: string; quoted: boolean } {
	const lines = text.replace(/\r\n?/g, '\n').slice(0, 200_000).split('\n');
	const cut = quoteStart(lines);
	let quoted = cut < lines.length && lines.slice(cut).some((l) => l.trim() !== '');
	const out: string[] = [];
	for (let i = 0; i < cut; i++) {
		const line = lines[i];
		if (/^\s*>/.test(line)) {
			quoted = true;
			continue;
		}
		if (/^-- ?$/.test(line) && out.some((l) => l.trim() !== '')) break;
		if (TAGLINE.test(line)) continue;
		out.push(line);
	}
	const own = out.join('\n').replace(/\n{3,}/g, '\n\n').trim();
	return { own: own.length > max ? own.slice(0, max) : own, quoted };
}

/** The index of the first line of quoted history (lines.length when there is none). */
function quoteStart(lines: string[]): number {
	const n = Math.min(lines.length, 5000);
	for (let i = 0; i < n; i++) {
		const line = lines[i].length > 400 ? lines[i].slice(0, 400) : lines[i];
		if (SEPARATOR.test(line)) return i;
		if (UNDERSCORES.test(line) && BLOCK_FROM.test(nextNonEmpty(lines, i) ?? '')) return i;
		if (BLOCK_FROM.test(line) && isHeaderBlock(lines, i)) return i;
		// An attribution may be wrapped over up to three lines ("On Mon, 5 Jan 2026 at 10:00, Ann <\nann@x.com> wrote:").
		for (let span = 1; span <= 3 && i + span <= n; span++) {
			const group = lines.slice(i, i + span);
			if (group.some((l) => l.trim() === '')) break;
			const joined = group.join(' ');
			if (joined.length > 400) break;
			if (ATTRIBUTION_VERB.test(joined) && (ATTRIBUTION_START.test(joined) || /@|\d{1,2}:\d{2}/.test(joined) || followedByQuote(lines, i + span))) return i;
		}
		if (/^\s*>/.test(line) && followedByQuote(lines, i) && lines.slice(i, i + 3).every((l) => /^\s*>/.test(l) || l.trim() === '')) {
			// A quoted block with no attribution: from here on it is history unless own text follows (inline replies keep theirs).
			const rest = lines.slice(i).filter((l) => l.trim() !== '');
			if (rest.every((l) => /^\s*>/.test(l))) return i;
		}
	}
	return lines.length;
}

function nextNonEmpty(lines: string[], i: number): string | undefined {
	for (let j = i + 1; j < Math.min(lines.length, i + 4); j++) if (lines[j].trim() !== '') return lines[j];
	return undefined;
}

function followedByQuote(lines: string[], i: number): boolean {
	for (let j = i; j < Math.min(lines.length, i + 3); j++) {
		if (lines[j].trim() === '') continue;
		return /^\s*>/.test(lines[j]);
	}
	return false;
}

function isHeaderBlock(lines: string[], i: number): boolean {
	let fields = 0;
	for (let j = i + 1; j < Math.min(lines.length, i + 6); j++) if (BLOCK_FIELD.test(lines[j])) fields++;
	return fields >= 2;
}

/** The own words of a Gmail snippet (one line, HTML-escaped, quoted history inline). */
export function snippetWords(snippet: string): string {
	let s = decodeEntities(snippet).replace(/\s+/g, ' ').trim();
	const verb = /(?:wrote|schrieb|a écrit|escribió|escreveu|ha scritto|schreef|napisał\(a\)|napisał|napisała|pisze|skrev)[^:]{0,100}:/i.exec(s);
	if (verb) {
		// Back up to the attribution's opening ("On", "Am", "Le", …) within 200 characters.
		const before = s.slice(Math.max(0, verb.index - 200), verb.index);
		const opens = [...before.matchAll(/(?:^|\s)(?:On|Am|Le|El|Em|Il|Op|W dniu|Den|Dnia)\s/g)];
		const last = opens.length ? opens[opens.length - 1] : undefined;
		s = s.slice(0, last ? verb.index - before.length + (last.index ?? 0) : verb.index);
	}
	const other = /\s(?:-{3,}|_{10,}|From: .{0,120}Sent: |Von: .{0,120}Gesendet: |De : .{0,120}Envoyé : |De: .{0,120}Enviado|&gt;|> )/i.exec(s);
	if (other) s = s.slice(0, other.index);
	return s.trim();
}
