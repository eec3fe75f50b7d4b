import { describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { TEST_CARDS, TEST_CVC } from '../src/cards.js';
import { BUYER_CANCEL_ACTION_CODE } from '../src/page/routes.js';
import { CREDS, makeSandbox, payDirect } from './helpers/sandbox-app.js';

/** The page path of a formUrl (the app is driven over supertest, not over its public origin). */
const pathOf = (formUrl: string) => {
  const u = new URL(formUrl);
  return `${u.pathname}${u.search}`;
};

describe('hosted payment page: amount on the button, cancel, description, test cards', () => {
  const sb = makeSandbox();
  const open = async (params: Record<string, string> = {}, query = '') => {
    const { orderId, formUrl } = await sb.register({
      amount: '1250',
      currency: '978',
      failUrl: 'https://shop.test/failed?x=1',
      description: 'Two blue mugs',
      ...params,
    });
    const res = await request(sb.app).get(pathOf(formUrl) + query);
    return { orderId, formUrl, res, html: res.text };
  };

  it('when the page opens in English, then the pay button says "Pay €12.50"', async () => {
    const { html } = await open();
    expect(html).toMatch(/<button type="submit" class="pay">Pay €12\.50<\/button>/);
  });

  it('when the page opens in Russian, then the button says the amount the Russian way', async () => {
    const { html } = await open({ language: 'ru' });
    expect(html).toMatch(/<button type="submit" class="pay">Оплатить 12,50\s€<\/button>/);
  });

  it('when the order has another currency, then the button formats it with that currency', async () => {
    const { html } = await open({ currency: '643', amount: '123456' });
    expect(html).toMatch(/class="pay">Pay ₽1,234\.56<\/button>/);
  });

  it('when the order has a description, then the page shows it (escaped)', async () => {
    const { html } = await open({ description: 'Mug <b>&</b> tea' });
    expect(html).toContain('Mug &lt;b&gt;&amp;&lt;/b&gt; tea');
  });

  it('when the page opens, then every test card is a link back to the same page with ?card=<id>', async () => {
    const { html, formUrl } = await open();
    const base = pathOf(formUrl).replace(/&/g, '&amp;');
    for (const card of TEST_CARDS) {
      expect(html).toContain(`href="${base}&amp;card=${card.id}"`);
      expect(html).toContain(card.pan.replace(/(\d{4})(?=\d)/g, '$1 '));
    }
    // Nothing is prefilled without a card choice: no card number, no CVC value.
    expect(html).toMatch(/<input id="pan"[^>]* value=""/);
    expect(html).not.toMatch(/<input id="cvc"[^>]* value=/);
  });

  it('when a test card link is followed, then the form comes back with number, future expiry, CVC and name filled', async () => {
    const { html } = await open({}, '&card=3ds-challenge');
    expect(html).toMatch(/<input id="pan"[^>]* value="5555 5555 5555 5599"/);
    // The fake clock is 2030-01-15: two years ahead, same month.
    expect(html).toMatch(/<input id="expiry"[^>]* value="01\/32"/);
    expect(html).toMatch(new RegExp(`<input id="cvc"[^>]* value="${TEST_CVC}"`));
    expect(html).toMatch(/<input id="cardholder"[^>]* value="TEST CARDHOLDER"/);
    expect(html).toMatch(/<p class="notice" role="status">Test card filled in/);
    expect(html).toMatch(/card=3ds-challenge" aria-current="true"/);
  });

  it('when the prefilled form is posted, then the card it names is the one paid with', async () => {
    const { orderId, formUrl } = await open();
    const res = await request(sb.app).post(pathOf(formUrl)).type('form').send({
      mdOrder: orderId,
      pan: '4111 1111 1111 1111',
      expiry: '01/32',
      cvc: TEST_CVC,
      cardholder: 'TEST CARDHOLDER',
    });
    expect(res.status).toBe(303);
    expect(sb.engine.get(orderId)).toMatchObject({ status: 2, actionCode: 0 });
  });

  it('when the card id is unknown, then the form is empty as usual', async () => {
    const { html } = await open({}, '&card=nope');
    expect(html).toMatch(/<input id="pan"[^>]* value=""/);
    expect(html).not.toContain('aria-current');
    expect(html).not.toContain('Test card filled in');
  });

  it('when the buyer cancels, then the order is declined with the buyer-cancel actionCode and the buyer goes to failUrl', async () => {
    const { orderId, formUrl, html } = await open();
    expect(html).toContain('Cancel payment and return to the shop');
    const before = sb.events_.length;
    const res = await request(sb.app).post(pathOf(formUrl)).type('form').send({ mdOrder: orderId, op: 'cancel' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`https://shop.test/failed?x=1&orderId=${orderId}&lang=en`);
    expect(BUYER_CANCEL_ACTION_CODE).toBe(-2014);
    expect(sb.engine.get(orderId)).toMatchObject({ status: 6, actionCode: -2014 });
    expect(sb.events_.slice(before)).toEqual([expect.objectContaining({ operation: 'deposited', status: 0 })]);
    const status = await sb.call('getOrderStatusExtended', { ...CREDS, orderId });
    expect(status.body).toMatchObject({ orderStatus: 6, actionCode: -2014, errorCode: '0' });
  });

  it('when the buyer cancels an order without failUrl, then the buyer goes to returnUrl', async () => {
    const { orderId, formUrl } = await sb.register({ language: 'ru' });
    const res = await request(sb.app).post(pathOf(formUrl)).type('form').send({ mdOrder: orderId, op: 'cancel' });
    expect(res.headers.location).toBe(`https://shop.test/return?orderId=${orderId}&lang=ru`);
  });

  it('when a paid order gets a cancel, then nothing changes and the buyer sees the page again', async () => {
    const { orderId, formUrl } = await open();
    payDirect(sb, orderId);
    const res = await request(sb.app).post(pathOf(formUrl)).type('form').send({ mdOrder: orderId, op: 'cancel' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(pathOf(formUrl).replace(/^.*?\/payment\//, '/payment/'));
    expect(sb.engine.get(orderId)).toMatchObject({ status: 2, actionCode: 0 });
  });
});
