// Charset decoding through the WHATWG TextDecoder (Node's full ICU knows iso-8859-x, windows-125x, koi8, CJK, …).
import { TextDecoder } from 'node:util';

const decoders = new Map<string, TextDecoder | null>();

// Labels mail software writes that the WHATWG list spells differently (or not at all).
const ALIASES: Record<string, string> = {
	'utf8': 'utf-8',
	'unicode-1-1-utf-8': 'utf-8',
	'ascii': 'windows-1252',
	'us-ascii': 'windows-1252',
	'ansi_x3.4-1968': 'windows-1252',
	'cp1252': 'windows-1252',
	'latin-1': 'iso-8859-1',
	'iso8859-1': 'iso-8859-1',
	'iso8859-15': 'iso-8859-15',
	'iso-8859-8-i': 'iso-8859-8-i',
	'ks_c_5601-1987': 'euc-kr',
	'x-sjis': 'shift_jis',
	'cp932': 'shift_jis',
	'cp936': 'gbk',
	'cp949': 'euc-kr',
	'cp950': 'big5',
	'gb_2312-80': 'gbk',
};

function decoder(label: string, fatal: boolean): TextDecoder | null {
	const key = `${label}|${fatal ? 1 : 0}`;
	if (decoders.has(key)) return decoders.get(key) ?? null;
	let d: TextDecoder | null;
	try {
		d = new TextDecoder(label, { fatal });
	} catch {
		d = null;
	}
	decoders.set(key, d);
	return d;
}

/** Octets → text in a charset; an unknown charset or invalid UTF-8 falls back to Windows-1252 (never throws). */
export function decodeBytes(bytes: Uint8Array, charset: string): string {
	let label = (charset || 'utf-8').trim().toLowerCase().replace(/^["']|["']$/g, '');
	label = ALIASES[label] ?? label.replace(/^cp-?(125\d)$/, 'windows-$1').replace(/^win-?(125\d)$/, 'windows-$1');
	if (label === 'utf-8') {
		const strict = decoder('utf-8', true);
		try {
			if (strict) return strip(strict.decode(bytes));
		} catch {
			// Mislabelled 8-bit text: Windows-1252 is what such mail nearly always is.
			return decoder('windows-1252', false)?.decode(bytes) ?? Buffer.from(bytes).toString('latin1');
		}
	}
	const d = decoder(label, false) ?? decoder('utf-8', true);
	try {
		if (d) return strip(d.decode(bytes));
	} catch {
		// fall through
	}
	return decoder('windows-1252', false)?.decode(bytes) ?? Buffer.from(bytes).toString('latin1');
}

// A byte-order mark is not text.
function strip(s: string): string {
	return s.charCodeAt(0) === 0xfeff ? s.slice(1) : s;
}
