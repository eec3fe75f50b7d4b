import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';

export const SHOTS_DIR = '/tmp/e2e-shots';

export type PageLang = 'en' | 'ru';

/** What the buyer reads on the hosted pages: the test finds fields by their visible labels, as a person would. */
const HOSTED = {
  en: {
    pan: 'Card number',
    expiry: 'Expiry date (MM/YY)',
    cvc: 'CVC / CVV',
    name: 'Cardholder name',
    pay: 'Pay',
    otp: 'One-time code',
    confirm: 'Confirm',
  },
  ru: {
    pan: 'Номер карты',
    expiry: 'Срок действия (ММ/ГГ)',
    cvc: 'CVC / CVV',
    name: 'Имя владельца карты',
    pay: 'Оплатить',
    otp: 'Одноразовый код',
    confirm: 'Подтвердить',
  },
} as const;

const SHOP = {
  en: { quantity: 'Quantity', buy: 'Buy' },
  ru: { quantity: 'Количество', buy: 'Купить' },
} as const;

export const CARDS = {
  approved: '4111 1111 1111 1111',
  threeDs: '5555 5555 5555 5599',
  insufficientFunds: '2202 2050 0006 0910',
} as const;
export const OTP = '12345678';

/** An expiry date a few years ahead, so the suite does not start failing on some future January. */
export function futureExpiry(now = new Date()): string {
  const yy = String((now.getUTCFullYear() + 3) % 100).padStart(2, '0');
  return `12/${yy}`;
}

/** Full-page PNG into /tmp/e2e-shots when E2E_SCREENSHOTS=1 (never into the repository). */
export async function shot(page: Page, name: string): Promise<void> {
  if (process.env.E2E_SCREENSHOTS !== '1') return;
  mkdirSync(SHOTS_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS_DIR, `${name}.png`), fullPage: true });
}

/** Everything a page did that the checks below care about, recorded while the test drives it. */
export interface PageWatch {
  csp: string[];
  foreignRequests: string[];
  pageErrors: string[];
}

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1']);

export function watchPage(page: Page): PageWatch {
  const watch: PageWatch = { csp: [], foreignRequests: [], pageErrors: [] };
  page.on('console', (msg) => {
    if (/Content[- ]Security[- ]Policy/i.test(msg.text())) watch.csp.push(`${page.url()}: ${msg.text()}`);
  });
  page.on('pageerror', (err) => watch.pageErrors.push(`${page.url()}: ${err.message}`));
  page.on('request', (req) => {
    const url = new URL(req.url());
    if (
      (url.protocol !== 'http:' && url.protocol !== 'data:') ||
      (url.protocol === 'http:' && !LOCAL_HOSTS.has(url.hostname))
    ) {
      watch.foreignRequests.push(req.url());
    }
  });
  return watch;
}

/** Product page → quantity → Buy; resolves once the browser is on the gateway's hosted page. */
export async function buyOnShop(
  page: Page,
  opts: {
    shopUrl: string;
    gatewayUrl: string;
    productId: string;
    quantity: number;
    lang?: PageLang;
    shotName?: string;
  },
): Promise<void> {
  const lang = opts.lang ?? 'en';
  if (!page.url().startsWith(`${opts.shopUrl}/products/${opts.productId}`)) {
    await page.goto(`${opts.shopUrl}/products/${opts.productId}`);
  }
  await page.getByLabel(SHOP[lang].quantity).fill(String(opts.quantity));
  if (opts.shotName) await shot(page, opts.shotName);
  await page.getByRole('button', { name: SHOP[lang].buy, exact: true }).click();
  await page.waitForURL((u) => u.origin === opts.gatewayUrl && /\/payment_[a-z]{2}\.html$/.test(u.pathname));
}

/** Fills the hosted card form and presses Pay; answers the 3-D Secure challenge when `otp` is given. */
export async function payOnGateway(
  page: Page,
  opts: { shopUrl: string; pan: string; lang?: PageLang; otp?: string; shotPrefix?: string },
): Promise<URL> {
  const t = HOSTED[opts.lang ?? 'en'];
  await page.getByLabel(t.pan).fill(opts.pan);
  await page.getByLabel(t.expiry).fill(futureExpiry());
  await page.getByLabel(t.cvc).fill('123');
  await page.getByLabel(t.name).fill('TEST BUYER');
  if (opts.shotPrefix) await shot(page, `${opts.shotPrefix}-payment`);
  // The button names the amount too ("Pay €12.50"), so it is found by the word it starts with.
  await page.getByRole('button', { name: new RegExp(`^${t.pay}\\s`) }).click();
  if (opts.otp !== undefined) {
    await page.waitForURL((u) => u.pathname === '/payment/acs/challenge');
    await page.getByLabel(t.otp).fill(opts.otp);
    if (opts.shotPrefix) await shot(page, `${opts.shotPrefix}-3ds`);
    await page.getByRole('button', { name: t.confirm, exact: true }).click();
  }
  await page.waitForURL((u) => u.origin === opts.shopUrl && u.pathname.startsWith('/checkout/'));
  return new URL(page.url());
}
