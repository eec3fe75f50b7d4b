/**
 * Issue 9, "restart trap": a Buy that finds the purchase's stored payment page asks the gateway first whether the
 * page still takes a payment, and registers a new order when the gateway lost the order or it is no longer payable.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { startSandbox, type RunningSandbox } from '@rbs-storefront/gateway-sandbox';
import { replies, type MethodHandler } from '../helpers/misbehaving-gateway.js';
import { payOnHostedPage } from '../../packages/gateway-sandbox/test/helpers/sandbox-buyer.js';
import { buy, scriptedShopPerTest, shopPath, startShop, type TestShop } from '../helpers/shop.js';

const mdOrder = (res: request.Response) => new URL(res.headers.location!).searchParams.get('mdOrder')!;

/** Presses Buy on the notebook's page; the answer must be the redirect to a payment page. */
async function buyNotebook(agent: request.Agent): Promise<request.Response> {
  const res = await buy(agent, 'notebook');
  expect(res.status).toBe(303);
  return res;
}

describe('a Buy that finds a stored payment page, against a scripted gateway', () => {
  const start = scriptedShopPerTest();

  /** Answers status calls about orders it registered with `status(form)`; the healthy helper answers the rest. */
  async function shopWhoseStatusSays(status: MethodHandler) {
    return start({ getOrderStatusExtended: status });
  }

  const registeredOrder = (form: Record<string, string>) => ({
    errorCode: '0',
    orderId: form.orderId,
    orderNumber: 'ignored when asked by orderId',
    amount: 0,
    currency: '643',
  });

  it('when the gateway still has the order unpaid (status 0), then the buyer goes back to the same page', async () => {
    const { gateway, shop } = await start();
    const agent = request.agent(shop.app);
    const first = await buyNotebook(agent);
    const second = await buyNotebook(agent);
    expect(second.headers.location).toBe(first.headers.location);
    expect(gateway.callsTo('register')).toHaveLength(1);
    expect(gateway.callsTo('getOrderStatusExtended').map((r) => r.form.orderId)).toEqual([mdOrder(first)]);
  });

  it('when the gateway does not know the order (errorCode 6), then a new order is registered and the old one retired', async () => {
    const { gateway, shop } = await shopWhoseStatusSays(() => replies.rejected('6', 'Order not found'));
    const agent = request.agent(shop.app);
    const first = await buyNotebook(agent);
    const second = await buyNotebook(agent);
    expect(mdOrder(second)).not.toBe(mdOrder(first));
    expect(gateway.callsTo('register')).toHaveLength(2);
    const old = shop.ledger.findByGatewayOrderId(mdOrder(first))!;
    expect(old.purchaseKey).toBeNull();
    expect(shop.ledger.events(old.id).at(-1)).toMatchObject({
      kind: 'purchase_key',
      outcome: 'released',
      detail: { reason: 'the gateway does not know the order', errorCode: 6 },
    });
    // The new order is the purchase's pending one now: a third Buy asks about it, not about the old one.
    await buyNotebook(agent);
    expect(gateway.callsTo('getOrderStatusExtended').at(-1)?.form.orderId).toBe(mdOrder(second));
  });

  it.each([
    [6, 'declined or expired'],
    [2, 'paid meanwhile'],
    [5, 'in the middle of a payment'],
  ])(
    'when the gateway says the order is no longer payable (orderStatus %i, %s), then a new order is registered',
    async (orderStatus) => {
      const { gateway, shop } = await shopWhoseStatusSays((form) =>
        replies.json({ ...registeredOrder(form), orderStatus, actionCode: 0 }),
      );
      const agent = request.agent(shop.app);
      const first = await buyNotebook(agent);
      const second = await buyNotebook(agent);
      expect(mdOrder(second)).not.toBe(mdOrder(first));
      expect(gateway.callsTo('register')).toHaveLength(2);
      const old = shop.ledger.findByGatewayOrderId(mdOrder(first))!;
      expect(shop.ledger.events(old.id).at(-1)).toMatchObject({
        kind: 'purchase_key',
        detail: { reason: 'the payment page no longer takes a payment', orderStatus },
      });
    },
  );

  it.each([
    ['times out', replies.hang()],
    ['answers HTTP 502', replies.http(502)],
    ['resets the connection', replies.reset()],
    ['refuses for another reason (errorCode 5)', replies.rejected('5', 'Access denied')],
  ])(
    'when the gateway %s on the status call, then the buyer goes back to the stored page as before',
    async (_name, reply) => {
      const { gateway, shop } = await shopWhoseStatusSays(() => reply);
      const agent = request.agent(shop.app);
      const first = await buyNotebook(agent);
      const second = await buyNotebook(agent);
      expect(second.headers.location).toBe(first.headers.location);
      expect(gateway.callsTo('register')).toHaveLength(1);
      expect(shop.logs.join('\n')).toContain('could not ask the gateway about the stored payment page');
    },
  );
});

describe('a Buy after the gateway sandbox restarted without its orders (end to end)', () => {
  let sandbox: RunningSandbox | undefined;
  let shop: TestShop | undefined;
  afterEach(async () => {
    await shop?.close();
    await sandbox?.close();
    shop = sandbox = undefined;
  });

  it('when the sandbox forgot the order, then Buy again leads to a new page that takes the payment, not "Order not found"', async () => {
    sandbox = await startSandbox({ port: 0, callbacks: false });
    const port = Number(new URL(sandbox.url).port);
    shop = await startShop({ gatewayUrl: sandbox.gatewayUrl });
    const agent = request.agent(shop.app);
    const first = await buyNotebook(agent);

    // The restart: same address, no data folder, so every order is gone (a gateway that lost the order).
    await sandbox.close();
    sandbox = await startSandbox({ port, callbacks: false });
    const lost = await fetch(first.headers.location!);
    expect(lost.status).toBe(404);

    const second = await buyNotebook(agent);
    expect(second.headers.location).not.toBe(first.headers.location);
    const paid = await payOnHostedPage(second.headers.location!, { pan: '4111111111111111' });
    expect(paid.redirectUrl).not.toBeNull();
    const back = await agent.get(shopPath(paid.redirectUrl!));
    expect(back.status).toBe(200);
    expect(shop.ledger.findByGatewayOrderId(mdOrder(second))?.status).toBe('paid');
  });

  it('when the sandbox kept its orders on disk, then Buy again after its restart goes back to the same page, and it takes the payment', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'sandbox-restart-'));
    try {
      sandbox = await startSandbox({ port: 0, callbacks: false, dataDir });
      const port = Number(new URL(sandbox.url).port);
      shop = await startShop({ gatewayUrl: sandbox.gatewayUrl });
      const agent = request.agent(shop.app);
      const first = await buyNotebook(agent);

      await sandbox.close();
      sandbox = await startSandbox({ port, callbacks: false, dataDir });

      const second = await buyNotebook(agent);
      expect(second.headers.location).toBe(first.headers.location);
      const paid = await payOnHostedPage(second.headers.location!, { pan: '4111111111111111' });
      expect((await agent.get(shopPath(paid.redirectUrl!))).status).toBe(200);
      expect(shop.ledger.findByGatewayOrderId(mdOrder(first))?.status).toBe('paid');
    } finally {
      await sandbox?.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
