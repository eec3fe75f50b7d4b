import { describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { DEFAULT_MERCHANTS, sandboxWalletToken } from '../src/index.js';
import { CREDS, makeSandbox, nextNumber, OPERATOR_AUTH } from './helpers/sandbox-app.js';

interface WalletAnswer {
  success?: boolean;
  data?: { orderId?: string; acsUrl?: string };
  error?: { code?: number; description?: string; message?: string };
  orderStatus?: Record<string, unknown>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('direct wallet endpoints: register and pay in one JSON call', () => {
  const sb = makeSandbox();
  const post = async (path: string, body: Record<string, unknown>) => {
    const res = await request(sb.app).post(path).send(body);
    return { status: res.status, body: res.body as WalletAnswer, res };
  };
  const apple = (body: Record<string, unknown>) => post('/payment/applepay/payment.do', body);
  const google = (body: Record<string, unknown>) => post('/payment/google/payment.do', body);
  const samsung = (body: Record<string, unknown>) => post('/payment/samsung/payment.do', body);
  const status = async (orderId: string) =>
    (await sb.call('getOrderStatusExtended', { ...CREDS, orderId })).body as Record<string, unknown>;
  const googleBody = (extra: Record<string, unknown> = {}) => ({
    merchant: 'demo-shop',
    orderNumber: nextNumber(),
    amount: 1250,
    currencyCode: '978',
    returnUrl: 'https://shop.test/return',
    paymentToken: sandboxWalletToken({ sandboxCard: 'approved' }),
    ...extra,
  });

  it('when Apple Pay pays with the approving test token, then success, the orderId and the paid status come back', async () => {
    const orderNumber = nextNumber();
    const { status: http, body } = await apple({
      merchant: 'demo-shop',
      orderNumber,
      language: 'en',
      paymentToken: sandboxWalletToken({ sandboxCard: 'approved', amount: 150000, currencyCode: '643' }),
    });
    expect(http).toBe(200);
    expect(body).toMatchObject({ success: true, data: { orderId: expect.stringMatching(UUID) } });
    expect(body.orderStatus).toMatchObject({
      errorCode: '0',
      orderNumber,
      orderStatus: 2,
      actionCode: 0,
      amount: 150000,
      currency: '643',
      paymentWay: 'APPLE_PAY',
      cardAuthInfo: { pan: '489537**0015', maskedPan: '489537**0015' },
      paymentAmountInfo: { paymentState: 'DEPOSITED', depositedAmount: 150000 },
    });
    expect(await status(body.data!.orderId!)).toMatchObject({ orderStatus: 2, paymentWay: 'APPLE_PAY' });
    expect(sb.events_.at(-1)).toMatchObject({ operation: 'deposited', status: 1, amount: 150000 });
  });

  it('when Apple Pay pays with the declining token, then the request is processed and its status says declined', async () => {
    const { body } = await apple({
      merchant: 'demo-shop',
      orderNumber: nextNumber(),
      paymentToken: sandboxWalletToken({ sandboxCard: 'declined', amount: 990 }),
    });
    expect(body).toMatchObject({ success: true, orderStatus: { orderStatus: 6, actionCode: 116 } });
  });

  it('when Google Pay pays with any Base64 token, then it approves as GOOGLE_PAY_TOKENIZED, read from the status', async () => {
    const { body } = await google(googleBody({ paymentToken: Buffer.from('{"signature":"MEQ"}').toString('base64') }));
    expect(body).toEqual({ success: true, data: { orderId: expect.stringMatching(UUID) } });
    expect(await status(body.data!.orderId!)).toMatchObject({
      orderStatus: 2,
      amount: 1250,
      currency: '978',
      paymentWay: 'GOOGLE_PAY_TOKENIZED',
      cardAuthInfo: { pan: '489537**0015' },
    });
  });

  it('when Google Pay hands over a plain card enrolled in 3-D Secure, then acsUrl leads to the challenge, then returnUrl', async () => {
    const { body } = await google(googleBody({ paymentToken: sandboxWalletToken({ sandboxCard: 'pan-only-3ds' }) }));
    const orderId = body.data!.orderId!;
    expect(body).toEqual({
      success: true,
      data: { orderId, acsUrl: `http://gateway.test/payment/acs/challenge?mdOrder=${orderId}&lang=en` },
    });
    expect(await status(orderId)).toMatchObject({ orderStatus: 5, paymentWay: 'GOOGLE_PAY_CARD' });
    expect(
      (await request(sb.app).get(new URL(body.data!.acsUrl!).pathname + new URL(body.data!.acsUrl!).search)).status,
    ).toBe(200);
    const done = await request(sb.app)
      .post('/payment/acs/challenge')
      .type('form')
      .send({ mdOrder: orderId, lang: 'en', otp: '12345678' });
    expect(done.headers.location).toBe(`https://shop.test/return?orderId=${orderId}&lang=en`);
    expect(await status(orderId)).toMatchObject({ orderStatus: 2, cardAuthInfo: { pan: '555555**5599' } });
  });

  it('when Samsung Pay pays with preAuth, then the order is held and deposit.do captures it', async () => {
    const { body } = await samsung({
      merchant: 'demo-shop',
      orderNumber: nextNumber(),
      preAuth: true,
      paymentToken: sandboxWalletToken({ amount: 5000 }),
    });
    const orderId = body.data!.orderId!;
    expect(body).toEqual({ success: true, data: { orderId } });
    expect(await status(orderId)).toMatchObject({ orderStatus: 1, paymentWay: 'SAMSUNG_PAY' });
    expect((await sb.call('deposit', { ...CREDS, orderId, amount: '0' })).body).toMatchObject({ errorCode: 0 });
    expect(await status(orderId)).toMatchObject({ orderStatus: 2 });
  });

  it('when the body is not JSON, malformed, not an object or not a POST, then a clear 4xx in the same envelope', async () => {
    const text = await request(sb.app).post('/payment/google/payment.do').type('text').send('merchant=demo-shop');
    expect(text.status).toBe(415);
    const malformed = await request(sb.app)
      .post('/payment/google/payment.do')
      .set('content-type', 'application/json')
      .send('{"merchant": "demo-shop",');
    expect(malformed.status).toBe(400);
    for (const res of [text, malformed])
      expect(res.body).toEqual({
        success: false,
        error: { code: 4, description: expect.stringContaining('JSON object'), message: expect.any(String) },
      });
    const array = await request(sb.app).post('/payment/applepay/payment.do').send([1, 2]);
    expect(array.status).toBe(400);
    const get = await request(sb.app).get('/payment/samsung/payment.do');
    expect(get.status).toBe(405);
    expect(get.headers.allow).toBe('POST');
    const huge = await request(sb.app)
      .post('/payment/google/payment.do')
      .send({ ...googleBody(), paymentToken: 'A'.repeat(20_000) });
    expect(huge.status).toBe(413);
  });

  it('when a parameter is missing or wrong, then success is false with the documented code and nothing is registered', async () => {
    const cases: [Record<string, unknown>, number, string][] = [
      [googleBody({ merchant: undefined }), 4, '[merchant] is empty'],
      [googleBody({ merchant: 'nobody' }), 5, 'Access denied'],
      [googleBody({ orderNumber: undefined }), 4, 'Order number is empty'],
      [googleBody({ orderNumber: 'x'.repeat(37) }), 1, 'Invalid order number'],
      [googleBody({ paymentToken: '' }), 4, '[paymentToken] is empty'],
      [googleBody({ paymentToken: 'not base64!' }), 5, '[paymentToken] is not Base64'],
      [googleBody({ paymentToken: sandboxWalletToken({ sandboxCard: 'gold' }) }), 5, 'names no test card'],
      [googleBody({ amount: undefined }), 4, 'Amount is empty'],
      [googleBody({ amount: 12.5 }), 5, 'Invalid request parameter type'],
      [googleBody({ amount: '0' }), 5, 'Invalid amount'],
      [googleBody({ returnUrl: undefined }), 4, 'Return URL is empty'],
      [googleBody({ returnUrl: '/return' }), 4, 'Return URL is invalid'],
      [googleBody({ currencyCode: '001' }), 3, 'Unknown currency'],
      [googleBody({ preAuth: 'yes' }), 5, 'Invalid request parameter type'],
      [googleBody({ additionalParameters: { n: 1 } }), 5, 'Invalid jsonParams'],
    ];
    for (const [body, code, description] of cases) {
      const res = await google(body);
      expect({ body, http: res.status, answer: res.body }).toEqual({
        body,
        http: 200,
        answer: {
          success: false,
          error: { code, description: expect.stringContaining(description), message: expect.any(String) },
        },
      });
      if (typeof body.orderNumber === 'string')
        expect(sb.engine.findByNumber('demo-shop', body.orderNumber)).toBeUndefined();
    }
  });

  it('when Apple Pay’s token carries no amount, or the orderNumber is taken, then it is refused (4, 1)', async () => {
    const missing = await apple({
      merchant: 'demo-shop',
      orderNumber: nextNumber(),
      paymentToken: sandboxWalletToken({}),
    });
    expect(missing.body).toMatchObject({ success: false, error: { code: 4 } });
    const orderNumber = nextNumber();
    await sb.register({ orderNumber });
    const taken = await apple({
      merchant: 'demo-shop',
      orderNumber,
      paymentToken: sandboxWalletToken({ amount: 100 }),
    });
    expect(taken.body).toMatchObject({ success: false, error: { code: 1 } });
  });

  it('when the request asks for Russian, then the message is Russian and the description stays English', async () => {
    const { body } = await google(googleBody({ language: 'ru', merchant: 'nobody' }));
    expect(body.error).toEqual({ code: 5, description: 'Access denied', message: 'Доступ запрещён' });
  });
});

describe('direct wallet endpoints of a merchant without that wallet', () => {
  it('when the merchant has switched Apple Pay off, then its endpoint refuses (5) and Google Pay still pays', async () => {
    const sb = makeSandbox({ merchants: [{ ...DEFAULT_MERCHANTS[0]!, wallets: ['googlePay'] }] });
    const orderNumber = nextNumber();
    const off = await request(sb.app)
      .post('/payment/applepay/payment.do')
      .send({ merchant: 'demo-shop', orderNumber, paymentToken: sandboxWalletToken({ amount: 100 }) });
    expect(off.body).toEqual({
      success: false,
      error: { code: 5, description: 'This wallet is not enabled for the merchant', message: expect.any(String) },
    });
    expect(sb.engine.findByNumber('demo-shop', orderNumber)).toBeUndefined();
    const on = await request(sb.app)
      .post('/payment/google/payment.do')
      .send({
        merchant: 'demo-shop',
        orderNumber,
        amount: 100,
        returnUrl: 'https://shop.test/r',
        paymentToken: sandboxWalletToken({}),
      });
    expect(on.body).toMatchObject({ success: true });
  });
});

describe('direct wallet endpoints in the integration journal', () => {
  it('when calls are processed, refused or malformed, then each is an api entry without the token or the buyer’s email', async () => {
    const sb = makeSandbox();
    const orderNumber = nextNumber();
    const paid = await request(sb.app)
      .post('/payment/applepay/payment.do')
      .send({
        merchant: 'demo-shop',
        orderNumber,
        email: 'buyer@example.com',
        additionalParameters: { email: 'buyer@example.com' },
        paymentToken: sandboxWalletToken({ amount: 100, sandboxCard: 'declined' }),
      });
    const orderId = (paid.body as WalletAnswer).data!.orderId!;
    await request(sb.app).post('/payment/google/payment.do').send({ merchant: 'nobody', orderNumber: 'x' });
    await request(sb.app).post('/payment/samsung/payment.do').set('content-type', 'application/json').send('{');
    const entries = sb.integrationJournal.list().filter((e) => e.kind === 'api');
    expect(entries.map((e) => [e.merchant, e.method, e.answer])).toEqual([
      [null, 'samsungPayPayment', { httpStatus: 400, errorCode: '4', errorMessage: expect.stringContaining('JSON') }],
      [null, 'googlePayPayment', { httpStatus: 200, errorCode: '5', errorMessage: 'Access denied' }],
      ['demo-shop', 'applePayPayment', { httpStatus: 200, orderStatus: 6, actionCode: 116 }],
    ]);
    const apple = entries[2]!;
    expect(apple).toMatchObject({
      orderId,
      params: { merchant: 'demo-shop', orderNumber, paymentToken: '[redacted]' },
    });
    expect(JSON.stringify(entries)).not.toContain('buyer@example.com');
    const filtered = await request(sb.app).get('/sandbox/journal.json?method=applePayPayment').set(OPERATOR_AUTH);
    expect(filtered.status).toBe(200);
    expect((filtered.body as { entries: unknown[] }).entries).toHaveLength(1);
    // The report card grades a journal holding them like any other.
    const report = await request(sb.app).get('/sandbox/report/demo-shop.json').set(OPERATOR_AUTH);
    expect(report.status).toBe(200);
    expect(report.body).toHaveProperty('checks');
  });
});
