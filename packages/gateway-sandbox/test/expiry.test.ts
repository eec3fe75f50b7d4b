import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startSandbox, type RunningSandbox, type SandboxEvent } from '../src/index.js';
import { payOnHostedPage } from './helpers/sandbox-buyer.js';
import { CREDS, makeSandbox, payDirect, T0 } from './helpers/sandbox-app.js';

describe('order lifetime and payment attempts', () => {
  let sb: RunningSandbox;
  const events: SandboxEvent[] = [];
  let n = 0;
  beforeAll(async () => {
    sb = await startSandbox({ port: 0, now: () => T0, onEvent: (e) => events.push(e) });
  });
  afterAll(() => sb.close());

  const api = async (method: string, params: Record<string, string>) =>
    (await (
      await fetch(`${sb.gatewayUrl}${method}.do`, {
        method: 'POST',
        body: new URLSearchParams({ ...CREDS, ...params }),
      })
    ).json()) as Record<string, unknown>;
  const register = async (extra: Record<string, string> = {}) =>
    (await api('register', {
      orderNumber: `E-${++n}`,
      amount: '5000',
      returnUrl: 'https://shop.test/r',
      failUrl: 'https://shop.test/f',
      ...extra,
    })) as {
      orderId: string;
      formUrl: string;
    };

  it('when the session timeout passes unpaid, then reading the order declines it with -2007 and fires declinedByTimeout once', async () => {
    const { orderId } = await register({ sessionTimeoutSecs: '60' });
    sb.clock.advance(59_000);
    expect((await api('getOrderStatusExtended', { orderId })).orderStatus).toBe(0);
    sb.clock.advance(1_000);
    expect(await api('getOrderStatusExtended', { orderId })).toMatchObject({ orderStatus: 6, actionCode: -2007 });
    await api('getOrderStatusExtended', { orderId });
    expect(events.filter((e) => e.order.id === orderId)).toEqual([
      expect.objectContaining({ operation: 'declinedByTimeout', status: 1 }),
    ]);
  });

  it('when the default lifetime of 1200 s passes, then the hosted page says the order expired and links to failUrl', async () => {
    const { orderId, formUrl } = await register({ language: 'ru' });
    sb.clock.advance(1_200_000);
    const html = await (await fetch(formUrl)).text();
    expect(html).toContain('Время оплаты заказа истекло');
    expect(html).toContain(`https://shop.test/f?orderId=${orderId}&amp;lang=ru`);
    const paid = await payOnHostedPage(formUrl, { pan: '4111111111111111' });
    expect(paid.redirectUrl).toBeNull();
    expect((await api('getOrderStatusExtended', { orderId })).actionCode).toBe(-2007);
  });

  it('when the buyer sits in the 3-D Secure challenge past the lifetime, then the order is declined by timeout', async () => {
    const { orderId, formUrl } = await register({ sessionTimeoutSecs: '120' });
    await payOnHostedPage(formUrl, { pan: '5555555555555599' });
    sb.clock.advance(120_000);
    expect(await api('getOrderStatusExtended', { orderId })).toMatchObject({ orderStatus: 6, actionCode: -2007 });
  });

  it('when wrong card data is entered, then the page counts attempts and the third failure declines with -2013', async () => {
    const { orderId, formUrl } = await register();
    const first = await payOnHostedPage(formUrl, { pan: '4111111111111111', cvc: '999' });
    expect(first.redirectUrl).toBeNull();
    expect(first.html).toContain('Attempts left: 2');
    expect(await api('getOrderStatusExtended', { orderId })).toMatchObject({ orderStatus: 0, actionCode: 1015 });
    const second = await payOnHostedPage(formUrl, { pan: '4000000000000010' });
    expect(second.html).toContain('Attempts left: 1');
    const third = await payOnHostedPage(formUrl, { pan: '4111111111111111', cvc: '321' });
    expect(third.redirectUrl).toBe(`https://shop.test/f?orderId=${orderId}&lang=en`);
    expect(await api('getOrderStatusExtended', { orderId })).toMatchObject({ orderStatus: 6, actionCode: -2013 });
  });

  it('when an attempt fails and the next uses a good card, then it is approved', async () => {
    const { orderId, formUrl } = await register();
    await payOnHostedPage(formUrl, { pan: '4111111111111111', cvc: '000' });
    const ok = await payOnHostedPage(formUrl, { pan: '4111111111111111' });
    expect(ok.redirectUrl).toBe(`https://shop.test/r?orderId=${orderId}&lang=en`);
  });
});

describe('sweep, purge and bounded memory', () => {
  it('when the sweep runs after expiry, then unpaid orders are declined without anyone reading them', () => {
    const sb = makeSandbox();
    const order = sb.engine.register(sb.merchants[0]!, regInput('S-1'));
    if (!order.ok) throw new Error('register failed');
    sb.clock.advance(1_200_000);
    sb.sweep();
    expect(sb.store.get(order.order.id)).toMatchObject({ status: 6, actionCode: -2007 });
    expect(sb.events_.map((e) => e.operation)).toEqual(['declinedByTimeout']);
  });

  it('when expiry plus retention has passed, then the sweep purges the order and its number can be reused', async () => {
    const sb = makeSandbox({ retentionMs: 60_000 });
    const { orderId } = await sb.register({ orderNumber: 'PURGE-1' });
    const paid = await sb.register({ orderNumber: 'PURGE-2' });
    payDirect(sb, paid.orderId);
    sb.clock.advance(1_200_000 + 59_000);
    expect(sb.sweep().purged).toBe(0);
    sb.clock.advance(1_000);
    expect(sb.sweep().purged).toBe(2);
    expect(sb.store.size).toBe(0);
    expect((await sb.call('getOrderStatusExtended', { ...CREDS, orderId })).body.errorCode).toBe('6');
    expect(
      (await sb.call('register', { ...CREDS, orderNumber: 'PURGE-1', amount: '1', returnUrl: 'https://s.test/' })).body
        .orderId,
    ).toBeDefined();
  });

  it('when a recently changed order is past its expiry, then retention counts from the last change', async () => {
    const sb = makeSandbox({ retentionMs: 60_000 });
    const { orderId } = await sb.register({}, 'registerPreAuth');
    payDirect(sb, orderId);
    sb.clock.advance(1_200_000);
    await sb.call('deposit', { ...CREDS, orderId, amount: '0' });
    sb.clock.advance(59_000);
    expect(sb.sweep().purged).toBe(0);
  });

  it('when more orders than maxOrders are registered, then the oldest are dropped and the store stays at the cap', () => {
    const sb = makeSandbox({ maxOrders: 100 });
    const ids: string[] = [];
    for (let i = 0; i < 1_000; i += 1) {
      const r = sb.engine.register(sb.merchants[0]!, regInput(`CAP-${i}`));
      if (r.ok) ids.push(r.order.id);
    }
    expect(sb.store.size).toBe(100);
    expect(sb.store.get(ids[0]!)).toBeUndefined();
    expect(sb.store.get(ids[999]!)).toBeDefined();
    expect(sb.store.findByNumber('demo-shop', 'CAP-0')).toBeUndefined();
    expect(sb.store.list({ limit: 3 }).map((o) => o.orderNumber)).toEqual(['CAP-999', 'CAP-998', 'CAP-997']);
  });

  it('when startSandbox closes, then the sweep timer is stopped and close is idempotent', async () => {
    const running = await startSandbox({ port: 0, sweepIntervalMs: 10 });
    await running.close();
    await running.close();
    await expect(fetch(`${running.url}/sandbox/cards`)).rejects.toThrow();
  });
});

function regInput(orderNumber: string) {
  return {
    orderNumber,
    twoPhase: false,
    amount: 100,
    currency: '643',
    description: '',
    language: 'en',
    returnUrl: 'https://shop.test/r',
    jsonParams: {},
  };
}
