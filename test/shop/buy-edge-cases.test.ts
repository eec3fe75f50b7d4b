// Edge cases of Buy and the return found in review: each once left a purchase blocked, registered twice or leaked.
import { describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { createBrowserKey } from '../../src/http/browser-key.js';
import { createLedger } from '../../src/orders/ledger.js';
import { createCatalog } from '../../src/shop/catalog.js';
import { purchaseKeyOf } from '../../src/shop/checkout.js';
import type { HandlerContext } from '../helpers/misbehaving-gateway.js';
import { notebookOrder } from '../helpers/orders-db.js';
import { buy, buyTwiceAtOnce, cookieValue, csrfTokenFrom, scriptedShopPerTest } from '../helpers/shop.js';

const start = scriptedShopPerTest();

/** The purchase key Buy derives for this browser (its buyer cookie) and one notebook. */
const notebookKeyFor = (page: request.Response) =>
  purchaseKeyOf(
    createBrowserKey({ https: false }).id(cookieValue(page, 'buyer')!),
    createCatalog().get('notebook')!,
    1,
  );
/** A healthy register.do that gives every order its own gateway id. */
const numberedOrders = {
  register: (form: Record<string, string>, ctx: HandlerContext) => ({
    body: {
      orderId: `order-${form.orderNumber}`,
      formUrl: `${ctx.origin}/payment/merchants/x/payment_en.html?mdOrder=order-${form.orderNumber}`,
    },
  }),
};

describe('Buy', () => {
  it('when the gateway answers an orderId this shop already holds, answers 502 and the next Buy starts afresh', async () => {
    const { gateway, shop } = await start({
      register: (_form, ctx) => ({
        body: { orderId: 'same-id', formUrl: `${ctx.origin}/payment/merchants/x/payment_en.html?mdOrder=same-id` },
      }),
    });
    await buy(request.agent(shop.app), 'notebook', 1).then((r) => expect(r.status).toBe(303));
    const bob = request.agent(shop.app);
    const clash = await buy(bob, 'notebook', 1);
    expect(clash.status).toBe(502);
    expect(clash.headers.location).toBeUndefined();
    expect(clash.text).toMatch(/not been charged/i);
    const [stuck] = shop.ledger.listRecent(1);
    expect(stuck).toMatchObject({ status: 'register_unknown' });
    // not blocked: the same purchase in the same browser reaches the gateway again at once
    await buy(bob, 'notebook', 1);
    expect(gateway.callsTo('register')).toHaveLength(3);
  });

  it('when the order lifetime is short, a double click still registers one order', async () => {
    const { gateway, shop } = await start({}, { env: { ORDER_LIFETIME_SECS: '60' } });
    const { a, b } = await buyTwiceAtOnce(request.agent(shop.app), 'notebook');
    expect([a.status, b.status]).toEqual([303, 303]);
    expect(gateway.callsTo('register')).toHaveLength(1);
  });

  it('when an earlier request died before the gateway answered, the same purchase is registered anew', async () => {
    const { gateway, shop } = await start();
    const agent = request.agent(shop.app);
    const page = await agent.get('/products/notebook').expect(200);
    const purchaseKey = notebookKeyFor(page);
    // a row left 'new' a minute ago by a process that crashed mid-register
    const past = createLedger(shop.db, { now: () => Date.now() - 60_000 });
    const orphan = past.createOrder(notebookOrder({ purchaseKey }));
    const res = await agent
      .post('/buy')
      .type('form')
      .send({ _csrf: csrfTokenFrom(page.text), productId: 'notebook', quantity: '1' });
    expect(res.status).toBe(303);
    expect(shop.ledger.events(orphan.id)).toContainEqual(
      expect.objectContaining({ kind: 'register_error', outcome: 'register_unknown' }),
    );
    expect(gateway.callsTo('register')).toHaveLength(1);
    // The retired order is asked about by its number; this gateway never heard of it, so it is closed, not charged.
    const deadline = Date.now() + 5_000;
    while (shop.ledger.get(orphan.id)!.status !== 'register_failed' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(shop.ledger.get(orphan.id)!.status).toBe('register_failed');
    expect(gateway.callsTo('getOrderStatusExtended')).toEqual([
      expect.objectContaining({ form: expect.objectContaining({ orderNumber: orphan.orderNumber }) }),
    ]);
  });

  it('when the stored payment page has gone stale, the same purchase is registered anew', async () => {
    const { gateway, shop } = await start(numberedOrders);
    const agent = request.agent(shop.app);
    const first = await buy(agent, 'notebook', 1);
    expect(first.status).toBe(303);
    // the order was created longer ago than the payment page is worth going back to
    shop.db.prepare('UPDATE orders SET created_at = created_at - ?').run(shop.config.orderLifetimeSecs * 1000);
    const second = await buy(agent, 'notebook', 1);
    expect(second.status).toBe(303);
    expect(second.headers.location).not.toBe(first.headers.location);
    expect(gateway.callsTo('register')).toHaveLength(2);
    const [newer, older] = shop.ledger.listRecent(2);
    expect(older).toMatchObject({ status: 'registered', purchaseKey: null });
    expect(newer).toMatchObject({ status: 'registered' });
  });

  it('when another shop instance is registering the same purchase, answers 503 busy with Retry-After and registers nothing', async () => {
    const { gateway, shop } = await start();
    const agent = request.agent(shop.app);
    const page = await agent.get('/products/notebook').expect(200);
    const purchaseKey = notebookKeyFor(page);
    // a second process on the same database has just claimed this purchase and is waiting for the gateway
    const other = createLedger(shop.db);
    other.claimPurchase({ ...notebookOrder(), purchaseKey }, { abandonAfterMs: 60_000, reuseForMs: 60_000 });
    const res = await agent
      .post('/buy')
      .type('form')
      .send({ _csrf: csrfTokenFrom(page.text), productId: 'notebook', quantity: '1' });
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('3');
    expect(res.text).toMatch(/still being processed/);
    expect(gateway.callsTo('register')).toHaveLength(0);
    expect(shop.ledger.listRecent(10)).toHaveLength(1);
  });

  it('when Buy is pressed twice while the gateway refuses, both get the not-charged page from one register call', async () => {
    const { gateway, shop } = await start({
      register: () => ({ delayMs: 200, body: { errorCode: '5', errorMessage: 'Access denied' } }),
    });
    const { a, b } = await buyTwiceAtOnce(request.agent(shop.app), 'notebook');
    expect([a.status, b.status]).toEqual([502, 502]);
    for (const res of [a, b]) expect(res.text).toMatch(/not been charged/i);
    expect(gateway.callsTo('register')).toHaveLength(1);
    expect(shop.ledger.listRecent(10)).toEqual([expect.objectContaining({ status: 'register_failed' })]);
  });

  it('once a browser has a session, browsing the catalog neither reads nor renews it', async () => {
    const { shop } = await start();
    const agent = request.agent(shop.app);
    const bought = await buy(agent, 'notebook', 1);
    expect(cookieValue(bought, 'sid')).toBeDefined();
    for (const path of ['/', '/products/notebook', '/no-such-page']) {
      const res = await agent.get(path);
      expect(cookieValue(res, 'sid')).toBeUndefined();
    }
  });
});

describe('pages', () => {
  it('when the path starts with two slashes, the language links stay on this site', async () => {
    const { shop } = await start();
    const res = await request(shop.app).get('//evil.example/x').expect(404);
    expect(res.text).not.toMatch(/href="\/\/evil/);
    expect(res.text).toMatch(/href="\/evil\.example\/x\?lang=ru"/);
  });

  it('when the refresh counter is tampered with, the confirmation page still refreshes itself', async () => {
    const { shop } = await start();
    const agent = request.agent(shop.app);
    const bought = await buy(agent, 'notebook', 1);
    const orderId = new URL(bought.headers.location!).searchParams.get('mdOrder')!;
    const res = await agent.get(`/checkout/return?orderId=${orderId}&n=-50`).expect(200);
    expect(res.headers.refresh).toBe(`3; url=/checkout/return?orderId=${orderId}&n=1`);
  });
});
