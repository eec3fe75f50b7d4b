import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { keptDevPanelToken } from '../../src/config.js';
import { ADMIN_PASSWORD } from '../admin/helpers.js';
import { axeViolations, describeViolations } from '../helpers/axe.js';
import { browserSuitePlan, CHROMIUM_PATH, launchChromium, warnBrowserTestsSkipped } from '../helpers/browser.js';
import { buyOnShop, CARDS, payOnGateway, shot } from '../helpers/browser-buyer.js';
import { startLiveShop, type LiveShop } from '../helpers/live-shop.js';

/*
 * Every page of the shop, the back office and the developer panel in headless Chromium, at a desktop size and on a
 * 390 × 844 phone screen: axe (every rule, best practices included) finds nothing, and on the phone no page scrolls
 * sideways (tables stack into cards, long values wrap). The pages' CSP allows no injected script, so the contexts
 * bypass it for axe (test/helpers/axe.ts); the pages themselves are unchanged. CI=true only.
 */
const TIMEOUT = 30_000;
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
const plan = process.env.CI === 'true' ? browserSuitePlan() : 'skip';
if (plan === 'skip') warnBrowserTestsSkipped('test/e2e/shop-pages.browser.test.ts (runs with CI=true)');
const suite = plan === 'skip' ? describe.skip : describe;

interface Checked {
  name: string;
  status: number | undefined;
  violations: string[];
  /** The document's width at 390 px. */
  phoneWidth: number;
  /** Boxes that scroll sideways inside the page at 390 px. */
  scrollingBoxes: string[];
}

suite('every shop, back-office and panel page in a real browser: axe and a 390 px phone', () => {
  let live: LiveShop | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  const checked: Checked[] = [];

  const env = () => {
    if (!live || !browser || !context) throw new Error('suite setup failed');
    return { live, browser, context, url: live.url, gatewayUrl: new URL(live.sandbox.url).origin };
  };

  /** Runs axe at both sizes on the page as it is now, and measures its width on the phone. */
  async function check(page: Page, name: string, status: number | undefined): Promise<void> {
    await page.setViewportSize(DESKTOP);
    const desktop = await axeViolations(page);
    await page.setViewportSize(PHONE);
    const phone = await axeViolations(page);
    const phoneWidth = await page.evaluate<number>('document.documentElement.scrollWidth');
    // A box that scrolls sideways inside the page (a table in an overflow wrapper) is clipped just the same.
    const scrollingBoxes = await page.evaluate<string[]>(`[...document.querySelectorAll('body *')]
      .filter((e) => /auto|scroll/.test(getComputedStyle(e).overflowX) && e.scrollWidth > e.clientWidth + 1)
      .map((e) => e.tagName.toLowerCase() + (e.className ? '.' + String(e.className).split(' ').join('.') : '') + ' ' + e.scrollWidth + ' px')`);
    await shot(page, `pages-390-${name.replace(/\W+/g, '-')}`);
    checked.push({
      name,
      status,
      violations: [
        ...describeViolations(`${name} (desktop)`, desktop).split('\n'),
        ...describeViolations(`${name} (390 px)`, phone).split('\n'),
      ].filter((l) => l !== ''),
      phoneWidth,
      scrollingBoxes,
    });
    await page.setViewportSize(DESKTOP);
  }

  async function visit(page: Page, name: string, path: string): Promise<void> {
    const res = await page.goto(`${env().url}${path}`);
    await check(page, name, res?.status());
  }

  /** A form on the current page sent as it is, without the browser's own checks (to reach the shop's 400). */
  async function submitRaw(page: Page, selector: string, fields: Record<string, string>): Promise<number | undefined> {
    const action = new URL(await page.evaluate<string>(`document.querySelector(${JSON.stringify(selector)}).action`));
    const answer = page.waitForResponse((r) => r.request().method() === 'POST');
    // A script string: the test's TypeScript has no DOM types. The values are JSON, never pasted as code.
    await page.evaluate(`(() => {
      const form = document.querySelector(${JSON.stringify(selector)});
      form.noValidate = true;
      for (const [k, v] of Object.entries(${JSON.stringify(fields)})) form.querySelector('[name="' + k + '"]').value = v;
      form.submit();
    })()`);
    const status = (await answer).status();
    await page.waitForURL((u) => u.pathname === action.pathname);
    return status;
  }

  beforeAll(async () => {
    if (plan === 'fail')
      throw new Error(`CI is set and ${CHROMIUM_PATH} is missing: install it (apt-get install chromium)`);
    [live, browser] = await Promise.all([
      startLiveShop({ PAYMENT_FLOW: 'two-phase', ADMIN_PASSWORD }),
      launchChromium(),
    ]);
    context = await browser.newContext({ viewport: DESKTOP, locale: 'en-GB', bypassCSP: true });
  }, TIMEOUT);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await live?.close();
  }, TIMEOUT);

  it(
    'when each page is opened, then every page answered as expected and axe found nothing at either size',
    async () => {
      const { url, gatewayUrl, live: shop } = env();
      const page = await env().context.newPage();
      const expected: Record<string, number> = {};
      const open = async (name: string, path: string, status: number) => {
        expected[name] = status;
        await visit(page, name, path);
      };

      await open('catalog', '/', 200);
      await open('catalog (ru)', '/?lang=ru', 200);
      await open('product', '/products/coffee-beans?lang=en', 200);

      // The cart: empty, then two lines (one from the list, one from a product page), in both languages, and the
      // checkout refused for a malformed receipt email.
      await open('cart (empty)', '/cart', 200);
      await page.goto(`${url}/`);
      await page.getByRole('button', { name: 'Add to cart: Dotted notebook' }).click();
      await page.waitForURL(`${url}/cart?notice=added`);
      await page.goto(`${url}/products/coffee-beans`);
      await page.getByLabel('Quantity').fill('2');
      await page.getByRole('button', { name: 'Add to cart' }).click();
      await page.waitForURL(`${url}/cart?notice=added`);
      expected.cart = 200;
      await check(page, 'cart', 200);
      await open('cart (ru)', '/cart?lang=ru', 200);
      await page.goto(`${url}/cart?lang=en`);
      expected['cart (bad email)'] = 400;
      await check(page, 'cart (bad email)', await submitRaw(page, 'form.checkout-form', { email: 'not an email' }));
      await page.goto(`${url}/products/notebook?lang=en`);
      await page.getByLabel('Quantity').fill('10');
      await page.getByRole('button', { name: 'Add to cart' }).click();
      expected['cart (line full)'] = 409;
      await check(page, 'cart (line full)', 409);

      // Held (two-phase "success"), Russian too.
      await buyOnShop(page, { shopUrl: url, gatewayUrl, productId: 'coffee-beans', quantity: 2 });
      await payOnGateway(page, { shopUrl: url, pan: CARDS.approved });
      expected['success (held)'] = 200;
      await check(page, 'success (held)', 200);
      const held = new URL(page.url()).searchParams.get('orderId') ?? '';
      await open('success (held, ru)', `/checkout/return?orderId=${held}&lang=ru`, 200);

      // Declined.
      await buyOnShop(page, { shopUrl: url, gatewayUrl, productId: 'notebook', quantity: 1, lang: 'ru' });
      await payOnGateway(page, { shopUrl: url, pan: CARDS.insufficientFunds, lang: 'ru' });
      expected['failure (ru)'] = 200;
      await check(page, 'failure (ru)', 200);
      const declined = new URL(page.url()).searchParams.get('orderId') ?? '';
      await open('failure', `/checkout/fail?orderId=${declined}&lang=en`, 200);

      // The buyer's cancel on the hosted page.
      await buyOnShop(page, { shopUrl: url, gatewayUrl, productId: 'notebook', quantity: 1 });
      await page.getByRole('button', { name: /^Cancel payment/ }).click();
      await page.waitForURL((u) => u.origin === url && u.pathname.startsWith('/checkout/'));
      await expect(page.locator('h1').textContent()).resolves.toBe('Payment cancelled');
      expected.cancelled = 200;
      await check(page, 'cancelled', 200);

      // Confirming: the buyer comes back before paying (the gateway says "registered").
      await buyOnShop(page, { shopUrl: url, gatewayUrl, productId: 'notebook', quantity: 1 });
      const open0 = new URL(page.url()).searchParams.get('mdOrder') ?? '';
      await open('confirming (stopped)', `/checkout/return?orderId=${open0}&n=0&auto=off`, 200);
      await open('confirming (gave up)', `/checkout/return?orderId=${open0}&n=6`, 200);
      await open('confirming (ru)', `/checkout/return?orderId=${open0}&n=5&lang=ru`, 200);

      // Neutral: another browser's order (or none).
      await open('neutral', `/checkout/return?orderId=${'0'.repeat(8)}-aaaa-bbbb-cccc-${'0'.repeat(12)}&lang=en`, 404);

      // Error pages.
      await open('404', '/no/such/page', 404);
      await page.goto(`${url}/products/notebook`);
      expected['400'] = 400;
      await check(page, '400', await submitRaw(page, 'form.buy-form', { quantity: '0' }));
      await page.goto(`${url}/products/notebook`);
      expected['403'] = 403;
      await check(page, '403', await submitRaw(page, 'form.buy-form', { _csrf: 'forged' }));
      const findOrder = shop.ledger.findByGatewayOrderId.bind(shop.ledger);
      shop.ledger.findByGatewayOrderId = () => {
        throw new Error('e2e: a page that fails');
      };
      try {
        await open('500', `/checkout/return?orderId=${held}`, 500);
      } finally {
        shop.ledger.findByGatewayOrderId = findOrder;
      }

      // The back office: login, list, an order and each of its action forms.
      await open('back-office login', '/admin/login', 200);
      await page.getByLabel('User name').fill('admin');
      await page.getByLabel('Password').fill(ADMIN_PASSWORD);
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.waitForURL(`${url}/admin/orders`);
      expected['back-office list'] = 200;
      await check(page, 'back-office list', 200);
      const heldOrder = shop.ledger.findByGatewayOrderId(held);
      const declinedOrder = shop.ledger.findByGatewayOrderId(declined);
      if (!heldOrder || !declinedOrder) throw new Error('orders missing');
      await open('back-office list (ru)', '/admin/orders?lang=ru', 200);
      await open('back-office order (ru)', `/admin/orders/${heldOrder.id}`, 200);
      await open('back-office order', `/admin/orders/${heldOrder.id}?lang=en`, 200);
      for (const action of ['capture', 'void', 'refresh', 'receipts']) {
        await open(`back-office ${action} form`, `/admin/orders/${heldOrder.id}/${action}`, 200);
      }
      await open('back-office refund refused', `/admin/orders/${heldOrder.id}/refund`, 409);
      await open('back-office declined order', `/admin/orders/${declinedOrder.id}`, 200);
      await page.goto(`${url}/admin/orders/${heldOrder.id}/capture`);
      await page.getByLabel(/Amount/).fill('99');
      await page.getByRole('button', { name: 'Confirm: capture' }).click();
      expected['back-office amount refused'] = 422;
      await check(page, 'back-office amount refused', 422);
      await page.getByLabel(/Amount/).fill('20.00');
      await page.getByRole('button', { name: 'Confirm: capture' }).click();
      await page.waitForURL(`${url}/admin/orders/${heldOrder.id}?done=capture`);
      expected['back-office order after a capture'] = 200;
      await check(page, 'back-office order after a capture', 200);
      await open('back-office refund form', `/admin/orders/${heldOrder.id}/refund`, 200);

      // The developer panel, opened as its developer does: through the link with the token printed at start.
      await open('developer panel', `/dev?token=${keptDevPanelToken(shop.shop.config.dataDir)}`, 200);
      await open('developer panel order', `/dev/orders/${encodeURIComponent(heldOrder.orderNumber)}`, 200);

      // The checker itself: a picture without a text alternative is found on the same page.
      await page.evaluate(`document.querySelector('main').insertAdjacentHTML('beforeend', '<img src="/favicon.ico">')`);
      await expect(axeViolations(page).then((v) => v.map((x) => x.id))).resolves.toContain('image-alt');

      expect(Object.fromEntries(checked.map((c) => [c.name, c.status]))).toEqual(expected);
      const violations = checked.flatMap((c) => c.violations);
      if (violations.length > 0) process.stderr.write(`axe violations:\n${violations.join('\n')}\n`);
      expect(violations).toEqual([]);
    },
    TIMEOUT * 6,
  );

  it('when the pages are shown on a 390 px phone, then none is wider than the screen', () => {
    expect(checked.length).toBeGreaterThan(30);
    const tooWide = checked.filter((c) => c.phoneWidth > PHONE.width).map((c) => `${c.name}: ${c.phoneWidth} px`);
    expect(tooWide).toEqual([]);
    const scrolling = checked.flatMap((c) => c.scrollingBoxes.map((b) => `${c.name}: ${b}`));
    expect(scrolling).toEqual([]);
  });
});
