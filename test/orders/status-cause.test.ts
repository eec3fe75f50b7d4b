import { describe, expect, it } from '@jest/globals';
import { memoryLedger, orderInput } from '../helpers/orders-db.js';

const FORM = { gatewayOrderId: 'gw-1', formUrl: 'https://pay.example/payment_en.html?mdOrder=gw-1' };

describe('the cause of a status change', () => {
  it('when a status is applied with a cause, then the status event records where it came from and who acted', () => {
    const { ledger } = memoryLedger();
    const { id } = ledger.createOrder(orderInput());
    ledger.markRegistered(id, FORM);
    ledger.applyGatewayStatus(id, { orderStatus: 2, actionCode: 0, cause: { source: 'callback' } });
    ledger.applyGatewayStatus(id, { orderStatus: 4, actionCode: 0, cause: { source: 'admin', actor: 'ops' } });
    const status = ledger.events(id).filter((e) => e.kind === 'status');
    expect(status.map((e) => [e.outcome, e.detail?.cause])).toEqual([
      ['changed', { source: 'callback' }],
      ['changed', { source: 'admin', actor: 'ops' }],
    ]);
  });

  it('when a reply does not match the order, then the mismatch event records its cause', () => {
    const { ledger } = memoryLedger();
    const { id } = ledger.createOrder(orderInput());
    ledger.markRegistered(id, FORM);
    ledger.markMismatch(id, { fields: ['amount'] }, { source: 'reconciler' });
    expect(ledger.events(id).at(-1)).toMatchObject({
      kind: 'mismatch',
      outcome: 'marked',
      detail: { fields: ['amount'], cause: { source: 'reconciler' } },
    });
  });
});
