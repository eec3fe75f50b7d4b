import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { checksumString, hmacChecksum, signCallback, type SandboxMerchant } from '../src/index.js';
import { startReceiver, type Receiver } from './helpers/callback-receiver.js';
import { makeSandbox, payDirect, type TestSandbox } from './helpers/sandbox-app.js';
import { traceTimers } from './helpers/timer-trace.js';

const KEYED = {
  login: 'keyed',
  userName: 'keyed-api',
  password: 'keyed-pw',
  callbackKey: 'secret-key-123',
  allowTwoPhase: true,
};
const PLAIN = { login: 'plain', userName: 'plain-api', password: 'plain-pw', allowTwoPhase: true };
const auth = (m: SandboxMerchant) => ({ userName: m.userName, password: m.password });

describe('callback checksum (docs/gateway-reference.md §6.3)', () => {
  it('when the published vector is signed with key 123, then the documented checksum comes out', () => {
    const data =
      'amount;1500;mdOrder;ed6f3abf-cea0-427e-afdf-0ba43ead124f;operation;deposited;orderNumber;89312;status;1;';
    expect(hmacChecksum(data, '123')).toBe('9F8253A6BB7777D067DD955751119FA5AAF67B14B9215147190F96B505CDB72C');
    const params = {
      status: '1',
      orderNumber: '89312',
      operation: 'deposited',
      mdOrder: 'ed6f3abf-cea0-427e-afdf-0ba43ead124f',
      amount: '1500',
    };
    expect(checksumString(params)).toBe(data);
    expect(signCallback({ ...params, checksum: 'X', sign_alias: 'Y' }, '123')).toBe(
      '9F8253A6BB7777D067DD955751119FA5AAF67B14B9215147190F96B505CDB72C',
    );
  });
});

describe('callback delivery', () => {
  let rx: Receiver;
  let sb: TestSandbox | undefined;
  beforeAll(async () => {
    rx = await startReceiver();
  });
  afterEach(() => {
    sb?.stop();
    sb = undefined;
    rx.received.length = 0;
    rx.script([]);
  });
  afterAll(() => rx.close());

  const sandbox = (merchants: SandboxMerchant[], callbacks = { retryBaseMs: 20, maxAttempts: 3, timeoutMs: 2000 }) => {
    sb = makeSandbox({ merchants, callbacks });
    return sb;
  };

  it('when a one-phase order is paid, then the static URL gets a GET with the five params and a checksum that verifies with the key', async () => {
    const s = sandbox([{ ...KEYED, callbackUrl: `${rx.url}/cb/static` }]);
    const { orderId } = await s.register({ ...auth(KEYED), orderNumber: 'CB-1', amount: '1500' });
    payDirect(s, orderId);
    const [got] = await rx.waitFor(1);
    expect(got).toMatchObject({ method: 'GET', path: '/cb/static' });
    const { checksum, ...rest } = got!.query;
    expect(rest).toEqual({
      mdOrder: orderId,
      orderNumber: 'CB-1',
      operation: 'deposited',
      status: '1',
      amount: '1500',
    });
    expect(checksum).toMatch(/^[0-9A-F]{64}$/);
    expect(hmacChecksum(checksumString(rest), KEYED.callbackKey)).toBe(checksum);
  });

  it('when the merchant has no key, then no checksum is sent', async () => {
    const s = sandbox([{ ...PLAIN, callbackUrl: `${rx.url}/cb` }]);
    const { orderId } = await s.register(auth(PLAIN));
    payDirect(s, orderId);
    const [got] = await rx.waitFor(1);
    expect(got!.query).not.toHaveProperty('checksum');
    expect(got!.query.operation).toBe('deposited');
  });

  it('when register gives dynamicCallbackUrl, then it wins over the static URL', async () => {
    const s = sandbox([{ ...PLAIN, callbackUrl: `${rx.url}/static` }]);
    const { orderId } = await s.register({ ...auth(PLAIN), dynamicCallbackUrl: `${rx.url}/dynamic?shop=1` });
    payDirect(s, orderId);
    const [got] = await rx.waitFor(1);
    expect(got!.path).toBe('/dynamic');
    expect(got!.query).toMatchObject({ shop: '1', mdOrder: orderId });
  });

  it('when dynamicCallbackUrl is not an absolute http(s) URL, then register answers errorCode 4', async () => {
    const s = sandbox([PLAIN]);
    const res = await s.call('register', {
      ...auth(PLAIN),
      orderNumber: 'D-1',
      amount: '100',
      returnUrl: 'https://s.test/',
      dynamicCallbackUrl: 'ftp://x',
    });
    expect(res.body).toMatchObject({ errorCode: '4' });
  });

  it('when a two-phase order is held, deposited, refunded, then approved, deposited and refunded arrive with their amounts (refunded: order amount plus operationRefundedAmount)', async () => {
    const s = sandbox([{ ...PLAIN, callbackUrl: `${rx.url}/cb` }]);
    const { orderId } = await s.register({ ...auth(PLAIN), amount: '900' }, 'registerPreAuth');
    payDirect(s, orderId);
    await rx.waitFor(1);
    await s.call('deposit', { ...auth(PLAIN), orderId, amount: '0' });
    await rx.waitFor(2);
    await s.call('refund', { ...auth(PLAIN), orderId, amount: '300' });
    const got = await rx.waitFor(3);
    expect(
      got.map((r) => [r.query.operation, r.query.amount, r.query.status, r.query.operationRefundedAmount]),
    ).toEqual([
      ['approved', '900', '1', undefined],
      ['deposited', '900', '1', undefined],
      ['refunded', '900', '1', '300'],
    ]);
  });

  it('when a partial refund is notified to a keyed merchant, then amount is the order amount, operationRefundedAmount the refund, and the checksum covers both', async () => {
    const s = sandbox([{ ...KEYED, callbackUrl: `${rx.url}/cb` }]);
    const { orderId } = await s.register({ ...auth(KEYED), orderNumber: 'CB-R1', amount: '1000' });
    payDirect(s, orderId);
    await rx.waitFor(1);
    await s.call('refund', { ...auth(KEYED), orderId, amount: '250' });
    const [, got] = await rx.waitFor(2);
    const { checksum, ...rest } = got!.query;
    expect(rest).toEqual({
      mdOrder: orderId,
      orderNumber: 'CB-R1',
      operation: 'refunded',
      status: '1',
      amount: '1000',
      operationRefundedAmount: '250',
    });
    expect(hmacChecksum(checksumString(rest), KEYED.callbackKey)).toBe(checksum);
  });

  it('when the receiver answers 500 twice, then the sandbox retries with growing delays and records every attempt', async () => {
    const s = sandbox([{ ...PLAIN, callbackUrl: `${rx.url}/cb` }], {
      retryBaseMs: 50,
      maxAttempts: 5,
      timeoutMs: 2000,
    });
    rx.script([500, 500]);
    const { orderId } = await s.register(auth(PLAIN));
    const trace = traceTimers();
    const unsubscribe = rx.onCallback(() => trace.mark('callback'));
    try {
      payDirect(s, orderId);
      await rx.waitFor(3);
      await s.callbacks!.idle();
      // Each retry waits for a timer of its own, twice as long as the one before.
      expect(trace.timeline(50, 100)).toEqual([
        'callback',
        'created 50',
        'fired 50',
        'callback',
        'created 100',
        'fired 100',
        'callback',
      ]);
    } finally {
      unsubscribe();
      trace.stop();
    }
    expect(rx.received).toHaveLength(3);
    const order = s.store.get(orderId)!;
    expect(s.journal.of(order).deliveries.map((d) => [d.attempt, d.outcome])).toEqual([
      [1, { kind: 'http', status: 500 }],
      [2, { kind: 'http', status: 500 }],
      [3, { kind: 'http', status: 200 }],
    ]);
  });

  it('when the receiver never answers 200, then the sandbox gives up after maxAttempts and marks the last attempt', async () => {
    const s = sandbox([{ ...PLAIN, callbackUrl: `${rx.url}/cb` }]);
    rx.script([503, 503, 503, 503, 503]);
    const { orderId } = await s.register(auth(PLAIN));
    payDirect(s, orderId);
    await rx.waitFor(3);
    await s.callbacks!.idle();
    expect(rx.received).toHaveLength(3);
    const deliveries = s.journal.of(s.store.get(orderId)!).deliveries;
    expect(deliveries.at(-1)).toMatchObject({ attempt: 3, gaveUp: true });
  });

  it('when the receiver is unreachable, then the attempt records a network error and no key appears in the record', async () => {
    const s = sandbox([{ ...KEYED, callbackUrl: 'http://127.0.0.1:9/unreachable' }], {
      retryBaseMs: 1,
      maxAttempts: 1,
      timeoutMs: 1000,
    });
    const { orderId } = await s.register(auth(KEYED));
    payDirect(s, orderId);
    await Promise.resolve();
    await s.callbacks!.idle();
    const [attempt] = s.journal.of(s.store.get(orderId)!).deliveries;
    expect(attempt).toMatchObject({ attempt: 1, signed: true, gaveUp: true, outcome: { kind: 'error' } });
    expect(JSON.stringify(attempt)).not.toContain(KEYED.callbackKey);
    expect(attempt!.url).not.toContain('checksum');
  });

  it('when the sandbox stops while a retry is pending, then the retry is cancelled and no further attempt is made', async () => {
    // 9 s: long enough that nothing but stop() ends the wait, and a delay no HTTP default shares.
    const s = sandbox([{ ...PLAIN, callbackUrl: `${rx.url}/cb` }], {
      retryBaseMs: 9_000,
      maxAttempts: 5,
      timeoutMs: 2000,
    });
    rx.script([500, 500, 500]);
    const { orderId } = await s.register(auth(PLAIN));
    const trace = traceTimers();
    try {
      payDirect(s, orderId);
      const retry = await trace.created(9_000);
      s.stop();
      await s.callbacks!.idle();
      expect(retry).toMatchObject({ fired: false, cleared: true });
    } finally {
      trace.stop();
    }
    expect(rx.received).toHaveLength(1);
    expect(s.callbacks!.pending).toBe(0);
  });

  it('when an order expires unpaid, then declinedByTimeout is delivered once the clock passes its lifetime', async () => {
    const s = sandbox([{ ...PLAIN, callbackUrl: `${rx.url}/cb` }]);
    const { orderId } = await s.register({ ...auth(PLAIN), sessionTimeoutSecs: '60', amount: '4200' });
    s.clock.advance(60_000);
    s.sweep();
    const [got] = await rx.waitFor(1);
    expect(got!.query).toMatchObject({ mdOrder: orderId, operation: 'declinedByTimeout', status: '1', amount: '4200' });
  });

  it('when decline.do cancels an order, then no callback is sent (no documented operation)', async () => {
    const s = sandbox([{ ...PLAIN, callbackUrl: `${rx.url}/cb` }]);
    const { orderId } = await s.register(auth(PLAIN));
    await s.call('decline', { ...auth(PLAIN), orderId });
    await s.callbacks!.idle();
    expect(rx.received).toHaveLength(0);
  });
});
