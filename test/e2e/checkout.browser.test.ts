import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { browserSuitePlan, CHROMIUM_PATH, launchChromium, warnBrowserTestsSkipped } from '../helpers/browser.js';
import {
  buyOnShop,
  CARDS,
  OTP,
  payOnGateway,
  shot,
  watchPage,
  type PageLang,
  type PageWatch,
} from '../helpers/browser-buyer.js';
import { startLiveShop, type LiveShop } from '../helpers/live-shop.js';

/*
 * The whole redirect flow in headless Chromium: the shop on http://localhost:<p>, the gateway sandbox on
 * http://127.0.0.1:<q>. Different sites, so SameSite cookies, CSP form-action on the 303 to formUrl and the
 * cross-site return behave as with a real gateway (docs/security.md rules 8, 9 and threats 3, 11, 25, 26).
 */
const TIMEOUT = 30_000;
const plan = browserSuitePlan();
if (plan === 'skip') warnBrowserTestsSkipped('test/e2e/checkout.browser.test.ts');
const suite = plan === 'skip' ? describe.skip : describe;

suite('checkout in a real browser (shop on localhost, gateway on 127.0.0.1)', () => {
  let shop: LiveShop | undefined;
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    if (plan === 'fail')
      throw new Error(`CI is set and ${CHROMIUM_PATH} is missing: install it (apt-get install chromium)`);
    [shop, browser] = await Promise.all([startLiveShop(), launchChromium()]);
  }, TIMEOUT);

  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((c) => c.close()));
  }, TIMEOUT);

  afterAll(async () => {
    await browser?.close();
    await shop?.close();
  }, TIMEOUT);

  const env = () => {
    if (!shop || !browser) throw new Error('suite setup failed');
    return { shop, browser };
  };

  /** A new buyer: own cookie jar, English browser unless told otherwise. */
  async function newBuyer(locale = 'en-GB'): Promise<{ page: Page; watch: PageWatch }> {
    const context = await env().browser.newContext({ locale, viewport: { width: 1024, height: 768 } });
    contexts.push(context);
    const page = await context.newPage();
    return { page, watch: watchPage(page) };
  }

  async function purchase(
    page: Page,
    opts: { productId: string; quantity: number; pan: string; otp?: string; lang?: PageLang; shots?: string },
  ) {
    const { shop } = env();
    await buyOnShop(page, {
      shopUrl: shop.url,
      gatewayUrl: shop.sandbox.url,
      productId: opts.productId,
      quantity: opts.quantity,
      ...(opts.lang && { lang: opts.lang }),
      ...(opts.shots && { shotName: `${opts.shots}-product` }),
    });
    const gatewayOrderId = new URL(page.url()).searchParams.get('mdOrder') ?? '';
    const returned = await payOnGateway(page, {
      shopUrl: shop.url,
      pan: opts.pan,
      ...(opts.otp !== undefined && { otp: opts.otp }),
      ...(opts.lang && { lang: opts.lang }),
      ...(opts.shots && { shotPrefix: opts.shots }),
    });
    const order = shop.ledger.findByGatewayOrderId(gatewayOrderId);
    if (!order) throw new Error(`no local order for gateway order ${gatewayOrderId}`);
    return { order, returned, gatewayOrderId };
  }

  it(
    'when the buyer adds two products to the cart and pays it with 4111…, then one order holds both lines and the success page lists them',
    async () => {
      const { shop } = env();
      const { page, watch } = await newBuyer();
      await page.goto(`${shop.url}/`);
      await page.getByRole('button', { name: 'Add to cart: Dotted notebook' }).click();
      await page.waitForURL(`${shop.url}/cart?notice=added`);
      await page.goto(`${shop.url}/products/ceramic-mug`);
      await page.getByLabel('Quantity').fill('2');
      await page.getByRole('button', { name: 'Add to cart' }).click();
      await page.waitForURL(`${shop.url}/cart?notice=added`);
      await expect(page.locator('.cart-link').textContent()).resolves.toBe('Cart (3)');
      await page.getByLabel('Quantity of Ceramic mug').fill('1');
      await page.getByRole('button', { name: 'Update' }).nth(1).click();
      await page.waitForURL(`${shop.url}/cart?notice=updated`);
      await expect(page.locator('.total').textContent()).resolves.toBe('€24.80');
      await page.getByLabel('Email for the receipt (optional)').fill('buyer@example.org');
      await page.getByRole('button', { name: 'Go to payment' }).click();
      await page.waitForURL((u) => u.origin === shop.sandbox.url && /\/payment_[a-z]{2}\.html$/.test(u.pathname));
      const gatewayOrderId = new URL(page.url()).searchParams.get('mdOrder') ?? '';
      await payOnGateway(page, { shopUrl: shop.url, pan: CARDS.approved });

      await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Payment successful');
      const main = (await page.locator('main').textContent()) ?? '';
      expect(main).toContain('Dotted notebook');
      expect(main).toContain('Ceramic mug');
      expect(main).toContain('€24.80');
      await expect(page.locator('.cart-link').textContent()).resolves.toBe('Cart (0)');
      const order = shop.ledger.findByGatewayOrderId(gatewayOrderId);
      expect(order).toMatchObject({ status: 'paid', amount: 2480 });
      expect(order?.items.map((i) => [i.productId, i.quantity])).toEqual([
        ['notebook', 1],
        ['ceramic-mug', 1],
      ]);
      expect(watch.pageErrors).toEqual([]);
      expect(watch.csp).toEqual([]);
    },
    TIMEOUT,
  );

  it(
    'when the buyer pays 2 × coffee beans with 4111…, then a success page shows the order number and €25.00, and the ledger has the order paid',
    async () => {
      const { shop } = env();
      const { page } = await newBuyer();
      const { order, returned } = await purchase(page, {
        productId: 'coffee-beans',
        quantity: 2,
        pan: CARDS.approved,
        shots: 'approved',
      });

      expect(returned.pathname).toBe('/checkout/return');
      await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Payment successful');
      const main = (await page.locator('main').textContent()) ?? '';
      expect(main).toContain(order.orderNumber);
      expect(main).toContain('€25.00');
      await shot(page, 'approved-success');

      const stored = shop.ledger.get(order.id);
      expect(stored).toMatchObject({ status: 'paid', amount: 2500, currency: '978' });
      expect(shop.fulfilled.filter((id) => id === order.id)).toHaveLength(1);
    },
    TIMEOUT,
  );

  it(
    'when the card is declined for insufficient funds, then the failure page says so, and "Try again" opens the gateway page of a new order',
    async () => {
      const { shop } = env();
      const { page } = await newBuyer();
      const first = await purchase(page, {
        productId: 'tote-bag',
        quantity: 1,
        pan: CARDS.insufficientFunds,
        shots: 'declined',
      });

      await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Payment failed');
      const main = (await page.locator('main').textContent()) ?? '';
      expect(main).toContain('Insufficient funds on the card.');
      expect(main).toContain('116');
      expect(main).toContain(first.order.orderNumber);
      await shot(page, 'declined-failure');
      expect(shop.ledger.get(first.order.id)?.status).toBe('declined');

      await page.getByRole('button', { name: 'Try again' }).click();
      await page.waitForURL((u) => u.origin === shop.sandbox.url && u.pathname.endsWith('/payment_en.html'));
      const retryGatewayId = new URL(page.url()).searchParams.get('mdOrder') ?? '';
      expect(retryGatewayId).not.toBe('');
      expect(retryGatewayId).not.toBe(first.gatewayOrderId);
      const retry = shop.ledger.findByGatewayOrderId(retryGatewayId);
      expect(retry).toMatchObject({ status: 'registered', amount: first.order.amount });
      expect(retry?.id).not.toBe(first.order.id);
      expect(retry?.orderNumber).not.toBe(first.order.orderNumber);
      await expect(page.getByRole('button', { name: /^Pay \S/ }).isVisible()).resolves.toBe(true);
    },
    TIMEOUT,
  );

  it(
    'when the 3-D Secure card 5555…5599 is confirmed with code 12345678, then the payment succeeds',
    async () => {
      const { shop } = env();
      const { page } = await newBuyer();
      const { order } = await purchase(page, {
        productId: 'notebook',
        quantity: 1,
        pan: CARDS.threeDs,
        otp: OTP,
        shots: '3ds',
      });

      await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Payment successful');
      await expect(page.locator('main').textContent()).resolves.toContain(order.orderNumber);
      await shot(page, '3ds-success');
      expect(shop.ledger.get(order.id)?.status).toBe('paid');
    },
    TIMEOUT,
  );

  it(
    "when another browser opens the first buyer's return URL, then it sees the neutral page without order number, amount or outcome",
    async () => {
      const { page: buyerPage } = await newBuyer();
      const { order, returned } = await purchase(buyerPage, {
        productId: 'ceramic-mug',
        quantity: 1,
        pan: CARDS.approved,
      });
      await expect(buyerPage.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Payment successful');

      const { page: stranger } = await newBuyer();
      const response = await stranger.goto(returned.href);
      expect(response?.status()).toBe(404);
      const text = (await stranger.locator('body').textContent()) ?? '';
      expect(text).toContain('We can’t show this order here');
      expect(text).not.toContain(order.orderNumber);
      expect(text).not.toMatch(/14[.,]90|€/);
      expect(text.toLowerCase()).not.toContain('successful');
      expect(text).not.toContain('Ceramic');
      await shot(stranger, 'neutral');
      // The language links must not carry the orderId along either.
      const hrefs = await Promise.all(
        (await stranger.locator('a').all()).map(async (a) => (await a.getAttribute('href')) ?? ''),
      );
      expect(hrefs.join(' ')).not.toContain(returned.searchParams.get('orderId') ?? '-');
    },
    TIMEOUT,
  );

  it(
    'when a whole purchase runs, then no page reports a CSP violation and no request leaves localhost/127.0.0.1',
    async () => {
      const { shop } = env();
      const { page, watch } = await newBuyer();
      const shopDocs: { url: string; csp: string }[] = [];
      page.on('response', (r) => {
        if (r.request().resourceType() === 'document' && r.url().startsWith(shop.url) && r.status() < 300) {
          shopDocs.push({ url: r.url(), csp: r.headers()['content-security-policy'] ?? '' });
        }
      });
      await page.goto(`${shop.url}/`);
      await page
        .getByRole('link', { name: /Coffee/ })
        .first()
        .click();
      await page.waitForURL(`${shop.url}/products/coffee-beans`);
      await purchase(page, { productId: 'coffee-beans', quantity: 1, pan: CARDS.approved });
      await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Payment successful');

      expect(watch.csp).toEqual([]);
      expect(watch.foreignRequests).toEqual([]);
      expect(watch.pageErrors).toEqual([]);
      // Zero violations only means something if the shop's pages really carry the policy.
      expect(shopDocs.map((d) => new URL(d.url).pathname)).toEqual(['/', '/products/coffee-beans', '/checkout/return']);
      for (const d of shopDocs) {
        expect(d.csp).toContain("default-src 'self'");
        expect(d.csp).toContain(`form-action 'self' ${shop.sandbox.url}`);
      }
      // No third-party scripts, in fact no scripts at all, on the shop's last page.
      await expect(page.locator('script').count()).resolves.toBe(0);
    },
    TIMEOUT,
  );

  it(
    'when the buyer switches the shop to Russian and buys, then the gateway page is payment_ru.html with "Оплатить" and the result page says "Оплата прошла успешно"',
    async () => {
      const { shop } = env();
      const { page } = await newBuyer();
      await page.goto(`${shop.url}/products/t-shirt`);
      await page.getByRole('link', { name: 'Русский' }).click();
      await page.waitForURL((u) => u.searchParams.get('lang') === 'ru');
      await expect(page.locator('html').getAttribute('lang')).resolves.toBe('ru');
      await shot(page, 'ru-product');

      await buyOnShop(page, {
        shopUrl: shop.url,
        gatewayUrl: shop.sandbox.url,
        productId: 't-shirt',
        quantity: 1,
        lang: 'ru',
      });
      expect(new URL(page.url()).pathname).toMatch(/\/payment_ru\.html$/);
      await expect(page.getByRole('button', { name: /^Оплатить \S/ }).isVisible()).resolves.toBe(true);
      const returned = await payOnGateway(page, {
        shopUrl: shop.url,
        pan: CARDS.approved,
        lang: 'ru',
        shotPrefix: 'ru',
      });

      expect(returned.searchParams.get('lang')).toBe('ru');
      await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Оплата прошла успешно');
      await shot(page, 'ru-success');
    },
    TIMEOUT,
  );
});
