// docs/security.md rows 1, 3, 19, 23, 25 and 27: tests that fail when the defence is taken out (issue 8, part 2).
// Each one was checked by breaking its defence in a scratch worktree and watching it fail.
import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import request from 'supertest';
import { formatMoney } from '../../src/money.js';
import { DEFAULT_MERCHANTS, TEST_CARDS } from '@rbs-storefront/gateway-sandbox';
import { ADMIN_PASSWORD, login } from '../admin/helpers.js';
import { replies } from '../helpers/misbehaving-gateway.js';
import { cardFieldsIn, internalsIn, scriptsIn } from '../helpers/page-leaks.js';
import { payOnHostedPage } from '../../packages/gateway-sandbox/test/helpers/sandbox-buyer.js';
import { buy, csrfTokenFrom, scriptedShopPerTest, shopPath, startShop, type TestShop } from '../helpers/shop.js';

const APPROVED = '4111111111111111';
const DECLINED = TEST_CARDS.find((c) => c.scenario.kind === 'decline' && c.scenario.actionCode === 116)!.pan;
/** A reference id as the shop prints it. */
const REFERENCE_ID = /\b[0-9A-F]{12}\b/g;

const gatewayOrderIdOf = (formUrl: string) => new URL(formUrl).searchParams.get('mdOrder')!;

describe('against the sandbox', () => {
  let shop: TestShop;
  beforeAll(async () => {
    shop = await startShop({ env: { BUY_RATE_LIMIT_PER_MINUTE: '1000' } });
  });
  afterAll(() => shop.close());

  it('#1 when the form carries a forged amount, price and currency, the gateway receives catalog price × quantity in the shop currency', async () => {
    const agent = request.agent(shop.app);
    const page = await agent.get('/products/t-shirt').expect(200);
    const res = await agent
      .post('/buy')
      .type('form')
      .send({
        _csrf: csrfTokenFrom(page.text),
        productId: 't-shirt',
        quantity: '3',
        amount: '1',
        price: '1',
        unitAmount: '1',
        total: '1',
        currency: '840',
      })
      .expect(303);
    const product = shop.deps.catalog.get('t-shirt')!;
    // What register.do delivered to the gateway: the sandbox's own record of the order.
    const received = shop.sandbox!.sandbox.store.get(gatewayOrderIdOf(res.headers.location!))!;
    expect(received).toBeDefined();
    expect(received.amount).toBe(product.price * 3);
    expect(Number.isSafeInteger(received.amount)).toBe(true);
    expect(received.currency).toBe(shop.config.currency);
    expect(received.currency).toBe('978');
    // and the shop's own record agrees
    expect(shop.ledger.findByGatewayOrderId(received.id)).toMatchObject({ amount: 3 * 2990, currency: '978' });
  });

  it("#3 when a second buyer with an order of their own opens the first buyer's return URL, it learns nothing about the order", async () => {
    const alice = request.agent(shop.app);
    const bought = await buy(alice, 'ceramic-mug', 2);
    const paid = await payOnHostedPage(bought.headers.location!, { pan: APPROVED });
    const aliceUrl = shopPath(paid.redirectUrl!);
    const own = await alice.get(aliceUrl).expect(200);
    const order = shop.ledger.findByGatewayOrderId(gatewayOrderIdOf(bought.headers.location!))!;
    const maskedPan = shop.sandbox!.sandbox.store.get(order.gatewayOrderId!)!.card!.maskedPan;
    // What the order's own page shows, and so what another buyer must not see.
    const secrets = [
      order.orderNumber,
      'Ceramic mug',
      formatMoney(order.amount, order.currency, 'en'),
      formatMoney(1490, order.currency, 'en'),
      maskedPan,
      'Payment successful',
    ];
    for (const s of secrets) expect(own.text).toContain(s);

    // Bob has a session of his own, with his own order bound to it: his return shows his order.
    const bob = request.agent(shop.app);
    const bobBought = await buy(bob, 'notebook', 1);
    const bobOrderId = gatewayOrderIdOf(bobBought.headers.location!);
    const bobOwn = await bob.get(`/checkout/return?orderId=${bobOrderId}`).expect(200);
    expect(bobOwn.text).toContain(shop.ledger.findByGatewayOrderId(bobOrderId)!.orderNumber);

    const snooped = await bob.get(aliceUrl);
    expect(snooped.status).toBe(404);
    for (const s of secrets) expect(snooped.text).not.toContain(s);
    expect(snooped.text).not.toMatch(/successful|failed|confirming/i);
    // the same page as for an order that does not exist
    const unknown = await bob.get('/checkout/return?orderId=00000000-0000-0000-0000-000000000000');
    expect(snooped.text.replace(REFERENCE_ID, '')).toBe(unknown.text.replace(REFERENCE_ID, ''));
  });

  describe('#23 when a route throws', () => {
    const CANARY = 'canary-internal-failure';
    afterEach(() => {
      jest.restoreAllMocks();
    });

    function makeLedgerThrow(method: 'unitsSold' | 'claimPurchase') {
      jest.spyOn(shop.ledger, method).mockImplementation(() => {
        throw new Error(`${CANARY} in /srv/shop/src/orders/ledger.ts:42:7`);
      });
    }

    /** The log line of the failed request with this reference id. */
    function logLineFor(referenceId: string) {
      const lines = shop.logs.map((l) => JSON.parse(l) as Record<string, unknown>);
      return lines.find((l) => l.referenceId === referenceId && l.err !== undefined) as
        { err: { message: string; stack: string }; referenceId: string } | undefined;
    }

    function expectGenericErrorPage(res: request.Response) {
      expect(res.status).toBe(500);
      expect(res.type).toBe('text/html');
      expect(res.text).not.toContain(CANARY);
      expect(res.text).not.toContain('ledger.ts');
      expect(res.text).not.toContain('/srv/shop');
      expect(internalsIn(res.text)).toEqual([]);
      const ids = res.text.match(REFERENCE_ID) ?? [];
      expect(ids).toHaveLength(1);
      return ids[0]!;
    }

    it.each([
      ['?lang=ru', (r: request.Test) => r],
      ['a lang=ru cookie', (r: request.Test) => r.set('Cookie', 'lang=ru')],
      ['Accept-Language: ru', (r: request.Test) => r.set('Accept-Language', 'ru-RU,ru;q=0.9')],
    ])(
      '#23 a product page that throws (buyer asking in Russian by %s) answers 500 with a Russian page and a reference id, the stack only in the log',
      async (how, withLang) => {
        makeLedgerThrow('unitsSold');
        const path = how === '?lang=ru' ? '/products/notebook?lang=ru' : '/products/notebook';
        const res = await withLang(request(shop.app).get(path));
        const referenceId = expectGenericErrorPage(res);
        expect(res.text).toMatch(/<html lang="ru">/);
        expect(res.text).toContain('Что-то пошло не так');
        expect(res.headers['cache-control']).toBe('no-store');
        const logged = logLineFor(referenceId);
        expect(logged).toBeDefined();
        expect(logged!.err.message).toContain(CANARY);
        expect(logged!.err.stack).toMatch(/\n\s+at /);
      },
    );

    it('#23 a Buy that throws answers 500 with the generic page, the stack only in the log under the same reference id', async () => {
      const agent = request.agent(shop.app);
      const page = await agent.get('/products/notebook').expect(200);
      makeLedgerThrow('claimPurchase');
      const res = await agent
        .post('/buy')
        .type('form')
        .send({ _csrf: csrfTokenFrom(page.text), productId: 'notebook', quantity: '1' });
      const referenceId = expectGenericErrorPage(res);
      expect(res.text).toContain('Something went wrong');
      expect(logLineFor(referenceId)?.err.stack).toContain(CANARY);
    });
  });
});

describe('#19 when the status read times out on the return and the gateway recovers', () => {
  const start = scriptedShopPerTest();
  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('#19 the first return says "confirming", never "failed"; the next load of the same URL shows success and fulfils once', async () => {
    let recovered = false;
    const { gateway, shop } = await start(
      {
        getOrderStatusExtended: (form) => {
          if (!recovered) return replies.hang();
          const registered = gateway.callsTo('register')[0]!.form;
          return replies.json({
            errorCode: '0',
            errorMessage: 'Success',
            orderNumber: registered.orderNumber,
            orderStatus: 2,
            actionCode: 0,
            actionCodeDescription: '',
            amount: Number(registered.amount),
            currency: registered.currency,
            attributes: [{ name: 'mdOrder', value: form.orderId }],
            cardAuthInfo: { maskedPan: '411111**1111' },
            paymentAmountInfo: {
              paymentState: 'DEPOSITED',
              approvedAmount: Number(registered.amount),
              depositedAmount: Number(registered.amount),
              refundedAmount: 0,
            },
          });
        },
      },
      { env: { GATEWAY_STATUS_TIMEOUT_MS: '200' } },
    );
    const agent = request.agent(shop.app);
    const bought = await buy(agent, 'coffee-beans', 2);
    const orderId = gatewayOrderIdOf(bought.headers.location!);
    const url = `/checkout/return?orderId=${orderId}&lang=en`;

    const first = await agent.get(url).expect(200);
    expect(first.text).toMatch(/confirming your payment/i);
    expect(first.text).not.toMatch(/failed/i);
    const order = shop.ledger.findByGatewayOrderId(orderId)!;
    expect(shop.fulfilled).toEqual([]);
    const asked = gateway.callsTo('getOrderStatusExtended').length;
    expect(asked).toBeGreaterThan(0);

    // The buyer's page reloads itself after at most 30 s; let the shop's clock be there (any re-check cool-down
    // of the return page is shorter than that).
    recovered = true;
    const realNow = Date.now.bind(Date);
    jest.spyOn(Date, 'now').mockImplementation(() => realNow() + 30_000);
    const later = await agent.get(url).expect(200);
    expect(later.text).toMatch(/Payment successful/);
    expect(later.text).toContain(order.orderNumber);
    expect(gateway.callsTo('getOrderStatusExtended').length).toBeGreaterThan(asked);
    expect(shop.ledger.get(order.id)!.status).toBe('paid');
    const again = await agent.get(url).expect(200);
    expect(again.text).toMatch(/Payment successful/);
    expect(shop.fulfilled).toEqual([order.id]);
  });
});

describe('#25 security headers', () => {
  const PAGES = ['/', '/products/notebook', '/checkout/return?orderId=nope', '/no-such-page'];
  let https: TestShop;
  let http: TestShop;
  beforeAll(async () => {
    https = await startShop({ env: { PUBLIC_BASE_URL: 'https://shop.example' } });
    http = await startShop();
  });
  afterAll(async () => {
    await https.close();
    await http.close();
  });

  function directives(res: request.Response): Map<string, string[]> {
    const csp = String(res.headers['content-security-policy'] ?? '');
    return new Map(
      csp
        .split(';')
        .map((d) => d.trim().split(/\s+/))
        .filter((parts) => parts[0])
        .map(([name, ...values]) => [name!.toLowerCase(), values]),
    );
  }

  it.each(PAGES)('#25 over https (PUBLIC_BASE_URL https) %s carries HSTS of at least 180 days', async (path) => {
    const res = await request(https.app).get(path);
    const hsts = String(res.headers['strict-transport-security'] ?? '');
    const maxAge = Number(/max-age=(\d+)/i.exec(hsts)?.[1]);
    expect(maxAge).toBeGreaterThanOrEqual(15_552_000);
  });

  it.each(PAGES)('#25 over plain http %s carries no HSTS', async (path) => {
    const res = await request(http.app).get(path);
    expect(res.headers['strict-transport-security']).toBeUndefined();
  });

  it.each(PAGES)(
    '#25 %s: CSP form-action allows the gateway, no framing, nosniff, a Referrer-Policy, no X-Powered-By',
    async (path) => {
      for (const shop of [http, https]) {
        const res = await request(shop.app).get(path);
        const csp = directives(res);
        expect(csp.get('form-action')).toEqual(expect.arrayContaining(["'self'", new URL(shop.gatewayUrl).origin]));
        expect(csp.get('default-src')).toEqual(["'self'"]);
        const framing = csp.get('frame-ancestors')?.join(' ') === "'none'" || res.headers['x-frame-options'] === 'DENY';
        expect(framing).toBe(true);
        expect(res.headers['x-content-type-options']).toBe('nosniff');
        expect(String(res.headers['referrer-policy'])).toMatch(
          /^(no-referrer|same-origin|strict-origin|strict-origin-when-cross-origin)$/,
        );
        expect(res.headers['x-powered-by']).toBeUndefined();
      }
    },
  );

  it('#25 Buy and the return page are never cached', async () => {
    const agent = request.agent(http.app);
    const bought = await buy(agent, 'notebook', 1);
    expect(bought.status).toBe(303);
    expect(bought.headers['cache-control']).toBe('no-store');
    const back = await agent.get(`/checkout/return?orderId=${gatewayOrderIdOf(bought.headers.location!)}`);
    expect(back.headers['cache-control']).toBe('no-store');
  });
});

describe('#27 no page the shop renders asks for card data or runs a script', () => {
  let shop: TestShop;
  let plain: TestShop;
  const pages: Array<{ name: string; res: request.Response }> = [];
  const keep = (name: string, res: request.Response, status: number) => {
    expect({ name, status: res.status }).toEqual({ name, status });
    pages.push({ name, res });
  };

  beforeAll(async () => {
    shop = await startShop({ env: { ADMIN_PASSWORD, BUY_RATE_LIMIT_PER_MINUTE: '1000' } });
    plain = await startShop();
  });
  afterAll(async () => {
    jest.restoreAllMocks();
    await shop.close();
    await plain.close();
  });

  it('#27 the checker finds the card fields of the gateway’s own payment page (positive control)', async () => {
    const bought = await buy(request.agent(shop.app), 'notebook', 1);
    const hosted = await fetch(bought.headers.location!);
    const html = await hosted.text();
    expect(cardFieldsIn(html).length).toBeGreaterThanOrEqual(3);
    expect(cardFieldsIn('<input id="pan" name="x">')).toHaveLength(1);
    expect(cardFieldsIn('<input name="q" autocomplete="cc-number">')).toHaveLength(1);
    expect(cardFieldsIn('<input name="expiry">')).toHaveLength(1);
    expect(cardFieldsIn('<input name="cvv2">')).toHaveLength(1);
    expect(scriptsIn('<p>x</p><script src="/x.js"></script>')).toHaveLength(1);
  });

  it('#27 catalog, products, success, failure, confirming, neutral, 400/403/404/500, gateway error and back office pages', async () => {
    const buyer = request.agent(shop.app);
    keep('catalog', await buyer.get('/'), 200);
    keep('catalog ru', await buyer.get('/?lang=ru'), 200);
    for (const product of shop.deps.catalog.list()) {
      keep(`product ${product.id}`, await buyer.get(`/products/${product.id}?lang=en`), 200);
    }

    const confirming = await buy(buyer, 'notebook', 1);
    keep(
      'confirming',
      await buyer.get(`/checkout/return?orderId=${gatewayOrderIdOf(confirming.headers.location!)}`),
      200,
    );
    expect(pages.at(-1)!.res.text).toMatch(/confirming your payment/i);

    const paidBuy = await buy(buyer, 'ceramic-mug', 1);
    const paid = await payOnHostedPage(paidBuy.headers.location!, { pan: APPROVED });
    keep('success', await buyer.get(shopPath(paid.redirectUrl!)), 200);
    expect(pages.at(-1)!.res.text).toMatch(/Payment successful/);

    const declinedBuy = await buy(buyer, 'tote-bag', 1);
    const declined = await payOnHostedPage(declinedBuy.headers.location!, { pan: DECLINED });
    keep('failure', await buyer.get(shopPath(declined.redirectUrl!)), 200);
    expect(pages.at(-1)!.res.text).toMatch(/Payment failed/);

    keep('neutral', await request(shop.app).get(shopPath(paid.redirectUrl!)), 404);
    keep('404', await buyer.get('/no/such/page'), 404);
    keep('unknown product', await buyer.get('/products/no-such-product'), 404);
    const token = csrfTokenFrom((await buyer.get('/products/notebook')).text);
    keep(
      '400',
      await buyer.post('/buy').type('form').send({ _csrf: token, productId: 'notebook', quantity: '0' }),
      400,
    );
    keep('403', await request(shop.app).post('/buy').type('form').send({ productId: 'notebook', quantity: '1' }), 403);

    jest.spyOn(shop.ledger, 'unitsSold').mockImplementation(() => {
      throw new Error('boom');
    });
    keep('500', await buyer.get('/products/notebook'), 500);
    jest.restoreAllMocks();

    shop.sandbox!.sandbox.faults.set(DEFAULT_MERCHANTS[0]!.login, {
      httpStatus: 502,
      methods: ['register'],
      remaining: 1,
    });
    keep('gateway error', await buy(buyer, 'coffee-beans', 1), 503);
    expect(pages.at(-1)!.res.text).toMatch(/not been charged/i);

    const admin = request.agent(shop.app);
    keep('admin login', await admin.get('/admin/login'), 200);
    await login(admin).then((r) => expect(r.status).toBe(303));
    keep('admin list', await admin.get('/admin/orders'), 200);
    const paidOrder = shop.ledger.findByGatewayOrderId(new URL(paid.redirectUrl!).searchParams.get('orderId')!)!;
    keep('admin order', await admin.get(`/admin/orders/${paidOrder.id}`), 200);
    keep('admin refund confirm', await admin.get(`/admin/orders/${paidOrder.id}/refund`), 200);
    keep('admin off', await request(plain.app).get('/admin/orders'), 404);

    for (const { name, res } of pages) {
      expect({ name, type: res.type }).toEqual({ name, type: 'text/html' });
      expect({ name, cardFields: cardFieldsIn(res.text) }).toEqual({ name, cardFields: [] });
      expect({ name, scripts: scriptsIn(res.text) }).toEqual({ name, scripts: [] });
    }
  });
});
