import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { en } from '../../src/http/messages/en.js';
import { ru } from '../../src/http/messages/ru.js';
import type { Order } from '../../src/orders/types.js';
import { csrfTokenFrom, startShop, type TestShop } from '../helpers/shop.js';
import { ADMIN_PASSWORD, paidOrder, startAdminShop } from './helpers.js';

/*
 * The back office speaks the shop's languages through the shop's own mechanism (?lang=, the lang cookie,
 * Accept-Language; texts in src/http/messages/). What may stay in Latin letters on a Russian page: the gateway's
 * own names (orderStatus, actionCode, deposit.do, errorCode), ISO codes, the README's section name, and data —
 * order numbers, ids, amounts, item names, the operator's login, and the ledger's event codes (shown as code).
 */
const LATIN_ALLOWED = new Set([
  'orderStatus',
  'actionCode',
  'errorCode',
  'deposit',
  'reverse',
  'refund',
  'do',
  'UTC',
  'EUR',
  'README',
  'Back',
  'office',
  'admin',
  'return',
  'callback',
  'reconciler',
]);

/** The Latin words of a page's visible text, leaving out code, `.mono` data and parts marked lang="en". */
function latinWords(html: string, data: readonly string[]): string[] {
  let body = html.slice(html.indexOf('<body'));
  for (let i = 0; i < 3; i += 1) {
    body = body.replace(/<(\w+)\b[^>]*(?:class="[^"]*\bmono\b[^"]*"|lang="en")[^>]*>[\s\S]*?<\/\1>/g, ' ');
    body = body.replace(/<code>[\s\S]*?<\/code>/g, ' ');
  }
  let text = body
    .replace(/<[^>]+>/g, ' ')
    .replace(/&[a-z]+;|&#\d+;/g, ' ')
    .replace(/\s+/g, ' ');
  for (const d of data) text = text.split(d).join(' ');
  return [...text.matchAll(/[A-Za-z]{2,}/g)].map((m) => m[0]).filter((w) => !LATIN_ALLOWED.has(w));
}

const data = (order: Order) => [order.orderNumber, order.gatewayOrderId ?? '', ...order.items.map((i) => i.name)];

describe('the back office in Russian', () => {
  let shop: TestShop;
  let admin: request.Agent;
  let held: Order;
  beforeAll(async () => {
    shop = await startAdminShop({ PAYMENT_FLOW: 'two-phase' });
    held = await paidOrder(shop, 'coffee-beans', 2);
    admin = request.agent(shop.app);
    // The language is chosen once, like on the shop's pages: ?lang=ru sets the cookie the next pages read.
    const page = await admin.get('/admin/login?lang=ru').expect(200);
    expect(page.text).toContain('<html lang="ru">');
    const done = await admin
      .post('/admin/login')
      .type('form')
      .send({ _csrf: csrfTokenFrom(page.text), user: 'admin', password: ADMIN_PASSWORD });
    expect(done.status).toBe(303);
  });
  afterAll(() => shop.close());

  it('when the operator chose Russian, then the login page, the list, an order and each action’s confirmation are in Russian', async () => {
    const pages: [string, number, string[]][] = [
      [
        '/admin/orders',
        200,
        ['Заказы', 'Статус', 'любой', 'Показать', '1 заказ', 'Создан (UTC)', 'сумма заблокирована'],
      ],
      [
        `/admin/orders/${held.id}`,
        200,
        [
          'Заказ ' + held.orderNumber,
          'Итого',
          'Списано',
          'Возвращено',
          'Что говорит шлюз сейчас',
          'История',
          'Списать…',
        ],
      ],
      [`/admin/orders/${held.id}/capture`, 200, ['Списание (deposit.do)', 'Подтвердить списание', 'Отмена']],
      [`/admin/orders/${held.id}/void`, 200, ['Снятие блокировки (reverse.do)', 'Подтвердить снятие блокировки']],
      [`/admin/orders/${held.id}/refresh`, 200, ['Обновление из шлюза', 'Подтвердить обновление']],
      [
        `/admin/orders/${held.id}/refund`,
        409,
        ['Возврат (refund.do)', 'Для заказа в статусе «сумма заблокирована» это невозможно.'],
      ],
    ];
    for (const [path, status, expected] of pages) {
      const res = await admin.get(path).expect(status);
      expect(res.text).toContain('<html lang="ru">');
      expect(res.text).toContain('Бэк-офис');
      for (const text of expected) expect(res.text).toContain(text);
      expect({ path, english: latinWords(res.text, data(held)) }).toEqual({ path, english: [] });
    }
  });

  it('when an amount is refused in Russian, then the error is in Russian and the language switch leads to a back-office page', async () => {
    const form = await admin.get(`/admin/orders/${held.id}/capture`).expect(200);
    const refused = await admin
      .post(`/admin/orders/${held.id}/capture`)
      .type('form')
      .send({ _csrf: csrfTokenFrom(form.text), amount: '99' })
      .expect(422);
    expect(refused.text).toContain('Списать можно не больше 25.00.');
    expect(latinWords(refused.text, data(held))).toEqual([]);
    // A page answering a POST can't be reloaded by a link: the switch goes to the order list, not the shop.
    expect(refused.text).toContain('href="/admin/orders?lang=en"');
  });

  it('when the operator switches the language on an order’s page, then the link stays on that page', async () => {
    const page = await admin.get(`/admin/orders/${held.id}`).expect(200);
    expect(page.text).toContain(`href="/admin/orders/${held.id}?lang=en" hreflang="en"`);
    const english = await admin.get(`/admin/orders/${held.id}?lang=en`).expect(200);
    expect(english.text).toContain('<html lang="en">');
    expect(english.text).toContain('At the gateway now');
  });

  it('when a new browser asks in Russian (Accept-Language), then the login page is Russian from the start', async () => {
    const res = await request(shop.app).get('/admin/login').set('Accept-Language', 'ru-RU,ru;q=0.9').expect(200);
    for (const text of ['Бэк-офис: вход', 'Имя пользователя', 'Пароль', 'Войти']) expect(res.text).toContain(text);
    expect(latinWords(res.text, [])).toEqual([]);
  });
});

describe('the back office when it is off, in Russian', () => {
  let shop: TestShop;
  beforeAll(async () => {
    shop = await startShop();
  });
  afterAll(() => shop.close());

  it('when the back office is off, then the page saying how to turn it on is in Russian, the settings as code', async () => {
    const res = await request(shop.app).get('/admin/orders?lang=ru').expect(404);
    expect(res.text).toContain('Бэк-офис выключен');
    expect(res.text).toContain('<code>ADMIN_PASSWORD_HASH</code>');
    expect(latinWords(res.text, [])).toEqual([]);
  });
});

describe('the back office’s message catalog', () => {
  it('when a back-office text exists in English, then it has a Russian text of its own', () => {
    const keys = Object.keys(en).filter((k) => k.startsWith('admin.')) as (keyof typeof en)[];
    expect(keys.length).toBeGreaterThan(50);
    const untranslated = keys.filter((k) => ru[k] === en[k]);
    expect(untranslated).toEqual([]);
  });
});
