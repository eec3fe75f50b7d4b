import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser } from 'playwright-core';
import { startSandbox, type RunningSandbox } from '@rbs-storefront/gateway-sandbox';
import { browserSuitePlan, CHROMIUM_PATH, launchChromium, warnBrowserTestsSkipped } from '../helpers/browser.js';
import { shot } from '../helpers/browser-buyer.js';
import { axeViolations, describeViolations } from '../helpers/axe.js';

/*
 * The sandbox's hosted page of an order registered with a cart (orderBundle), and the operator's view of it: the lines
 * tables pass axe (the hosted page in English and Russian), at desktop width and on a 390 × 844 phone screen, where
 * nothing scrolls sideways. CI=true only.
 */
const TIMEOUT = 30_000;
const OPERATOR_TOKEN = 'e2e-operator-token-cart-0123456789';
const PHONE = { width: 390, height: 844 };
const plan = browserSuitePlan(process.env, undefined, { ciOnly: true });
if (plan === 'skip') warnBrowserTestsSkipped('test/e2e/sandbox-cart.browser.test.ts', { ciOnly: true });
const suite = plan === 'skip' ? describe.skip : describe;

const item = (positionId: number, name: string, value: number, measure: string, itemPrice: number) => ({
  positionId,
  name,
  quantity: { value, measure },
  itemPrice,
  itemAmount: Math.round(itemPrice * value),
  itemCode: `SKU-${positionId}`,
  tax: { taxType: 6 },
  itemAttributes: {
    attributes: [
      { name: 'paymentMethod', value: '1' },
      { name: 'paymentObject', value: '1' },
    ],
  },
});
const ITEMS = [
  item(1, 'Blue mug with a very long name that has to wrap on a phone screen without any overflow', 2, '0', 50000),
  item(2, 'Loose tea', 0.25, '11', 200000),
  item(3, 'Delivery', 1, 'шт', 35000),
];
const AMOUNT = ITEMS.reduce((sum, i) => sum + i.itemAmount, 0);

suite('the hosted page of a cart order in a real browser', () => {
  let sb: RunningSandbox | undefined;
  let browser: Browser | undefined;

  const register = async (language: string) => {
    if (!sb) throw new Error('suite setup failed');
    const res = await fetch(`${sb.gatewayUrl}register.do`, {
      method: 'POST',
      body: new URLSearchParams({
        userName: 'demo-shop-api',
        password: 'demo-shop-password',
        orderNumber: `E2E-CART-${process.pid}-${Math.random().toString(36).slice(2, 10)}`,
        amount: String(AMOUNT),
        returnUrl: `${sb.url}/healthz?from=return`,
        language,
        taxSystem: '1',
        orderBundle: JSON.stringify({ cartItems: { items: ITEMS } }),
      }),
    });
    const body = (await res.json()) as { formUrl?: string };
    if (!body.formUrl) throw new Error(`register failed: ${JSON.stringify(body)}`);
    return body.formUrl;
  };

  beforeAll(async () => {
    if (plan === 'fail')
      throw new Error(`CI is set and ${CHROMIUM_PATH} is missing: install it (apt-get install chromium)`);
    [sb, browser] = await Promise.all([startSandbox({ port: 0, operatorToken: OPERATOR_TOKEN }), launchChromium()]);
  }, TIMEOUT);

  afterAll(async () => {
    await browser?.close();
    await sb?.close();
  }, TIMEOUT);

  it(
    'when the pages of a cart order open, then they list the lines, axe finds nothing and nothing is wider than a phone',
    async () => {
      if (!browser) throw new Error('suite setup failed');
      const found: string[] = [];
      const widths: Record<string, number> = {};
      for (const language of ['en', 'ru'])
        for (const viewport of [{ width: 1280, height: 900 }, PHONE]) {
          const formUrl = await register(language);
          // axe is injected through the DevTools protocol: the page's CSP allows no script, so it is bypassed here.
          const context = await browser.newContext({ viewport, bypassCSP: true });
          const page = await context.newPage();
          await page.goto(formUrl);
          const name = `${language} at ${viewport.width} px`;
          const table = page.getByRole('table', { name: language === 'ru' ? 'Состав заказа' : 'Order lines' });
          await expect(table.getByRole('row').count()).resolves.toBe(ITEMS.length + 1);
          await shot(page, `sandbox-cart-${language}-${viewport.width}`);
          widths[name] = await page.evaluate<number>('document.documentElement.scrollWidth');
          const violations = await axeViolations(page);
          if (violations.length > 0) found.push(describeViolations(`hosted page with a cart, ${name}`, violations));
          await context.close();
        }
      for (const viewport of [{ width: 1280, height: 900 }, PHONE]) {
        const orderId = new URL(await register('en')).searchParams.get('mdOrder') ?? '';
        const context = await browser.newContext({
          viewport,
          bypassCSP: true,
          httpCredentials: { username: 'operator', password: OPERATOR_TOKEN },
        });
        const page = await context.newPage();
        await page.goto(`${sb?.url ?? ''}/sandbox/orders/${orderId}`);
        const name = `operator view at ${viewport.width} px`;
        await expect(page.getByRole('heading', { name: 'Cart (orderBundle)' }).count()).resolves.toBe(1);
        widths[name] = await page.evaluate<number>('document.documentElement.scrollWidth');
        const violations = await axeViolations(page);
        if (violations.length > 0) found.push(describeViolations(`order detail with a cart, ${name}`, violations));
        await context.close();
      }
      expect(found.join('\n')).toBe('');
      expect(Object.entries(widths).filter(([name, w]) => name.endsWith('390 px') && w > PHONE.width)).toEqual([]);
    },
    TIMEOUT * 2,
  );
});
