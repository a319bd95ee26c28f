// Recipient Field dragged in as {{ $json.email }}: n8n resolves it to the address, and the node sends to that lead.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSandbox, type TestSandbox } from '../support/sandbox';
import { baseParameters, leads, perRecipient, runSend, sentMessages, type SendOutputs } from './helpers-send';

let sb: TestSandbox;
before(async () => {
	sb = await startSandbox();
});
after(async () => {
	await sb.close();
});

/** The execution hints n8n recorded for the node under test. */
function hints(o: SendOutputs): string[] {
	const runs = o.result.run.data.resultData.runData['Node Under Test'] ?? [];
	return runs.flatMap((r) => (r.hints ?? []).map((h) => h.message));
}

describe('Recipient Field as an expression', () => {
	test('Recipient Field = {{ $json.email }} sends each lead its own email, and the hint says the expression was used', async () => {
		const mb = await sb.createMailbox({ email: 'owner@expr.test' });
		const items = leads(3, 'expr-leads.test');
		const o = await runSend(sb, mb, items, baseParameters({ emailField: '={{ $json.email }}' }));
		assert.equal(o.result.error, undefined);
		assert.equal(o.failed.length, 0, JSON.stringify(o.failed));
		assert.equal(o.sent.length, 3);
		const byTo = perRecipient(await sentMessages(sb, mb.email));
		for (const [i, lead] of items.entries()) {
			assert.equal(o.sent[i].to, lead.email);
			const [m] = byTo.get(String(lead.email))!;
			assert.equal(m.to[0].name, `First${i} Last${i}`, 'the name fields still come from the row');
		}
		assert.match(hints(o).join('\n'), /Recipient Field is an expression \(\{\{ \$json\.email \}\}\): its value was used as each lead's address/);
	});

	test('an empty cell behind the expression fails the row naming the column', async () => {
		const mb = await sb.createMailbox({ email: 'owner@expr-empty.test' });
		const o = await runSend(sb, mb, [{ email: '', first_name: 'No', row_number: 4 }], baseParameters({ emailField: '={{ $json.email }}' }));
		assert.equal(o.failed.length, 1);
		assert.equal(o.failed[0].error, 'Row 4 (row_number), field "email": missing or empty');
	});

	test('an expression that yields a column name still reads that column; a plain column name says so in the hint', async () => {
		const mb = await sb.createMailbox({ email: 'owner@expr-col.test' });
		const items = leads(1, 'expr-col.test').map((l) => ({ ...l, work_email: l.email, email: undefined }));
		const viaExpression = await runSend(sb, mb, items, baseParameters({ emailField: "={{ 'work_email' }}" }));
		assert.equal(viaExpression.sent.length, 1, JSON.stringify(viaExpression.failed));
		assert.equal(viaExpression.sent[0].to, items[0].work_email);
		const mb2 = await sb.createMailbox({ email: 'owner@expr-col2.test' });
		const plain = await runSend(sb, mb2, items, baseParameters({ emailField: 'work_email' }));
		assert.equal(plain.sent.length, 1);
		assert.match(hints(plain).join('\n'), /Recipient Field named a column: each lead's address was read from "work_email"/);
	});

	test('a fixed address typed into Recipient Field is a column name, never one address for every lead', async () => {
		const mb = await sb.createMailbox({ email: 'owner@expr-fixed.test' });
		const o = await runSend(sb, mb, leads(2, 'expr-fixed.test'), baseParameters({ emailField: 'me@expr-fixed.test' }));
		assert.equal(o.sent.length, 0);
		assert.equal(o.failed.length, 2);
		assert.match(String(o.failed[0].error), /field "me@expr-fixed\.test": missing or empty/);
	});
});
