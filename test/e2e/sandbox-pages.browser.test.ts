import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startSandbox, type RunningSandbox } from '@rbs-storefront/gateway-sandbox';
import { browserSuitePlan, CHROMIUM_PATH, launchChromium, warnBrowserTestsSkipped } from '../helpers/browser.js';
import { shot, watchPage } from '../helpers/browser-buyer.js';
import { axeViolations, describeViolations } from '../helpers/axe.js';

/*
 * The sandbox's own pages in headless Chromium: on a 390 × 844 phone screen none of them scrolls sideways (tables
 * stack into cards), and the hosted page's test-card links fill the form without a script. CI=true only.
 */
const TIMEOUT = 30_000;
const OPERATOR_TOKEN = 'e2e-operator-token-0123456789';
const PHONE = { width: 390, height: 844 };
const plan = browserSuitePlan(process.env, undefined, { ciOnly: true });
if (plan === 'skip') warnBrowserTestsSkipped('test/e2e/sandbox-pages.browser.test.ts', { ciOnly: true });
const suite = plan === 'skip' ? describe.skip : describe;

suite('sandbox pages in a real browser', () => {
  let sb: RunningSandbox | undefined;
  let browser: Browser | undefined;
  let orderId = '';
  let formUrl = '';

  const env = () => {
    if (!sb || !browser) throw new Error('suite setup failed');
    return { sb, browser };
  };
  const api = async (method: string, params: Record<string, string>) => {
    const res = await fetch(`${env().sb.gatewayUrl}${method}.do`, {
      method: 'POST',
      body: new URLSearchParams({ userName: 'demo-shop-api', password: 'demo-shop-password', ...params }),
    });
    return (await res.json()) as Record<string, unknown>;
  };
  const register = async (extra: Record<string, string> = {}) =>
    (await api('register', {
      orderNumber: `E2E-${process.pid}-${Math.random().toString(36).slice(2, 10)}`,
      amount: '1250',
      currency: '978',
      returnUrl: `${env().sb.url}/healthz?from=return`,
      failUrl: `${env().sb.url}/healthz?from=fail`,
      description: 'Two blue mugs and a very long description that must wrap on a phone screen without overflow',
      ...extra,
    })) as { orderId: string; formUrl: string };

  /** A paid cart order and the page of its delivered receipt (its ofd_receipt_url), as a path. */
  const fiscalOrder = async (): Promise<{ orderId: string; receiptPath: string }> => {
    const bundle = {
      cartItems: {
        items: [
          {
            positionId: 1,
            name: 'Blue mug',
            quantity: { value: 2, measure: 'pcs' },
            itemPrice: 625,
            itemAmount: 1250,
            itemCode: 'mug',
            tax: { taxType: 6 },
          },
        ],
      },
    };
    const order = await register({ orderBundle: JSON.stringify(bundle) });
    const { engine } = env().sb.sandbox;
    engine.pay(engine.get(order.orderId)!, {
      pan: '4111111111111111',
      expiration: '203012',
      cvc: '123',
      cardholderName: 'TEST',
    });
    const { receipt } = (await api('getReceiptStatus', { orderId: order.orderId })) as {
      receipt: { ofd_receipt_url: string }[];
    };
    return { orderId: order.orderId, receiptPath: new URL(receipt[0]?.ofd_receipt_url ?? '').pathname };
  };

  beforeAll(async () => {
    if (plan === 'fail')
      throw new Error(`CI is set and ${CHROMIUM_PATH} is missing: install it (apt-get install chromium)`);
    [sb, browser] = await Promise.all([
      startSandbox({
        port: 0,
        operatorToken: OPERATOR_TOKEN,
        // The detail page's callback goes to a closed loopback port: allowed as a host, as SANDBOX_CALLBACK_HOSTS would.
        callbackHosts: ['127.0.0.1'],
        callbacks: { maxAttempts: 1, timeoutMs: 1000 },
        // Fiscal receipts delivered at once, so the receipt page has its fiscal data.
        receiptDelayMs: 0,
      }),
      launchChromium(),
    ]);
    // An order with the widest detail page: card data, a callback delivery (to a closed loopback port), a refund.
    ({ orderId, formUrl } = await register({
      dynamicCallbackUrl: 'http://127.0.0.1:9/sandbox-e2e/a/long/callback/path?with=query&and=more-parameters',
    }));
    const order = sb.sandbox.engine.get(orderId);
    if (!order) throw new Error('order missing');
    sb.sandbox.engine.pay(order, { pan: '4111111111111111', expiration: '203012', cvc: '123', cardholderName: 'TEST' });
    await api('refund', { orderId, amount: '250', externalRefundId: 'refund-0123456789-0123456789-012345' });
    sb.sandbox.faults.set('demo-shop', { latencyMs: 10, methods: ['register', 'getOrderStatusExtended'] });
  }, TIMEOUT);

  afterAll(async () => {
    await browser?.close();
    await sb?.close();
  }, TIMEOUT);

  async function phonePage(withOperator: boolean): Promise<{ page: Page; context: BrowserContext }> {
    const context = await env().browser.newContext({
      viewport: PHONE,
      ...(withOperator && { httpCredentials: { username: 'operator', password: OPERATOR_TOKEN } }),
    });
    return { context, page: await context.newPage() };
  }

  const pages = () => [
    { name: 'hosted payment page', path: '', operator: false, unpaid: 'en' },
    { name: 'hosted page, Russian, card filled in', path: '', operator: false, unpaid: 'ru' },
    { name: 'hosted page of a paid order', path: new URL(formUrl).pathname + new URL(formUrl).search, operator: false },
    { name: 'test cards', path: '/sandbox/cards', operator: false },
    { name: 'wallet sheet', path: '', operator: false, unpaid: 'wallet' },
    { name: 'orders list', path: '/sandbox/orders', operator: true },
    { name: 'order detail', path: `/sandbox/orders/${orderId}`, operator: true },
    { name: 'fault switches', path: '/sandbox/control?merchant=demo-shop', operator: true },
    { name: 'report cards', path: '/sandbox/report', operator: true },
    { name: 'report card, Russian', path: '/sandbox/report/demo-shop?lang=ru', operator: true },
    { name: 'receipt', path: '', operator: false, receipt: true },
    { name: 'receipt, Russian', path: '?lang=ru', operator: false, receipt: true },
  ];

  it(
    'when each sandbox page opens at 390 × 844, then nothing is wider than the screen',
    async () => {
      const fresh = { en: await register(), ru: await register({ language: 'ru' }), wallet: await register() };
      const { receiptPath: receipt } = await fiscalOrder();
      const pathOf = (u: string) => `${new URL(u).pathname}${new URL(u).search}`;
      const widths: Record<string, number> = {};
      for (const p of pages()) {
        const { page, context } = await phonePage(p.operator);
        const path =
          p.unpaid === 'en'
            ? pathOf(fresh.en.formUrl)
            : p.unpaid === 'ru'
              ? `${pathOf(fresh.ru.formUrl)}&card=approved`
              : p.receipt
                ? `${receipt}${p.path}`
                : p.unpaid === 'wallet'
                  ? `/payment/merchants/demo-shop/wallet/googlePay?mdOrder=${fresh.wallet.orderId}&lang=en`
                  : p.path;
        const res = await page.goto(`${env().sb.url}${path}`);
        expect({ page: p.name, status: res?.status() }).toEqual({ page: p.name, status: 200 });
        await shot(page, `sandbox-390-${p.name.replace(/\W+/g, '-')}`);
        widths[p.name] = await page.evaluate<number>('document.documentElement.scrollWidth');
        await context.close();
      }
      expect(widths).toEqual(Object.fromEntries(pages().map((p) => [p.name, expect.any(Number)])));
      const tooWide = Object.entries(widths).filter(([, w]) => w > PHONE.width);
      expect(tooWide).toEqual([]);
    },
    TIMEOUT * 2,
  );

  it(
    'when axe checks every sandbox page at desktop width and at 390 px, then it finds no violation',
    async () => {
      const pathOf = (u: string) => `${new URL(u).pathname}${new URL(u).search}`;
      const { engine } = env().sb.sandbox;
      const card = (pan: string) => ({ pan, expiration: '203012', cvc: '123', cardholderName: 'TEST' });
      const challenged = await register();
      engine.pay(engine.get(challenged.orderId)!, card('5555555555555599'));
      const declined = await register({ language: 'ru' });
      engine.pay(engine.get(declined.orderId)!, card('4000001111111126'));
      const waiting = await register();
      engine.pay(engine.get(waiting.orderId)!, card('4000000000000002'));
      const fiscal = await fiscalOrder();
      const targets = [
        { name: 'hosted page', path: pathOf((await register()).formUrl), operator: false },
        {
          name: 'hosted page, Russian, card filled in',
          path: `${pathOf((await register({ language: 'ru' })).formUrl)}&card=approved`,
          operator: false,
        },
        {
          name: '3-D Secure page',
          path: `/payment/acs/challenge?mdOrder=${challenged.orderId}&lang=en`,
          operator: false,
        },
        { name: 'result: paid', path: pathOf(formUrl), operator: false },
        { name: 'result: declined (Russian)', path: pathOf(declined.formUrl), operator: false },
        { name: 'result: waiting for the processor', path: pathOf(waiting.formUrl), operator: false },
        {
          name: 'error: unknown order',
          path: '/payment/merchants/demo-shop/payment_en.html?mdOrder=nope',
          operator: false,
        },
        { name: 'test cards', path: '/sandbox/cards', operator: false },
        {
          name: 'Google Pay sheet (simulated)',
          path: `/payment/merchants/demo-shop/wallet/googlePay?mdOrder=${(await register()).orderId}&lang=en`,
          operator: false,
        },
        {
          name: 'Apple Pay sheet (simulated), Russian',
          path: `/payment/merchants/demo-shop/wallet/applePay?mdOrder=${(await register({ language: 'ru' })).orderId}&lang=ru`,
          operator: false,
        },
        {
          name: 'error: wallet not offered',
          path: `/payment/merchants/demo-shop/wallet/payPal?mdOrder=${(await register()).orderId}&lang=en`,
          operator: false,
        },
        { name: 'orders list', path: '/sandbox/orders', operator: true },
        { name: 'order detail', path: `/sandbox/orders/${orderId}`, operator: true },
        { name: 'control page', path: '/sandbox/control?merchant=demo-shop', operator: true },
        { name: 'report cards', path: '/sandbox/report', operator: true },
        { name: 'report card', path: '/sandbox/report/demo-shop', operator: true },
        { name: 'report card (Russian)', path: '/sandbox/report/demo-shop?lang=ru', operator: true },
        { name: 'receipt', path: fiscal.receiptPath, operator: false },
        { name: 'receipt (Russian)', path: `${fiscal.receiptPath}?lang=ru`, operator: false },
        { name: 'order detail with receipts', path: `/sandbox/orders/${fiscal.orderId}`, operator: true },
        { name: 'error: unknown receipt', path: '/sandbox/receipts/nope', operator: false },
      ];
      const found: string[] = [];
      for (const viewport of [{ width: 1280, height: 900 }, PHONE])
        for (const target of targets) {
          // axe is injected through the DevTools protocol: the pages' CSP allows no script, so it is bypassed here.
          const context = await env().browser.newContext({
            viewport,
            bypassCSP: true,
            ...(target.operator && { httpCredentials: { username: 'operator', password: OPERATOR_TOKEN } }),
          });
          const page = await context.newPage();
          await page.goto(`${env().sb.url}${target.path}`);
          const violations = await axeViolations(page);
          if (violations.length > 0)
            found.push(describeViolations(`${target.name} at ${viewport.width} px (${target.path})`, violations));
          await context.close();
        }
      expect(found.join('\n')).toBe('');
    },
    TIMEOUT * 4,
  );

  it(
    'when a test card is clicked on the hosted page, then the form is filled and Pay returns the buyer paid',
    async () => {
      const order = await register();
      const { page, context } = await phonePage(false);
      const watch = watchPage(page);
      await page.goto(order.formUrl);
      await page.getByRole('link', { name: /4111 1111 1111 1111/ }).click();
      await expect(page.getByLabel('Card number').inputValue()).resolves.toBe('4111 1111 1111 1111');
      await expect(page.getByRole('status').textContent()).resolves.toContain('Test card filled in');
      await page.getByRole('button', { name: 'Pay €12.50' }).click();
      await page.waitForURL((u) => u.pathname === '/healthz');
      expect(new URL(page.url()).searchParams.get('from')).toBe('return');
      await expect(api('getOrderStatusExtended', { orderId: order.orderId })).resolves.toMatchObject({
        orderStatus: 2,
      });
      expect(watch).toEqual({ csp: [], foreignRequests: [], pageErrors: [] });
      await context.close();
    },
    TIMEOUT,
  );

  it(
    'when the buyer tabs through the hosted page, then the wallets, the fields, Pay, cancel and the test cards come in that order, each named',
    async () => {
      const order = await register();
      const { page, context } = await phonePage(false);
      await page.goto(order.formUrl);
      const names: string[] = [];
      for (let i = 0; i < 11; i += 1) {
        await page.keyboard.press('Tab');
        names.push(
          await page.evaluate<string>(
            `(() => { const e = document.activeElement; return (e.labels && e.labels[0] ? e.labels[0].textContent : e.textContent).trim().replace(/\\s+/g, ' '); })()`,
          ),
        );
      }
      // The ribbon's test-card page link comes first; then the wallet buttons, the form, the cancel button and the
      // test-card links.
      expect(names.slice(1, 11)).toEqual([
        'Pay with Apple Pay',
        'Pay with Google Pay',
        'Pay with Samsung Pay',
        'Card number',
        'Expiry date (MM/YY)',
        'CVC / CVV',
        'Cardholder name',
        'Pay €12.50',
        'Cancel payment and return to the shop',
        expect.stringMatching(/^4111 1111 1111 1111 VISA/),
      ]);
      await context.close();
    },
    TIMEOUT,
  );

  it(
    'when the buyer pays with Google Pay, then the simulated sheet takes a device token and the order is GOOGLE_PAY_TOKENIZED',
    async () => {
      const order = await register();
      const { page, context } = await phonePage(false);
      const watch = watchPage(page);
      await page.goto(order.formUrl);
      await page.getByRole('link', { name: 'Pay with Google Pay' }).click();
      await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(
        'Google Pay wallet (simulated)',
      );
      await expect(page.getByLabel('VISA •••• 0015 (device token)').isChecked()).resolves.toBe(true);
      await page.getByRole('button', { name: 'Pay €12.50 with Google Pay' }).click();
      await page.waitForURL((u) => u.pathname === '/healthz');
      expect(new URL(page.url()).searchParams.get('from')).toBe('return');
      await expect(api('getOrderStatusExtended', { orderId: order.orderId })).resolves.toMatchObject({
        orderStatus: 2,
        paymentWay: 'GOOGLE_PAY_TOKENIZED',
        cardAuthInfo: { pan: '489537**0015' },
      });
      expect(watch).toEqual({ csp: [], foreignRequests: [], pageErrors: [] });
      await context.close();
    },
    TIMEOUT,
  );

  it(
    'when Google Pay hands over a plain card with the keyboard only, then 3-D Secure asks the code and it is GOOGLE_PAY_CARD',
    async () => {
      const order = await register();
      const { page, context } = await phonePage(false);
      await page.goto(order.formUrl);
      await page.getByRole('link', { name: 'Pay with Google Pay' }).focus();
      await page.keyboard.press('Enter');
      await page.waitForURL((u) => u.pathname.endsWith('/wallet/googlePay'));
      await page.getByLabel(/MASTERCARD •••• 5599/).focus();
      await page.keyboard.press('Space');
      await expect(page.getByLabel(/MASTERCARD •••• 5599/).isChecked()).resolves.toBe(true);
      await page.getByRole('button', { name: 'Pay €12.50 with Google Pay' }).focus();
      await page.keyboard.press('Enter');
      await page.waitForURL((u) => u.pathname === '/payment/acs/challenge');
      await page.getByLabel('One-time code').fill('12345678');
      await page.keyboard.press('Enter');
      await page.waitForURL((u) => u.pathname === '/healthz');
      await expect(api('getOrderStatusExtended', { orderId: order.orderId })).resolves.toMatchObject({
        orderStatus: 2,
        paymentWay: 'GOOGLE_PAY_CARD',
        cardAuthInfo: { pan: '555555**5599' },
      });
      await context.close();
    },
    TIMEOUT,
  );

  it(
    'when the form is sent empty, then the errors are announced and each invalid field points to its message',
    async () => {
      const order = await register();
      const { page, context } = await phonePage(false);
      await page.goto(order.formUrl);
      await page.getByRole('button', { name: 'Pay €12.50' }).click();
      await expect(page.getByRole('alert').textContent()).resolves.toContain('Please correct the highlighted fields.');
      for (const [label, id] of [
        ['Card number', 'pan-error'],
        ['Expiry date (MM/YY)', 'expiry-error'],
        ['Cardholder name', 'cardholder-error'],
      ] as const) {
        const field = page.getByLabel(label, { exact: true });
        await expect(field.getAttribute('aria-invalid')).resolves.toBe('true');
        await expect(field.getAttribute('aria-describedby')).resolves.toContain(id);
      }
      await expect(page.getByLabel('CVC / CVV').getAttribute('aria-describedby')).resolves.toContain('cvc-error');
      await context.close();
    },
    TIMEOUT,
  );

  it(
    'when the buyer presses cancel, then the order is declined and the browser lands on failUrl',
    async () => {
      const order = await register();
      const { page, context } = await phonePage(false);
      await page.goto(order.formUrl);
      await page.getByRole('button', { name: 'Cancel payment and return to the shop' }).click();
      await page.waitForURL((u) => u.pathname === '/healthz');
      expect(new URL(page.url()).searchParams.get('from')).toBe('fail');
      await expect(api('getOrderStatusExtended', { orderId: order.orderId })).resolves.toMatchObject({
        orderStatus: 6,
        actionCode: -2014,
      });
      await context.close();
    },
    TIMEOUT,
  );
});
