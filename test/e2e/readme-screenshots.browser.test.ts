import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { PROBES, type IntegrationReport } from '@rbs-storefront/gateway-sandbox';
import { ADMIN_PASSWORD } from '../admin/helpers.js';
import { browserSuitePlan, CHROMIUM_PATH, launchChromium } from '../helpers/browser.js';
import { buyOnShop, CARDS, payOnGateway } from '../helpers/browser-buyer.js';
import { startLiveShop, type LiveShop } from '../helpers/live-shop.js';

/*
 * The README's gallery: `SCREENSHOTS=1 CI=true npm test -- test/e2e/readme-screenshots` writes the key screens as
 * 1280×800 PNGs into docs/img/ (the sandbox's report card of the shop's merchant too: sandbox-report.png). Without SCREENSHOTS=1 the suite is skipped, so ordinary runs never touch the tree.
 * What changes from run to run on a page (order numbers, dates, gateway ids) is replaced by fixed sample values
 * before each shot, so a new run only changes an image when a screen itself changed.
 */
const TIMEOUT = 60_000;
const IMG_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../docs/img');
const VIEWPORT = { width: 1280, height: 800 };
const wanted = process.env.SCREENSHOTS === '1';
const plan = browserSuitePlan();
const suite = wanted && plan !== 'skip' ? describe : describe.skip;

/** The sample values the volatile parts of a page are shown with. */
const SAMPLE = {
  paidNumber: '261201-7-K3M9Q2XD',
  declinedNumber: '261201-8-W7TN4PQA',
  gatewayId: '3f1c2b7e-5a40-4c8e-9d21-6b0e8a4f7c19',
  approvalCode: '482913',
} as const;
type Volatile = readonly (readonly [real: string, sample: string])[];

/**
 * Runs in the page (plain JavaScript: the project compiles without DOM types): replaces each [real, sample] pair in
 * every text node, and dates and times (2026-12-01 04:05:42, 01/12/2026, 04:05) by a fixed one, so images don't age.
 */
const REPLACE_TEXT = `(pairs) => {
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    let text = node.nodeValue || '';
    for (const [from, to] of pairs) text = text.split(from).join(to);
    text = text
      .replace(/\\b\\d{4}-\\d{2}-\\d{2}[ T]\\d{2}:\\d{2}(:\\d{2})?( UTC)?/g, '2026-12-01 10:30:00')
      .replace(/\\b\\d{2}\\/\\d{2}\\/\\d{4},? \\d{2}:\\d{2}(:\\d{2})?/g, '01/12/2026, 10:30:00');
    if (text !== node.nodeValue) node.nodeValue = text;
  }
}`;

suite('README screenshots (SCREENSHOTS=1)', () => {
  let live: LiveShop | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  let url = '';

  beforeAll(async () => {
    if (plan === 'fail')
      throw new Error(`CI is set and ${CHROMIUM_PATH} is missing: install it (apt-get install chromium)`);
    live = await startLiveShop({ ADMIN_PASSWORD });
    url = live.url;
    // The report card's probes ride along the shots' declined purchase and first callback, so the card shows them.
    const embedded = live.shop.sandbox!.sandbox;
    for (const m of embedded.merchants) embedded.probes.arm(m.login, PROBES);
    // The shared launcher's flags, plus one raster thread: with several, SVG pictures sometimes came out a few
    // pixels different from run to run.
    browser = await launchChromium(['--num-raster-threads=1', '--disable-partial-raster']);
    context = await browser.newContext({ locale: 'en-GB', viewport: VIEWPORT, deviceScaleFactor: 1 });
    mkdirSync(IMG_DIR, { recursive: true });
  }, TIMEOUT);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await live?.close();
  }, TIMEOUT);

  const env = () => {
    if (!live || !browser || !context) throw new Error('suite setup failed');
    return { shop: live.shop, context, sandboxUrl: live.sandbox.url };
  };

  /**
   * Replaces every volatile value in the page's text by its sample (form values are left alone: the hosted page's
   * hidden fields name the real order), then writes docs/img/<name>.png, the viewport only.
   */
  async function shoot(page: Page, name: string, volatile: Volatile = []): Promise<void> {
    const replacements = volatile.filter(([real]) => real !== '');
    // Lazy images decode after 'load': wait for every one, so no shot catches a half-drawn product picture.
    await page.waitForFunction('Array.from(document.images).every((img) => img.complete && img.naturalWidth > 0)');
    await page.evaluate('document.fonts.ready.then(() => undefined)');
    // No hover effect where the last click left the pointer.
    await page.mouse.move(0, 0);
    await page.evaluate(`(${REPLACE_TEXT})(${JSON.stringify(replacements)})`);
    await page.screenshot({ path: path.join(IMG_DIR, `${name}.png`), animations: 'disabled', caret: 'hide' });
  }

  /** The paid order's volatile values: its number, its gateway id, the approval code the sandbox drew. */
  function paidVolatile(orderNumber: string, gatewayId: string): Volatile {
    const approvalCode = env().shop.sandbox!.sandbox.store.get(gatewayId)?.approvalCode ?? '';
    return [
      [orderNumber, SAMPLE.paidNumber],
      [gatewayId, SAMPLE.gatewayId],
      [approvalCode, SAMPLE.approvalCode],
    ];
  }

  it(
    'catalog, product page, cart, hosted payment page, wallet sheet, success page',
    async () => {
      const { shop, context, sandboxUrl } = env();
      const page = await context.newPage();
      // A cart of two products, one of them twice, with an address for the receipt.
      await page.goto(`${url}/products/coffee-beans`);
      await page.getByLabel('Quantity').fill('2');
      await page.getByRole('button', { name: 'Add to cart' }).click();
      await page.waitForURL(`${url}/cart?notice=added`);
      await page.goto(`${url}/products/ceramic-mug`);
      await page.getByRole('button', { name: 'Add to cart' }).click();
      await page.waitForURL(`${url}/cart?notice=added`);
      await page.goto(`${url}/cart`);
      await page.getByLabel('Email for the receipt (optional)').fill('buyer@example.org');
      await shoot(page, 'cart');
      await page.getByRole('button', { name: 'Go to payment' }).click();
      await page.waitForURL((u) => u.origin === sandboxUrl && /\/payment_en\.html$/.test(u.pathname));
      const gatewayId = new URL(page.url()).searchParams.get('mdOrder') ?? '';
      const order = shop.ledger.findByGatewayOrderId(gatewayId)!;
      await shoot(page, 'payment-page', paidVolatile(order.orderNumber, gatewayId));

      await page.getByRole('link', { name: 'Pay with Google Pay' }).click();
      await shoot(page, 'wallet-sheet', paidVolatile(order.orderNumber, gatewayId));
      await page.getByRole('button', { name: /^Pay .* with Google Pay$/ }).click();
      await page.waitForURL((u) => u.origin === url && u.pathname.startsWith('/checkout/'));
      await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Payment successful');
      await shoot(page, 'success', paidVolatile(order.orderNumber, gatewayId));

      await page.goto(`${url}/products/coffee-beans`);
      await shoot(page, 'product');
      // Last, with its pictures in the cache: a first visit sometimes shot them mid-decode.
      await page.goto(url);
      await shoot(page, 'catalog');
      await page.close();
    },
    TIMEOUT,
  );

  it(
    'failure page',
    async () => {
      const { shop, context, sandboxUrl } = env();
      const page = await context.newPage();
      await buyOnShop(page, { shopUrl: url, gatewayUrl: sandboxUrl, productId: 'tote-bag', quantity: 1 });
      const gatewayId = new URL(page.url()).searchParams.get('mdOrder') ?? '';
      const order = shop.ledger.findByGatewayOrderId(gatewayId)!;
      await payOnGateway(page, { shopUrl: url, pan: CARDS.insufficientFunds });
      await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Payment failed');
      await shoot(page, 'failure', [
        [order.orderNumber, SAMPLE.declinedNumber],
        [gatewayId, SAMPLE.gatewayId],
      ]);
      await page.close();
    },
    TIMEOUT,
  );

  it(
    'back-office order page',
    async () => {
      const { shop, context } = env();
      const [paid] = shop.ledger.listRecent(10).filter((o) => o.status === 'paid');
      if (!paid) throw new Error('the first shot test leaves a paid order');
      const page = await context.newPage();
      await page.goto(`${url}/admin/orders`);
      await page.getByLabel('User name').fill('admin');
      await page.getByLabel('Password').fill(ADMIN_PASSWORD);
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.waitForURL(`${url}/admin/orders`);
      await page.goto(`${url}/admin/orders/${paid.id}`);
      await shoot(page, 'back-office-order', paidVolatile(paid.orderNumber, paid.gatewayOrderId ?? ''));
      await page.close();
    },
    TIMEOUT,
  );

  it(
    'sandbox report card',
    async () => {
      // After the shots above: the shop's merchant has a paid and a declined order in the sandbox's journal.
      const { sandbox } = env().shop.sandbox!;
      const merchant = sandbox.merchants.find((m) => sandbox.integrationJournal.entriesOf(m.login).length > 0);
      if (!merchant) throw new Error('the shots above leave journal entries');
      const auth = { username: 'operator', password: sandbox.operatorToken };
      const report = (await (
        await fetch(`${env().sandboxUrl}/sandbox/report/${merchant.login}.json`, {
          headers: { authorization: `Bearer ${sandbox.operatorToken}` },
        })
      ).json()) as IntegrationReport;
      // Every order the evidence names gets a fixed sample id, in the order the card lists them.
      const orderIds = [...new Set(report.checks.flatMap((c) => c.evidence.flatMap((e) => e.orderId ?? [])))];
      const volatile: Volatile = orderIds.map((id, i) => [id, SAMPLE.gatewayId.replace(/.$/, String(i % 10))]);
      const reportContext = await env().context.browser()!.newContext({
        locale: 'en-GB',
        viewport: VIEWPORT,
        deviceScaleFactor: 1,
        httpCredentials: auth,
      });
      const page = await reportContext.newPage();
      await page.goto(`${env().sandboxUrl}/sandbox/report/${merchant.login}`);
      await shoot(page, 'sandbox-report', volatile);
      await reportContext.close();
    },
    TIMEOUT,
  );
});
