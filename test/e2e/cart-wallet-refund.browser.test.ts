import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser } from 'playwright-core';
import { ADMIN_PASSWORD } from '../admin/helpers.js';
import { browserSuitePlan, CHROMIUM_PATH, launchChromium, warnBrowserTestsSkipped } from '../helpers/browser.js';
import { shot, watchPage } from '../helpers/browser-buyer.js';
import { startLiveShop, type LiveShop } from '../helpers/live-shop.js';
import { sandboxHelpers } from '../helpers/shop.js';

/*
 * Issue 18 end to end, in headless Chromium against the shop's own sandbox: a cart of two products paid with the
 * hosted page's Google Pay button, the sandbox's own record of that order (its cart and how it was paid), a refund of
 * one line in the back office with its fiscal receipt, and the gateway refusing a cart that does not add up.
 */
const TIMEOUT = 60_000;
const plan = browserSuitePlan();
if (plan === 'skip') warnBrowserTestsSkipped('test/e2e/cart-wallet-refund.browser.test.ts');
const suite = plan === 'skip' ? describe.skip : describe;

interface StatusAnswer {
  orderStatus: number;
  paymentWay?: string;
  amount: number;
  orderBundle?: { cartItems: { items: { positionId: number; name: string; itemAmount: number }[] } };
  paymentAmountInfo?: { refundedAmount?: number };
}

suite('a cart paid with Google Pay, then one line refunded (issue 18)', () => {
  let live: LiveShop | undefined;
  let browser: Browser | undefined;

  beforeAll(async () => {
    if (plan === 'fail')
      throw new Error(`CI is set and ${CHROMIUM_PATH} is missing: install it (apt-get install chromium)`);
    [live, browser] = await Promise.all([startLiveShop({ ADMIN_PASSWORD }), launchChromium()]);
  }, TIMEOUT);

  afterAll(async () => {
    await browser?.close();
    await live?.close();
  }, TIMEOUT);

  /** A call to the sandbox's REST API with the shop's own merchant credentials, as the gateway answers it. */
  async function gatewayCall(method: string, params: Record<string, string>): Promise<Record<string, unknown>> {
    if (!live) throw new Error('suite setup failed');
    // The test shop talks to its sandbox as to a remote gateway: the same credentials, sent by this test itself.
    const { gateway } = live.shop.config;
    if (gateway.mode !== 'remote') throw new Error('expected the test shop to call its sandbox as a remote gateway');
    const auth: Record<string, string> = 'token' in gateway.auth ? { token: gateway.auth.token } : { ...gateway.auth };
    const res = await fetch(`${live.sandbox.gatewayUrl}${method}.do`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...auth, ...params }).toString(),
    });
    expect(res.status).toBe(200);
    return (await res.json()) as Record<string, unknown>;
  }

  it(
    'pays two products with Google Pay, shows both lines and the wallet, refunds exactly one line with its receipt',
    async () => {
      if (!live || !browser) throw new Error('suite setup failed');
      const { url } = live;
      const context = await browser.newContext({ locale: 'en-GB', viewport: { width: 1024, height: 768 } });
      const page = await context.newPage();
      const watch = watchPage(page);
      try {
        // The cart: two different products, one of them twice.
        await page.goto(`${url}/`);
        await page.getByRole('button', { name: 'Add to cart: Dotted notebook' }).click();
        await page.waitForURL(`${url}/cart?notice=added`);
        await page.goto(`${url}/products/ceramic-mug`);
        await page.getByLabel('Quantity').fill('2');
        await page.getByRole('button', { name: 'Add to cart' }).click();
        await page.waitForURL(`${url}/cart?notice=added`);
        await page.getByLabel('Email for the receipt (optional)').fill('buyer@example.org');
        await page.getByRole('button', { name: 'Go to payment' }).click();

        // The hosted page: its Google Pay button, then the simulated sheet's approving device token.
        await page.waitForURL((u) => u.origin === live!.sandbox.url && /\/payment_en\.html$/.test(u.pathname));
        const mdOrder = new URL(page.url()).searchParams.get('mdOrder') ?? '';
        const hosted = (await page.locator('main').textContent()) ?? '';
        expect(hosted).toContain('Dotted notebook');
        expect(hosted).toContain('Ceramic mug');
        await page.getByRole('link', { name: 'Pay with Google Pay' }).click();
        await shot(page, 'issue18-google-pay-sheet');
        await page.getByRole('button', { name: /^Pay .* with Google Pay$/ }).click();

        // Back at the shop: both lines and how it was paid.
        await page.waitForURL((u) => u.origin === url && u.pathname.startsWith('/checkout/'));
        await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Payment successful');
        const success = (await page.locator('main').textContent()) ?? '';
        expect(success).toContain('Dotted notebook');
        expect(success).toContain('Ceramic mug');
        expect(success).toContain('Paid with Google Pay');
        await shot(page, 'issue18-success');
        const order = live.ledger.findByGatewayOrderId(mdOrder);
        expect(order).toMatchObject({ status: 'paid', amount: 990 + 2 * 1490 });

        // The sandbox's own record: the cart of two positions, and the wallet's paymentWay.
        const status = (await gatewayCall('getOrderStatusExtended', { orderId: mdOrder })) as unknown as StatusAnswer;
        expect(status.orderStatus).toBe(2);
        expect(status.paymentWay).toBe('GOOGLE_PAY_TOKENIZED');
        const items = status.orderBundle?.cartItems.items ?? [];
        expect(items.map((i) => [i.positionId, i.name, i.itemAmount])).toEqual([
          [1, 'Dotted notebook', 990],
          [2, 'Ceramic mug', 2980],
        ]);

        // The back office: refund the mugs' line, both units, and nothing else.
        await page.goto(`${url}/admin/orders/${order!.id}`);
        await page.waitForURL(`${url}/admin/login`);
        await page.getByLabel('User name').fill('admin');
        await page.getByLabel('Password').fill(ADMIN_PASSWORD);
        await page.getByRole('button', { name: 'Log in' }).click();
        await page.goto(`${url}/admin/orders/${order!.id}`);
        await page.getByRole('link', { name: 'Refund…' }).click();
        await page.getByLabel(/^Ceramic mug, /).fill('2');
        await shot(page, 'issue18-refund-lines');
        await page.getByRole('button', { name: 'Refund the chosen lines' }).click();
        await page.waitForURL(`${url}/admin/orders/${order!.id}?done=refund`);
        await expect(page.locator('[data-amount="refunded"]').textContent()).resolves.toBe('€29.80');
        const refunded = (await gatewayCall('getOrderStatusExtended', { orderId: mdOrder })) as unknown as StatusAnswer;
        expect(refunded.paymentAmountInfo?.refundedAmount).toBe(2980);

        // Its receipts: the fiscaliser answers (the sandbox's helper settles them now), the back office asks.
        const receipts = await sandboxHelpers(live.shop).receipts(mdOrder, { settle: true });
        expect(receipts.receipt.map((r) => r.receiptStatus)).toEqual([1, 4]);
        await page.getByRole('link', { name: 'Refresh receipts' }).click();
        await page.getByRole('button', { name: 'Confirm: refresh receipts' }).click();
        await page.waitForURL(`${url}/admin/orders/${order!.id}?done=receipts`);
        const rows = page.locator('[data-receipts] tbody tr');
        await expect(rows.count()).resolves.toBe(2);
        await expect(rows.nth(1).getAttribute('data-receipt-status')).resolves.toBe('4');
        await expect(rows.nth(1).textContent()).resolves.toContain('29.80');
        const link = await rows.nth(1).getByRole('link').getAttribute('href');
        expect(link).toMatch(new RegExp(`^${live.sandbox.url}/`));
        await shot(page, 'issue18-receipts');

        expect(watch.pageErrors).toEqual([]);
        expect(watch.csp).toEqual([]);
      } finally {
        await context.close();
      }
    },
    TIMEOUT,
  );

  it('the gateway refuses a register whose cart does not add up, with errorCode 8, and registers nothing', async () => {
    const orderNumber = `issue18-${Date.now()}`;
    const line = (positionId: number, itemAmount: number) => ({
      positionId,
      name: `Line ${positionId}`,
      quantity: { value: 1, measure: '0' },
      itemPrice: itemAmount,
      itemAmount,
      itemCode: `L-${positionId}`,
      tax: { taxType: 6 },
    });
    const answer = await gatewayCall('register', {
      orderNumber,
      amount: '3000',
      currency: '978',
      returnUrl: 'http://localhost:9/return',
      orderBundle: JSON.stringify({ cartItems: { items: [line(1, 1000), line(2, 1500)] } }),
    });
    expect(answer).toMatchObject({ errorCode: '8' });
    expect(String(answer.errorMessage)).toMatch(/does not match the order amount/);
    expect(answer).not.toHaveProperty('orderId');
    const after = await gatewayCall('getOrderStatusExtended', { orderNumber });
    expect(after).toMatchObject({ errorCode: '6' });
  });
});
