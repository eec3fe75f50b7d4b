import { describe, it, expect } from '@jest/globals';
import { LANGS } from '../../src/http/i18n.js';
import { expectSafePage, render, text } from '../helpers/render-view.js';

const order = {
  orderNumber: 'SHOP-000123',
  items: [{ name: 'Coffee beans, 250 g', quantity: 2, unitAmount: 1250, lineAmount: 2500 }],
  amount: 2500,
  currency: '978',
  maskedPan: '411111**1111',
};

describe('views/shop/success.ejs', () => {
  it.each([
    ['en', 'Payment successful', 'Total', '€25.00'],
    ['ru', 'Оплата прошла успешно', 'Итого', '25,00 €'],
  ] as const)('when paid (status 2) in %s, then headline "%s", order number, items and total are shown', async (lang, headline, total, amount) => {
    const html = await render('shop/success', lang, { order, authorizedOnly: false });
    expectSafePage(html, lang);
    const body = text(html);
    expect(html).toContain(`<h1>${headline}</h1>`);
    expect(body).toContain('SHOP-000123');
    expect(body).toContain('Coffee beans, 250 g');
    expect(body).toContain(total);
    expect(body).toContain(amount);
    expect(body).toContain('411111**1111');
  });

  it.each([
    ['en', 'Order confirmed: you pay when we ship', 'reserved on your card and will be charged when we ship'],
    ['ru', 'Заказ оформлен: оплата при отправке', 'зарезервирована на вашей карте и будет списана, когда мы отправим'],
  ] as const)('when only authorized (status 1, two-phase) in %s, then says in a buyer’s words that the card is charged at shipping', async (lang, headline, says) => {
    const html = await render('shop/success', lang, { order, authorizedOnly: true });
    expectSafePage(html, lang);
    expect(html).toContain(`<h1>${headline}</h1>`);
    expect(text(html)).toContain(says);
    expect(text(html)).not.toMatch(/Payment successful|Оплата прошла успешно/);
    // Gateway words a buyer doesn't use: authorize, capture, hold ("авторизован", "заблокирована").
    expect(text(html)).not.toMatch(/authori[sz]|captur|\bhold|авториз|заблокир/i);
  });

  it('when an item name contains markup, then it is escaped', async () => {
    const evil = { ...order, items: [{ ...order.items[0], name: '<script>x</script>' }] };
    const html = await render('shop/success', 'en', { order: evil, authorizedOnly: false });
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;x&lt;/script&gt;');
  });
});

describe('views/shop/failure.ejs', () => {
  const locals = {
    order,
    reason: 'Insufficient funds on the card.',
    actionCode: 116,
    retry: { productId: 'coffee-beans', quantity: 2 },
    csrfToken: 'tok-9',
    cancelled: false,
  };

  it.each([
    ['en', 'Payment failed', 'Try again'],
    ['ru', 'Оплата не прошла', 'Попробовать снова'],
  ] as const)('when declined in %s, then shows "%s", the reason and a "%s" form that creates a new order', async (lang, headline, button) => {
    const html = await render('shop/failure', lang, locals);
    expectSafePage(html, lang);
    expect(html).toContain(`<h1>${headline}</h1>`);
    expect(text(html)).toContain(lang === 'en' ? 'You were not charged.' : 'Деньги с карты не списаны.');
    expect(text(html)).toContain('Insufficient funds on the card.');
    expect(text(html)).toContain('116');
    expect(html).toMatch(/<form class="retry-form" method="post" action="\/buy">/);
    expect(html).toContain('<input type="hidden" name="_csrf" value="tok-9">');
    expect(html).toContain('<input type="hidden" name="productId" value="coffee-beans">');
    expect(html).toContain('<input type="hidden" name="quantity" value="2">');
    expect(html).toMatch(new RegExp(`<button [^>]*type="submit">${button}</button>`));
    expect(html).toContain('href="/"');
  });

  it.each([
    ['en', 'Payment cancelled'],
    ['ru', 'Платёж отменён'],
  ] as const)('when reversed or refunded (status 3/4) in %s, then the headline is "%s" and the bank approval code is not shown as a reason', async (lang, headline) => {
    const html = await render('shop/failure', lang, { ...locals, reason: 'The bank approved the operation.', actionCode: 0, cancelled: true });
    expectSafePage(html, lang);
    expect(html).toContain(`<h1>${headline}</h1>`);
    expect(text(html)).toContain(lang === 'en' ? 'cancelled or refunded' : 'отменён или возвращён');
    expect(html).not.toMatch(/Payment failed|Оплата не прошла|approved/);
  });

  it.each([
    ['en', 'Payment cancelled', 'You cancelled the payment, so nothing was charged.', 'Back to the product'],
    ['ru', 'Платёж отменён', 'Вы отменили оплату, поэтому деньги не списаны.', 'Вернуться к товару'],
  ] as const)('when the buyer cancelled on the payment page in %s, then the headline is "%s", the text is calm and a link leads back to the product', async (lang, headline, calm, back) => {
    const html = await render('shop/failure', lang, {
      ...locals,
      reason: 'The payment page was closed before the payment was completed.',
      actionCode: -2014,
      buyerCancelled: true,
      productUrl: '/products/coffee-beans',
    });
    expectSafePage(html, lang);
    expect(html).toContain(`<h1>${headline}</h1>`);
    expect(text(html)).toContain(calm);
    expect(html).toMatch(new RegExp(`<a class="button button--primary" href="/products/coffee-beans">${back}</a>`));
    // Neither "failed", nor the bank's code, nor an alarming red panel.
    expect(text(html)).not.toMatch(/Payment failed|Оплата не прошла|-2014|Bank response code|Код ответа банка/);
    expect(html).not.toContain('status--bad');
  });

  it('when the product link of a cancelled payment is not a product path, then it leads to the catalog', async () => {
    const html = await render('shop/failure', 'en', { ...locals, buyerCancelled: true, productUrl: '//evil.example/x' });
    expect(html).toMatch(/<a class="button button--primary" href="\/">Back to the product<\/a>/);
  });

  it.each([
    ['en', 'Back to your cart'],
    ['ru', 'Вернуться в корзину'],
  ] as const)('when an order of several lines was declined or cancelled in %s, then "%s" leads to the cart, not a Buy of one line', async (lang, back) => {
    const cartLocals = { ...locals, retry: null, backToCart: true };
    const declined = await render('shop/failure', lang, cartLocals);
    const cancelled = await render('shop/failure', lang, { ...cartLocals, buyerCancelled: true, productUrl: '/products/x' });
    for (const html of [declined, cancelled]) {
      expectSafePage(html, lang);
      expect(html).toMatch(new RegExp(`<a class="button button--primary" href="/cart">${back}</a>`));
      expect(html).not.toContain('action="/buy"');
      expect(html).not.toContain('href="/products/x"');
    }
  });

  it('when there is nothing to retry and no action code, then no form and no code are shown', async () => {
    const html = await render('shop/failure', 'en', { ...locals, retry: null, actionCode: null });
    expectSafePage(html, 'en');
    expect(html).not.toContain('<form');
    expect(text(html)).not.toContain('Bank response code');
  });

  it('when the reason contains markup, then it is escaped', async () => {
    const html = await render('shop/failure', 'en', { ...locals, reason: '<img src=x onerror=alert(1)>' });
    expect(html).not.toContain('<img src=x');
  });
});

describe('views/shop/pending.ejs', () => {
  const urls = { statusUrl: '/payment/return?orderId=abc&n=1', stopUrl: '/payment/return?orderId=abc&n=0&auto=off' };

  it.each([
    ['en', 'We are confirming your payment', 'Check again', 'Stop refreshing'],
    ['ru', 'Подтверждаем ваш платёж', 'Проверить снова', 'Не обновлять'],
  ] as const)('when the outcome is unknown in %s, then offers "check again" and "stop refreshing", without a meta refresh, and never says failed', async (lang, headline, check, stop) => {
    const html = await render('shop/pending', lang, { order, mode: 'auto', refreshSeconds: 5, ...urls });
    expectSafePage(html, lang);
    expect(html).toContain(`<h1>${headline}</h1>`);
    expect(html).not.toMatch(/http-equiv/i);
    expect(html).toMatch(new RegExp(`<a [^>]*href="/payment/return\\?orderId=abc&amp;n=1">${check}</a>`));
    expect(html).toMatch(new RegExp(`<a [^>]*href="/payment/return\\?orderId=abc&amp;n=0&amp;auto=off">${stop}</a>`));
    expect(text(html)).not.toMatch(/fail|declin|не прошл|отклон|ошибк/i);
  });

  it.each(LANGS)('never promises "a few seconds" (%s): the processor-wait card takes 15 s', async (lang) => {
    for (const mode of ['auto', 'stopped', 'gaveUp']) {
      const html = await render('shop/pending', lang, { order, mode, refreshSeconds: 3, ...urls });
      expect(text(html)).not.toMatch(/few seconds|несколько секунд/i);
    }
    const html = await render('shop/pending', lang, { order, mode: 'auto', refreshSeconds: 3, ...urls });
    expect(text(html)).toMatch(lang === 'en' ? /up to a minute/ : /до минуты/);
  });

  it('when the buyer stopped refreshing, then says so and offers only "check again"', async () => {
    const html = await render('shop/pending', 'en', { order, mode: 'stopped', refreshSeconds: 3, ...urls });
    expectSafePage(html, 'en');
    expect(text(html)).toContain('no longer refreshes by itself');
    expect(text(html)).toContain('Check again');
    expect(text(html)).not.toContain('Stop refreshing');
  });

  it.each([
    ['en', 'We couldn’t confirm your payment yet', /You will not be charged twice for this order/, /Reference ID: ?REF-42/],
    ['ru', 'Мы пока не смогли подтвердить ваш платёж', /Дважды за этот заказ деньги не спишут/, /Код обращения: ?REF-42/],
  ] as const)('when the automatic checks are over (%s), then it gives up plainly: not charged twice, the reference to keep, what to do', async (lang, headline, twice, reference) => {
    const html = await render('shop/pending', lang, { order, mode: 'gaveUp', refreshSeconds: 30, referenceId: 'REF-42', ...urls });
    expectSafePage(html, lang);
    expect(html).toContain(`<h1>${headline}</h1>`);
    const body = text(html);
    expect(body).toMatch(twice);
    expect(body).toMatch(reference);
    expect(body).toContain('SHOP-000123');
    expect(body).toMatch(lang === 'en' ? /Check again in a few minutes/ : /Проверьте снова через несколько минут/);
    expect(body).not.toMatch(/Stop refreshing|Не обновлять/);
    expect(body).not.toMatch(/fail|declin|не прошл|отклон|ошибк/i);
  });

  it('when there is no order to show, then still renders the confirming page', async () => {
    const html = await render('shop/pending', 'en', { order: null, refreshSeconds: 3, ...urls });
    expectSafePage(html, 'en');
    expect(html).not.toContain('Order number');
  });

  it('when a link target is not a same-origin path, then the link goes home instead', async () => {
    for (const bad of ['//evil.example/x', 'https://evil.example/', 'javascript:alert(1)']) {
      const html = await render('shop/pending', 'en', { order: null, refreshSeconds: 3, statusUrl: bad, stopUrl: bad });
      expect(html).not.toContain('evil.example');
      expect(html).not.toContain('javascript:');
    }
  });
});

describe('views/shop/neutral.ejs', () => {
  it.each(LANGS)('when the order is not the buyer\'s (%s), then shows no details and no outcome', async (lang) => {
    const html = await render('shop/neutral', lang, {});
    expectSafePage(html, lang);
    expect(text(html)).toContain(lang === 'en' ? 'We can’t show this order here' : 'Мы не можем показать этот заказ здесь');
    expect(text(html)).not.toMatch(/success|fail|paid|declin|cancel|успеш|не прошл|оплачен|отклон|отмен|Total|Итого/i);
    expect(html).toContain('href="/"');
  });
});
