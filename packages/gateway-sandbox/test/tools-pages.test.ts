import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { startReceiver, type Receiver } from './helpers/callback-receiver.js';
import { makeSandbox, OPERATOR_AUTH, payDirect, type TestSandbox } from './helpers/sandbox-app.js';

const M = {
  login: 'view-shop',
  userName: 'view-api-user',
  password: 'S3cret-Pa55word',
  token: 'tok-ABCDEF-123456',
  callbackKey: 'cb-key-0f9e8d7c',
  allowTwoPhase: true,
};
const OTHER = { login: 'other-shop', userName: 'other-api', password: 'other-pw', allowTwoPhase: true };
const SECRETS = [M.password, M.token, M.callbackKey, OTHER.password];

describe('operations view', () => {
  let rx: Receiver;
  let sb: TestSandbox;
  let orderId: string;
  beforeAll(async () => {
    rx = await startReceiver();
    sb = makeSandbox({
      merchants: [{ ...M, callbackUrl: `${rx.url}/cb` }, OTHER],
      callbacks: { retryBaseMs: 10, maxAttempts: 2, timeoutMs: 2000 },
    });
    rx.script([500]);
    ({ orderId } = await sb.register({
      userName: M.userName,
      password: M.password,
      orderNumber: 'VIEW-1',
      description: '<script>alert(1)</script> & co',
    }));
    payDirect(sb, orderId);
    await rx.waitFor(2);
    await sb.callbacks!.idle();
    await sb.register({ userName: OTHER.userName, password: OTHER.password, orderNumber: 'OTHER-1' });
  });
  afterAll(async () => {
    sb.stop();
    await rx.close();
  });

  it('when the list is opened, then it shows orders of all merchants with state and amount, and no secret', async () => {
    const res = await request(sb.app).get('/sandbox/orders').set(OPERATOR_AUTH);
    expect(res.status).toBe(200);
    expect(res.text).toContain('VIEW-1');
    expect(res.text).toContain('OTHER-1');
    expect(res.text).toContain('2 deposited');
    expect(res.text).not.toMatch(/<script/i);
    for (const secret of SECRETS) expect(res.text).not.toContain(secret);
  });

  it('when filtered by merchant, then only its orders are listed', async () => {
    const res = await request(sb.app).get('/sandbox/orders').set(OPERATOR_AUTH).query({ merchant: 'other-shop' });
    expect(res.text).toContain('OTHER-1');
    expect(res.text).not.toContain('VIEW-1');
  });

  it('when an order is opened, then operations and every delivery attempt are shown, escaped, without secrets and with a masked PAN', async () => {
    const res = await request(sb.app).get(`/sandbox/orders/${orderId}`).set(OPERATOR_AUTH);
    expect(res.status).toBe(200);
    expect(res.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; co');
    expect(res.text).not.toMatch(/<script/i);
    expect(res.text).toContain('deposited');
    expect(res.text).toContain('HTTP 500');
    expect(res.text).toContain('HTTP 200');
    expect(res.text).toContain('411111**1111');
    expect(res.text).not.toContain('4111111111111111');
    expect(res.text).not.toContain('checksum=');
    expect(res.text).toMatch(/Fault tags<\/dt><dd>none<\/dd>/);
    for (const secret of SECRETS) expect(res.text).not.toContain(secret);
  });

  it('when an unknown order is opened, then 404', async () => {
    expect((await request(sb.app).get('/sandbox/orders/nope').set(OPERATOR_AUTH)).status).toBe(404);
  });

  it('when listed orders have expired or finished their processor wait, then the list shows their current status, not the stale one', async () => {
    const fresh = makeSandbox({ callbacks: false, processingDelayMs: 5_000 });
    await fresh.register({ orderNumber: 'STALE-EXPIRED', sessionTimeoutSecs: '60' });
    const { orderId: waiting } = await fresh.register({ orderNumber: 'STALE-WAIT', sessionTimeoutSecs: '3600' });
    expect(payDirect(fresh, waiting, '4000000000000002')).toEqual({ kind: 'processing' });
    fresh.clock.advance(61_000);
    const res = await request(fresh.app).get('/sandbox/orders').set(OPERATOR_AUTH);
    expect(res.text).toMatch(/STALE-EXPIRED[\s\S]*?6 declined/);
    expect(res.text).toMatch(/STALE-WAIT[\s\S]*?2 deposited/);
    expect(res.text).not.toContain('0 registered');
    expect(res.text).not.toContain('5 authorizing');
  });

  it('when an order has more operations than the per-order history keeps, then the newest are shown and the older ones counted', async () => {
    const busy = makeSandbox({ callbacks: false });
    const { orderId: id } = await busy.register({ orderNumber: 'BUSY-1', amount: '100' }, 'registerPreAuth');
    payDirect(busy, id);
    await busy.call('deposit', { userName: 'demo-shop-api', password: 'demo-shop-password', orderId: id, amount: '0' });
    for (let i = 0; i < 50; i += 1)
      await busy.call('refund', {
        userName: 'demo-shop-api',
        password: 'demo-shop-password',
        orderId: id,
        amount: '1',
      });
    const res = await request(busy.app).get(`/sandbox/orders/${id}`).set(OPERATOR_AUTH);
    expect(res.text).toContain('2 older operations not shown');
    expect(res.text).not.toContain('<td data-label="Operation">approved</td>');
    expect(res.text.match(/<td data-label="Operation">refunded<\/td>/g)).toHaveLength(50);
  });

  it('when there are more orders than a page, then the list is paginated', async () => {
    const many = makeSandbox({ callbacks: false });
    for (let i = 0; i < 60; i += 1) await many.register({ orderNumber: `P-${i}` });
    const first = await request(many.app).get('/sandbox/orders').set(OPERATOR_AUTH);
    expect(first.text).toContain('Page 1 of 2');
    expect(first.text).toContain('P-59');
    expect(first.text).not.toContain('>P-9<');
    const second = await request(many.app).get('/sandbox/orders?page=2').set(OPERATOR_AUTH);
    expect(second.text).toContain('>P-9<');
  });
});

describe('fault switches page', () => {
  const sb = makeSandbox({ merchants: [M, OTHER], callbacks: false });
  let formKey = '';
  beforeAll(async () => {
    const page = await request(sb.app).get('/sandbox/control').set(OPERATOR_AUTH);
    formKey = /name="formKey" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
  });
  const post = (fields: Record<string, string>) =>
    request(sb.app)
      .post('/sandbox/control')
      .set(OPERATOR_AUTH)
      .type('form')
      .send({ formKey, ...fields });

  it('when the page is opened, then it is a plain form without scripts or cookies, listing every merchant', async () => {
    const res = await request(sb.app).get('/sandbox/control').set(OPERATOR_AUTH);
    expect(res.status).toBe(200);
    expect(res.text).toContain('<form method="post" action="/sandbox/control">');
    expect(res.text).toContain('<option value="view-shop" selected>');
    expect(res.text).toContain('<option value="other-shop">');
    expect(formKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(res.text).not.toMatch(/<script/i);
    expect(res.headers['set-cookie']).toBeUndefined();
    for (const secret of SECRETS) expect(res.text).not.toContain(secret);
  });

  it('when posted without the form key the page gave (a cross-site form), then 403 and nothing is saved', async () => {
    for (const key of ['', 'forged-key']) {
      const res = await post({ formKey: key, login: M.login, action: 'save', httpStatus: '500' });
      expect(res.status).toBe(403);
    }
    expect(sb.faults.get(M.login)).toBeUndefined();
  });

  it('when posted for an unknown merchant, then 400 and nothing is saved', async () => {
    const res = await post({ login: 'nobody', action: 'save', httpStatus: '500' });
    expect(res.status).toBe(400);
    expect(sb.faults.size).toBe(0);
  });

  it("when the operator saves a merchant's switches, then only that merchant's are saved and shown", async () => {
    const res = await post({
      login: M.login,
      action: 'save',
      httpStatus: '502',
      malformedJson: 'on',
      methods: 'deposit, refund.do',
      remaining: '3',
    });
    expect(res.status).toBe(200);
    expect(sb.faults.get(M.login)).toEqual({
      httpStatus: 502,
      malformedJson: true,
      methods: ['deposit', 'refund'],
      remaining: 3,
    });
    expect(sb.faults.get(OTHER.login)).toBeUndefined();
    for (const secret of SECRETS) expect(res.text).not.toContain(secret);
    const cleared = await post({ login: M.login, action: 'clear' });
    expect(cleared.status).toBe(200);
    expect(sb.faults.get(M.login)).toBeUndefined();
  });

  it('when switches are saved with every field empty, then the merchant has no profile left (the no-fault fast path)', async () => {
    await post({ login: M.login, action: 'save', httpStatus: '500' });
    expect(sb.faults.get(M.login)).toEqual({ httpStatus: 500 });
    const res = await post({
      login: M.login,
      action: 'save',
      latencyMs: '',
      httpStatus: '',
      methods: 'deposit',
      callbacks: '',
    });
    expect(res.status).toBe(200);
    expect(sb.faults.get(M.login)).toBeUndefined();
    expect(sb.faults.size).toBe(0);
    expect(res.text).toContain('current switches: <code>none</code>');
  });

  it('when the latency is out of range, then 400 names the field and the switches stay as they were', async () => {
    const res = await post({ login: M.login, action: 'save', latencyMs: '120001' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('latencyMs:');
    expect(sb.faults.get(M.login)).toBeUndefined();
  });

  it('when a field is invalid, then 400 and the switches stay as they were', async () => {
    const res = await post({ login: M.login, action: 'save', latencyMs: 'soon' });
    expect(res.status).toBe(400);
    expect(sb.faults.get(M.login)).toBeUndefined();
  });
});
