import { describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { DEFAULT_MERCHANTS, loadSandboxConfig, type SandboxMerchant } from '../src/index.js';
import { CREDS, makeSandbox, payDirect } from './helpers/sandbox-app.js';

/** The page path of a formUrl or sheet URL (the app is driven over supertest, not over its public origin). */
const pathOf = (url: string) => {
  const u = new URL(url, 'http://gateway.test');
  return `${u.pathname}${u.search}`;
};
const unescape = (href: string) => href.replace(/&amp;/g, '&');
const demo = (extra: Partial<SandboxMerchant>): SandboxMerchant[] => [{ ...DEFAULT_MERCHANTS[0]!, ...extra }];

describe('hosted page: wallet buttons and the simulated wallet sheet', () => {
  const sb = makeSandbox();
  const open = async (params: Record<string, string> = {}) => {
    const { orderId, formUrl } = await sb.register({
      amount: '1250',
      currency: '978',
      failUrl: 'https://shop.test/failed',
      ...params,
    });
    const page = await request(sb.app).get(pathOf(formUrl));
    return { orderId, formUrl, html: page.text };
  };
  const sheetHref = (html: string, wallet: string) => {
    const m = new RegExp(`<a class="wallet-button wallet-${wallet}" href="([^"]+)"`).exec(html);
    if (!m?.[1]) throw new Error(`no ${wallet} button`);
    return unescape(m[1]);
  };
  const choose = (orderId: string, href: string, card: string) =>
    request(sb.app)
      .post(new URL(href, 'http://gateway.test').pathname)
      .type('form')
      .send({ mdOrder: orderId, lang: 'en', card });
  const status = async (orderId: string) =>
    (await sb.call('getOrderStatusExtended', { ...CREDS, orderId })).body as Record<string, unknown>;

  it('when the page opens, then Apple Pay, Google Pay and Samsung Pay buttons lead to their sheets', async () => {
    const { orderId, html } = await open();
    for (const [id, name] of [
      ['applePay', 'Apple Pay'],
      ['googlePay', 'Google Pay'],
      ['samsungPay', 'Samsung Pay'],
    ])
      expect(html).toContain(
        `<a class="wallet-button wallet-${id}" href="/payment/merchants/demo-shop/wallet/${id}?mdOrder=${orderId}&amp;lang=en">Pay with ${name}</a>`,
      );
    expect(html).toContain('Simulated in this test environment');
  });

  it('when the page opens in Russian, then the buttons and the sheet speak Russian', async () => {
    const { html, orderId } = await open({ language: 'ru' });
    expect(html).toContain('>Оплатить через Google Pay</a>');
    const sheet = await request(sb.app).get(sheetHref(html, 'googlePay'));
    expect(sheet.status).toBe(200);
    expect(sheet.text).toContain('<html lang="ru">');
    expect(sheet.text).toContain('Google Pay (имитация кошелька)');
    expect(sheet.text).toMatch(/Оплатить 12,50\s€ через Google Pay/);
    expect(sheet.text).toContain(`mdOrder=${orderId}`);
  });

  it('when a wallet sheet opens, then it says it is simulated and lists that wallet’s test cards, masked', async () => {
    const { html } = await open();
    const google = await request(sb.app).get(sheetHref(html, 'googlePay'));
    expect(google.status).toBe(200);
    expect(google.headers['cache-control']).toBe('no-store');
    expect(google.text).toContain('<h1>Google Pay wallet (simulated)</h1>');
    expect(google.text).toContain('This is not the real wallet.');
    expect(google.text).toContain('VISA •••• 0015 (device token)');
    expect(google.text).toContain('MASTERCARD •••• 0039 (device token)');
    expect(google.text).toContain('MASTERCARD •••• 5599 (card in the account, not tokenized)');
    expect(google.text).toMatch(/<input type="radio" id="card-approved" name="card" value="approved" checked/);
    expect(google.text).toContain('Pay €12.50 with Google Pay');
    expect(google.text).not.toMatch(/4895370000000015|5204240000000039/);
    const apple = await request(sb.app).get(sheetHref(html, 'applePay'));
    expect(apple.text).toContain('<h1>Apple Pay wallet (simulated)</h1>');
    expect(apple.text).not.toContain('pan-only-3ds');
  });

  it('when Apple Pay approves, then the buyer returns and the order reports APPLE_PAY and the masked device PAN', async () => {
    const { orderId, html } = await open();
    const res = await choose(orderId, sheetHref(html, 'applePay'), 'approved');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`https://shop.test/return?orderId=${orderId}&lang=en`);
    const body = await status(orderId);
    expect(body).toMatchObject({
      orderStatus: 2,
      actionCode: 0,
      paymentWay: 'APPLE_PAY',
      cardAuthInfo: { pan: '489537**0015', maskedPan: '489537**0015', paymentSystem: 'VISA' },
    });
  });

  it('when Samsung Pay declines, then the buyer goes to failUrl and the order is declined (116) as SAMSUNG_PAY', async () => {
    const { orderId, html } = await open();
    const res = await choose(orderId, sheetHref(html, 'samsungPay'), 'declined');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`https://shop.test/failed?orderId=${orderId}&lang=en`);
    expect(await status(orderId)).toMatchObject({
      orderStatus: 6,
      actionCode: 116,
      paymentWay: 'SAMSUNG_PAY',
      cardAuthInfo: { pan: '520424**0039' },
    });
  });

  it('when Google Pay pays with a device token, then the order reports GOOGLE_PAY_TOKENIZED', async () => {
    const { orderId, html } = await open();
    await choose(orderId, sheetHref(html, 'googlePay'), 'approved');
    expect(await status(orderId)).toMatchObject({ orderStatus: 2, paymentWay: 'GOOGLE_PAY_TOKENIZED' });
  });

  it('when Google Pay hands over a plain card enrolled in 3-D Secure, then the challenge decides and it is GOOGLE_PAY_CARD', async () => {
    const { orderId, html } = await open();
    const res = await choose(orderId, sheetHref(html, 'googlePay'), 'pan-only-3ds');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/payment/acs/challenge?mdOrder=${orderId}&lang=en`);
    const acs = await request(sb.app).get(res.headers.location!);
    expect(acs.text).toContain('555555**5599');
    expect(await status(orderId)).toMatchObject({ orderStatus: 5, paymentWay: 'GOOGLE_PAY_CARD' });
    const done = await request(sb.app)
      .post('/payment/acs/challenge')
      .type('form')
      .send({ mdOrder: orderId, lang: 'en', otp: '12345678' });
    expect(done.headers.location).toBe(`https://shop.test/return?orderId=${orderId}&lang=en`);
    expect(await status(orderId)).toMatchObject({
      orderStatus: 2,
      paymentWay: 'GOOGLE_PAY_CARD',
      cardAuthInfo: { pan: '555555**5599' },
    });
  });

  it('when the order was paid with a typed card, then paymentWay is CARD; before any attempt there is none', async () => {
    const { orderId } = await open();
    expect(await status(orderId)).not.toHaveProperty('paymentWay');
    payDirect(sb, orderId);
    expect(await status(orderId)).toMatchObject({ orderStatus: 2, paymentWay: 'CARD' });
  });

  it('when the sheet is sent without a card of that wallet, then it comes back with an alert and nothing is paid', async () => {
    const { orderId, html } = await open();
    for (const card of ['', 'pan-only-3ds', '4111111111111111']) {
      const res = await choose(orderId, sheetHref(html, 'applePay'), card);
      expect(res.status).toBe(400);
      expect(res.text).toContain('<div class="alert" role="alert">Choose one of the cards in the wallet.</div>');
    }
    expect(sb.engine.get(orderId)).toMatchObject({ status: 0, attempts: 0 });
  });

  it('when the sheet names an unknown wallet or order, then it is a 404 page', async () => {
    const { orderId } = await open();
    const wallet = await request(sb.app).get(`/payment/merchants/demo-shop/wallet/payPal?mdOrder=${orderId}&lang=en`);
    expect(wallet.status).toBe(404);
    expect(wallet.text).toContain('This wallet is not available');
    const order = await request(sb.app).get('/payment/merchants/demo-shop/wallet/googlePay?mdOrder=nope');
    expect(order.status).toBe(404);
    expect(order.text).toContain('Order not found');
    const post = await request(sb.app)
      .post('/payment/merchants/other-shop/wallet/googlePay')
      .type('form')
      .send({ mdOrder: orderId, card: 'approved' });
    expect(post.status).toBe(404);
    expect(sb.engine.get(orderId)?.status).toBe(0);
  });

  it('when the order is paid already, then the sheet sends the buyer to the hosted page and pays nothing twice', async () => {
    const { orderId, html } = await open();
    payDirect(sb, orderId);
    const href = sheetHref(html, 'googlePay');
    const get = await request(sb.app).get(href);
    expect(get.status).toBe(303);
    expect(get.headers.location).toBe(`/payment/merchants/demo-shop/payment_en.html?mdOrder=${orderId}`);
    const post = await choose(orderId, href, 'declined');
    expect(post.status).toBe(303);
    expect(await status(orderId)).toMatchObject({ orderStatus: 2, paymentWay: 'CARD' });
  });

  it('when a buyer uses the sheet, then the journal records wallet-shown and wallet-submitted with the outcome', async () => {
    const { orderId, html } = await open();
    await request(sb.app).get(sheetHref(html, 'googlePay'));
    await choose(orderId, sheetHref(html, 'googlePay'), 'declined');
    const steps = sb.integrationJournal
      .list({ orderId })
      .flatMap((e) => (e.kind === 'page' ? [[e.step, e.outcome, e.orderStatus]] : []))
      .reverse();
    expect(steps).toEqual([
      ['shown', undefined, 0],
      ['wallet-shown', 'googlePay', 0],
      ['wallet-submitted', 'declined', 6],
    ]);
  });
});

describe('wallets switched off per merchant', () => {
  it('when SANDBOX_MERCHANTS gives a merchant `wallets`, then that list is its setting; unset means all', () => {
    const config = loadSandboxConfig({
      SANDBOX_MERCHANTS: JSON.stringify([
        { login: 'a', userName: 'ua', password: 'p', wallets: ['googlePay', 'applePay'] },
        { login: 'b', userName: 'ub', password: 'p', wallets: [] },
        { login: 'c', userName: 'uc', password: 'p' },
      ]),
    });
    expect(config.merchants.map((m) => m.wallets)).toEqual([['googlePay', 'applePay'], [], undefined]);
  });

  it('when `wallets` names an unknown wallet or one twice, then SANDBOX_MERCHANTS is refused, naming the path', () => {
    const merchants = (wallets: unknown) =>
      JSON.stringify([{ login: 'a', userName: 'u', password: 'secret-password', wallets }]);
    expect(() => loadSandboxConfig({ SANDBOX_MERCHANTS: merchants(['payPal']) })).toThrow(
      /SANDBOX_MERCHANTS\.0\.wallets\.0: must be one of: applePay, googlePay, samsungPay/,
    );
    expect(() => loadSandboxConfig({ SANDBOX_MERCHANTS: merchants(['googlePay', 'googlePay']) })).toThrow(
      /SANDBOX_MERCHANTS\.0\.wallets: must not name a wallet twice/,
    );
    expect(() => loadSandboxConfig({ SANDBOX_MERCHANTS: merchants('all') })).toThrow(/SANDBOX_MERCHANTS\.0\.wallets/);
  });

  it('when a merchant offers only Google Pay, then only its button shows and the other sheets are 404', async () => {
    const sb = makeSandbox({ merchants: demo({ wallets: ['googlePay'] }) });
    const { orderId, formUrl } = await sb.register();
    const html = (await request(sb.app).get(pathOf(formUrl))).text;
    expect(html).toContain('wallet-googlePay');
    expect(html).not.toContain('wallet-applePay');
    expect(html).not.toContain('wallet-samsungPay');
    const apple = await request(sb.app).get(`/payment/merchants/demo-shop/wallet/applePay?mdOrder=${orderId}`);
    expect(apple.status).toBe(404);
    const paid = await request(sb.app)
      .post('/payment/merchants/demo-shop/wallet/applePay')
      .type('form')
      .send({ mdOrder: orderId, card: 'approved' });
    expect(paid.status).toBe(404);
    expect(sb.engine.get(orderId)?.status).toBe(0);
  });

  it('when a merchant offers no wallet, then the hosted page has no wallet section at all', async () => {
    const sb = makeSandbox({ merchants: demo({ wallets: [] }) });
    const { formUrl } = await sb.register();
    const html = (await request(sb.app).get(pathOf(formUrl))).text;
    expect(html).not.toContain('class="card wallets"');
    expect(html).toContain('class="card pay-form"');
  });
});

describe('the test-card list', () => {
  it('when /sandbox/cards opens, then it lists the wallet cards too, masked, with their ids, in the page language', async () => {
    const sb = makeSandbox();
    const en = await request(sb.app).get('/sandbox/cards');
    expect(en.text).toContain('Cards in the simulated wallets');
    expect(en.text).toContain('VISA •••• 0015 (device token) <code>approved</code>');
    expect(en.text).toMatch(/<code>pan-only-3ds<\/code><\/td><td data-label="Wallets">Google Pay<\/td>/);
    expect(en.text).not.toContain('4895370000000015');
    const ru = await request(sb.app).get('/sandbox/cards?lang=ru');
    expect(ru.text).toContain('Карты в имитации кошельков');
    expect(ru.text).toContain('Токен устройства: одобрено');
  });
});
