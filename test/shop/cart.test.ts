// The session cart (src/shop/cart.ts, cart-pages.ts) and Buy of the whole cart through POST /buy (checkout.ts).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { keptDevPanelToken } from '../../src/config.js';
import { MAX_CART_LINES } from '../../src/shop/cart.js';
import { login, startAdminShop } from '../admin/helpers.js';
import { text } from '../helpers/render-view.js';
import { createCatalog, DEFAULT_PRODUCTS, type Catalog, type Product } from '../../src/shop/catalog.js';
import {
  buy,
  cookieValue,
  csrfTokenFrom,
  sandboxHelpers,
  scriptedShopPerTest,
  shopPath,
  startShop,
  type TestShop,
} from '../helpers/shop.js';

/** A catalog a test can change while buyers hold its products in their carts (a product taken out, a new price). */
function changingCatalog(products: readonly Product[] = DEFAULT_PRODUCTS) {
  let current = createCatalog(products);
  const catalog: Catalog = { list: () => current.list(), get: (id) => current.get(id) };
  return { catalog, change: (next: readonly Product[]) => void (current = createCatalog(next)) };
}

const price = (id: string) => createCatalog().get(id)!.price;

/** Opens the catalog list and adds a product with its "Add to cart" form (or a product page's form with a quantity). */
async function add(agent: request.Agent, productId: string, quantity?: number | string, extra = {}) {
  const page = await agent.get(quantity === undefined ? '/' : `/products/${productId}`).expect(200);
  const form = { _csrf: csrfTokenFrom(page.text), productId, ...extra };
  return agent
    .post('/cart/add')
    .type('form')
    .send(quantity === undefined ? form : { ...form, quantity: String(quantity) });
}

/** The cart page's checkout form as the page printed it. */
function checkoutForm(page: request.Response): Record<string, string> {
  const version = /name="cart" value="([^"]+)"/.exec(page.text)?.[1];
  if (!version) throw new Error('no checkout form on the cart page');
  return { _csrf: csrfTokenFrom(page.text), cart: version };
}

async function checkout(agent: request.Agent, extra: Record<string, string> = {}) {
  const page = await agent.get('/cart').expect(200);
  return agent
    .post('/buy')
    .type('form')
    .send({ ...checkoutForm(page), ...extra });
}

describe('the cart against the sandbox', () => {
  let shop: TestShop;
  let catalog: ReturnType<typeof changingCatalog>;
  beforeAll(async () => {
    catalog = changingCatalog();
    shop = await startShop({ catalog: catalog.catalog });
  });
  afterAll(() => shop.close());

  it('adds from the list and a product page, prices every line from the catalog, and ignores prices in the form', async () => {
    const agent = request.agent(shop.app);
    const added = await add(agent, 'notebook', undefined, { price: '1', unitAmount: '1', amount: '1' });
    expect(added.status).toBe(303);
    expect(added.headers.location).toBe('/cart?notice=added');
    await add(agent, 'ceramic-mug', 2, { price: '1' }).then((r) => expect(r.status).toBe(303));
    await add(agent, 'notebook', 2).then((r) => expect(r.status).toBe(303)); // the same product: its line grows

    const page = await agent.get('/cart?notice=added').expect(200);
    expect(page.text).toMatch(/Added to your cart/);
    expect(page.text).toContain('Dotted notebook');
    expect(page.text).toContain('Ceramic mug');
    expect(page.text).toMatch(/id="qty-0"[^>]*value="3"/);
    expect(page.text).toMatch(/id="qty-1"[^>]*value="2"/);
    expect(page.text).toContain('€29.70'); // 3 × 9.90
    expect(page.text).toContain('€29.80'); // 2 × 14.90
    expect(page.text).toContain('€59.50');
    expect(page.text).toMatch(/Cart \(5\)/);

    const bought = await checkout(agent, { price: '1', amount: '1', unitAmount: '1', email: 'buyer@example.org' });
    expect(bought.status).toBe(303);
    expect(bought.headers.location!.startsWith(shop.sandbox!.url)).toBe(true);
    const order = shop.ledger.findByGatewayOrderId(new URL(bought.headers.location!).searchParams.get('mdOrder')!)!;
    expect(order.items).toEqual([
      { productId: 'notebook', name: 'Dotted notebook', quantity: 3, unitAmount: price('notebook') },
      { productId: 'ceramic-mug', name: 'Ceramic mug', quantity: 2, unitAmount: price('ceramic-mug') },
    ]);
    expect(order.amount).toBe(5950);
    const status = await shop.deps.gateway.getOrderStatusExtended({ orderId: order.gatewayOrderId! });
    expect(status.amount).toBe(5950);
  });

  it('the Russian cart page has its own texts', async () => {
    const agent = request.agent(shop.app);
    await add(agent, 'notebook');
    const page = await agent.get('/cart?lang=ru').expect(200);
    expect(page.text).toMatch(/Ваша корзина/);
    expect(page.text).toMatch(/Блокнот в точку/);
    expect(page.text).toMatch(/Перейти к оплате/);
  });

  it('refuses a malformed, zero, negative or too large quantity and leaves the cart as it was', async () => {
    const agent = request.agent(shop.app);
    await add(agent, 'notebook', 1);
    for (const q of ['0', '-1', '11', '1e3', '2.5', 'abc', '', '99999999999']) {
      const res = await add(agent, 'notebook', q);
      expect([q, res.status]).toEqual([q, 400]);
    }
    const page = await agent.get('/cart').expect(200);
    const unknown = { _csrf: csrfTokenFrom(page.text), productId: 'no-such-product', quantity: '1' };
    await agent.post('/cart/add').type('form').send(unknown).expect(404);
    expect(page.text).toMatch(/id="qty-0"[^>]*value="1"/);
    expect((await agent.get('/cart')).text).not.toMatch(/id="qty-1"/);
    const form = { _csrf: csrfTokenFrom(page.text), productId: 'notebook' };
    for (const q of ['0', '11', 'x']) {
      const res = await agent
        .post('/cart/update')
        .type('form')
        .send({ ...form, quantity: q });
      expect(res.status).toBe(400);
      expect(res.text).toMatch(/choose a quantity within the allowed range/);
    }
    await agent.get('/cart').then((r) => expect(r.text).toMatch(/id="qty-0"[^>]*value="1"/));
  });

  it('keeps a line within 10 items: adding beyond it is refused with a message, the line unchanged', async () => {
    const agent = request.agent(shop.app);
    await add(agent, 'notebook', 8);
    const refused = await add(agent, 'notebook', 3);
    expect(refused.status).toBe(409);
    expect(refused.text).toMatch(/at most 10 of one product/);
    expect(refused.text).toMatch(/id="qty-0"[^>]*value="8"/);
    await add(agent, 'notebook', 2).then((r) => expect(r.status).toBe(303));
    await agent.get('/cart').then((r) => expect(r.text).toMatch(/id="qty-0"[^>]*value="10"/));
  });

  it('changes a quantity and removes a line; the totals follow', async () => {
    const agent = request.agent(shop.app);
    await add(agent, 'notebook');
    await add(agent, 'tote-bag');
    let page = await agent.get('/cart').expect(200);
    const token = csrfTokenFrom(page.text);
    const updated = await agent
      .post('/cart/update')
      .type('form')
      .send({ _csrf: token, productId: 'tote-bag', quantity: '3' });
    expect(updated.headers.location).toBe('/cart?notice=updated');
    page = await agent.get('/cart').expect(200);
    expect(page.text).toContain('€59.70'); // 3 × 19.90
    expect(page.text).toContain('€69.60'); // + 9.90
    await agent.post('/cart/remove').type('form').send({ _csrf: token, productId: 'notebook' }).expect(303);
    page = await agent.get('/cart').expect(200);
    expect(page.text).not.toContain('Dotted notebook');
    expect(page.text).toMatch(/Total[\s\S]*€59\.70/);
  });

  it('when the cart is empty, its checkout registers nothing and says so', async () => {
    const agent = request.agent(shop.app);
    await add(agent, 'notebook');
    const page = await agent.get('/cart').expect(200);
    await agent
      .post('/cart/remove')
      .type('form')
      .send({ _csrf: csrfTokenFrom(page.text), productId: 'notebook' });
    const before = shop.ledger.listRecent(100).length;
    const res = await agent.post('/buy').type('form').send(checkoutForm(page));
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/cart?notice=empty');
    expect(shop.ledger.listRecent(100)).toHaveLength(before);
    const empty = await agent.get('/cart?notice=empty').expect(200);
    expect(empty.text).toMatch(/Your cart is empty, so there is nothing to pay for/);
    // A browser that never had a cart gets the same answer, and no session.
    const stranger = request.agent(shop.app);
    const token = csrfTokenFrom((await stranger.get('/').expect(200)).text);
    const none = await stranger.post('/buy').type('form').send({ _csrf: token, cart: 'x' });
    expect(none.headers.location).toBe('/cart?notice=empty');
    expect(cookieValue(none, 'sid')).toBeUndefined();
  });

  it('when a line was removed in another tab, the first tab’s checkout goes back to the cart and registers nothing', async () => {
    const agent = request.agent(shop.app);
    await add(agent, 'notebook');
    await add(agent, 'ceramic-mug');
    const tabA = await agent.get('/cart').expect(200);
    const tabB = await agent.get('/cart').expect(200);
    await agent
      .post('/cart/remove')
      .type('form')
      .send({ _csrf: csrfTokenFrom(tabB.text), productId: 'ceramic-mug' });
    const before = shop.ledger.listRecent(100).length;
    const res = await agent.post('/buy').type('form').send(checkoutForm(tabA));
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/cart?notice=changed');
    expect(shop.ledger.listRecent(100)).toHaveLength(before);
    const back = await agent.get(res.headers.location!).expect(200);
    expect(back.text).toMatch(/Your cart changed after this page was shown/);
    // Tab A changing the line tab B removed: nothing to change, the cart is shown as it is now.
    const update = await agent
      .post('/cart/update')
      .type('form')
      .send({ _csrf: csrfTokenFrom(tabA.text), productId: 'ceramic-mug', quantity: '2' });
    expect(update.headers.location).toBe('/cart?notice=changed');
    expect((await agent.get('/cart')).text).not.toContain('Ceramic mug');
  });

  it('when a product leaves the catalog or its price changes, the cart is stale: back to the cart, nothing registered', async () => {
    const agent = request.agent(shop.app);
    await add(agent, 'notebook');
    await add(agent, 't-shirt');
    const page = await agent.get('/cart').expect(200);
    const before = shop.ledger.listRecent(100).length;
    try {
      catalog.change(DEFAULT_PRODUCTS.map((p) => (p.id === 'notebook' ? { ...p, price: 1090 } : p)));
      const repriced = await agent.post('/buy').type('form').send(checkoutForm(page));
      expect(repriced.headers.location).toBe('/cart?notice=changed');
      expect((await agent.get('/cart')).text).toContain('€10.90');

      catalog.change(DEFAULT_PRODUCTS.filter((p) => p.id !== 't-shirt'));
      const gone = await agent.post('/buy').type('form').send(checkoutForm(page));
      expect(gone.headers.location).toBe('/cart?notice=gone');
      expect(shop.ledger.listRecent(100)).toHaveLength(before);
      const back = await agent.get('/cart?notice=gone').expect(200);
      expect(back.text).toMatch(/no longer in our catalog/);
      expect(back.text).not.toContain('Organic cotton T-shirt');
      const bought = await checkout(agent);
      expect(bought.status).toBe(303);
      const order = shop.ledger.findByGatewayOrderId(new URL(bought.headers.location!).searchParams.get('mdOrder')!)!;
      expect(order.items).toEqual([expect.objectContaining({ productId: 'notebook', quantity: 1, unitAmount: 990 })]);
      expect(order.amount).toBe(990);
    } finally {
      catalog.change(DEFAULT_PRODUCTS);
    }
  });

  it('refuses the cart’s forms without a valid CSRF token', async () => {
    const agent = request.agent(shop.app);
    await agent.get('/').expect(200);
    for (const path of ['/cart/add', '/cart/update', '/cart/remove']) {
      const res = await agent.post(path).type('form').send({ _csrf: 'forged', productId: 'notebook', quantity: '1' });
      expect([path, res.status]).toEqual([path, 403]);
    }
    expect((await agent.get('/cart')).text).toMatch(/Your cart is empty/);
  });

  it('same browser + same cart = same purchase: a repeated checkout goes to the same payment page', async () => {
    const agent = request.agent(shop.app);
    await add(agent, 'notebook');
    await add(agent, 'tote-bag', 2);
    const page = await agent.get('/cart').expect(200);
    const before = shop.ledger.listRecent(100).length;
    const first = await agent.post('/buy').type('form').send(checkoutForm(page));
    const again = await agent.post('/buy').type('form').send(checkoutForm(page));
    expect(first.status).toBe(303);
    expect(again.headers.location).toBe(first.headers.location);
    expect(shop.ledger.listRecent(100)).toHaveLength(before + 1);
  });

  it('a cart Buy sent again with the session id the first one replaced (a lost answer) gets the same payment page', async () => {
    const agent = request.agent(shop.app);
    const added = await add(agent, 'notebook');
    await add(agent, 'ceramic-mug', 2);
    const page = await agent.get('/cart').expect(200);
    const form = checkoutForm(page);
    const first = await agent.post('/buy').type('form').send(form);
    expect(first.status).toBe(303);
    const before = shop.ledger.listRecent(100).length;
    // The browser never saw the first answer, so it still sends the session id that Buy replaced.
    const cookie = agent.jar
      .getCookies({ domain: '127.0.0.1', path: '/', secure: false, script: false })
      .map((c) => (c.name === 'sid' ? `sid=${cookieValue(added, 'sid')!}` : `${c.name}=${c.value}`))
      .join('; ');
    expect(cookie).toMatch(/buyer=.*csrf=|csrf=.*buyer=/);
    const again = await request(shop.app).post('/buy').set('Cookie', cookie).type('form').send(form);
    expect(again.status).toBe(303);
    expect(again.headers.location).toBe(first.headers.location);
    expect(shop.ledger.listRecent(100)).toHaveLength(before);
    // Whichever answer the browser keeps, its session still holds the cart.
    const shown = await request(shop.app)
      .get('/cart')
      .set('Cookie', cookie.replace(/sid=[^;]+/, `sid=${cookieValue(again, 'sid')!}`))
      .expect(200);
    expect(shown.text).toContain('Ceramic mug');
  });

  it('"Buy now" leaves the cart as it was; the paid cart order empties it, a declined one leaves it for a retry', async () => {
    const agent = request.agent(shop.app);
    await add(agent, 'notebook');
    await add(agent, 'ceramic-mug');
    const now = await buy(agent, 'tote-bag', 1);
    expect(now.status).toBe(303);
    const single = shop.ledger.findByGatewayOrderId(new URL(now.headers.location!).searchParams.get('mdOrder')!)!;
    expect(single.items).toHaveLength(1);
    expect((await agent.get('/cart')).text).toContain('Ceramic mug');

    const declined = await checkout(agent);
    const declinedId = new URL(declined.headers.location!).searchParams.get('mdOrder')!;
    const refused = await sandboxHelpers(shop).decline(declinedId);
    const failure = await agent.get(shopPath(refused.returnUrl!)).expect(200);
    // Trying again means the cart (both lines), not a Buy of the first line.
    expect(failure.text).toMatch(/Payment failed/);
    expect(failure.text).toMatch(/<a class="button button--primary" href="\/cart">Back to your cart<\/a>/);
    expect(failure.text).not.toMatch(/name="productId"/);
    let page = await agent.get('/cart').expect(200);
    expect(page.text).toContain('Ceramic mug');
    expect(page.text).toMatch(/Cart \(2\)/);

    // A new order for the same cart (the declined one is no longer payable), paid this time.
    const bought = await agent.post('/buy').type('form').send(checkoutForm(page));
    const orderId = new URL(bought.headers.location!).searchParams.get('mdOrder')!;
    expect(orderId).not.toBe(declinedId);
    const paid = await sandboxHelpers(shop).pay(orderId, { card: '4111 1111 1111 1111' });
    const success = await agent.get(shopPath(paid.returnUrl!)).expect(200);
    expect(success.text).toMatch(/Payment successful/);
    expect(success.text).toContain('Dotted notebook');
    expect(success.text).toContain('Ceramic mug');
    expect(success.text).toMatch(/Cart \(0\)/);
    page = await agent.get('/cart').expect(200);
    expect(page.text).toMatch(/Your cart is empty/);
  });

  it('a declined one-line cart order leads back to the cart, whose retry empties it once paid', async () => {
    const agent = request.agent(shop.app);
    await add(agent, 'notebook', 2);
    const declined = await checkout(agent);
    const refused = await sandboxHelpers(shop).decline(
      new URL(declined.headers.location!).searchParams.get('mdOrder')!,
    );
    const failure = await agent.get(shopPath(refused.returnUrl!)).expect(200);
    // Not a "Buy now" of the line: its success page would leave the paid line in the cart.
    expect(failure.text).toMatch(/<a class="button button--primary" href="\/cart">Back to your cart<\/a>/);
    expect(failure.text).not.toMatch(/name="productId"/);
    const bought = await checkout(agent);
    const paid = await sandboxHelpers(shop).pay(new URL(bought.headers.location!).searchParams.get('mdOrder')!, {
      card: '4111 1111 1111 1111',
    });
    await agent.get(shopPath(paid.returnUrl!)).expect(200);
    expect((await agent.get('/cart').expect(200)).text).toMatch(/Your cart is empty/);
  });

  it('a paid cart order takes its own lines out of a cart changed since, and leaves what was added', async () => {
    const agent = request.agent(shop.app);
    await add(agent, 'notebook', 2);
    await add(agent, 'ceramic-mug');
    const bought = await checkout(agent);
    // Another tab, while the payment page is open: one more product, and one more of a line being paid for.
    await add(agent, 'tote-bag');
    await add(agent, 'notebook', 1);
    const paid = await sandboxHelpers(shop).pay(new URL(bought.headers.location!).searchParams.get('mdOrder')!, {
      card: '4111 1111 1111 1111',
    });
    const success = await agent.get(shopPath(paid.returnUrl!)).expect(200);
    expect(success.text).toMatch(/Cart \(2\)/);
    const page = await agent.get('/cart').expect(200);
    expect(page.text).not.toContain('Ceramic mug');
    expect(page.text).toContain('Canvas tote bag');
    expect(page.text).toMatch(/id="qty-0"[^>]*value="1"/); // notebook: 3 in the cart, 2 paid
    expect(page.text).toMatch(/id="qty-1"[^>]*value="1"/);
  });

  it('the cart page and the catalog never create a session; a cart is only made by adding to it', async () => {
    const agent = request.agent(shop.app);
    for (const path of ['/', '/products/notebook', '/cart']) {
      const res = await agent.get(path).expect(200);
      expect(cookieValue(res, 'sid')).toBeUndefined();
    }
    const added = await add(agent, 'notebook');
    expect(cookieValue(added, 'sid')).toBeDefined();
  });

  it('the cart page corrects a header count its session no longer backs (the session expired or was lost)', async () => {
    const agent = request.agent(shop.app);
    await add(agent, 'notebook', 3);
    const list = await agent.get('/').expect(200);
    expect(list.text).toMatch(/Cart \(3\)/);
    // The session is gone (expired, a store that lost it); the count cookie, a day long, is still there.
    const cookie = `cart_n=3; buyer=${cookieValue(list, 'buyer') ?? ''}`;
    const page = await request(shop.app).get('/cart').set('Cookie', cookie).expect(200);
    expect(page.text).toMatch(/Your cart is empty/);
    expect(page.text).toMatch(/Cart \(0\)/);
    expect(cookieValue(page, 'cart_n')).toBe('0');
  });

  it('a session id planted from another browser neither shows its cart nor receives this browser’s cart', async () => {
    const attacker = request.agent(shop.app);
    const planted = cookieValue(await add(attacker, 'ceramic-mug'), 'sid')!;
    const victim = request.agent(shop.app);
    const list = await victim.get('/').expect(200);
    const cookie = `sid=${planted}; buyer=${cookieValue(list, 'buyer')!}; csrf=${cookieValue(list, 'csrf')!}`;
    const shown = await request(shop.app).get('/cart').set('Cookie', cookie).expect(200);
    expect(shown.text).toMatch(/Your cart is empty/);
    const added = await request(shop.app)
      .post('/cart/add')
      .set('Cookie', cookie)
      .type('form')
      .send({ _csrf: csrfTokenFrom(list.text), productId: 'notebook', email: 'x' })
      .expect(303);
    const own = cookieValue(added, 'sid');
    expect(own).toBeDefined();
    expect(own).not.toBe(planted);
    // The planted session was replaced, not written to: its holder sees nothing of this browser's cart.
    const theirs = await attacker.get('/cart').expect(200);
    expect(theirs.text).not.toContain('Dotted notebook');
  });

  it(`holds at most ${MAX_CART_LINES} different products`, async () => {
    const many = Array.from({ length: MAX_CART_LINES + 1 }, (_, i) => ({
      ...DEFAULT_PRODUCTS[0]!,
      id: `p${i}`,
      image: `/img/p${i}.svg`,
    }));
    catalog.change([...DEFAULT_PRODUCTS, ...many]);
    try {
      const agent = request.agent(shop.app);
      for (const p of many.slice(0, MAX_CART_LINES)) await add(agent, p.id).then((r) => expect(r.status).toBe(303));
      const refused = await add(agent, many[MAX_CART_LINES]!.id);
      expect(refused.status).toBe(409);
      expect(refused.text).toMatch(/A cart holds at most 10 different products/);
      const page = await agent.get('/cart').expect(200);
      expect(page.text.match(/name="quantity"/g)).toHaveLength(MAX_CART_LINES);
    } finally {
      catalog.change(DEFAULT_PRODUCTS);
    }
  });
});

describe('the receipt email', () => {
  const start = scriptedShopPerTest();
  const EMAIL = 'buyer.receipt@example.org';

  it('is validated, kept with the cart and sent with register.do, and never written to the log', async () => {
    const { gateway, shop } = await start();
    const agent = request.agent(shop.app);
    await add(agent, 'notebook');
    await add(agent, 'ceramic-mug');
    const page = await agent.get('/cart').expect(200);
    for (const bad of [
      'not-an-email',
      'a b@example.org',
      'a@example.org, b@example.org',
      `${'x'.repeat(30)}@example.org`,
    ]) {
      const res = await agent
        .post('/buy')
        .type('form')
        .send({ ...checkoutForm(page), email: bad });
      expect([bad, res.status]).toEqual([bad, 400]);
      expect(res.text).toMatch(/type one email address without spaces/);
      // Shown back as typed in its field, to be corrected rather than typed again; kept nowhere.
      expect(res.text).toMatch(new RegExp(`id="email"[^>]*value="${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"`));
      expect((await agent.get('/cart')).text).not.toContain(bad);
    }
    expect(gateway.callsTo('register')).toHaveLength(0);
    expect(shop.logs.join('\n')).not.toContain('not-an-email');

    await agent
      .post('/buy')
      .type('form')
      .send({ ...checkoutForm(page), email: ` ${EMAIL} ` });
    const [register] = gateway.callsTo('register');
    // In the cart's customerDetails, where the receipt's address goes (src/payments/bundle.ts), and nowhere else.
    expect(receiptEmailOf(register?.form)).toBe(EMAIL);
    expect(register?.form).not.toHaveProperty('email');
    expect(register?.form.amount).toBe(String(price('notebook') + price('ceramic-mug')));
    expect((await agent.get('/cart')).text).toContain(`value="${EMAIL}"`);
    expect(shop.logs.join('\n')).not.toContain(EMAIL);
    const [order] = shop.ledger.listRecent(10);
    expect(JSON.stringify([order, shop.ledger.events(order!.id)])).not.toContain(EMAIL);
    // Nor on the developer panel's page of the order's gateway calls.
    const panel = request.agent(shop.app);
    await panel.get(`/dev?token=${keptDevPanelToken(shop.config.dataDir)}`).expect(303);
    const wire = await panel.get(`/dev/orders/${order!.orderNumber}`).expect(200);
    expect(wire.text).toMatch(/register\.do/);
    expect(wire.text).not.toContain(EMAIL);
  });

  it('a checkout again with another email (corrected after going back) registers it, not the first one', async () => {
    const { gateway, shop } = await start();
    const agent = request.agent(shop.app);
    await add(agent, 'notebook');
    const page = await agent.get('/cart').expect(200);
    const typo = await agent
      .post('/buy')
      .type('form')
      .send({ ...checkoutForm(page), email: 'buyer@exmaple.org' });
    expect(typo.status).toBe(303);
    const fixed = await agent
      .post('/buy')
      .type('form')
      .send({ ...checkoutForm(page), email: EMAIL });
    expect(fixed.status).toBe(303);
    expect(gateway.callsTo('register').map((c) => receiptEmailOf(c.form))).toEqual(['buyer@exmaple.org', EMAIL]);
    expect(JSON.stringify(shop.ledger.listRecent(10))).not.toContain(EMAIL);
    // The same email again is the same purchase: no third order.
    await agent
      .post('/buy')
      .type('form')
      .send({ ...checkoutForm(page), email: EMAIL });
    expect(gateway.callsTo('register')).toHaveLength(2);
  });

  it('"Buy now" sends no email', async () => {
    const { gateway, shop } = await start();
    await buy(request.agent(shop.app), 'notebook', 1);
    const form = gateway.callsTo('register')[0]?.form;
    expect(form?.orderBundle).toBeDefined();
    expect(receiptEmailOf(form)).toBeUndefined();
    expect(form).not.toHaveProperty('email');
  });
});

/** The receipt address a register.do form carried in its cart (orderBundle.customerDetails.email). */
function receiptEmailOf(form: Record<string, string> | undefined): string | undefined {
  const bundle = JSON.parse(form?.orderBundle ?? '{}') as { customerDetails?: { email?: string } };
  return bundle.customerDetails?.email;
}

describe('a two-line order where the shop shows orders', () => {
  let shop: TestShop;
  beforeAll(async () => {
    shop = await startAdminShop();
  });
  afterAll(() => shop.close());

  it('the back office and the developer panel list both lines with their amounts', async () => {
    const buyer = request.agent(shop.app);
    await add(buyer, 'notebook', 3);
    await add(buyer, 't-shirt', 1);
    const bought = await checkout(buyer);
    const gatewayOrderId = new URL(bought.headers.location!).searchParams.get('mdOrder')!;
    await sandboxHelpers(shop).pay(gatewayOrderId, { card: '4111 1111 1111 1111' });
    const order = shop.ledger.findByGatewayOrderId(gatewayOrderId)!;

    const admin = request.agent(shop.app);
    await login(admin).then((r) => expect(r.status).toBe(303));
    const page = text((await admin.get(`/admin/orders/${order.id}`).expect(200)).text);
    expect(page).toMatch(/Dotted notebook 3 €9\.90 €29\.70/);
    expect(page).toMatch(/Organic cotton T-shirt 1 €29\.90 €29\.90/);

    const panel = request.agent(shop.app);
    await panel.get(`/dev?token=${keptDevPanelToken(shop.config.dataDir)}`).expect(303);
    const wire = text((await panel.get(`/dev/orders/${order.orderNumber}`).expect(200)).text);
    expect(wire).toMatch(/notebook Dotted notebook 3 €9\.90 €29\.70/);
    expect(wire).toMatch(/t-shirt Organic cotton T-shirt 1 €29\.90 €29\.90/);
  });
});
