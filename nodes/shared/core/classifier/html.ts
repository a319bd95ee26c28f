// Inbound HTML → plain text, optionally without the quoted earlier message (Gmail, Outlook, Apple Mail, Thunderbird, Yahoo).
import { decodeEntities } from '../template';

// Where a quoted earlier message begins in the HTML the common clients write (a tag, or a class/id inside one);
// everything from the enclosing tag on is not the sender's.
const QUOTE_MARKERS = [
	'<blockquote', 'gmail_quote', 'gmail_attr', 'divrplyfwdmsg', 'appendonsend', 'mail-editor-reference-message-container',
	'moz-cite-prefix', 'yahoo_quoted', 'outlookmessageheader', 'protonmail_quote', 'zmail_extra', 'appleoriginalcontents',
	'stopspelling', 'border-top:solid #e1e1e1', 'border-top: solid #e1e1e1', 'border-top:solid #b5c4df', 'border-top: solid #b5c4df',
];

/** Plain text of an HTML body: scripts and styles dropped, block ends as line breaks, entities decoded. */
export function htmlToPlain(html: string, opts: { stripQuotes?: boolean } = {}): string {
	let s = html.length > 400_000 ? html.slice(0, 400_000) : html;
	s = dropBetween(s, '<!--', '-->');
	for (const tag of ['script', 'style', 'head', 'title']) s = dropElement(s, tag);
	if (opts.stripQuotes) {
		const lower = s.toLowerCase();
		let cut = s.length;
		for (const marker of QUOTE_MARKERS) {
			const i = lower.indexOf(marker);
			if (i >= 0 && i < cut) cut = marker.startsWith('<') ? i : Math.max(0, lower.lastIndexOf('<', i));
		}
		s = s.slice(0, cut);
	}
	s = s
		.replace(/\s+/g, ' ')
		.replace(/<br\s*\/?>/gi, '\n')
		.replace(/<li\b[^>]{0,4000}>/gi, '\n- ')
		.replace(/<\/?(?:p|div|h[1-6]|ul|ol|table|tr|blockquote|section|article|header|footer|pre)\b[^>]{0,4000}>/gi, '\n')
		.replace(/<\/t[dh]\s*>/gi, ' ')
		.replace(/<hr\b[^>]{0,4000}>/gi, '\n---\n')
		.replace(/<[^>]{0,4000}>/g, '');
	return decodeEntities(s)
		.split('\n')
		.map((line) => line.replace(/[ \t\u00a0]+/g, ' ').trim())
		.join('\n')
		.replace(/\n{3,}/g, '\n\n')
		.trim();
}

// Removes every open…close span with plain searches (an unclosed one runs to the end): linear, no backtracking.
function dropBetween(s: string, open: string, close: string): string {
	let out = '';
	let pos = 0;
	for (;;) {
		const a = s.indexOf(open, pos);
		if (a < 0) return out + s.slice(pos);
		out += s.slice(pos, a);
		const b = s.indexOf(close, a + open.length);
		if (b < 0) return out;
		pos = b + close.length;
	}
}

function dropElement(s: string, tag: string): string {
	const lower = s.toLowerCase();
	let out = '';
	let pos = 0;
	for (;;) {
		let a = lower.indexOf('<' + tag, pos);
		while (a >= 0 && /[a-z0-9-]/.test(lower[a + tag.length + 1] ?? '')) a = lower.indexOf('<' + tag, a + 1);
		if (a < 0) return out + s.slice(pos);
		out += s.slice(pos, a);
		const b = lower.indexOf('</' + tag, a);
		if (b < 0) return out;
		const end = lower.indexOf('>', b);
		pos = end < 0 ? s.length : end + 1;
	}
}
