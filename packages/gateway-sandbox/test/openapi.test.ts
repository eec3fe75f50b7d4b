import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { Ajv2020 } from 'ajv/dist/2020.js';
import request from 'supertest';
import { REST_METHODS } from '../src/rest/routes.js';
import { findWalletCard, sandboxWalletToken } from '../src/wallets.js';
import { CREDS, makeSandbox, nextNumber, payDirect } from './helpers/sandbox-app.js';
import { FISCAL_AMOUNT, FISCAL_BUNDLE } from './helpers/fiscal-cart.js';

const COMMITTED = 'docs/sandbox-openapi.json';
const REGENERATE = `npx tsx -e "import('./packages/gateway-sandbox/src/openapi.ts').then(m => process.stdout.write(JSON.stringify(m.SANDBOX_OPENAPI, null, 2) + '\\n'))" > ${COMMITTED} && npx prettier --write ${COMMITTED}`;

type Doc = Record<string, unknown> & { paths: Record<string, Record<string, unknown>> };

describe('OpenAPI document of the sandbox REST API', () => {
  const sb = makeSandbox();
  const committed = JSON.parse(readFileSync(COMMITTED, 'utf8')) as Doc;

  it('when /sandbox/openapi.json is asked without credentials, then it answers the committed document', async () => {
    const res = await request(sb.app).get('/sandbox/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    // On a mismatch, regenerate the file with: ${REGENERATE}
    expect({ regenerateWith: REGENERATE, doc: res.body as unknown }).toEqual({
      regenerateWith: REGENERATE,
      doc: committed,
    });
  });

  it('when read as OpenAPI 3.1, then it has openapi 3.1.x, info, a path per *.do method and only resolvable $refs', () => {
    expect(committed.openapi).toMatch(/^3\.1\.\d+$/);
    expect(committed.info).toEqual(expect.objectContaining({ title: expect.any(String), version: expect.any(String) }));
    for (const name of REST_METHODS) {
      const op = committed.paths[`/payment/rest/${name}.do`]?.post as Record<string, unknown> | undefined;
      expect({ name, hasOperation: op !== undefined }).toEqual({ name, hasOperation: true });
      expect(op).toHaveProperty(['responses', '200', 'content', 'application/json', 'schema']);
      expect(op).toHaveProperty(['requestBody', 'content', 'application/x-www-form-urlencoded', 'schema']);
    }
    const refs: string[] = [];
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) return node.forEach(walk);
      if (typeof node !== 'object' || node === null) return;
      for (const [key, value] of Object.entries(node)) {
        if (key === '$ref' && typeof value === 'string') refs.push(value);
        else walk(value);
      }
    };
    walk(committed);
    expect(refs.length).toBeGreaterThan(10);
    const unresolved = refs.filter((r) => {
      if (!r.startsWith('#/')) return true;
      let at: unknown = committed;
      for (const part of r.slice(2).split('/')) {
        const key = part.replace(/~1/g, '/').replace(/~0/g, '~');
        at = typeof at === 'object' && at !== null ? (at as Record<string, unknown>)[key] : undefined;
      }
      return at === undefined;
    });
    expect(unresolved).toEqual([]);
  });

  it('when the sandbox serves a name that is not in the document, then it is not a method (404)', async () => {
    const res = await request(sb.app).post('/payment/rest/getOrderStatusX.do').type('form').send(CREDS);
    expect(res.status).toBe(404);
  });

  describe('real answers validate against the response schemas', () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    ajv.addFormat('uuid', /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);
    ajv.addFormat('uri', /^https?:\/\/\S+$/);
    ajv.addSchema({ ...committed, $id: 'https://sandbox.test/openapi.json' });
    const validatorFor = (method: string) => {
      const pointer = `/paths/${`/payment/rest/${method}.do`.replace(/\//g, '~1')}/post/responses/200/content/application~1json/schema`;
      return ajv.compile({ $ref: `https://sandbox.test/openapi.json#${pointer}` });
    };
    const expectValid = (method: string, body: unknown) => {
      const validate = validatorFor(method);
      const ok = validate(body);
      expect({ method, body, errors: ok ? null : validate.errors }).toEqual({ method, body, errors: null });
    };
    const call = async (method: string, params: Record<string, string>) => {
      const res = await sb.call(method, { ...CREDS, ...params });
      expect(res.status).toBe(200);
      return res.body as unknown;
    };

    it('when every component schema is compiled as JSON Schema 2020-12, then none is invalid', () => {
      const schemas = (committed.components as { schemas: Record<string, unknown> }).schemas;
      for (const name of Object.keys(schemas)) {
        expect(() =>
          ajv.compile({ $ref: `https://sandbox.test/openapi.json#/components/schemas/${name}` }),
        ).not.toThrow();
      }
    });

    it('when register succeeds or is refused, then both answers match', async () => {
      expectValid(
        'register',
        await call('register', { orderNumber: nextNumber(), amount: '1250', returnUrl: 'https://shop.test/r' }),
      );
      expectValid(
        'registerPreAuth',
        await call('registerPreAuth', { orderNumber: nextNumber(), amount: '1250', returnUrl: 'https://shop.test/r' }),
      );
      const refused = await call('register', { orderNumber: nextNumber(), returnUrl: 'https://shop.test/r' });
      expect(refused).toMatchObject({ errorCode: '4' });
      expectValid('register', refused);
    });

    it('when getOrderStatusExtended reads a new, a paid and a refunded order, or an unknown one, then every answer matches', async () => {
      const { orderId } = await sb.register({ description: 'Mug', jsonParams: '{"basket":"7"}' });
      expectValid('getOrderStatusExtended', await call('getOrderStatusExtended', { orderId }));
      payDirect(sb, orderId);
      expectValid('getOrderStatusExtended', await call('getOrderStatusExtended', { orderId }));
      expect(await call('refund', { orderId, amount: '100', externalRefundId: 'r-1' })).toEqual({
        errorCode: 0,
        errorMessage: expect.any(String),
      });
      const refunded = await call('getOrderStatusExtended', { orderId });
      expect(refunded).toMatchObject({ orderStatus: 4, refunds: [expect.objectContaining({ amount: 100 })] });
      expectValid('getOrderStatusExtended', refunded);
      const unknown = await call('getOrderStatusExtended', { orderId: '00000000-0000-4000-8000-000000000000' });
      expect(unknown).toMatchObject({ errorCode: '6' });
      expectValid('getOrderStatusExtended', unknown);
      expectValid('getOrderStatus', await call('getOrderStatus', { orderId }));
      expectValid('getOrderStatus', await call('getOrderStatus', {}));
    });

    it('when an order was paid or declined through a wallet, then its status (paymentWay, device PAN) matches', async () => {
      for (const [wallet, card] of [
        ['googlePay', 'approved'],
        ['applePay', 'declined'],
        ['googlePay', 'pan-only-3ds'],
      ] as const) {
        const { orderId } = await sb.register();
        sb.engine.payWithWallet(sb.engine.get(orderId)!, wallet, findWalletCard(wallet, card)!);
        const body = await call('getOrderStatusExtended', { orderId });
        expect(body).toHaveProperty('paymentWay', expect.stringMatching(/^(GOOGLE|APPLE)_PAY/));
        expectValid('getOrderStatusExtended', body);
      }
    });

    it('when the direct wallet endpoints pay, decline, refuse or get a bad body, then every answer matches', async () => {
      const validateWallet = (path: string, http: string, body: unknown) => {
        const pointer = `/paths/${path.replace(/\//g, '~1')}/post/responses/${http}/content/application~1json/schema`;
        const validate = ajv.compile({ $ref: `https://sandbox.test/openapi.json#${pointer}` });
        const ok = validate(body);
        expect({ path, body, errors: ok ? null : validate.errors }).toEqual({ path, body, errors: null });
      };
      const send = async (path: string, body: Record<string, unknown>) => {
        const res = await request(sb.app).post(path).send(body);
        validateWallet(path, String(res.status), res.body);
        return res.body as { success: boolean };
      };
      const token = sandboxWalletToken;
      const base = { merchant: 'demo-shop', language: 'en' };
      const apple = '/payment/applepay/payment.do';
      const google = '/payment/google/payment.do';
      const samsung = '/payment/samsung/payment.do';
      expect(
        await send(apple, { ...base, orderNumber: nextNumber(), paymentToken: token({ amount: 100 }) }),
      ).toMatchObject({ success: true });
      expect(
        await send(apple, {
          ...base,
          orderNumber: nextNumber(),
          paymentToken: token({ amount: 100, sandboxCard: 'declined' }),
        }),
      ).toMatchObject({ success: true });
      const g = { ...base, amount: 100, returnUrl: 'https://shop.test/r' };
      expect(await send(google, { ...g, orderNumber: nextNumber(), paymentToken: token({}) })).toMatchObject({
        success: true,
      });
      expect(
        await send(google, { ...g, orderNumber: nextNumber(), paymentToken: token({ sandboxCard: 'pan-only-3ds' }) }),
      ).toMatchObject({ success: true });
      expect(
        await send(samsung, { ...base, orderNumber: nextNumber(), paymentToken: token({ amount: 5 }) }),
      ).toMatchObject({ success: true });
      expect(
        await send(google, { ...g, merchant: 'nobody', orderNumber: nextNumber(), paymentToken: token({}) }),
      ).toMatchObject({ success: false });
      const bad = await request(sb.app).post(google).set('content-type', 'application/json').send('{');
      expect(bad.status).toBe(400);
      validateWallet(google, '400', bad.body);
    });

    it('when deposit, reverse, refund and decline succeed or are refused, then every answer matches', async () => {
      const held = await sb.register({}, 'registerPreAuth');
      payDirect(sb, held.orderId);
      expectValid('deposit', await call('deposit', { orderId: held.orderId, amount: '0' }));
      expectValid('refund', await call('refund', { orderId: held.orderId, amount: '150000' }));
      const refusedRefund = await call('refund', { orderId: held.orderId, amount: '1' });
      expect(refusedRefund).toMatchObject({ errorCode: 7 });
      expectValid('refund', refusedRefund);
      const toRelease = await sb.register({}, 'registerPreAuth');
      payDirect(sb, toRelease.orderId);
      expectValid('reverse', await call('reverse', { orderId: toRelease.orderId }));
      expectValid('reverse', await call('reverse', { orderId: toRelease.orderId }));
      const fresh = await sb.register();
      expectValid('decline', await call('decline', { orderId: fresh.orderId }));
      const unknown = await call('deposit', { orderId: 'nope', amount: '0' });
      expect(unknown).toMatchObject({ errorCode: 6 });
      expectValid('deposit', unknown);
    });

    it('when getReceiptStatus reads sent, delivered, failed and refund receipts, or is refused, then every answer matches', async () => {
      const { orderId } = await sb.register({ orderBundle: FISCAL_BUNDLE });
      expectValid('getReceiptStatus', await call('getReceiptStatus', { orderId }));
      payDirect(sb, orderId);
      await call('refund', { orderId, amount: String(FISCAL_AMOUNT) });
      const sent = await call('getReceiptStatus', { orderId });
      expect(sent).toMatchObject({ receipt: [{ receiptStatus: 0 }, { receiptStatus: 3 }] });
      expectValid('getReceiptStatus', sent);
      sb.clock.advance(24 * 60 * 60 * 1000);
      const delivered = await call('getReceiptStatus', { orderId });
      expect(delivered).toMatchObject({ receipt: [{ receiptStatus: 1 }, { receiptStatus: 4 }] });
      expectValid('getReceiptStatus', delivered);
      const failing = await sb.register({ orderBundle: FISCAL_BUNDLE, description: '[sandbox:receipt=fail]' });
      payDirect(sb, failing.orderId);
      sb.clock.advance(24 * 60 * 60 * 1000);
      const failed = await call('getReceiptStatus', { orderId: failing.orderId });
      expect(failed).toMatchObject({ receipt: [{ receiptStatus: 2 }] });
      expectValid('getReceiptStatus', failed);
      const refusals: Record<string, string>[] = [
        {},
        { uuid: '00000000-0000-4000-8000-000000000000' },
        { orderId: 'nope' },
      ];
      for (const params of refusals) {
        const refused = await call('getReceiptStatus', params);
        expect(refused).toMatchObject({ errorCode: expect.stringMatching(/^[16]$/) });
        expectValid('getReceiptStatus', refused);
      }
    });

    it('when the credentials are wrong, then the error envelope matches', async () => {
      const res = await sb.call('getOrderStatusExtended', { userName: 'x', password: 'y', orderId: 'z' });
      expect(res.body).toMatchObject({ errorCode: '5' });
      expectValid('getOrderStatusExtended', res.body);
    });

    it('when an answer carries a field the document does not list, then it does not validate (the schemas are strict)', () => {
      const validate = validatorFor('register');
      expect(validate({ orderId: '00000000-0000-4000-8000-000000000000', formUrl: 'http://x/y' })).toBe(true);
      expect(validate({ orderId: '00000000-0000-4000-8000-000000000000', formUrl: 'http://x/y', extra: 1 })).toBe(
        false,
      );
      expect(validatorFor('deposit')({ errorCode: '0', errorMessage: 'Success' })).toBe(false);
    });
  });
});
