import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyInbound, type InboundHeaders, type InboundKind } from '../../nodes/shared/core/classify';

const human = { from: 'Ann Lee <ann@acme.com>', subject: 'Re: Quick question', 'content-type': 'multipart/alternative; boundary="x"' };
const cases: { name: string; headers: InboundHeaders; kind: InboundKind; reason?: RegExp }[] = [
	{ name: 'plain human reply', headers: human, kind: 'human' },
	{ name: 'Auto-Submitted: no is human', headers: { ...human, 'auto-submitted': 'no' }, kind: 'human' },
	{ name: 'Precedence: first-class is human', headers: { ...human, precedence: 'first-class' }, kind: 'human' },
	{ name: 'Return-Path with an address is human', headers: { ...human, 'return-path': '<ann@acme.com>' }, kind: 'human' },
	{ name: 'Auto-Submitted: auto-replied', headers: { ...human, 'auto-submitted': 'auto-replied' }, kind: 'auto_reply', reason: /Auto-Submitted: auto-replied/ },
	{ name: 'Auto-Submitted: auto-generated with comment', headers: { ...human, 'auto-submitted': 'Auto-Generated; owner-email="x@y"' }, kind: 'auto_reply' },
	{ name: 'Auto-Submitted: auto-notified', headers: { ...human, 'auto-submitted': 'auto-notified' }, kind: 'auto_reply' },
	{ name: 'X-Autoreply', headers: { ...human, 'x-autoreply': 'yes' }, kind: 'auto_reply', reason: /X-Autoreply/ },
	{ name: 'X-Autorespond', headers: { ...human, 'x-autorespond': 'Out of office' }, kind: 'auto_reply', reason: /X-Autorespond/ },
	{ name: 'Precedence: bulk', headers: { ...human, precedence: 'bulk' }, kind: 'auto_reply', reason: /Precedence: bulk/ },
	{ name: 'Precedence: auto_reply', headers: { ...human, precedence: 'auto_reply' }, kind: 'auto_reply' },
	{ name: 'Precedence: JUNK', headers: { ...human, precedence: 'JUNK' }, kind: 'auto_reply' },
	{ name: 'Precedence: list', headers: { ...human, precedence: 'list' }, kind: 'auto_reply' },
	{ name: 'null Return-Path', headers: { ...human, 'return-path': '<>' }, kind: 'auto_reply', reason: /null Return-Path/ },
	{ name: 'read receipt (disposition-notification)', headers: { ...human, 'content-type': 'multipart/report; report-type=disposition-notification; boundary=b' }, kind: 'auto_reply' },
	{ name: 'From MAILER-DAEMON', headers: { from: 'Mail Delivery Subsystem <MAILER-DAEMON@googlemail.com>', subject: 'Delivery Status Notification (Failure)' }, kind: 'bounce', reason: /mailer-daemon@/ },
	{ name: 'From postmaster', headers: { from: 'postmaster@acme.com' }, kind: 'bounce' },
	{ name: 'DSN content type', headers: { from: 'x@y.com', 'content-type': 'multipart/report; report-type=delivery-status; boundary="b"' }, kind: 'bounce', reason: /delivery-status/ },
	{ name: 'DSN content type, quoted and reordered', headers: { from: 'x@y.com', 'content-type': 'Multipart/Report; boundary=b; Report-Type="Delivery-Status"' }, kind: 'bounce' },
	{ name: 'bounce wins over auto-submitted', headers: { from: 'mailer-daemon@x.com', 'auto-submitted': 'auto-replied' }, kind: 'bounce' },
	{ name: 'X-Failed-Recipients', headers: { from: 'x@y.com', 'x-failed-recipients': 'ann@acme.com' }, kind: 'bounce' },
	{ name: 'postmaster-like local part is not a bounce', headers: { ...human, from: 'postmaster.jones@acme.com' }, kind: 'human' },
	{ name: 'no headers at all', headers: {}, kind: 'human' },
];
for (const c of cases) {
	test(c.name, () => {
		const r = classifyInbound(c.headers);
		assert.equal(r.kind, c.kind, r.reason);
		assert.ok(r.reason.length > 0);
		if (c.reason) assert.match(r.reason, c.reason);
	});
}
