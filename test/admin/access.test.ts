import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { ADMIN_ROUTES } from '../../src/admin/routes.js';
import { buy, cookieValue, csrfTokenFrom, setCookie, startShop, type TestShop } from '../helpers/shop.js';
import { ADMIN_PASSWORD, login, paidOrder, startAdminShop, tokenOf } from './helpers.js';

/** Every route of the table with its parameters filled in (an order that exists, an action that exists). */
function concrete(path: string, orderId: number): string {
  return `/admin${path.replace(':id', String(orderId)).replace(':action', 'refund')}`.replace(/\/$/, '');
}

/** The session id inside a signed admin_sid cookie value ("s:<sid>.<signature>", URL-encoded). */
const sidOf = (cookie: string) =>
  decodeURIComponent(cookie)
    .replace(/^s:/, '')
    .replace(/\.[^.]*$/, '');

describe('when the back office is not configured', () => {
  let shop: TestShop;
  beforeAll(async () => {
    shop = await startShop();
  });
  afterAll(() => shop.close());

  it('every /admin URL answers 404 saying it is off and how to turn it on, with no login form', async () => {
    for (const path of ['/admin', '/admin/login', '/admin/orders', '/admin/orders/1/refund', '/admin/nope']) {
      const res = await request(shop.app).get(path);
      expect(res.status).toBe(404);
      expect(res.text).toContain('The back office is off');
      expect(res.text).toContain('ADMIN_PASSWORD_HASH');
      expect(res.text).not.toMatch(/type="password"|<form/);
    }
    const posted = await request(shop.app).post('/admin/login').type('form').send({ user: 'admin', password: 'x' });
    expect(posted.status).toBe(404);
    expect(setCookie(posted, 'admin_sid')).toBeUndefined();
  });
});

describe('the back office login', () => {
  let shop: TestShop;
  let orderId: number;
  beforeAll(async () => {
    shop = await startAdminShop({ ADMIN_IDLE_MINUTES: '10' });
    orderId = (await paidOrder(shop)).id;
  });
  afterAll(() => shop.close());

  it('without a login, every route but the login page sends GETs to the login and refuses POSTs, changing nothing', async () => {
    const before = shop.ledger.events(orderId).length;
    for (const route of ADMIN_ROUTES.filter((r) => r.access === 'login')) {
      const path = concrete(route.path, orderId);
      const res = await request(shop.app)[route.method](path).type('form').send({ amount: '1.00' });
      if (route.method === 'get') {
        expect([path, res.status, res.headers.location]).toEqual([path, 303, '/admin/login']);
      } else {
        expect([path, res.status]).toEqual([path, 401]);
      }
      expect(res.text).not.toContain(shop.ledger.get(orderId)!.orderNumber);
    }
    expect(shop.ledger.events(orderId)).toHaveLength(before);
    await request(shop.app)
      .get('/admin/login')
      .expect(200)
      .expect(/type="password"/);
  });

  it('when a back-office path is asked in another case (/Admin/orders), answers 404, never 500, logged in or not', async () => {
    const operator = request.agent(shop.app);
    expect((await login(operator)).status).toBe(303);
    const paths = [
      '/Admin/orders',
      '/ADMIN/login',
      '/Admin',
      `/aDmin/orders/${orderId}`,
      '/admin/Orders',
      '/admin/LOGIN',
    ];
    for (const agent of [request.agent(shop.app), operator]) {
      for (const path of paths) {
        const res = await agent.get(path);
        expect([path, res.status]).toEqual([path, 404]);
        expect(res.text).not.toContain(shop.ledger.get(orderId)!.orderNumber);
      }
      const posted = await agent.post('/Admin/logout').type('form').send({});
      expect(posted.status).toBe(404);
    }
    // The operator is still logged in, on the canonical path.
    await operator.get('/admin/orders').expect(200);
  });

  it('the session cookie is admin_sid on /admin, HttpOnly and SameSite=Strict; a wrong password gets 401 and no login', async () => {
    const agent = request.agent(shop.app);
    const wrong = await login(agent, 'not-the-password');
    expect(wrong.status).toBe(401);
    expect(wrong.text).toContain('Wrong user name or password');
    await agent.get('/admin/orders').expect(303).expect('Location', '/admin/login');

    const ok = await login(agent);
    expect(ok.status).toBe(303);
    expect(ok.headers.location).toBe('/admin/orders');
    const cookie = setCookie(ok, 'admin_sid')!;
    expect(cookie).toMatch(/Path=\/admin/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(setCookie(ok, 'sid')).toBeUndefined();
    await agent
      .get('/admin/orders')
      .expect(200)
      .expect(/Orders/);
  });

  it('when logging in, the admin session id changes (fixation): the pre-login id grants nothing', async () => {
    // No session exists before a login (the login form's token is a cookie); a browser that still holds an older
    // session's id when it logs in gets a new id, and the old one is worth nothing afterwards.
    const agent = request.agent(shop.app);
    const page = await agent.get('/admin/login').expect(200);
    expect(setCookie(page, 'admin_sid')).toBeUndefined();
    const form = { _csrf: csrfTokenFrom(page.text), user: 'admin', password: ADMIN_PASSWORD };
    const before = cookieValue(await agent.post('/admin/login').type('form').send(form).expect(303), 'admin_sid')!;
    const ok = await agent.post('/admin/login').type('form').send(form).expect(303);
    const after = cookieValue(ok, 'admin_sid')!;
    expect(after).toBeDefined();
    expect(sidOf(after)).not.toBe(sidOf(before));
    // The earlier cookie is not logged in, and its session is gone.
    await request(shop.app).get('/admin/orders').set('Cookie', `admin_sid=${before}`).expect(303);
    await request(shop.app).get('/admin/orders').set('Cookie', `admin_sid=${after}`).expect(200);
  });

  it("a buyer's session never grants access, not even its id put into admin_sid", async () => {
    const buyer = request.agent(shop.app);
    const bought = await buy(buyer, 'notebook');
    const sid = cookieValue(bought, 'sid')!;
    expect(sid).toBeDefined();
    await buyer.get('/admin/orders').expect(303);
    await request(shop.app).get('/admin/orders').set('Cookie', `admin_sid=${sid}`).expect(303);
  });

  it('logout ends access, and the old cookie replayed is not logged in', async () => {
    const agent = request.agent(shop.app);
    const ok = await login(agent);
    const cookie = cookieValue(ok, 'admin_sid')!;
    const token = await tokenOf(agent);
    await agent
      .post('/admin/logout')
      .type('form')
      .send({ _csrf: token })
      .expect(303)
      .expect('Location', '/admin/login');
    await agent.get('/admin/orders').expect(303);
    await request(shop.app).get('/admin/orders').set('Cookie', `admin_sid=${cookie}`).expect(303);
  });

  it('when a POST carries no or a wrong CSRF token, answers 403 and nothing happens', async () => {
    const agent = request.agent(shop.app);
    await login(agent);
    const events = shop.ledger.events(orderId).length;
    const order = shop.ledger.get(orderId)!;
    for (const _csrf of [undefined, '', 'forged-token', `${await tokenOf(agent)}x`]) {
      const res = await agent
        .post(`/admin/orders/${orderId}/refund`)
        .type('form')
        .send({ amount: '1.00', ...(_csrf !== undefined && { _csrf }) });
      expect(res.status).toBe(403);
      const out = await agent
        .post('/admin/logout')
        .type('form')
        .send({ ...(_csrf !== undefined && { _csrf }) });
      expect(out.status).toBe(403);
    }
    expect(shop.ledger.events(orderId)).toHaveLength(events);
    expect(shop.ledger.get(orderId)).toEqual(order);
    // Another operator session's token is no good here either: tokens are bound to their session.
    const other = request.agent(shop.app);
    await login(other);
    const foreign = await tokenOf(other);
    await agent
      .post(`/admin/orders/${orderId}/refund`)
      .type('form')
      .send({ _csrf: foreign, amount: '1.00' })
      .expect(403);
    await agent.get('/admin/orders').expect(200);
  });

  it('when the session has been idle longer than ADMIN_IDLE_MINUTES, it is over; a request within it rolls it on', async () => {
    const agent = request.agent(shop.app);
    const ok = await login(agent);
    const sid = sidOf(cookieValue(ok, 'admin_sid')!);
    const expires = () =>
      shop.db.prepare<[string], number>('SELECT expires FROM sessions WHERE sid = ?').pluck().get(sid)!;
    // Rolling: every answer pushes the store's expiry out again (here: from a minute earlier than it was).
    shop.db.prepare('UPDATE sessions SET expires = expires - 60000 WHERE sid = ?').run(sid);
    const shortened = expires();
    expect(setCookie(await agent.get('/admin/orders').expect(200), 'admin_sid')).toMatch(/Path=\/admin/);
    expect(expires()).toBeGreaterThan(shortened);

    // Move the session's last activity into the past instead of waiting: the store row itself stays unexpired.
    const age = (ms: number) => {
      const row = shop.db.prepare<[string], { data: string }>('SELECT data FROM sessions WHERE sid = ?').get(sid)!;
      const data = JSON.parse(row.data) as { admin: { seenAt: number } };
      data.admin.seenAt -= ms;
      shop.db.prepare('UPDATE sessions SET data = ? WHERE sid = ?').run(JSON.stringify(data), sid);
    };
    age(9 * 60_000);
    await agent.get('/admin/orders').expect(200);
    age(9 * 60_000);
    await agent.get('/admin/orders').expect(200);
    age(10 * 60_000 + 1000);
    await agent.get('/admin/orders').expect(303).expect('Location', '/admin/login?expired=1');
    await agent.get('/admin/orders').expect(303).expect('Location', '/admin/login');
    expect(shop.db.prepare('SELECT count(*) AS n FROM sessions WHERE sid = ?').get(sid)).toEqual({ n: 0 });
  });

  it('no log line holds the password, a session id, a cookie or a CSRF token', async () => {
    const agent = request.agent(shop.app);
    await login(agent, `${ADMIN_PASSWORD}-wrong`);
    const ok = await login(agent);
    const cookie = cookieValue(ok, 'admin_sid')!;
    const token = await tokenOf(agent);
    await agent.post(`/admin/orders/${orderId}/refund`).type('form').send({ _csrf: token, amount: '0.01' });
    await agent.post('/admin/logout').type('form').send({ _csrf: token });
    const logs = shop.logs.join('\n');
    expect(logs).toContain('back-office login');
    for (const secret of [ADMIN_PASSWORD, 'canary', cookie, sidOf(cookie), token, shop.config.sessionSecrets[0]!]) {
      expect(logs).not.toContain(secret);
    }
  });
});

describe('behind https', () => {
  let shop: TestShop;
  beforeAll(async () => {
    shop = await startAdminShop({ PUBLIC_BASE_URL: 'https://localhost', TRUST_PROXY: '1' });
  });
  afterAll(() => shop.close());

  it('the back-office cookie is a __Host- cookie: Secure, Path=/, no Domain, SameSite=Strict', async () => {
    // By hand: the client keeps Secure cookies for https, and these requests reach the app over plain http.
    const page = await request(shop.app).get('/admin/login').set('X-Forwarded-Proto', 'https').expect(200);
    const csrf = cookieValue(page, '__Host-admin_csrf')!;
    const ok = await request(shop.app)
      .post('/admin/login')
      .set('X-Forwarded-Proto', 'https')
      .set('Cookie', `__Host-admin_csrf=${csrf}`)
      .type('form')
      .send({ _csrf: csrfTokenFrom(page.text), user: 'admin', password: ADMIN_PASSWORD });
    expect(ok.status).toBe(303);
    for (const name of ['__Host-admin_sid', '__Host-admin_device']) {
      const line = setCookie(ok, name)!;
      expect(line).toMatch(/; Path=\/; .*HttpOnly; Secure; SameSite=Strict/);
      expect(line).not.toMatch(/Domain=/i);
    }
    expect(setCookie(ok, 'admin_sid')).toBeUndefined();
  });
});

describe('login throttling', () => {
  let shop: TestShop;
  beforeAll(async () => {
    shop = await startAdminShop();
  });
  afterAll(() => shop.close());

  it('after 5 failed logins from one address, the 6th attempt gets 429, even with the right password', async () => {
    const agent = request.agent(shop.app);
    for (let i = 0; i < 5; i += 1) expect((await login(agent, `wrong-${i}-password`)).status).toBe(401);
    const sixth = await login(agent);
    expect(sixth.status).toBe(429);
    expect(sixth.text).toContain('Too many failed logins');
    await agent.get('/admin/orders').expect(303);
  });
});
