import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startSandbox, TEST_CARDS, type RunningSandbox, type SandboxEvent } from '../src/index.js';
import { payOnHostedPage } from './helpers/sandbox-buyer.js';

const CREDS = { userName: 'demo-shop-api', password: 'demo-shop-password' };

describe('hosted payment page (real listener, buyer over HTTP)', () => {
  let sb: RunningSandbox;
  const events: SandboxEvent[] = [];
  let n = 0;

  beforeAll(async () => {
    sb = await startSandbox({ port: 0, processingDelayMs: 5_000, onEvent: (e) => events.push(e) });
  });
  afterAll(() => sb.close());

  const api = async (method: string, params: Record<string, string>) => {
    const res = await fetch(`${sb.gatewayUrl}${method}.do`, {
      method: 'POST',
      body: new URLSearchParams({ ...CREDS, ...params }),
    });
    return (await res.json()) as Record<string, unknown>;
  };
  const register = async (extra: Record<string, string> = {}, method = 'register') =>
    (await api(method, {
      orderNumber: `P-${++n}`,
      amount: '123456',
      returnUrl: 'https://shop.test/checkout/return?cart=7',
      failUrl: 'https://shop.test/checkout/failed',
      description: 'Blue mug',
      ...extra,
    })) as { orderId: string; formUrl: string };
  const status = (orderId: string) => api('getOrderStatusExtended', { orderId });

  it('when asked /healthz, then it answers 200 for container health checks', async () => {
    const res = await fetch(`${sb.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('when the page opens, then it shows merchant, order, formatted amount, time left and labelled card inputs', async () => {
    const { formUrl } = await register();
    const res = await fetch(formUrl);
    const html = await res.text();
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(html).toContain('demo-shop');
    expect(html).toContain('Blue mug');
    expect(html).toMatch(/₽1,234\.56/);
    expect(html).toMatch(/Time left to pay: <strong>20 min/);
    for (const id of ['pan', 'expiry', 'cvc', 'cardholder']) {
      expect(html).toMatch(new RegExp(`<label for="${id}">[^<]+</label>`));
      expect(html).toMatch(new RegExp(`<input id="${id}"`));
    }
    expect(html).toMatch(/<button type="submit" class="pay">Pay ₽1,234\.56<\/button>/);
    expect(html).not.toMatch(/<script|https?:\/\/(?!shop\.test)[^"]*\.(css|js)/);
  });

  it('when the order is registered in Russian, then the page is Russian with an Оплатить button and the amount in roubles', async () => {
    const { formUrl } = await register({ language: 'ru' });
    const html = await (await fetch(formUrl)).text();
    expect(html).toContain('<html lang="ru">');
    expect(html).toContain('Номер карты');
    expect(html).toMatch(/>Оплатить 1\s234,56\s₽<\/button>/);
    expect(html).toMatch(/1\s234,56\s₽/);
  });

  it('when paying with 4111 1111 1111 1111, then the buyer returns to returnUrl with orderId and lang appended with &', async () => {
    const { orderId, formUrl } = await register();
    const { redirectUrl } = await payOnHostedPage(formUrl, { pan: '4111 1111 1111 1111' });
    expect(redirectUrl).toBe(`https://shop.test/checkout/return?cart=7&orderId=${orderId}&lang=en`);
    expect(await status(orderId)).toMatchObject({ orderStatus: 2, actionCode: 0 });
  });

  it('when the returnUrl has no query, then orderId is appended with ?', async () => {
    const { orderId, formUrl } = await register({ returnUrl: 'https://shop.test/return', language: 'ru' });
    const { redirectUrl } = await payOnHostedPage(formUrl, { pan: '4111111111111111' });
    expect(redirectUrl).toBe(`https://shop.test/return?orderId=${orderId}&lang=ru`);
  });

  it('when a two-phase order is paid, then it is held (orderStatus 1)', async () => {
    const { orderId, formUrl } = await register({}, 'registerPreAuth');
    await payOnHostedPage(formUrl, { pan: '4111111111111111' });
    expect((await status(orderId)).orderStatus).toBe(1);
  });

  it('when 5555 5555 5555 5599 gets the code 12345678, then the 3-D Secure challenge approves', async () => {
    const { orderId, formUrl } = await register();
    const { redirectUrl } = await payOnHostedPage(formUrl, { pan: '5555555555555599', otp: '12345678' });
    expect(redirectUrl).toContain('https://shop.test/checkout/return?cart=7&orderId=');
    expect(await status(orderId)).toMatchObject({ orderStatus: 2, actionCode: 0 });
  });

  it('when the challenge is open, then the order is in orderStatus 5 and the page shows a labelled code input', async () => {
    const { orderId, formUrl } = await register({ language: 'ru' });
    const { redirectUrl, html } = await payOnHostedPage(formUrl, { pan: '5555555555555599' });
    expect(redirectUrl).toBeNull();
    expect(html).toContain('<label for="otp">Одноразовый код</label>');
    expect((await status(orderId)).orderStatus).toBe(5);
    // Reopening the payment page while the challenge is open leads back to the challenge.
    const again = await payOnHostedPage(formUrl, { pan: '5555555555555599', otp: '12345678' });
    expect(again.redirectUrl).toContain('orderId=');
    expect((await status(orderId)).orderStatus).toBe(2);
  });

  it('when the page is Russian, then every test card is described in Russian, on the payment page and the card list', async () => {
    const { formUrl } = await register({ language: 'ru' });
    const pages = [await (await fetch(formUrl)).text(), await (await fetch(`${sb.url}/sandbox/cards?lang=ru`)).text()];
    for (const html of pages)
      for (const card of TEST_CARDS) {
        expect([card.id, html.includes(card.summaryRu)]).toEqual([card.id, true]);
        expect([card.id, html.includes(card.summary)]).toEqual([card.id, false]);
      }
    const english = await (await fetch(`${sb.url}/sandbox/cards`)).text();
    for (const card of TEST_CARDS) expect(english).toContain(card.summary);
  });

  it('when the buyer cancels on the 3-D Secure page, then the order is cancelled as on the hosted page and the buyer goes to failUrl', async () => {
    const { orderId, formUrl } = await register({ language: 'ru' });
    const { html } = await payOnHostedPage(formUrl, { pan: '5555555555555599' });
    expect(html).toContain('<button type="submit" class="link-button">Отменить оплату и вернуться в магазин</button>');
    const res = await fetch(`${sb.url}/payment/acs/challenge`, {
      method: 'POST',
      redirect: 'manual',
      body: new URLSearchParams({ mdOrder: orderId, lang: 'ru', op: 'cancel' }),
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`https://shop.test/checkout/failed?orderId=${orderId}&lang=ru`);
    expect(await status(orderId)).toMatchObject({ orderStatus: 6, actionCode: -2014 });
    // A second cancel (a reload) changes nothing and leads to the order's page.
    const again = await fetch(`${sb.url}/payment/acs/challenge`, {
      method: 'POST',
      redirect: 'manual',
      body: new URLSearchParams({ mdOrder: orderId, lang: 'ru', op: 'cancel' }),
    });
    expect(again.headers.get('location')).toContain('failed');
    expect(await status(orderId)).toMatchObject({ orderStatus: 6, actionCode: -2014 });
  });

  it('when the challenge gets a wrong code, then declined with -2006 and the buyer goes to failUrl', async () => {
    const { orderId, formUrl } = await register();
    const { redirectUrl } = await payOnHostedPage(formUrl, { pan: '5555555555555599', otp: '00000000' });
    expect(redirectUrl).toBe(`https://shop.test/checkout/failed?orderId=${orderId}&lang=en`);
    expect(await status(orderId)).toMatchObject({ orderStatus: 6, actionCode: -2006 });
  });

  it.each([
    ['2202 2050 0006 0910', 116],
    ['2202 2021 0759 3166', 101],
    ['5168 4948 9505 5780', -2006],
    ['4000 0011 1111 1126', 5],
  ])('when paying with %s, then declined with actionCode %d and sent to failUrl', async (pan, actionCode) => {
    const { orderId, formUrl } = await register();
    const { redirectUrl } = await payOnHostedPage(formUrl, { pan });
    expect(redirectUrl).toBe(`https://shop.test/checkout/failed?orderId=${orderId}&lang=en`);
    expect(await status(orderId)).toMatchObject({ orderStatus: 6, actionCode });
    expect(events.find((e) => e.order.id === orderId)).toMatchObject({ operation: 'deposited', status: 0 });
  });

  it('when declined without a failUrl, then the buyer goes to returnUrl', async () => {
    const { orderId, formUrl } = await register({ failUrl: '' });
    const { redirectUrl } = await payOnHostedPage(formUrl, { pan: '2202205000060910' });
    expect(redirectUrl).toBe(`https://shop.test/checkout/return?cart=7&orderId=${orderId}&lang=en`);
  });

  it('when the card number fails the Luhn check, then the page shows an error and nothing is charged or counted', async () => {
    const { orderId, formUrl } = await register();
    const { redirectUrl, html } = await payOnHostedPage(formUrl, { pan: '4111 1111 1111 1112' });
    expect(redirectUrl).toBeNull();
    expect(html).toContain('Card number is invalid');
    expect(html).toContain('aria-invalid="true"');
    expect(await status(orderId)).toMatchObject({ orderStatus: 0, actionCode: -100 });
    expect(sb.sandbox.store.get(orderId)?.attempts).toBe(0);
  });

  it('when the expiry is in the past or the name is missing, then field errors are shown in the page language', async () => {
    const { formUrl } = await register({ language: 'ru' });
    const { html } = await payOnHostedPage(formUrl, { pan: '4111111111111111', expiry: '01/20', name: '' });
    expect(html).toContain('Срок действия карты истёк');
    expect(html).toContain('Введите имя латиницей');
  });

  it('when the processor-wait card is used, then the buyer returns at once, the order stays 5, then approves after the delay', async () => {
    const { orderId, formUrl } = await register();
    const { redirectUrl } = await payOnHostedPage(formUrl, { pan: '4000000000000002' });
    expect(redirectUrl).toContain(`orderId=${orderId}`);
    expect((await status(orderId)).orderStatus).toBe(5);
    const res = await fetch(formUrl);
    const page = await res.text();
    expect(page).toContain('Payment is being processed');
    // re-checks by a Refresh header (no meta refresh, which can't be stopped) and offers a link to check at once
    expect(res.headers.get('refresh')).toBe('3');
    expect(page).not.toContain('http-equiv');
    expect(page).toContain('Check now');
    sb.clock.advance(5_000);
    expect(await status(orderId)).toMatchObject({ orderStatus: 2, actionCode: 0 });
  });

  it('when a paid order link is reopened, then the page says it is already paid and links back to the shop', async () => {
    const { orderId, formUrl } = await register();
    await payOnHostedPage(formUrl, { pan: '4111111111111111' });
    const html = await (await fetch(formUrl)).text();
    expect(html).toContain('The order is already paid');
    expect(html).toContain(`href="https://shop.test/checkout/return?cart=7&amp;orderId=${orderId}&amp;lang=en"`);
    const again = await payOnHostedPage(formUrl, { pan: '4111111111111111' });
    expect(again.redirectUrl).toBeNull();
  });

  it('when the mdOrder is unknown or belongs to another merchant path, then 404 "Order not found"', async () => {
    const { orderId } = await register();
    const unknown = await fetch(`${sb.url}/payment/merchants/demo-shop/payment_en.html?mdOrder=nope`);
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toContain('Order not found');
    const wrongMerchant = await fetch(`${sb.url}/payment/merchants/other/payment_en.html?mdOrder=${orderId}`);
    expect(wrongMerchant.status).toBe(404);
  });

  it('when the cards page is opened, then it lists every test card', async () => {
    const html = await (await fetch(`${sb.url}/sandbox/cards`)).text();
    for (const pan of [
      '4111 1111 1111 1111',
      '5555 5555 5555 5599',
      '2202 2050 0006 0910',
      '2202 2021 0759 3166',
      '5168 4948 9505 5780',
      '4000 0011 1111 1126',
      '4000 0000 0000 0002',
    ]) {
      expect(html).toContain(pan);
    }
    const css = await fetch(`${sb.url}/sandbox/assets/sandbox.css`);
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toMatch(/text\/css/);
  });
});
