import { OUTREACH_HEADER } from '../nodes/shared/core/idempotency';
import { entryZone, parseScheduleLabel, SCHEDULE_ROOT, scheduleTime, type ScheduleEntry } from '../nodes/shared/core/schedule';
import type { SandboxParts } from './api/context';
import { headerOf } from './mime';
import type { ApiRequest, ApiResponse, Router } from './router';
import { byDateAsc, type Mailbox, type StoredMessage } from './store';

/** Escapes text for HTML element content and attribute values. */
export function esc(value: unknown): string {
	return String(value ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

const STYLE = `
body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#202124;background:#f6f8fc}
header{background:#fff;padding:12px 24px;border-bottom:1px solid #dadce0}
main{padding:16px 24px;max-width:1100px}
h1{font-size:20px;margin:0}h2{font-size:16px;margin:24px 0 8px}
a{color:#0b57d0}
table{border-collapse:collapse;background:#fff;width:100%}
td,th{border-bottom:1px solid #eee;padding:6px 8px;text-align:left;vertical-align:top}
.thread{background:#fff;border:1px solid #dadce0;border-radius:8px;margin:10px 0;padding:8px 12px}
.msg{border-top:1px solid #eee;padding:6px 0}.msg:first-of-type{border-top:0}
.meta{color:#5f6368;font-size:12px}
.label{display:inline-block;background:#e8f0fe;border-radius:4px;padding:0 6px;margin-right:4px;font-size:12px}
pre{white-space:pre-wrap;margin:4px 0;font:13px/1.4 ui-monospace,monospace}
.cap{font-weight:600}.over{color:#b3261e}
.label.sched{background:#fef7e0}
.due{color:#b3261e;font-weight:600}td.when{white-space:nowrap}.gone{color:#5f6368;text-decoration:line-through}
`;

function page(title: string, body: string): ApiResponse {
	const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>` +
		`<meta name="viewport" content="width=device-width,initial-scale=1"><style>${STYLE}</style></head>` +
		`<body><header><h1><a href="/">Gmail Sandbox</a> · ${esc(title)}</h1></header><main>${body}</main></body></html>`;
	return { status: 200, headers: { 'Content-Type': 'text/html; charset=utf-8' }, body: html };
}

function labelName(mb: Mailbox, id: string): string {
	return mb.labels.find((l) => l.id === id)?.name ?? id;
}

function addr(list: Array<{ name: string; address: string }>): string {
	return list.map((a) => (a.name ? `${a.name} <${a.address}>` : a.address)).join(', ');
}

function messageHtml(mb: Mailbox, m: StoredMessage): string {
	const p = m.parsed;
	const labels = m.labelIds
		.map((l) => labelName(mb, l))
		.map((name) => `<span class="label${parseScheduleLabel(name) ? ' sched' : ''}">${esc(name)}</span>`)
		.join('');
	return `<div class="msg" data-id="${esc(m.id)}"><div><b>${esc(addr(p.from ? [p.from] : []))}</b> → ${esc(addr([...p.to, ...p.cc]))}</div>` +
		`<div class="meta">${esc(new Date(m.internalDate).toISOString())} · ${esc(p.subject)} · id ${esc(m.id)} ${labels}</div>` +
		`<pre>${esc((p.text || p.html.replace(/<[^>]+>/g, ' ')).trim().slice(0, 2000))}</pre></div>`;
}

/** How long until `at` from `now`, as a person reads it ("in 2 d 3 h", "in 40 min"), or "due" once it has come. */
function untilText(at: number, now: number): string {
	const min = Math.ceil((at - now) / 60_000);
	if (min <= 0) return 'due';
	const d = Math.floor(min / 1440);
	const h = Math.floor((min % 1440) / 60);
	const m = min % 60;
	return `in ${[d ? `${d} d` : '', h ? `${h} h` : '', !d && m ? `${m} min` : ''].filter(Boolean).join(' ') || '1 min'}`;
}

/** An instant to the minute, e.g. '2026-03-31 07:43'. */
function utcMinute(at: number): string {
	return new Date(at).toISOString().slice(0, 16).replace('T', ' ');
}

/**
 * The drafts, as the Draft Scheduler's schedule reads them: a draft is scheduled when a label
 * `Outreach/Scheduled/<campaign>/<lead-local time> <offset> · <lead> · step <N> · <draft id>` names it (a draft's own
 * message can carry no label but DRAFT, so the label sits in the label list and on our previous message in the thread).
 * Scheduled drafts come first, soonest first; a schedule label whose draft is gone is shown too (Send Due settles it).
 */
function draftsTable(mb: Mailbox, now: number): string {
	const schedule = new Map<string, Array<ScheduleEntry & { label: string }>>();
	for (const l of mb.labels) {
		const e = parseScheduleLabel(l.name);
		if (e) schedule.set(e.draftId, [...(schedule.get(e.draftId) ?? []), { ...e, label: l.name }]);
	}
	const rows: Array<{ at: number; html: string; scheduled?: true }> = [];
	for (const d of mb.drafts.values()) {
		const m = mb.messages.get(d.messageId);
		if (!m) continue;
		const entries = schedule.get(d.id) ?? [];
		schedule.delete(d.id);
		// A person's edit in Gmail may drop our headers; the schedule (the label) stays, and Send Due puts them back.
		const edited = entries.length > 0 && !headerOf(m.parsed, OUTREACH_HEADER);
		const cells = (e: (typeof entries)[number] | undefined) =>
			`<td>${esc(addr(m.parsed.to))}</td><td>${esc(m.parsed.subject)}${edited ? ' <span class="meta">(edited in Gmail)</span>' : ''}</td>` +
			(e
				? `<td>${esc(e.campaign)}</td><td>${e.step}</td><td class="when" data-due="${esc(e.sendAt.toISOString())}">${esc(scheduleTime(e.sendAt, entryZone(e)))}<div class="meta"><span${e.sendAt.getTime() <= now ? ' class="due"' : ''}>${esc(untilText(e.sendAt.getTime(), now))}</span> · ${esc(utcMinute(e.sendAt.getTime()))} UTC</div></td>`
				: '<td class="meta" colspan="3">not scheduled (a draft of the person’s own)</td>') +
			`<td>${esc(d.id)}</td>`;
		if (!entries.length) rows.push({ at: Number.POSITIVE_INFINITY, html: `<tr data-draft="${esc(d.id)}">${cells(undefined)}</tr>` });
		// Two labels for one draft (e.g. a person copied one): each is shown, as Send Due would read each.
		for (const e of entries) rows.push({ at: e.sendAt.getTime(), scheduled: true, html: `<tr data-draft="${esc(d.id)}" data-scheduled="${esc(e.label)}">${cells(e)}</tr>` });
	}
	for (const [id, entries] of schedule) {
		for (const e of entries) {
			rows.push({
				at: e.sendAt.getTime(),
				html: `<tr data-stale="${esc(e.label)}" class="gone"><td>${esc(e.lead)}</td><td class="meta">draft gone (sent or deleted)</td><td>${esc(e.campaign)}</td><td>${e.step}</td><td class="when">${esc(scheduleTime(e.sendAt, entryZone(e)))}</td><td>${esc(id)}</td></tr>`,
			});
		}
	}
	if (!rows.length) return '<p class="meta">No drafts.</p>';
	const scheduled = rows.filter((r) => r.scheduled).length;
	rows.sort((a, b) => a.at - b.at);
	return `<p class="meta">${scheduled} scheduled by the Draft Scheduler (each named by a label under ${esc(SCHEDULE_ROOT)}/)</p>` +
		`<table class="drafts"><thead><tr><th>To</th><th>Subject</th><th>Campaign</th><th>Step</th><th>Due (lead’s local time)</th><th>Draft id</th></tr></thead><tbody>${rows.map((r) => r.html).join('')}</tbody></table>`;
}

/** The index page: every mailbox with its sent-today count against its cap. */
export function indexPage(parts: SandboxParts): ApiResponse {
	const { store } = parts;
	const rows = [...store.mailboxes.values()]
		.map((mb) => {
			const sent = store.sent24h(mb).length;
			const cap = store.capOf(mb);
			return `<tr><td><a href="/view/${encodeURIComponent(mb.email)}">${esc(mb.email)}</a></td><td>${esc(mb.type)}</td>` +
				`<td>${mb.messages.size}</td><td class="cap${sent >= cap ? ' over' : ''}">${sent} / ${cap}</td></tr>`;
		})
		.join('');
	const table = rows
		? `<table><thead><tr><th>Mailbox</th><th>Type</th><th>Messages</th><th>Sent (24 h) / cap</th></tr></thead><tbody>${rows}</tbody></table>`
		: '<p>No mailboxes yet. Create one with <code>POST /sandbox/mailboxes</code>.</p>';
	return page('Mailboxes', `<p class="meta">Sandbox clock: ${esc(new Date(store.clock.now()).toISOString())}</p>${table}`);
}

/** One mailbox like a mail client shows it: labels, drafts (scheduled ones with their due time), threads with messages in order, sent vs cap. */
export function mailboxPage(parts: SandboxParts, mb: Mailbox): ApiResponse {
	const { store } = parts;
	const sent = store.sent24h(mb).length;
	const cap = store.capOf(mb);
	const labels = mb.labels.length
		? `<ul>${mb.labels.map((l) => `<li>${esc(l.name)} <span class="meta">(${[...mb.messages.values()].filter((m) => m.labelIds.includes(l.id)).length})</span></li>`).join('')}</ul>`
		: '<p class="meta">No user labels.</p>';
	const draftIds = new Set([...mb.drafts.values()].map((d) => d.messageId));
	const threads = new Map<string, StoredMessage[]>();
	for (const m of [...mb.messages.values()].sort(byDateAsc)) {
		if (draftIds.has(m.id)) continue;
		threads.set(m.threadId, [...(threads.get(m.threadId) ?? []), m]);
	}
	const threadHtml = [...threads.entries()]
		.sort((a, b) => b[1][b[1].length - 1].internalDate - a[1][a[1].length - 1].internalDate)
		.map(([id, msgs]) => `<section class="thread" data-thread="${esc(id)}"><h3>${esc(msgs[0].parsed.subject || '(no subject)')} <span class="meta">${msgs.length} message${msgs.length === 1 ? '' : 's'}</span></h3>${msgs.map((m) => messageHtml(mb, m)).join('')}</section>`)
		.join('');
	const drafts = draftsTable(mb, store.clock.now());
	const body =
		`<p class="cap${sent >= cap ? ' over' : ''}">Sent in the last 24 h: ${sent} / ${cap}</p>` +
		`<p class="meta">${esc(mb.type)} · ${esc(mb.timezone)} · sandbox clock ${esc(new Date(store.clock.now()).toISOString())}</p>` +
		`<h2>Drafts</h2>${drafts}` +
		`<h2>Labels</h2>${labels}` +
		`<h2>Threads</h2>${threadHtml || '<p class="meta">No messages.</p>'}`;
	return page(mb.email, body);
}

/** Registers GET / and GET /view/{email}. */
export function registerView(router: Router<ApiRequest>, parts: SandboxParts): void {
	router.on('GET', '/', () => indexPage(parts));
	router.on('GET', '/favicon.ico', () => ({ status: 204 }));
	router.on('GET', '/view/:email', (_req, p) => {
		const mb = parts.store.mailbox(p.email);
		if (!mb) return { status: 404, headers: { 'Content-Type': 'text/html; charset=utf-8' }, body: `<!doctype html><title>Not found</title><p>No mailbox ${esc(p.email)}</p>` };
		return mailboxPage(parts, mb);
	});
}
