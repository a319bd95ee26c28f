// Hard or soft: whether a failed delivery says the address (or its domain) does not exist, no longer exists, or is
// permanently disabled or moved (hard), or only that this message could not be delivered now (soft: mailbox full,
// suspended, blocked, spam, policy, too large, expired after retries, temporary DNS trouble, …). Hard needs positive
// evidence: an unknown 5xx is soft, because a hard bounce suppresses the address for every campaign.

/** Enhanced status codes (RFC 3463) that by themselves mean the address or domain does not exist or has moved. */
const HARD_CODES = new Set(['5.1.1', '5.1.2', '5.1.3', '5.1.6', '5.1.10']);

/** Codes that are about this message or the sender, never the address's existence. */
const SOFT_PREFIXES = ['5.2.2', '5.2.3', '5.3.', '5.6.', '5.4.7', '5.4.6', '5.1.7', '5.1.8', '5.2.4', '5.4.3'];

// The address or its domain does not exist (any language mail servers answer in).
const NONEXISTENT = new RegExp(
	[
		'user unknown', 'unknown user', 'unknown recipient', 'unknown address', 'unknown or illegal alias', 'addressee unknown', 'no such (?:user|recipient|mailbox|person|account|address|local user|domain)',
		'mailbox (?:not found|does not exist|doesn\'t exist|unavailable|is unavailable|not available|name not allowed)', '(?:user|recipient|address|mailbox|account) (?:not found|does not exist|doesn\'t exist|unknown|invalid)',
		'does not exist', 'doesn\'t exist', 'did not exist', 'not exist', 'address not found', 'address (?:couldn\'t|could not|cannot|can\'t) be found', 'wasn\'t found at', 'was not found at', 'recipient ?not ?found', 'recip ?not ?found',
		'invalid (?:recipient|mailbox|address|user|e-?mail address)', 'bad destination mailbox', 'no mailbox here by that name', 'not listed in (?:domino directory|public name (?:&|and) address book)', 'this user doesn\'t have an? [\\w.-]+ account',
		'account (?:that you tried to reach )?(?:does not exist|is disabled|has been disabled|is deactivated|has been deactivated|has been closed|is closed|has been terminated|no longer exists|is no longer (?:active|valid|available))',
		'mailbox (?:is )?(?:disabled|deactivated|closed|has been disabled|has been removed|removed)', 'this mailbox is disabled', 'user (?:is )?(?:disabled|deactivated|terminated)', 'disabled or discontinued', 'discontinued',
		'no longer (?:active|valid|exists|in use|available)', 'has moved', 'moved permanently', 'user not local', 'unrouteable address', 'unroutable address',
		'host (?:or domain name )?not found', 'domain (?:not found|does not exist|doesn\'t exist|couldn\'t be found|could not be found|name not found)', 'no such domain', 'nxdomain', 'domain .{1,80}? couldn\'t be found',
		'all relevant mx records point to non-existent hosts', 'not our customer', 'unbekannte?r? (?:empf[äa]nger|benutzer)', '(?:empf[äa]nger|benutzer|postfach) (?:unbekannt|existiert nicht|nicht gefunden)', 'existiert nicht',
		'utilisateur inconnu', 'destinataire inconnu', 'adresse (?:introuvable|inconnue)', 'n\'existe pas', 'usuario (?:desconocido|no existe)', 'no existe', 'n[ãa]o existe', 'utente (?:sconosciuto|inesistente)', 'inesistente',
		'bestaat niet', 'onbekende (?:ontvanger|gebruiker)', 'nie istnieje', 'nieznany (?:odbiorca|u[żz]ytkownik)', 'finns inte', 'ok[äa]nd mottagare', 'findes ikke', 'ukendt modtager', 'resolver\\.adr\\.recip',
	].join('|'),
	'i',
);

// The address exists, or the text says why this one message failed: these outrank a nonexistence guess from a vague code.
const TRANSIENT = new RegExp(
	[
		'over ?quota', 'quota exceeded', 'exceeded (?:the )?(?:storage|quota)', '(?:mailbox|inbox) (?:is )?full', 'mailbox full', 'insufficient (?:system )?storage', 'out of storage', 'storage (?:allocation|limit)',
		'too large', 'size limit', 'message size', 'exceeds (?:the )?(?:maximum|size)', 'spam', 'junk', 'blocked', 'block ?list', 'black ?list', 'listed (?:at|on|in) (?:the )?(?:spamhaus|sorbs|spamcop|barracuda|uceprotect|[\\w.-]*(?:rbl|dnsbl|blocklist|blacklist))', 'reputation', 'policy', 'not permitted', 'not authori[sz]ed',
		'rate limit', 'too many', 'try again', 'temporar', 'greylist', 'graylist', 'suspended', 'inactive', 'timed? ?out', 'timeout', 'expired', 'retry time', 'connection (?:refused|reset)', 'dmarc', 'spf', 'dkim', 'authentication',
		'rejected for policy', 'content rejected', 'virus', 'malware', 'relay(?:ing)? (?:denied|not permitted|access denied)', 'sender (?:rejected|denied|blocked)', 'unsolicited', 'unusual rate', 'abuse',
	].join('|'),
	'i',
);

// Office 365 Directory-Based Edge Blocking: the tenant says the recipient is not in its directory.
const DBEB = /5\.4\.1\b.{0,40}recipient address rejected: access denied/i;

/** Severity of one failed delivery: hard (the address cannot receive mail, ever) or soft, and the deciding rule. */
export function bounceSeverity(status: string | undefined, smtp: string | undefined, text: string): { hard: boolean; why: string } {
	const t = text.length > 4000 ? text.slice(0, 4000) : text;
	const code = status ?? '';
	const nonexistent = NONEXISTENT.test(t);
	const transient = TRANSIENT.test(t);
	// Temporary DNS failure ("Host not found, try again") says nothing about the domain.
	if (/not found,? try again|try again later|temporary (?:failure|error|lookup)/i.test(t) && !/^5\.1\.[12]$/.test(code)) return { hard: false, why: 'temporary failure' };
	if (code.startsWith('4.') || (!code && smtp?.startsWith('4'))) return { hard: false, why: `transient ${code || smtp}` };
	if (HARD_CODES.has(code)) return { hard: true, why: `${code}: address or domain does not exist` };
	if (DBEB.test(t)) return { hard: true, why: '5.4.1 Recipient address rejected: Access denied (the tenant has no such recipient)' };
	if (SOFT_PREFIXES.some((p) => code.startsWith(p))) return { hard: false, why: `${code}: mailbox full, message or sender problem` };
	if (code.startsWith('5.7.')) {
		// Policy codes: hard only when the server plainly says the user does not exist (some reject unknown users with 5.7.1).
		if (nonexistent && !transient) return { hard: true, why: `${code} with "does not exist" wording` };
		return { hard: false, why: `${code}: policy/blocked` };
	}
	if (nonexistent && !transient) return { hard: true, why: `${code || smtp || 'no code'} with "does not exist" wording` };
	if (nonexistent && /user unknown|no such user|does not exist|doesn't exist|recipient not found|recipientnotfound|address not found|no mailbox here/i.test(t) && !/full|quota|spam|block/i.test(t)) {
		return { hard: true, why: `${code || smtp || 'no code'}: recipient does not exist` };
	}
	return { hard: false, why: code || smtp ? `${code || smtp}: not a "does not exist" failure` : 'no status stated' };
}

/** The enhanced status code (RFC 3463) in a text, e.g. '5.1.1' in '550 5.1.1 <a@b>: User unknown' or qmail's '(#5.1.1)'. */
export function enhancedCode(text: string): string | undefined {
	const m = /(?<![\d.])([245])\.(\d{1,3})\.(\d{1,3})(?![\d]|\.\d)/.exec(text.length > 8000 ? text.slice(0, 8000) : text);
	return m ? `${m[1]}.${Number(m[2])}.${Number(m[3])}` : undefined;
}

/** The basic SMTP reply code (RFC 5321) in a diagnostic, e.g. '550' in 'smtp; 550 Requested action not taken'. */
export function smtpCode(text: string): string | undefined {
	const m = /(?:^|[\s;:'"(#\[]|said:\s*)([245][0-5]\d)(?=[\s\-:,'")\]]|$)/.exec(text.length > 8000 ? text.slice(0, 8000) : text);
	return m ? m[1] : undefined;
}
