// Automatic answers in ten languages: out-of-office ("away until the day before the return date") and left-company
// (with a contact to write to instead). With headers: false they come as many clients and gateways send them, unmarked.
import { DateTime } from 'luxon';
import { badRequest } from '../errors';
import type { StoredMessage } from '../store';
import { buildSimple } from '../builders';
import { domainOf, leadOf, ourFrom, threading, type AnswerOptions } from './common';

/** Languages the sandbox writes automatic answers in. */
export const AUTO_LANGS = ['en', 'de', 'fr', 'es', 'pt', 'it', 'nl', 'pl', 'sv', 'da'] as const;

type Lang = (typeof AUTO_LANGS)[number];

interface Words {
	/** Subject prefix of an automatic answer. */
	subject: string;
	/** Date format of the last day away (luxon, in the language's locale). */
	date: string;
	/** Out-of-office text; {d} is the last day away. */
	away: string;
	/** Left-company text; {n} the lead's name, {c} the company, {a} the contact. */
	left: string;
}

const WORDS: Record<Lang, Words> = {
	en: { subject: 'Automatic reply', date: 'MMMM d, yyyy', away: 'Thank you for your email. I am out of the office until {d} with limited access to email and will reply when I am back.', left: '{n} is no longer with {c}. Please send your message to {a} instead; this mailbox is no longer monitored.' },
	de: { subject: 'Automatische Antwort', date: 'dd.MM.yyyy', away: 'Vielen Dank für Ihre Nachricht. Ich bin bis einschließlich {d} nicht im Büro und habe nur eingeschränkt Zugriff auf meine E-Mails.', left: '{n} ist nicht mehr bei {c} tätig. Bitte wenden Sie sich an {a}. Dieses Postfach wird nicht mehr gelesen.' },
	fr: { subject: 'Réponse automatique', date: 'd MMMM yyyy', away: "Merci pour votre message. Je suis absent du bureau jusqu'au {d} inclus, avec un accès limité à mes e-mails.", left: "{n} ne fait plus partie de {c}. Merci d'écrire à {a} ; cette boîte n'est plus consultée." },
	es: { subject: 'Respuesta automática', date: "d 'de' MMMM 'de' yyyy", away: 'Gracias por su mensaje. Estoy fuera de la oficina hasta el {d} con acceso limitado al correo electrónico.', left: '{n} ya no trabaja en {c}. Por favor, escriba a {a}; este buzón ya no se revisa.' },
	pt: { subject: 'Resposta automática', date: "d 'de' MMMM 'de' yyyy", away: 'Obrigado pela sua mensagem. Estou fora do escritório até {d}, com acesso limitado ao e-mail.', left: '{n} já não trabalha na {c}. Por favor, contacte {a}; esta caixa de correio já não é lida.' },
	it: { subject: 'Risposta automatica', date: 'd MMMM yyyy', away: "Grazie per il suo messaggio. Sono fuori ufficio fino al {d} compreso, con accesso limitato alla posta elettronica.", left: '{n} non lavora più presso {c}. La preghiamo di scrivere a {a}; questa casella non è più consultata.' },
	nl: { subject: 'Automatisch antwoord', date: 'd MMMM yyyy', away: 'Bedankt voor uw bericht. Ik ben tot en met {d} afwezig en heb beperkt toegang tot mijn e-mail.', left: '{n} is niet meer werkzaam bij {c}. Neem contact op met {a}; deze mailbox wordt niet meer gelezen.' },
	pl: { subject: 'Automatyczna odpowiedź', date: 'dd.MM.yyyy', away: 'Dziękuję za wiadomość. Jestem poza biurem do {d} włącznie, z ograniczonym dostępem do poczty.', left: '{n} nie pracuje już w {c}. Prosimy o kontakt z {a}; ta skrzynka nie jest już czytana.' },
	sv: { subject: 'Automatiskt svar', date: 'd MMMM yyyy', away: 'Tack för ditt meddelande. Jag är ledig till och med {d} och har begränsad tillgång till e-post.', left: '{n} arbetar inte längre på {c}. Vänligen kontakta {a}; den här brevlådan läses inte längre.' },
	da: { subject: 'Automatisk svar', date: "d'.' MMMM yyyy", away: 'Tak for din mail. Jeg er på ferie til og med {d} og har begrænset adgang til e-mail.', left: '{n} er ikke længere ansat hos {c}. Kontakt venligst {a}; denne postkasse læses ikke længere.' },
};

/** Builds an out-of-office or left-company answer from the lead to a message the mailbox sent. */
export function buildAuto(sent: StoredMessage, mailbox: string, kind: 'out-of-office' | 'left-company', o: AnswerOptions, now: number): string {
	const lang = (o.lang ?? 'en') as Lang;
	if (!AUTO_LANGS.includes(lang)) throw badRequest(`lang must be one of ${AUTO_LANGS.join(', ')}`);
	const w = WORDS[lang];
	const lead = leadOf(sent);
	let text = o.text;
	if (text === undefined && kind === 'out-of-office') {
		const back = o.returnDate ? DateTime.fromISO(o.returnDate, { zone: 'utc' }) : DateTime.fromMillis(now, { zone: 'utc' }).plus({ days: 7 }).startOf('day');
		if (!back.isValid) throw badRequest('returnDate must be a date YYYY-MM-DD');
		text = w.away.replace('{d}', back.minus({ days: 1 }).setLocale(lang).toFormat(w.date));
	}
	if (text === undefined) {
		const domain = domainOf(lead.address);
		const company = domain.split('.')[0].replace(/(^|-)\w/g, (s) => s.toUpperCase()).replace(/-/g, ' ');
		text = w.left.replace('{n}', lead.name || lead.address).replace('{c}', company).replace('{a}', o.alternateContact ?? `info@${domain}`);
	}
	const marked = o.headers !== false;
	return buildSimple(
		{
			to: ourFrom(sent, mailbox),
			from: lead.display,
			subject: `${w.subject}: ${sent.parsed.subject}`,
			text,
			...threading(sent),
			headers: marked ? { 'Auto-Submitted': 'auto-replied', 'X-Autoreply': 'yes', 'X-Auto-Response-Suppress': 'All' } : undefined,
		},
		now,
	);
}
