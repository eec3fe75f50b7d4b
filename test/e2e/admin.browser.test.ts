import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser } from 'playwright-core';
import { ADMIN_PASSWORD, paidOrder } from '../admin/helpers.js';
import { browserSuitePlan, CHROMIUM_PATH, launchChromium, warnBrowserTestsSkipped } from '../helpers/browser.js';
import { shot, watchPage } from '../helpers/browser-buyer.js';
import { startLiveShop, type LiveShop } from '../helpers/live-shop.js';

/*
 * The back office in headless Chromium: log in, capture a two-phase order in part, refund part of it, and read the
 * amounts on the order's page. Server-rendered forms only; the strict CSP must hold on every page.
 */
const TIMEOUT = 30_000;
const plan = browserSuitePlan();
if (plan === 'skip') warnBrowserTestsSkipped('test/e2e/admin.browser.test.ts');
const suite = plan === 'skip' ? describe.skip : describe;

suite('the back office in a real browser', () => {
  let live: LiveShop | undefined;
  let browser: Browser | undefined;
  let url = '';

  beforeAll(async () => {
    if (plan === 'fail')
      throw new Error(`CI is set and ${CHROMIUM_PATH} is missing: install it (apt-get install chromium)`);
    live = await startLiveShop({ PAYMENT_FLOW: 'two-phase', ADMIN_PASSWORD });
    url = live.url;
    browser = await launchChromium();
  }, TIMEOUT);

  afterAll(async () => {
    await browser?.close();
    await live?.close();
  }, TIMEOUT);

  it(
    'when the operator logs in, captures €20.00 of a €25.00 hold and refunds €5.50, then the order page shows the amounts',
    async () => {
      if (!live || !browser) throw new Error('suite setup failed');
      const { shop } = live;
      const order = await paidOrder(shop, 'coffee-beans', 2);
      expect(order.status).toBe('authorized');
      const context = await browser.newContext({ locale: 'en-GB' });
      const page = await context.newPage();
      const watch = watchPage(page);
      try {
        await page.goto(`${url}/admin/orders`);
        await page.waitForURL(`${url}/admin/login`);
        await page.getByLabel('User name').fill('admin');
        await page.getByLabel('Password').fill(ADMIN_PASSWORD);
        await page.getByRole('button', { name: 'Log in' }).click();
        await page.waitForURL(`${url}/admin/orders`);
        await shot(page, 'admin-list');

        await page.getByRole('link', { name: order.orderNumber }).click();
        await page.waitForURL(`${url}/admin/orders/${order.id}`);
        await page.getByRole('link', { name: 'Capture…' }).click();
        await page.getByLabel(/Amount/).fill('20.00');
        await page.getByRole('button', { name: 'Confirm: capture' }).click();
        await page.waitForURL(`${url}/admin/orders/${order.id}?done=capture`);
        await expect(page.getByRole('status').textContent()).resolves.toContain('accepted the capture');

        await page.getByRole('link', { name: 'Refund…' }).click();
        await page.getByLabel(/Amount/).fill('5,50');
        await page.getByRole('button', { name: 'Confirm: refund' }).click();
        await page.waitForURL(`${url}/admin/orders/${order.id}?done=refund`);
        await shot(page, 'admin-order');

        await expect(page.locator('[data-amount="total"]').textContent()).resolves.toBe('€25.00');
        await expect(page.locator('[data-amount="deposited"]').textContent()).resolves.toBe('€20.00');
        await expect(page.locator('[data-amount="refunded"]').textContent()).resolves.toBe('€5.50');
        await expect(page.locator('.badge').first().textContent()).resolves.toBe('partially_refunded');
        expect(shop.ledger.get(order.id)).toMatchObject({ depositedAmount: 2000, refundedAmount: 550 });
        expect(watch.csp).toEqual([]);
        expect(watch.pageErrors).toEqual([]);
        expect(watch.foreignRequests).toEqual([]);
        await expect(page.locator('script').count()).resolves.toBe(0);
      } finally {
        await context.close();
      }
    },
    TIMEOUT,
  );
});
