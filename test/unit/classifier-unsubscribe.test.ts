import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyMessage } from '../../nodes/shared/core/classify';

const CONTEXT = { ourAddresses: ['olivia@ours.test'], unsubscribeAddresses: ['mailto:olivia+unsubscribe@ours.test?subject=unsubscribe'] };

// Our email as the lead's client quotes it: its footer says "unsubscribe" / "abmelden" / "darse de baja" / "désabonner".
const QUOTES: Record<string, string> = {
	gmail: '\n\nOn Mon, 15 Dec 2025 at 09:00, Olivia <olivia@ours.test> wrote:\n> Hi,\n> would a short call help?\n> Not interested? Reply "stop" or unsubscribe: https://ours.test/u/k1\n',
	outlook: '\n\n________________________________\nFrom: Olivia <olivia@ours.test>\nSent: Monday, December 15, 2025 9:00 AM\nTo: lead@acme.test\nSubject: Quick question\n\nHi, would a short call help?\nNot interested? Unsubscribe: https://ours.test/u/k1\n',
	german: '\n\nAm Mo., 15. Dez. 2025 um 09:00 Uhr schrieb Olivia <olivia@ours.test>:\n> Hallo,\n> Kein Interesse? Hier abmelden: https://ours.test/u/k1\n',
	outlookDe: '\n\nVon: Olivia <olivia@ours.test>\nGesendet: Montag, 15. Dezember 2025 09:00\nAn: lead@acme.test\nBetreff: Kurze Frage\n\nKein Interesse? Bitte keine E-Mails mehr? Abmelden: https://ours.test/u/k1\n',
	french: '\n\nLe lun. 15 déc. 2025 à 09:00, Olivia <olivia@ours.test> a écrit :\n> Bonjour,\n> Pour vous désabonner : https://ours.test/u/k1\n',
	spanish: '\n\nEl lun, 15 dic 2025 a las 9:00, Olivia (<olivia@ours.test>) escribió:\n> Hola:\n> ¿No le interesa? Darse de baja: https://ours.test/u/k1\n',
	original: '\n\n-----Original Message-----\nFrom: Olivia\nSent: Monday, December 15, 2025 9:00 AM\nTo: lead@acme.test\nSubject: Quick question\n\nTo stop receiving these emails, unsubscribe here.\n',
};

function reply(body: string, headers: Record<string, string> = {}): string {
	const h: Record<string, string> = {
		From: 'Lead <lead@acme.test>', To: 'Olivia <olivia@ours.test>', Subject: 'Re: Quick question', Date: 'Wed, 17 Dec 2025 10:00:00 +0100',
		'In-Reply-To': '<m1@ours.test>', 'Content-Type': 'text/plain; charset=utf-8', ...headers,
	};
	return [...Object.entries(h).filter(([, v]) => v !== '').map(([k, v]) => `${k}: ${v}`), '', body].join('\r\n').replace(/\r?\n/g, '\r\n');
}

const requests: Array<[string, string, string]> = [
	['en', 'Please remove me from your list.', 'gmail'],
	['en', 'Take me off your mailing list and stop emailing me.', 'outlook'],
	['en', "Not interested, please don't contact me again.", 'gmail'],
	['en', 'Unsubscribe', 'original'],
	['de', 'Bitte keine E-Mails mehr.', 'german'],
	['de', 'Bitte tragen Sie mich aus Ihrem Verteiler aus. Ich möchte mich abmelden.', 'outlookDe'],
	['fr', 'Merci de me désabonner, je ne souhaite plus recevoir vos messages.', 'french'],
	['fr', 'Ne me contactez plus, merci.', 'french'],
	['es', 'Por favor, darme de baja de su lista.', 'spanish'],
	['es', 'No me envíes más correos, gracias.', 'spanish'],
	['pt', 'Por favor, quero descadastrar o meu e-mail.', 'gmail'],
	['pt', 'Não me envie mais mensagens. Cancelar inscrição, por favor.', 'gmail'],
	['it', 'Non scrivetemi più, grazie.', 'gmail'],
	['it', 'Cancellami dalla vostra lista per favore.', 'gmail'],
	['nl', 'Graag afmelden voor deze mails.', 'gmail'],
	['nl', 'Wilt u mij uitschrijven? Verwijder mij van uw lijst.', 'gmail'],
	['pl', 'Proszę mnie wypisać z listy, wypisz mnie.', 'gmail'],
	['pl', 'Nie wysyłajcie mi więcej wiadomości.', 'gmail'],
	['sv', 'Vänligen avregistrera mig och sluta skicka mejl.', 'gmail'],
	['da', 'Afmeld mig venligst, og stop med at sende mails.', 'gmail'],
];
for (const [lang, text, quote] of requests) {
	test(`unsubscribe in the person's own words (${lang}): "${text}"`, () => {
		const r = classifyMessage(reply(text + QUOTES[quote]), CONTEXT);
		assert.equal(r.kind, 'unsubscribe', r.reason);
		assert.equal(r.text, text);
	});
}

for (const [name, quote] of Object.entries(QUOTES)) {
	test(`our footer's opt-out words in the quoted email do not count (${name} quote)`, () => {
		const r = classifyMessage(reply('Thanks, sounds interesting. Can we talk on Tuesday?' + quote), CONTEXT);
		assert.equal(r.kind, 'human', r.reason);
		assert.ok(!/unsubscribe|abmelden|baja|désabonner/i.test(r.text ?? ''), r.text);
	});
}

test('a quote without any attribution line ("> " lines only) does not count either', () => {
	const r = classifyMessage(reply('Great, call me Tuesday.\n\n> Not interested? Unsubscribe: https://ours.test/u/k1\n> Olivia'), CONTEXT);
	assert.equal(r.kind, 'human');
});

test('a bare STOP, a subject "unsubscribe" with an empty body', () => {
	assert.equal(classifyMessage(reply('STOP'), CONTEXT).kind, 'unsubscribe');
	assert.equal(classifyMessage(reply('STOP' + QUOTES.gmail), CONTEXT).kind, 'unsubscribe');
	const bySubject = classifyMessage(reply('', { Subject: 'unsubscribe', 'In-Reply-To': '' }), { ourAddresses: ['olivia@ours.test'] });
	assert.equal(bySubject.kind, 'unsubscribe');
	assert.equal(bySubject.language, 'en');
});

test('mail to our List-Unsubscribe address is an opt-out, whichever header names it', () => {
	for (const name of ['To', 'Cc', 'Delivered-To', 'X-Original-To']) {
		const headers = name === 'To' ? { To: 'Olivia+Unsubscribe@ours.test', Subject: 'unsubscribe' } : { [name]: 'olivia+unsubscribe@ours.test', Subject: 'x' };
		const r = classifyMessage(reply('', headers), CONTEXT);
		assert.equal(r.kind, 'unsubscribe', name);
		assert.match(r.reason, /unsubscribe address/);
	}
	// Without the context it is just an (empty) message.
	assert.equal(classifyMessage(reply('', { To: 'olivia+unsubscribe@ours.test', Subject: 'x' }), { ourAddresses: [] }).kind, 'human');
});

test('footer-like sentences in the own words are not requests', () => {
	for (const text of ['If you no longer wish to receive our newsletter, click here to unsubscribe.', 'You can unsubscribe at any time.', 'Happy to chat. (Our own newsletter: www.acme.test/unsubscribe)']) {
		assert.equal(classifyMessage(reply(text), CONTEXT).kind, 'human', text);
	}
});
