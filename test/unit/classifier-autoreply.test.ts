import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyMessage } from '../../nodes/shared/core/classify';

const OURS = { ourAddresses: ['olivia@ours.test'] };
const QUOTE = '\n\nOn Mon, 15 Dec 2025 at 09:00, Olivia <olivia@ours.test> wrote:\n> Hi,\n> would a short call help?\n> Not interested? Unsubscribe: https://ours.test/u/k1\n';

/** A reply from the lead (text/plain, UTF-8, quoted-printable-free), headers overridable; '' drops a header. */
function reply(body: string, headers: Record<string, string> = {}): string {
	const h: Record<string, string> = {
		From: 'Lead <lead@acme.test>', To: 'Olivia <olivia@ours.test>', Subject: 'Re: Quick question', Date: 'Wed, 17 Dec 2025 10:00:00 +0100',
		'Message-ID': '<r1@acme.test>', 'In-Reply-To': '<m1@ours.test>', 'MIME-Version': '1.0', 'Content-Type': 'text/plain; charset=utf-8', ...headers,
	};
	const lines = Object.entries(h).filter(([, v]) => v !== '').map(([k, v]) => `${k}: ${v}`);
	return [...lines, '', body].join('\r\n').replace(/\r?\n/g, '\r\n');
}

/** An RFC 2047 B-encoded subject (how non-ASCII subjects travel). */
function subject(s: string): string {
	return /^[\x20-\x7e]*$/.test(s) ? s : `=?UTF-8?B?${Buffer.from(s).toString('base64')}?=`;
}

test('auto-reply headers: each marker alone makes an auto_reply, never human', () => {
	const markers: Array<[string, string, RegExp]> = [
		['Auto-Submitted', 'auto-replied', /Auto-Submitted: auto-replied/],
		['Auto-Submitted', 'auto-generated; owner-email="x@acme.test"', /auto-generated/],
		['X-Autoreply', 'yes', /X-Autoreply/],
		['X-Autorespond', 'Out of office', /X-Autorespond/],
		['X-Auto-Response-Suppress', 'All', /X-Auto-Response-Suppress/],
		['Precedence', 'auto_reply', /Precedence: auto_reply/],
		['Precedence', 'bulk', /Precedence: bulk/],
		['Precedence', 'junk', /Precedence: junk/],
		['X-MS-Exchange-Inbox-Rules-Loop', 'lead@acme.test', /Inbox-Rules-Loop/],
		['X-MS-Exchange-Generated-Message-Source', 'Mailbox Rules Agent', /Mailbox Rules Agent/],
		['X-Mailer', 'Vacation/1.2.7', /X-Mailer/],
		['Return-Path', '<>', /null Return-Path/],
	];
	for (const [name, value, reason] of markers) {
		const r = classifyMessage(reply('Thanks, sounds great, let us talk on Tuesday?', { [name]: value }), OURS);
		assert.equal(r.kind, 'auto_reply', `${name}: ${value}`);
		assert.match(r.reason, reason);
	}
	assert.equal(classifyMessage(reply('Sounds great.', { 'Auto-Submitted': 'no' }), OURS).kind, 'human');
	assert.equal(classifyMessage(reply('Sounds great.', { Precedence: 'first-class' }), OURS).kind, 'human');
});

// Exchange's localised "Automatic reply:" subjects, with the usual away text, in all ten languages.
const subjects: Array<[string, string, string, string]> = [
	['en', 'Automatic reply: Quick question', 'I am out of the office until 5 January 2026 with no access to email.', '2026-01-06'],
	['de', 'Automatische Antwort: Kurze Frage', 'Ich bin bis einschließlich 05.01.2026 nicht im Büro.', '2026-01-06'],
	['fr', 'Réponse automatique : Petite question', 'Je suis absent du bureau jusqu\'au 5 janvier inclus.', '2026-01-06'],
	['es', 'Respuesta automática: Pregunta rápida', 'Estoy fuera de la oficina hasta el 5 de enero.', '2026-01-06'],
	['pt', 'Resposta automática: Pergunta rápida', 'Estou ausente até 05/01/2026, com acesso limitado ao e-mail.', '2026-01-06'],
	['it', 'Risposta automatica: Domanda veloce', 'Sono fuori ufficio fino al 5 gennaio.', '2026-01-06'],
	['nl', 'Automatisch antwoord: Korte vraag', 'Ik ben afwezig tot en met 5 januari.', '2026-01-06'],
	['pl', 'Odpowiedź automatyczna: Krótkie pytanie', 'Jestem poza biurem do 5 stycznia 2026.', '2026-01-06'],
	['sv', 'Autosvar: Snabb fråga', 'Jag är på semester till och med den 5 januari.', '2026-01-06'],
	['da', 'Automatisk svar: Hurtigt spørgsmål', 'Jeg er på ferie til og med 5. januar.', '2026-01-06'],
];
for (const [lang, subj, text, back] of subjects) {
	test(`out-of-office with an Exchange subject and header (${lang}): "${subj}"`, () => {
		const r = classifyMessage(reply(text, { Subject: subject(subj), 'X-Auto-Response-Suppress': 'All' }), OURS);
		assert.equal(r.kind, 'auto_reply');
		assert.equal(r.autoReplyType, 'out_of_office');
		assert.equal(r.returnDate, back);
		assert.equal(r.language, lang);
	});
	test(`out-of-office recognised by its subject alone (${lang})`, () => {
		const r = classifyMessage(reply(text, { Subject: subject(subj) }), OURS);
		assert.equal(r.kind, 'auto_reply');
		assert.equal(r.autoReplyType, 'out_of_office');
	});
}

// The required scenario: an out-of-office with NO auto-reply header and a plain "Re:" subject, in ten languages.
const headerless: Array<[string, string, string]> = [
	['en', 'Thank you for your email. I am on annual leave until Friday 9 January and will reply when I am back.', '2026-01-10'],
	['de', 'Vielen Dank für Ihre Nachricht.\n\nIch bin bis 12.01. nicht im Büro. In dringenden Fällen wenden Sie sich bitte an maria@acme.test.', '2026-01-13'],
	['fr', 'Bonjour,\n\nJe suis absent jusqu\'au 12 janvier. Je répondrai à votre message dès mon retour.', '2026-01-13'],
	['es', 'Gracias por su mensaje. Estoy fuera de la oficina hasta el 12 de enero y responderé a mi regreso.', '2026-01-13'],
	['pt', 'Obrigado pela sua mensagem. Estou ausente até 12 de janeiro, com acesso limitado ao e-mail.', '2026-01-13'],
	['it', 'Grazie per il messaggio. Sono fuori ufficio fino al 12 gennaio, risponderò al mio rientro.', '2026-01-13'],
	['nl', 'Bedankt voor uw bericht. Ik ben afwezig tot en met 12 januari en beperkt bereikbaar.', '2026-01-13'],
	['pl', 'Dziękuję za wiadomość. Jestem poza biurem do 12 stycznia, po powrocie odpowiem.', '2026-01-13'],
	['sv', 'Tack för ditt mejl. Jag är på semester till 12 januari och har begränsad tillgång till e-post.', '2026-01-13'],
	['da', 'Tak for din mail. Jeg er på ferie til og med 12. januar og svarer, når jeg er tilbage.', '2026-01-13'],
];
for (const [lang, text, back] of headerless) {
	test(`out-of-office without any auto-reply header (${lang})`, () => {
		const r = classifyMessage(reply(text), OURS);
		assert.equal(r.kind, 'auto_reply', r.reason);
		assert.equal(r.autoReplyType, 'out_of_office');
		assert.equal(r.returnDate, back);
		assert.equal(r.language, lang);
		assert.match(r.reason, /no automatic-reply header/);
	});
}

test('a German "Ich bin bis 12.01. nicht im Büro" with no header at all is an out-of-office back on 13.01.', () => {
	const r = classifyMessage(reply('Ich bin bis 12.01. nicht im Büro.', { 'In-Reply-To': '', Subject: 'Re: Angebot' }), OURS);
	assert.equal(r.kind, 'auto_reply');
	assert.equal(r.autoReplyType, 'out_of_office');
	assert.equal(r.returnDate, '2026-01-13');
	assert.equal(r.language, 'de');
});

test('return dates relative to the message Date, and "back on" versus "until"', () => {
	const cases: Array<[string, string, string]> = [
		['I will be back in the office on Monday, January 12th.', 'Wed, 17 Dec 2025 10:00:00 +0000', '2026-01-12'],
		['I am out of the office, returning on 2026-01-12.', 'Wed, 17 Dec 2025 10:00:00 +0000', '2026-01-12'],
		['Out of office through Jan 9th.', 'Wed, 17 Dec 2025 10:00:00 +0000', '2026-01-10'],
		['Ich bin vom 22.12. bis 05.01. im Urlaub. Ab dem 06.01. bin ich wieder erreichbar.', 'Fri, 19 Dec 2025 10:00:00 +0100', '2026-01-06'],
		['Ich bin bis zum 31.12. im Urlaub.', 'Sat, 20 Dec 2025 10:00:00 +0100', '2026-01-01'],
		['Je serai de retour le 12 janvier.', 'Wed, 17 Dec 2025 10:00:00 +0100', '2026-01-12'],
		['Estoy de vacaciones. Estaré de vuelta el 12 de enero.', 'Wed, 17 Dec 2025 10:00:00 +0100', '2026-01-12'],
		['Estou de férias, de volta em 12/01.', 'Wed, 17 Dec 2025 10:00:00 +0000', '2026-01-12'],
		['Sono in ferie, rientro il 12 gennaio.', 'Wed, 17 Dec 2025 10:00:00 +0100', '2026-01-12'],
		['Ik ben met vakantie. Vanaf 12 januari ben ik weer aanwezig.', 'Wed, 17 Dec 2025 10:00:00 +0100', '2026-01-12'],
		['Jestem na urlopie. Wracam 12 stycznia.', 'Wed, 17 Dec 2025 10:00:00 +0100', '2026-01-12'],
		['Jag är ledig och tillbaka den 12 januari.', 'Wed, 17 Dec 2025 10:00:00 +0100', '2026-01-12'],
		['Jeg er på ferie og tilbage den 12. januar.', 'Wed, 17 Dec 2025 10:00:00 +0100', '2026-01-12'],
		['I am out of the office until Monday.', 'Wed, 17 Dec 2025 10:00:00 +0000', '2025-12-23'],
		['I am away from 22/12 - 05/01 with no access to email.', 'Fri, 19 Dec 2025 10:00:00 +0000', '2026-01-06'],
		['I am out of the office until 01/12/2026.', 'Wed, 17 Dec 2025 10:00:00 -0500', '2026-01-13'],
	];
	for (const [text, date, back] of cases) {
		const r = classifyMessage(reply(text, { Date: date, 'Auto-Submitted': 'auto-replied' }), OURS);
		assert.equal(r.autoReplyType, 'out_of_office', text);
		assert.equal(r.returnDate, back, text);
	}
});

const left: Array<[string, string, string]> = [
	['en', 'Thank you for your message. Lead is no longer with Acme. Please contact jane@acme.test instead.', 'jane@acme.test'],
	['de', 'Herr Lead ist nicht mehr im Unternehmen tätig. Bitte wenden Sie sich an jane@acme.test.', 'jane@acme.test'],
	['fr', 'M. Lead ne fait plus partie de la société. Merci de contacter jane@acme.test.', 'jane@acme.test'],
	['es', 'Lead ya no trabaja en Acme. Por favor, contacte con jane@acme.test.', 'jane@acme.test'],
	['pt', 'O Lead não faz mais parte da empresa. Por favor, entre em contato com jane@acme.test.', 'jane@acme.test'],
	['it', 'Lead non lavora più presso Acme. Per favore contattare jane@acme.test.', 'jane@acme.test'],
	['nl', 'Lead is niet meer werkzaam bij Acme. Neem contact op met jane@acme.test.', 'jane@acme.test'],
	['pl', 'Pan Lead nie pracuje już w firmie Acme. Prosimy o kontakt z jane@acme.test.', 'jane@acme.test'],
	['sv', 'Lead har slutat på Acme. Kontakta jane@acme.test i stället.', 'jane@acme.test'],
	['da', 'Lead er fratrådt og ikke længere ansat hos Acme. Skriv til jane@acme.test.', 'jane@acme.test'],
];
for (const [lang, text, alt] of left) {
	test(`left the company (${lang}) names the alternate contact`, () => {
		const r = classifyMessage(reply(text, { 'Auto-Submitted': 'auto-replied' }), OURS);
		assert.equal(r.kind, 'auto_reply');
		assert.equal(r.autoReplyType, 'left_company');
		assert.equal(r.alternateContact, alt);
		assert.equal(r.language, lang);
	});
}

test('left the company without any header is still left_company', () => {
	const r = classifyMessage(reply('Lead has left the company. For anything regarding scheduling please email jane@acme.test.'), OURS);
	assert.equal(r.kind, 'auto_reply');
	assert.equal(r.autoReplyType, 'left_company');
	assert.equal(r.alternateContact, 'jane@acme.test');
});

test('the alternate contact is never our address nor the sender\'s own', () => {
	const text = 'lead@acme.test is no longer monitored: this mailbox is no longer active. Write to olivia@ours.test? No: please contact jane@acme.test.';
	const r = classifyMessage(reply(text, { 'Auto-Submitted': 'auto-replied' }), OURS);
	assert.equal(r.autoReplyType, 'left_company');
	assert.equal(r.alternateContact, 'jane@acme.test');
	const none = classifyMessage(reply('This mailbox is no longer monitored. lead@acme.test', { 'Auto-Submitted': 'auto-replied' }), OURS);
	assert.equal(none.alternateContact, undefined);
});

test('challenge-response and sender verification', () => {
	const boxbe = classifyMessage(reply('Hello, I use Boxbe to prioritise my email. Click the link below to be added to my guest list.', { From: 'Lead via Boxbe <notification@boxbe.com>', Subject: 'Request to join my guest list' }), OURS);
	assert.equal(boxbe.kind, 'auto_reply');
	assert.equal(boxbe.autoReplyType, 'challenge');
	const verify = classifyMessage(reply('Your message is being held. Please verify that you are a real person by clicking the link below.', { 'Auto-Submitted': 'auto-replied', Subject: 'Please verify your email' }), OURS);
	assert.equal(verify.autoReplyType, 'challenge');
});

test('ticket acknowledgements are auto_reply "other"', () => {
	const zendesk = classifyMessage(reply('We have received your request (ticket #48213). One of our agents will get back to you shortly. Please do not reply to this email.', { 'Auto-Submitted': 'auto-generated', Subject: '[Support] Re: Quick question' }), OURS);
	assert.equal(zendesk.kind, 'auto_reply');
	assert.equal(zendesk.autoReplyType, 'other');
	const headerlessTicket = classifyMessage(reply('This is an automated response. We have received your message and a ticket number has been assigned.'), OURS);
	assert.equal(headerlessTicket.kind, 'auto_reply');
	assert.equal(headerlessTicket.autoReplyType, 'other');
	const german = classifyMessage(reply('Dies ist eine automatische Nachricht. Wir haben Ihre Anfrage erhalten.'), OURS);
	assert.equal(german.kind, 'auto_reply');
});

// People who mention being away inside a real conversation are people.
const humans: string[] = [
	"I am out of office tomorrow but let's talk Friday?",
	'I was out of office last week, sorry for the slow reply. Sounds interesting, can we do a call on Thursday?',
	'Thanks! I am on holiday next week, back on the 19th. Could you send pricing before then?',
	"I'm leaving at the end of the month, so talk to Priya (priya@acme.test) about this. She'd be interested.",
	'Ich bin nächste Woche im Urlaub, können wir danach telefonieren?',
	'Je suis absent demain, mais on peut se parler vendredi ? Votre offre m\'intéresse.',
	'Not interested right now, maybe next quarter.',
	'Yes please, send over more info.',
];
for (const text of humans) {
	test(`human, not auto-reply: "${text.slice(0, 60)}"`, () => {
		const r = classifyMessage(reply(text + QUOTE), OURS);
		assert.equal(r.kind, 'human', r.reason);
		assert.equal(r.text, text);
	});
}

test('an auto-reply marker is never human, even with a person-like text', () => {
	const r = classifyMessage(reply("Sounds good, let's talk Friday." + QUOTE, { 'Auto-Submitted': 'auto-replied' }), OURS);
	assert.equal(r.kind, 'auto_reply');
	assert.equal(r.autoReplyType, 'other');
});

test('an out-of-office that quotes our email is still an out-of-office', () => {
	const r = classifyMessage(reply('Ich bin bis 12.01. nicht im Büro und habe keinen Zugriff auf meine E-Mails.\n\n-----Ursprüngliche Nachricht-----\nVon: Olivia <olivia@ours.test>\nGesendet: Montag, 15. Dezember 2025 09:00\nAn: lead@acme.test\nBetreff: Kurze Frage\n\nHallo, abmelden: https://ours.test/u/k1'), OURS);
	assert.equal(r.kind, 'auto_reply');
	assert.equal(r.returnDate, '2026-01-13');
	assert.ok(!r.text?.includes('abmelden'));
});
