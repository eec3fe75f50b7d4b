import { expect, it } from '@jest/globals';
import { describeLedgers } from '../helpers/ledgers.js';
import { orderInput } from '../helpers/orders-db.js';

const FORM = { gatewayOrderId: 'gw-1', formUrl: 'https://pay.example/payment_en.html?mdOrder=gw-1' };

describeLedgers('the cause of a status change', (open) => {
  it('when a status is applied with a cause, then the status event records where it came from and who acted', async () => {
    const { ledger } = await open();
    const { id } = await ledger.createOrder(orderInput());
    await ledger.markRegistered(id, FORM);
    await ledger.applyGatewayStatus(id, { orderStatus: 2, actionCode: 0, cause: { source: 'callback' } });
    await ledger.applyGatewayStatus(id, { orderStatus: 4, actionCode: 0, cause: { source: 'admin', actor: 'ops' } });
    const status = (await ledger.events(id)).filter((e) => e.kind === 'status');
    expect(status.map((e) => [e.outcome, e.detail?.cause])).toEqual([
      ['changed', { source: 'callback' }],
      ['changed', { source: 'admin', actor: 'ops' }],
    ]);
  });

  it('when a reply does not match the order, then the mismatch event records its cause', async () => {
    const { ledger } = await open();
    const { id } = await ledger.createOrder(orderInput());
    await ledger.markRegistered(id, FORM);
    await ledger.markMismatch(id, { fields: ['amount'] }, { source: 'reconciler' });
    expect((await ledger.events(id)).at(-1)).toMatchObject({
      kind: 'mismatch',
      outcome: 'marked',
      detail: { fields: ['amount'], cause: { source: 'reconciler' } },
    });
  });
});
