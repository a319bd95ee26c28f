// Per-language phrase tables (en, de, fr, es, pt, it, nl, pl, sv, da). Sources are regex fragments over normalize()d text
// (lower case, plain apostrophes); phrases() adds Unicode word boundaries. Keep each phrase specific: a false hit on a
// person's reply stops a live conversation.
import { phrases } from './text';

/** The languages the tables cover. */
export type Lang = 'en' | 'de' | 'fr' | 'es' | 'pt' | 'it' | 'nl' | 'pl' | 'sv' | 'da';

/** All covered languages. */
export const LANGS: Lang[] = ['en', 'de', 'fr', 'es', 'pt', 'it', 'nl', 'pl', 'sv', 'da'];

type Table = Record<Lang, string[]>;

function all(t: Table): string[] {
	return LANGS.flatMap((l) => t[l]);
}

/** Subjects only automatic answers have ("Automatic reply: …", "Abwesenheitsnotiz: …", "AUTO: … is out of the office"). */
const AUTO_SUBJECT: Table = {
	en: [
		'auto(?:matic|mated)?[- ]?(?:reply|response|answer)', 'autoresponder', 'out of (?:the )?office', 'ooo', 'auto:',
		'away from (?:the |my )?(?:office|desk)', '(?:vacation|holiday|absence) (?:reply|response|notice|message)', 'i am (?:currently )?out of (?:the )?office',
	],
	de: ['automatische (?:antwort|rückantwort|nachricht|abwesenheitsnachricht)', 'abwesenheits(?:notiz|meldung|nachricht|info)', 'nicht im büro', 'au(?:ß|ss)er haus', 'abwesend'],
	fr: ['r[ée]ponse automatique', "message d'absence", 'absente? du bureau', 'hors du bureau', "notification d'absence"],
	es: ['respuesta autom[áa]tica', 'fuera de (?:la )?oficina', 'mensaje de ausencia', 'respuesta de ausencia', 'aviso de ausencia'],
	pt: ['resposta autom[áa]tica', 'fora do escrit[óo]rio', 'mensagem de aus[êe]ncia', 'resposta de aus[êe]ncia', 'aviso de aus[êe]ncia'],
	it: ['risposta automatica', 'fuori (?:ufficio|sede)', "fuori dall'ufficio", 'messaggio di assenza', 'avviso di assenza'],
	nl: ['automatisch (?:antwoord|bericht)', 'afwezigheids(?:bericht|melding|assistent)', 'niet op kantoor', 'buiten kantoor', 'afwezig'],
	pl: ['odpowied[źz] automatyczna', 'automatyczna odpowied[źz]', 'autoodpowied[źz]', 'poza biurem', 'wiadomo[śs][ćc] automatyczna', 'nieobecno[śs][ćc]'],
	sv: ['autosvar', 'automatiskt svar', 'fr[åa]nvaro(?:meddelande)?', 'inte på kontoret', 'ej på kontoret', 'fr[åa]nvarande'],
	da: ['automatisk svar', 'autosvar', 'frav[æa]rsbesked', 'ikke på kontoret', 'ude af kontoret', 'frav[æa]rende'],
};

/** Whether a subject is an automatic answer's. */
export const AUTO_SUBJECT_RE = phrases(all(AUTO_SUBJECT));

/** An automatic answer saying so in so many words: no person writes "this is an automatic reply" to a lead. */
const SELF_DECLARED: Table = {
	en: ['this is an? (?:automated|automatic|auto[- ]generated|auto[- ])(?:ally generated )?(?:reply|response|message|e-?mail|notification|acknowledge?ment)', 'automatically generated (?:reply|response|message)', 'this (?:e-?mail|message|mailbox) is (?:not )?(?:monitored|unattended)', 'this is an? (?:auto-?reply|autoresponse)'],
	de: ['(?:dies|das) ist eine automatische (?:antwort|nachricht|e-?mail|benachrichtigung|abwesenheitsnotiz|rückantwort)', 'automatisch (?:generierte|erstellte|erzeugte) (?:antwort|nachricht|e-?mail)', 'diese (?:nachricht|e-?mail) wurde automatisch'],
	fr: ['ceci est (?:un message|une r[ée]ponse|un e-?mail|un courriel) automatique', '(?:message|r[ée]ponse) g[ée]n[ée]r[ée]e? automatiquement'],
	es: ['(?:este|esta) es (?:un mensaje|una respuesta|un correo) autom[áa]tic[oa]', '(?:mensaje|respuesta) generad[oa] autom[áa]ticamente'],
	pt: ['(?:esta|este) [ée] (?:uma mensagem|uma resposta|um e-?mail) autom[áa]tic[oa]', '(?:mensagem|resposta) gerada automaticamente'],
	it: ['questo [èe] un messaggio automatico', 'questa [èe] una risposta automatica', '(?:messaggio|risposta) generat[oa] automaticamente'],
	nl: ['dit is een automatisch (?:antwoord|bericht|gegenereerd)', 'automatisch gegenereerd (?:antwoord|bericht)'],
	pl: ['to jest (?:wiadomo[śs][ćc]|odpowied[źz]) automatyczna', '(?:wiadomo[śs][ćc]|odpowied[źz]) (?:wygenerowana|wys[łl]ana) automatycznie', 'jest to automatyczna (?:odpowied[źz]|wiadomo[śs][ćc])'],
	sv: ['detta är ett automatiskt (?:svar|meddelande)', '(?:automatiskt genererat|automatgenererat) (?:svar|meddelande)'],
	da: ['dette er et automatisk (?:svar|besked|genereret)', 'dette er en automatisk (?:besked|e-?mail|mail)', 'automatisk genereret (?:svar|besked|mail)'],
};

/** Whether own text declares itself automatic. */
export const SELF_DECLARED_RE = phrases(all(SELF_DECLARED));

/** Away, holiday, leave, sick: the out-of-office statement itself. */
const AWAY: Table = {
	en: [
		'out of (?:the )?office', 'away from (?:the |my )?(?:office|desk|work)', "(?:i am|i'm|i will be|i'll be|i shall be) (?:currently |now )?(?:away|out|off|on leave|on vacation|on holiday|travell?ing|unavailable|not available|not in the office|out of the country|attending)",
		'on (?:annual |parental |maternity |paternity |sick |medical |study |long[- ]term |extended )?leave', 'on (?:vacation|holidays?|sabbatical|pto)', 'off sick', 'out sick', '(?:limited|no|intermittent|restricted|sporadic) access to (?:my )?(?:e-?mails?|mail|inbox)',
		'(?:upon|on|after) my return', 'when i (?:return|get back|am back)', 'i (?:will|shall) (?:be )?(?:back|returning|return)', 'i (?:will|shall) respond (?:to your (?:e-?mail|message) )?(?:as soon as|when|upon|on my)', 'currently away', 'away until', 'out until', 'back in the office',
	],
	de: [
		'nicht im büro', 'au(?:ß|ss)er haus', 'abwesend', 'im (?:urlaub|jahresurlaub|sonderurlaub)', 'in (?:urlaub|elternzeit|mutterschutz|karenz)', 'urlaubsbedingt', 'krankheitsbedingt', 'auf (?:dienstreise|geschäftsreise)', 'nicht erreichbar', 'eingeschränkt erreichbar',
		'nach meiner rückkehr', 'keinen (?:zugriff|zugang) (?:auf|zu) (?:meine[nr]? )?(?:e-?mails?|mails?|postfach)', 'wieder im büro', 'wieder erreichbar', 'bin (?:ich )?(?:wieder|zurück)', 'ich bin (?:derzeit |zurzeit |momentan |aktuell )?(?:bis|vom) ', 'ab (?:dem |den )?.{1,25}? wieder (?:im büro|erreichbar|da|zurück|verfügbar|für sie)', 'nicht am arbeitsplatz', 'abwesenheit',
	],
	fr: [
		'absente?', 'en (?:cong[ée]s?|vacances|d[ée]placement|arr[êe]t maladie|cong[ée] (?:maternit[ée]|paternit[ée]|parental))', 'hors du bureau', 'pas au bureau', "(?:à|dès) mon retour", 'de retour (?:le|au bureau|à partir)', 'je serai de retour',
		'acc[èe]s (?:limit[ée]|restreint) (?:à|aux) (?:mes )?(?:e-?mails?|courriels?|messagerie)', 'actuellement indisponible', 'je ne suis pas (?:disponible|au bureau|joignable)',
	],
	es: [
		'fuera de (?:la )?oficina', 'de vacaciones', 'ausente', 'de (?:baja|permiso|licencia)', 'estar[ée] de (?:vuelta|regreso)', 'a mi (?:regreso|vuelta)', 'regresar[ée]', 'volver[ée] (?:a la oficina|el)', 'no estar[ée] disponible', 'no estoy disponible',
		'acceso limitado (?:al|a mi) correo', 'estoy fuera', 'me reincorporo',
	],
	pt: [
		'fora do escrit[óo]rio', 'ausente', 'de f[ée]rias', 'em f[ée]rias', 'de licen[çc]a', 'em licen[çc]a', 'estarei de volta', '(?:no|ap[óo]s o|ap[óo]s meu|ap[óo]s o meu|ao meu) (?:retorno|regresso)', 'retornarei', 'voltarei', 'n[ãa]o estarei dispon[íi]vel',
		'acesso limitado (?:ao|a) (?:e-?mail|correio)', 'estou fora',
	],
	it: [
		'fuori (?:ufficio|sede)', 'assente', 'in (?:ferie|vacanza|congedo|maternit[àa]|malattia|trasferta)', 'rientrer[òo]', 'al mio rientro', 'sar[òo] di (?:ritorno|nuovo in ufficio)', 'non sar[òo] (?:in ufficio|disponibile|raggiungibile)',
		'accesso limitato (?:alla|all\') ?(?:posta|e-?mail)', 'sono fuori',
	],
	nl: [
		'afwezig', 'niet op kantoor', 'buiten kantoor', '(?:met|op) vakantie', 'met verlof', '(?:zwangerschaps|ouderschaps|zorg)verlof', 'ben (?:ik )?(?:weer|terug)', 'weer (?:aanwezig|op kantoor|bereikbaar)', 'na mijn terugkomst', '(?:beperkt|niet) bereikbaar',
	],
	pl: [
		'poza biurem', 'nieobecn[ya]', 'na urlopie', 'na (?:zwolnieniu|l4|urlopie macierzy[ńn]skim|urlopie rodzicielskim)', 'wracam', 'po (?:moim )?powrocie', 'b[ęe]d[ęe] (?:ponownie )?(?:dost[ęe]pn[ya]|w biurze)', 'ograniczony dost[ęe]p do (?:poczty|e-?maila|skrzynki)',
		'niedost[ęe]pn[ya]', 'w delegacji', 'jestem (?:poza|na urlopie|nieobecn)',
	],
	sv: [
		'på semester', 'ledig', 'inte på kontoret', 'ej på kontoret', 'borta', 'fr[åa]nvarande', 'tjänstledig', 'föräldraledig', 'sjukskriven', 'tillbaka (?:den|på|i|igen|måndag|tisdag|onsdag|torsdag|fredag)', 'åter (?:den|på|i tjänst|på kontoret)', 'är åter',
		'begränsad tillgång till (?:min )?(?:e-?post|mejl|mail)', 'inte tillgänglig',
	],
	da: [
		'på (?:ferie|barsel|kursus|forretningsrejse)', 'holder ferie', 'frav[æa]rende', 'ikke på kontoret', 'ude af kontoret', 'sygemeldt', 'tilbage (?:den|på|igen|mandag|tirsdag|onsdag|torsdag|fredag)', 'er tilbage',
		'begr[æa]nset adgang til (?:min )?(?:e-?mail|mail)', 'ikke tilg[æa]ngelig',
	],
};

/** Whether text states the writer is away. */
export const AWAY_RE = phrases(all(AWAY));

/** The writer no longer works there (or the mailbox is gone). */
const LEFT: Table = {
	en: [
		'no longer (?:with|at|employed|working|works|part of|a member of|an employee)', '(?:has |have |had |i )?(?:now )?left (?:the|our|this) (?:company|organi[sz]ation|firm|business)',
		'(?:is|am) no longer (?:with|employed|part|at|working|in the company|associated)', 'not (?:with|at) the company any ?more', 'no longer works? (?:for|at|here|with)', '(?:this|the) (?:e-?mail )?(?:address|mailbox|account|inbox) is no longer (?:monitored|active|in use|valid|being (?:monitored|checked|read))',
		'my last day (?:at|with) .{1,60}? was', '(?:has|have) moved on from', 'no longer in (?:the|our) employ',
	],
	de: [
		'nicht (?:mehr|länger) (?:im unternehmen|in unserem unternehmen|in der firma|bei uns|für uns tätig|bei [\\p{L}0-9&.\\- ]{2,40}?(?:tätig|beschäftigt|angestellt)|tätig|beschäftigt|angestellt|mitarbeiter)', '(?:hat|habe) (?:das|unser) unternehmen verlassen', '(?:hat|habe) (?:die|unsere) firma verlassen',
		'(?:ist|bin) (?:aus dem unternehmen |aus unserem unternehmen )?ausgeschieden', 'diese[sr]? (?:e-?mail-?adresse|adresse|postfach|mailbox|konto) (?:wird nicht mehr|ist nicht mehr) (?:gelesen|betreut|aktiv|überwacht|abgerufen|genutzt)', 'nicht mehr für [\\p{L}0-9&.\\- ]{2,40}? tätig',
	],
	fr: [
		'ne fait plus partie', 'ne travaille plus', '(?:a|ai) quitt[ée] (?:la soci[ée]t[ée]|l\'entreprise|le groupe|notre|l\'organisation|la structure|ses fonctions|mes fonctions)', "n'est plus (?:en poste|chez|au sein|dans|collaborat|salari[ée]|employ[ée])", "ne suis plus (?:en poste|chez|au sein)",
		"cette (?:adresse|bo[îi]te) (?:e-?mail |mail )?n'est plus (?:active|consult[ée]e|valide|utilis[ée]e|lue)",
	],
	es: [
		'ya no (?:trabaja|trabajo|forma parte|formo parte|pertenece|est[áa] (?:en|con)|colabora)', '(?:ha|he) dejado (?:la|de trabajar en la) (?:empresa|compa[ñn][íi]a|organizaci[óo]n)', 'dej[óo] (?:la|de trabajar en la) (?:empresa|compa[ñn][íi]a)',
		'(?:esta|este) (?:cuenta|direcci[óo]n|correo|buz[óo]n) (?:ya )?no (?:est[áa] activ[oa]|se revisa|se utiliza|es v[áa]lid[oa])', 'ya no est[áa] con nosotros',
	],
	pt: [
		'n[ãa]o faz mais parte', 'n[ãa]o trabalha mais', 'j[áa] n[ãa]o (?:trabalha|faz parte|pertence|est[áa])', '(?:deixou|saiu d)a? ?(?:empresa|companhia|organiza[çc][ãa]o)', 'n[ãa]o est[áa] mais (?:na|com|conosco)', 'n[ãa]o pertence mais',
		'(?:este|esse) (?:e-?mail|endere[çc]o|correio) n[ãa]o (?:[ée]|est[áa]) mais (?:monitorado|ativo|utilizado|v[áa]lido)', 'n[ãa]o trabalho mais',
	],
	it: [
		'non lavora pi[ùu]', 'non fa pi[ùu] parte', '(?:ha|ho) lasciato (?:l\'azienda|la societ[àa]|il gruppo|la nostra)', 'non [èe] pi[ùu] (?:in|con|presso|dipendente|parte)', 'non collabora pi[ùu]', 'non lavoro pi[ùu]',
		'(?:questo|quest\') ?indirizzo (?:e-?mail )?non [èe] pi[ùu] (?:attivo|monitorato|utilizzato|valido)',
	],
	nl: [
		'niet (?:meer|langer) werkzaam', 'niet meer in dienst', 'uit dienst', 'werkt niet (?:meer|langer) (?:bij|voor)', 'niet (?:meer|langer) (?:bij|verbonden aan) [\\p{L}0-9&.\\- ]{2,40}? (?:werkzaam|in dienst|actief)', 'heeft (?:ons|het bedrijf|de organisatie|de onderneming|de firma) verlaten',
		'dit (?:e-?mail)?adres (?:is niet meer|wordt niet meer) (?:actief|in gebruik|gelezen|gebruikt)',
	],
	pl: [
		'nie pracuje ju[żz]', 'ju[żz] nie pracuje', 'nie pracuj[ęe] ju[żz]', 'ju[żz] nie pracuj[ęe]', 'nie jest ju[żz] (?:pracownikiem|zatrudnion[ya]|zwi[ąa]zan[ya])', 'odszed[łl] z firmy', 'odesz[łl]a z firmy', 'zako[ńn]czy[łl]a? wsp[óo][łl]prac[ęe]',
		'ten adres (?:nie jest ju[żz] (?:aktywny|obs[łl]ugiwany)|jest nieaktywny)',
	],
	sv: [
		'(?:har|hon har|han har|jag har) slutat', 'slutat (?:på|hos|sin anställning|min anställning|arbeta|jobba)', 'inte längre anställd', '(?:arbetar|jobbar) inte längre', 'har lämnat (?:företaget|bolaget|organisationen)', 'är inte längre (?:verksam|anställd|kvar)',
		'(?:adressen|e-?postadressen|brevlådan) är inte längre (?:aktiv|i bruk|bevakad)',
	],
	da: [
		'fratr[åa]dt', '(?:ikke|ikke l[æa]ngere) ansat', 'er stoppet (?:hos|i|på)', 'har forladt (?:virksomheden|firmaet|organisationen)', 'arbejder ikke l[æa]ngere', 'ikke l[æa]ngere (?:hos|i virksomheden|ansat|tilknyttet)', 'har fratr[åa]dt',
		'(?:denne|adressen|mailadressen|postkassen) (?:er|bliver) ikke l[æa]ngere (?:aktiv|i brug|overv[åa]get|l[æa]st)',
	],
};

/** Whether text says the person left the company or the mailbox is abandoned. */
export const LEFT_RE = phrases(all(LEFT));

/** Challenge-response / sender verification systems. */
const CHALLENGE: Table = {
	en: [
		'please verify (?:that )?you', 'verify (?:that )?you are (?:a )?(?:human|real person|person)', 'confirm (?:that )?you are (?:a )?(?:human|real person|person|not a robot)', 'sender verification', 'verify your (?:e-?mail|address|message|identity)',
		'(?:your|this) (?:message|e-?mail) (?:is|has been) (?:being )?held (?:pending|until|for)', 'awaiting (?:your )?verification', 'boxbe', 'spam ?arrest', 'mailinblack', 'choicemail', 'bluebottle', 'sanebox', 'approved senders? list', 'challenge[- ]response',
		'to (?:have|get) your (?:message|e-?mail) delivered', 'click (?:the link )?(?:below|here) to (?:verify|confirm|release|deliver)', 'added to (?:my|the) (?:guest ?list|whitelist|allow ?list)',
	],
	de: ['bitte (?:bestätigen|verifizieren) sie', 'absender(?:bestätigung|verifizierung)', 'bestätigen sie, dass sie (?:ein mensch|kein roboter)', 'ihre nachricht wurde (?:zurückgehalten|angehalten)'],
	fr: ['veuillez (?:confirmer|v[ée]rifier) (?:que vous|votre)', "confirmer que vous (?:[êe]tes|n'[êe]tes pas)", "v[ée]rification (?:de l')?exp[ée]diteur", 'votre message (?:est|a [ée]t[ée]) (?:mis en attente|retenu|bloqu[ée] en attente)'],
	es: ['por favor,? (?:verifique|confirme) (?:que|su)', 'confirme que (?:es|eres) (?:una persona|humano)', 'verificaci[óo]n (?:del )?remitente', 'su mensaje (?:est[áa]|ha sido) retenido'],
	pt: ['por favor,? (?:verifique|confirme) (?:que|seu|o seu)', 'confirme que (?:voc[êe] )?[ée] (?:uma pessoa|humano)', 'verifica[çc][ãa]o (?:do )?remetente', 'sua mensagem (?:est[áa]|foi) retida'],
	it: ['(?:si prega di|per favore) (?:verificare|confermare)', 'conferma(?:re)? (?:di essere|che sei) (?:una persona|umano)', 'verifica (?:del )?mittente', 'il (?:tuo|suo) messaggio [èe] (?:stato )?trattenuto'],
	nl: ['(?:bevestig|verifieer) (?:dat u|uw|dat je|je)', 'afzender(?:verificatie|bevestiging)', 'uw bericht (?:wordt|is) (?:vastgehouden|tegengehouden)'],
	pl: ['prosz[ęe] (?:potwierdzi[ćc]|zweryfikowa[ćc])', 'potwierd[źz],? [żz]e jeste[śs] (?:cz[łl]owiekiem|osob[ąa])', 'weryfikacja nadawcy', 'twoja wiadomo[śs][ćc] zosta[łl]a wstrzymana'],
	sv: ['(?:vänligen |var vänlig )?(?:bekräfta|verifiera) att du', 'avsändarverifiering', 'ditt meddelande (?:har )?(?:hålls kvar|stoppats)'],
	da: ['(?:venligst )?(?:bekr[æa]ft|verificer) at du', 'afsenderverifikation', 'din (?:besked|mail) (?:er|bliver) tilbageholdt'],
};

/** Whether text is a challenge-response / sender-verification request. */
export const CHALLENGE_RE = phrases(all(CHALLENGE));

/** Ticket systems and "we received your message" acknowledgements. */
const RECEIVED: Table = {
	en: [
		'we (?:have |\'ve )?received your (?:message|e-?mail|request|inquiry|enquiry|ticket|submission|application)', 'your (?:request|message|ticket|case|inquiry|enquiry) (?:has been|was|is) (?:received|logged|created|registered)', 'ticket (?:#|number|no\\.?|id)', 'case (?:#|number|id)',
		'(?:please )?do not reply to this (?:e-?mail|message)', 'one of our (?:team|agents|representatives) will', 'we will (?:get back to you|respond|reply) (?:shortly|as soon as|within)', 'thank you for contacting',
	],
	de: ['wir haben ihre (?:nachricht|anfrage|e-?mail|mail) erhalten', 'ihre anfrage (?:wurde|ist) (?:eingegangen|registriert)', 'ticket-?(?:nummer|nr)', 'bitte antworten sie nicht auf diese', 'vielen dank für ihre anfrage'],
	fr: ['nous avons (?:bien )?re[çc]u votre (?:message|demande|e-?mail|courriel)', 'votre demande (?:a [ée]t[ée]|est) (?:enregistr[ée]e|re[çc]ue)', 'merci de ne pas r[ée]pondre', 'num[ée]ro de (?:ticket|dossier)'],
	es: ['hemos recibido su (?:mensaje|solicitud|correo|consulta)', 'su (?:solicitud|consulta) (?:ha sido|fue) (?:recibida|registrada)', 'no responda a este', 'n[úu]mero de (?:ticket|caso)'],
	pt: ['recebemos (?:a )?sua (?:mensagem|solicita[çc][ãa]o|consulta|e-?mail)', 'sua solicita[çc][ãa]o (?:foi|est[áa]) (?:recebida|registrada)', 'n[ãa]o responda (?:a )?este', 'n[úu]mero do (?:ticket|chamado|protocolo)'],
	it: ['abbiamo ricevuto (?:la |il )?(?:sua|tua|vostra) (?:richiesta|e-?mail|mail|messaggio)', 'la (?:sua|tua) richiesta [èe] stata (?:ricevuta|registrata)', 'non rispondere a questa', 'numero (?:di )?ticket'],
	nl: ['(?:wij|we) hebben uw (?:bericht|e-?mail|aanvraag|vraag) (?:goed )?ontvangen', 'uw (?:aanvraag|vraag) is geregistreerd', '(?:gelieve|graag) niet (?:te )?(?:antwoorden|reageren) op dit', 'ticketnummer'],
	pl: ['otrzymali[śs]my (?:twoj[ąa]|pa[ńn]sk[ąa]|pa[ńn]stwa) (?:wiadomo[śs][ćc]|pro[śs]b[ęe]|zg[łl]oszenie)', 'twoje zg[łl]oszenie zosta[łl]o (?:przyj[ęe]te|zarejestrowane)', 'prosimy nie odpowiada[ćc]', 'numer zg[łl]oszenia'],
	sv: ['vi har (?:tagit emot|mottagit) (?:ditt|din) (?:meddelande|e-?post|förfrågan|ärende|mejl)', 'ditt ärende (?:har|är) registrerat', 'svara inte på (?:detta|det här)', 'ärendenummer'],
	da: ['vi har modtaget (?:din|dit) (?:besked|e-?mail|henvendelse|mail|foresp[øo]rgsel)', 'din henvendelse er (?:modtaget|registreret)', 'svar venligst ikke', 'sagsnummer'],
};

/** Whether text is an automatic acknowledgement. */
export const RECEIVED_RE = phrases(all(RECEIVED));

/** The person asks to be taken off the list / not to be contacted again. */
const UNSUBSCRIBE: Table = {
	en: [
		'unsubscribe(?: me| us)?', 'un-subscribe', 'remove (?:me|us)', 'remove (?:my|our) (?:e-?mail|address|name|details|contact|data)', 'take (?:me|us|my (?:e-?mail|address|name)) off', 'opt(?:-| )?(?:me |us )?out', 'stop (?:e-?mailing|mailing|sending|contacting|writing|messaging|spamming|bothering) (?:me|us)',
		"(?:do not|don't|dont|never|please don't) (?:e-?mail|contact|write to|write|message|mail|send) (?:me|us)", 'no (?:more|further) (?:e-?mails|emails|mails|messages|contact)', 'stop (?:the|these|your|all) (?:e-?mails|emails|messages|mails)', 'leave me alone',
		'delete (?:my|our) (?:e-?mail|address|data|contact|details)', '(?:i|we) (?:do not|don\'t) (?:wish|want) to (?:receive|be contacted|hear)', 'not (?:contact|email) me again', 'please stop(?! by)',
	],
	de: [
		'(?:bitte )?keine (?:weiteren )?(?:e-?mails|mails|nachrichten|werbung|werbemails|zusendungen|kontaktaufnahme) mehr', 'keine weiteren (?:e-?mails|mails|nachrichten|zusendungen)', 'abmelden', 'austragen', '(?:aus dem|vom|aus ihrem) (?:verteiler|newsletter)', 'nehmen sie mich (?:aus|von)', 'streichen sie mich',
		'löschen sie (?:meine|mich)', '(?:kontaktieren|schreiben|mailen) sie mich (?:bitte )?nicht mehr', 'schreiben sie mir (?:bitte )?nicht mehr', 'nicht mehr (?:kontaktieren|anschreiben|anmailen)', 'hören sie auf,? mir zu schreiben', 'unterlassen sie',
	],
	fr: [
		'(?:me )?d[ée]sabonner', 'd[ée]sinscri(?:re|vez|ption)', 'd[ée]sabonnement', 'ne (?:plus|pas) recevoir', 'retirez[- ]moi', 'retirer (?:mon adresse|moi|mon nom|mes coordonn[ée]es)', 'supprimez[- ]moi', 'supprimer (?:mon adresse|mes coordonn[ée]es|mes donn[ée]es)',
		'ne (?:me )?contactez plus', "ne m'[ée]crivez plus", "ne m'envoyez plus", 'ne plus (?:[êe]tre contact[ée]|me contacter)', "(?:arr[êe]tez|cessez) de m'(?:envoyer|[ée]crire|contacter)",
	],
	es: [
		'(?:darme|dar|darse|denme|dénme|dame|deme|dadme|darnos|dennos) de baja', 'no me (?:env[íi]e[ns]?|env[íi]as|escriba[ns]?|escribas|contacte[ns]?|contactes) m[áa]s', 'no quiero recibir m[áa]s', 'elim[íi]n(?:enme|eme|ame)', 'eliminen mi (?:correo|direcci[óo]n|e-?mail)', 's[áa]qu(?:enme|eme)',
		'borr(?:ar|en|e)(?:me)? de (?:su|la|vuestra) lista', 'dej(?:en|e|a) de (?:enviarme|escribirme|contactarme)', 'no (?:volver a )?contactarme', 'desuscribir(?:me)?', 'cancelar (?:la |mi )?suscripci[óo]n',
	],
	pt: [
		'descadastr(?:ar|e|em|ar-me|e-me)', 'cancelar (?:a |minha )?(?:inscri[çc][ãa]o|subscri[çc][ãa]o|assinatura)', 'remover (?:o )?(?:meu|o meu) (?:e-?mail|endere[çc]o|contato|contacto)', 'remova(?:m)?(?:-me)? (?:da|de) (?:sua |vossa )?lista', 'me remova(?:m)?',
		'n[ãa]o (?:me )?envie(?:m)? mais', 'n[ãa]o quero (?:mais )?receber', 'parem de (?:me )?(?:enviar|mandar|contactar|contatar)', 'n[ãa]o me (?:contate|contatem|contacte|contactem|escreva|escrevam) mais', '(?:tirem-me|me tirem) da (?:sua )?lista', 'retire(?:m)? (?:o )?meu (?:e-?mail|contacto|contato)',
	],
	it: [
		'non (?:scrivetemi|scrivermi|contattatemi|contattarmi|inviatemi|mandatemi) pi[ùu]', 'cancellami', 'cancellatemi', 'cancellare (?:il mio|la mia) (?:indirizzo|e-?mail|mail|iscrizione)', 'rimuovetemi', 'rimuovermi', 'rimuovere (?:il mio|la mia)', 'disiscriver(?:mi|e|si)',
		'annulla(?:re)? (?:l\'|la mia )?iscrizione', 'non voglio (?:pi[ùu] )?ricevere', 'smett(?:ete|ila|a) di (?:inviarmi|scrivermi|contattarmi)',
	],
	nl: [
		'afmelden', 'uitschrijven', 'schrijf (?:mij|me) uit', 'verwijder (?:mij|me)', 'verwijder (?:mijn|ons) (?:e-?mail|adres|gegevens|e-?mailadres)', 'haal (?:mij|me) (?:van|uit)', 'geen (?:e-?mails|mails|berichten) meer', 'stop met (?:mailen|e-?mailen|sturen|mij te mailen)',
		'neem geen contact meer', '(?:mij|me) niet meer (?:mailen|benaderen|contacteren|e-?mailen)', 'wil geen (?:e-?mails|mails|berichten) meer',
	],
	pl: [
		'wypisz(?:cie)? mnie', 'prosz[ęe] o (?:usuni[ęe]cie|wypisanie|wykre[śs]lenie)', 'usuni[ęe]cie (?:mojego|mnie|naszego) (?:adresu|maila|e-?maila|kontaktu)', 'niewysy[łl]anie', 'nie wysy[łl]anie', 'prosz[ęe] mnie wypisa[ćc]', 'wypisa[ćc] mnie', 'usu[ńn](?:cie)? (?:mnie|m[óo]j adres|moje dane)', 'nie wysy[łl]a[ćcj](?:cie)?', 'prosz[ęe] (?:wi[ęe]cej )?nie (?:pisa[ćc]|wysy[łl]a[ćc]|kontaktowa[ćc])', 'nie kontaktuj(?:cie)? si[ęe]',
		'rezygnuj[ęe] z (?:subskrypcji|otrzymywania|newslettera)', 'nie chc[ęe] (?:wi[ęe]cej )?otrzymywa[ćc]', 'nie piszcie',
	],
	sv: [
		'avregistrera', 'avsluta (?:min )?prenumeration', 'avprenumerera', 'sluta (?:skicka|maila|mejla|kontakta|skriva)', 'ta bort (?:mig|min (?:e-?post|adress|mejladress))', 'kontakta (?:mig|oss) inte', 'vill inte (?:ha|få) (?:fler|mer|några) (?:mejl|mail|e-?post|utskick)', 'inga fler (?:mejl|mail|utskick)',
	],
	da: [
		'afmeld\\p{L}*', 'frameld\\p{L}*', 'stop med at (?:sende|skrive|kontakte|maile)', 'fjern (?:mig|min (?:e-?mail|adresse|mail))', 'kontakt (?:mig|os) ikke', '[øo]nsker ikke (?:at modtage|flere|at blive kontaktet)', 'send ikke flere', 'ingen flere (?:mails|e-?mails)',
	],
};

/** Whether a sentence asks not to be mailed again. */
export const UNSUBSCRIBE_RE = phrases(all(UNSUBSCRIBE));

/** The opt-out phrases of each language on their own (the request's language when the text is too short to guess). */
export const UNSUBSCRIBE_BY_LANG: Array<[Lang, RegExp]> = LANGS.map((l) => [l, phrases(UNSUBSCRIBE[l])]);

/** A sentence that is a newsletter footer or a conditional, not a request ("click here to unsubscribe", "if you no longer wish…"). */
export const FOOTER_RE = phrases([
	'click', 'klick\\p{L}*', 'cliqu\\p{L}*', 'clic', 'haga clic', 'haz clic', 'clique', 'clicca', 'klik\\p{L}*', 'kliknij', 'klicka',
	'to unsubscribe', 'unsubscribe (?:here|link|from this list|at any time)', 'if you (?:no longer )?(?:wish|want|would like|prefer)', 'you can (?:unsubscribe|opt out)', 'you are receiving', 'you received this',
	'wenn sie (?:keine|künftig)', 'sie können sich (?:jederzeit )?abmelden', 'si vous (?:ne )?souhaitez', 'si desea', 'si no desea', 'se (?:n[ãa]o )?desejar', 'se (?:non )?desideri', 'als u (?:geen|deze)', 'je[śs]li nie chcesz', 'om du inte', 'hvis du ikke',
	'https?://\\S+', 'www\\.\\S+',
]);

/** The words that make an automatic answer point elsewhere ("please contact jane@…", "wenden Sie sich an …"). */
export const CONTACT_CUE_RE = phrases([
	'contact', 'reach(?: out to)?', 'write to', 'e-?mail', 'get in touch', 'direct (?:your|all|any)', 'forward(?:ed)? to', 'send (?:it|your)', 'successor', 'replacement', 'colleague', 'instead', 'please use', 'alternatively',
	'wenden sie sich', 'kontaktieren', 'schreiben sie', 'ansprechpartner(?:in)?', 'vertretung', 'kollege', 'kollegin', 'an:',
	'contacter', 'adressez-vous', '[ée]crire à', '[ée]crivez à', 'coll[èe]gue',
	'contact(?:ar|e|en|o)', 'escrib(?:a|ir|an) a', 'dir[íi]j(?:a|ase|ete)', 'compa[ñn]er[oa]',
	'contat(?:ar|e|o)', 'entre em contato', 'escreva para', 'colega',
	'contattare', 'contatt(?:a|i)', 'rivolger(?:si|vi)', 'scrivere a', 'collega',
	'contact opnemen', 'neem contact op', 'mail naar', 'wend u',
	'kontakt', 'skontaktuj', 'prosz[ęe] pisa[ćc] do', 'pisz do',
	'kontakta', 'vänd dig', 'skriv till', 'kollega',
	'kontakte', 'henvend', 'skriv til',
]);

/** A per-language set of the common words, for the language guess. */
export const STOP_WORDS: Record<Lang, string[]> = {
	en: ['the', 'and', 'is', 'are', 'you', 'your', 'for', 'with', 'this', 'that', 'will', 'have', 'not', 'be', 'to', 'of', 'on', 'my', 'me', 'please', 'thank', 'thanks', 'until', 'would', 'i', "i'm", 'am', 'we', 'it', 'our', 'from', 'back', 'out',
		'yes', 'an', 'can', 'could', 'who', 'what', 'more', 'info', 'worth', 'just', 'if', 'so', 'but', 'at', 'all', "it's", "let's", 'us', 'here', 'there', 'was', 'were', 'has', 'been', 'also', 'about', 'which', 'when', 'sounds', 'great', 'good', 'hi', 'hello', 'best', 'regards', 'stop', 'unsubscribe', 'remove', 'send', 'over', 'any', 'do', "don't", 'adding', 'runs'],
	de: ['der', 'die', 'das', 'und', 'ist', 'ich', 'sie', 'nicht', 'mit', 'für', 'bin', 'bis', 'ihre', 'ihr', 'wir', 'den', 'dem', 'ein', 'eine', 'bitte', 'danke', 'vielen', 'auf', 'zu', 'im', 'von', 'mich', 'mir', 'keine', 'mehr', 'wieder', 'auch', 'sich', 'oder', 'uns',
		'ja', 'gern', 'gerne', 'klingt', 'gut', 'nächste', 'woche', 'hallo', 'grüße', 'freundlichen', 'sehr', 'geehrte', 'geehrter', 'aber', 'wenn', 'noch', 'schon', 'kann', 'können', 'würde', 'haben', 'habe', 'sind', 'wie', 'was', 'dass', 'gruß'],
	fr: ['le', 'la', 'les', 'et', 'est', 'je', 'vous', 'de', 'des', 'du', 'pas', 'pour', 'avec', 'une', 'un', 'suis', 'votre', 'merci', 'au', 'ne', 'plus', 'dans', 'sur', 'nous', 'mon', 'mes', "jusqu'au", "d'un", "c'est", 'serai', 'bureau', 'retour', 'bonjour', 'cordialement', 'oui', 'mais', 'ça', 'très', 'bien', 'pouvez', 'peux', 'avez', 'sont', 'qui', 'cette', 'ce', 'semaine', 'prochaine'],
	es: ['el', 'la', 'los', 'las', 'y', 'es', 'de', 'que', 'en', 'un', 'una', 'por', 'para', 'con', 'no', 'estoy', 'mi', 'su', 'gracias', 'hasta', 'del', 'al', 'usted', 'más', 'me', 'correo', 'estaré', 'oficina', 'muchas', 'saludos', 'hola', 'sí', 'pero', 'muy', 'bien', 'puede', 'tiene', 'esta', 'este', 'semana', 'próxima', 'lo', 'se', 'como', 'saludo', 'vuestra', 'nos'],
	pt: ['o', 'a', 'os', 'as', 'e', 'é', 'de', 'que', 'em', 'um', 'uma', 'por', 'para', 'com', 'não', 'estou', 'meu', 'minha', 'seu', 'sua', 'obrigado', 'obrigada', 'até', 'do', 'da', 'no', 'na', 'você', 'mais', 'estarei', 'escritório', 'olá', 'sim', 'mas', 'muito', 'bem', 'pode', 'tem', 'esta', 'este', 'semana', 'próxima', 'se', 'como', 'abraço', 'atenciosamente', 'oi', 'vocês', 'nos'],
	it: ['il', 'lo', 'la', 'gli', 'le', 'e', 'è', 'di', 'che', 'in', 'un', 'una', 'per', 'con', 'non', 'sono', 'mio', 'mia', 'suo', 'grazie', 'fino', 'del', 'della', 'al', 'più', 'mi', 'ti', 'ufficio', 'sarò', 'saluti', 'ciao', 'sì', 'ma', 'molto', 'bene', 'può', 'possiamo', 'ha', 'questa', 'questo', 'settimana', 'prossima', 'se', 'come', 'cordiali', 'buongiorno', 'vi', 'ci'],
	nl: ['de', 'het', 'een', 'en', 'is', 'ik', 'je', 'u', 'niet', 'met', 'voor', 'op', 'van', 'tot', 'ben', 'mijn', 'uw', 'wij', 'we', 'dank', 'bedankt', 'graag', 'aan', 'er', 'maar', 'geen', 'meer', 'kantoor', 'weer', 'groeten', 'klinkt', 'goed', 'kunnen', 'volgende', 'week', 'om', 'hoi', 'groet', 'wel', 'dat', 'dit', 'zijn', 'hebben', 'ook', 'nog', 'als', 'wat', 'bij', 'naar', 'zou', 'kan', 'heb', 'hallo', 'mij', 'me'],
	pl: ['i', 'w', 'z', 'na', 'nie', 'się', 'jest', 'to', 'do', 'że', 'jestem', 'od', 'dziękuję', 'za', 'pan', 'pani', 'mnie', 'mój', 'moja', 'po', 'oraz', 'tak', 'przez', 'proszę', 'jak', 'o', 'będę', 'biurem', 'pozdrawiam', 'ale', 'bardzo', 'dobrze', 'może', 'możemy', 'ma', 'ta', 'ten', 'tydzień', 'czy', 'dzień', 'dobry', 'cześć', 'państwa', 'mojego'],
	sv: ['och', 'att', 'det', 'är', 'jag', 'du', 'inte', 'med', 'för', 'på', 'en', 'ett', 'till', 'den', 'av', 'som', 'mig', 'min', 'mitt', 'tack', 'har', 'vi', 'från', 'om', 'hej', 'kontoret', 'hälsningar', 'vänliga', 'tillbaka', 'låter', 'skicka', 'gärna', 'så', 'tittar', 'veckan', 'mvh', 'kan', 'vill', 'skulle', 'också', 'eller', 'men', 'vad', 'när', 'här', 'där', 'bra', 'vänligen', 'från'],
	da: ['og', 'at', 'det', 'er', 'jeg', 'du', 'ikke', 'med', 'for', 'på', 'en', 'et', 'til', 'den', 'af', 'som', 'mig', 'min', 'mit', 'tak', 'har', 'vi', 'fra', 'om', 'hej', 'kontoret', 'venlig', 'hilsen', 'tilbage', 'mvh', 'lyder', 'send', 'gerne', 'så', 'kigger', 'ugen', 'vil', 'kunne', 'også', 'eller', 'men', 'hvad', 'når', 'her', 'der', 'godt', 'venligst'],
};
