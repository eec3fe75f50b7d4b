import { describe, expect, it, jest } from '@jest/globals';
import request from 'supertest';
import { CREDS, makeSandbox, payDirect } from './helpers/sandbox-app.js';

describe('extension points for callbacks and fault injection', () => {
  it('when a REST middleware answers first, then the method never runs and the hosted pages are untouched', async () => {
    const sb = makeSandbox({
      restMiddleware: [
        (req, res, next) => {
          if ((req.body as Record<string, unknown> | undefined)?.orderNumber === 'FAIL-ME')
            return void res.status(503).type('text/html').send('<h1>down</h1>');
          next();
        },
      ],
    });
    const failed = await sb.call('register', {
      ...CREDS,
      orderNumber: 'FAIL-ME',
      amount: '100',
      returnUrl: 'https://s.test/',
    });
    expect(failed.status).toBe(503);
    expect(sb.store.size).toBe(0);
    const { formUrl } = await sb.register();
    const page = await request(sb.app).get(new URL(formUrl).pathname + new URL(formUrl).search);
    expect(page.status).toBe(200);
  });

  it('when a listener throws, then the operation still succeeds, the error is logged and other listeners still run', async () => {
    const logger = { info: jest.fn(), warn: jest.fn(), error: jest.fn() };
    const sb = makeSandbox({ logger });
    const seen: string[] = [];
    sb.events.on(() => {
      throw new Error('callback sender broke');
    });
    const off = sb.events.on((e) => seen.push(e.operation));
    const { orderId } = await sb.register({}, 'registerPreAuth');
    payDirect(sb, orderId);
    const res = await sb.call('deposit', { ...CREDS, orderId, amount: '0' });
    expect(res.body.errorCode).toBe(0);
    expect(seen).toEqual(['approved', 'deposited']);
    expect(logger.error).toHaveBeenCalled();
    off();
    await sb.call('refund', { ...CREDS, orderId, amount: '1' });
    expect(seen).toEqual(['approved', 'deposited']);
  });

  it('when events fire, then they carry the merchant with its callback settings and the order', async () => {
    const merchant = {
      login: 'cb',
      userName: 'cb-api',
      password: 'pw',
      callbackUrl: 'https://shop.test/cb',
      callbackKey: 'k',
      allowTwoPhase: true,
    };
    const sb = makeSandbox({ merchants: [merchant] });
    const res = await sb.call('register', {
      userName: 'cb-api',
      password: 'pw',
      orderNumber: 'N1',
      amount: '700',
      returnUrl: 'https://s.test/',
    });
    payDirect(sb, res.body.orderId!);
    expect(sb.events_).toEqual([
      expect.objectContaining({
        merchant,
        operation: 'deposited',
        status: 1,
        amount: 700,
        order: expect.objectContaining({ orderNumber: 'N1' }),
      }),
    ]);
  });

  it('when merchants repeat a login, user name or token, then the app refuses to start', () => {
    const m = { login: 'a', userName: 'u', password: 'p', allowTwoPhase: true };
    expect(() => makeSandbox({ merchants: [m, { ...m, userName: 'v' }] })).toThrow(/login/);
    expect(() => makeSandbox({ merchants: [m, { ...m, login: 'b' }] })).toThrow(/userName/);
  });
});
