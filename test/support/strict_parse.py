"""Parses raw RFC 5322 messages with Python's standard email package, strictly, and reports what a reader sees.

Input (stdin, JSON): {"allowed": [header names], "allowedPart": [header names], "messages": [{"id": str, "raw": str}]}
Output (stdout, JSON): one report per message, in input order:
  id, defects (strict-parse errors and every defect the default policy records, message, part and header level),
  headers (top-level names in order), unexpected (top-level names outside "allowed"), partUnexpected (MIME part
  header names outside "allowedPart"), multiline (headers whose decoded value holds a control character),
  from, to, cc, bcc, replyTo ([display name, address] pairs as the parser reads them), subject, text, html,
  attachments ([filename, size]).

An independent reader on purpose: it shares no code with the TypeScript builder or postal-mime.
"""

import email
import email.policy
import json
import sys
import unicodedata
from email.parser import BytesParser

ADDRESS_HEADERS = {'from': 'from', 'to': 'to', 'cc': 'cc', 'bcc': 'bcc', 'reply-to': 'replyTo'}


def controls(text):
    """True when text holds a C0/C1 control (CR, LF, NUL, ...) or a Unicode line/paragraph separator."""
    return any(unicodedata.category(c) == 'Cc' or c in '\u2028\u2029' for c in text)


def parsed_headers(part, found):
    """(name, parsed value) of every header; a value the parser refuses is a defect, never a crash of the report."""
    out = []
    for name, raw in part.raw_items():
        try:
            out.append((name, part.policy.header_fetch_parse(name, raw)))
        except Exception as error:
            found.append(f'{name}: unparseable: {type(error).__name__}: {error}')
    return out


def report(item, allowed, allowed_part):
    raw = item['raw'].encode('utf-8')
    out = {'id': item.get('id'), 'defects': []}
    try:
        strict = BytesParser(policy=email.policy.strict).parsebytes(raw)
        # Header values are parsed lazily: read every one so strict parsing covers them too.
        for part in strict.walk():
            for _name, value in part.items():
                str(value)
                getattr(value, 'addresses', None)
    except Exception as error:  # strict raises on the first defect; report it and carry on with the default policy
        out['defects'].append(f'strict: {type(error).__name__}: {error}')
    msg = BytesParser(policy=email.policy.default).parsebytes(raw)
    headers = {}
    for index, part in enumerate(msg.walk()):
        out['defects'] += [f'{type(d).__name__}: {d}' for d in part.defects]
        parsed = parsed_headers(part, out['defects'])
        out['defects'] += [f'{n}: {type(d).__name__}: {d}' for n, v in parsed for d in getattr(v, 'defects', ())]
        if index == 0:
            headers = parsed
    names = list(msg.keys())
    out['headers'] = names
    out['unexpected'] = [n for n in names if n.lower() not in allowed]
    out['partUnexpected'] = sorted({n for part in list(msg.walk())[1:] for n in part.keys() if n.lower() not in allowed_part})
    out['multiline'] = [n for n, v in headers if controls(str(v))]
    for key in ADDRESS_HEADERS.values():
        out[key] = []
    for name, value in headers:
        key = ADDRESS_HEADERS.get(name.lower())
        if key:
            out[key] += [[a.display_name, a.addr_spec] for a in getattr(value, 'addresses', ())]
    out['subject'] = [str(v) for n, v in headers if n.lower() == 'subject']
    text = msg.get_body(preferencelist=('plain',))
    html = msg.get_body(preferencelist=('html',))
    out['text'] = text.get_content() if text is not None else None
    out['html'] = html.get_content() if html is not None else None
    out['attachments'] = [[a.get_filename(), len(a.get_payload(decode=True) or b'')] for a in msg.iter_attachments()]
    return out


def main():
    data = json.load(sys.stdin)
    allowed = {n.lower() for n in data['allowed']}
    allowed_part = {n.lower() for n in data['allowedPart']}
    json.dump([report(m, allowed, allowed_part) for m in data['messages']], sys.stdout)


if __name__ == '__main__':
    main()
