import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  createSandboxTestClient,
  DEFAULT_MERCHANTS,
  startSandbox,
  type RunningSandbox,
  type SandboxTestClient,
} from '../src/index.js';
import { CREDS, nextNumber, OPERATOR_TOKEN, T0 } from './helpers/sandbox-app.js';

/** The test helper that pays through a wallet, as the simulated wallet sheet does, without a browser. */
describe('test helpers: a payment through a wallet', () => {
  let sandbox: RunningSandbox;
  let helpers: SandboxTestClient;
  beforeAll(async () => {
    sandbox = await startSandbox({
      port: 0,
      now: () => T0,
      merchants: [
        DEFAULT_MERCHANTS[0]!,
        {
          login: 'card-only',
          userName: 'card-only-api',
          password: 'card-only-password',
          allowTwoPhase: true,
          wallets: [],
        },
      ],
      operatorToken: OPERATOR_TOKEN,
      callbacks: false,
      testHelpers: true,
    });
    helpers = createSandboxTestClient({ baseUrl: sandbox.url, operatorToken: OPERATOR_TOKEN });
  });
  afterAll(async () => {
    await sandbox.close();
  });

  const rest = async (method: string, params: Record<string, string>, creds: Record<string, string> = CREDS) =>
    (await (
      await fetch(`${sandbox.gatewayUrl}${method}.do`, {
        method: 'POST',
        body: new URLSearchParams({ ...creds, ...params }),
      })
    ).json()) as Record<string, unknown>;
  const register = async (creds: Record<string, string> = CREDS) =>
    (await rest('register', { orderNumber: nextNumber(), amount: '1250', returnUrl: 'https://shop.test/r' }, creds))
      .orderId as string;

  it('when Google Pay pays with the default card, then the order is paid as GOOGLE_PAY_TOKENIZED and the return is given', async () => {
    const orderId = await register();
    await expect(helpers.payWithWallet(orderId, { wallet: 'googlePay' })).resolves.toEqual({
      mdOrder: orderId,
      outcome: 'approved',
      orderStatus: 2,
      actionCode: 0,
      returnUrl: `https://shop.test/r?orderId=${orderId}&lang=en`,
    });
    expect(await rest('getOrderStatusExtended', { orderId })).toMatchObject({
      paymentWay: 'GOOGLE_PAY_TOKENIZED',
      cardAuthInfo: { pan: '489537**0015' },
    });
    const steps = sandbox.sandbox.integrationJournal
      .list({ orderId })
      .map((e) => (e.kind === 'page' ? e.step : e.kind));
    expect(steps).toContain('wallet-submitted');
  });

  it('when the plain Google Pay card is given with the code, then 3-D Secure passes in the same call (GOOGLE_PAY_CARD)', async () => {
    const orderId = await register();
    await expect(
      helpers.payWithWallet(orderId, { wallet: 'googlePay', card: 'pan-only-3ds', otp: '12345678' }),
    ).resolves.toMatchObject({ outcome: 'approved', orderStatus: 2 });
    expect(await rest('getOrderStatusExtended', { orderId })).toMatchObject({ paymentWay: 'GOOGLE_PAY_CARD' });
  });

  it('when Samsung Pay declines, then 116; a card of another wallet is a 400, a paid order a 409', async () => {
    const orderId = await register();
    await expect(helpers.payWithWallet(orderId, { wallet: 'samsungPay', card: 'declined' })).resolves.toMatchObject({
      outcome: 'declined',
      actionCode: 116,
    });
    await expect(
      helpers.payWithWallet(await register(), { wallet: 'applePay', card: 'pan-only-3ds' }),
    ).rejects.toMatchObject({ status: 400, message: expect.stringContaining('card') });
    await expect(helpers.payWithWallet(orderId, { wallet: 'applePay' })).rejects.toMatchObject({ status: 409 });
  });

  it('when the order’s merchant offers no wallet, then 409 and nothing is paid', async () => {
    const creds = { userName: 'card-only-api', password: 'card-only-password' };
    const orderId = await register(creds);
    await expect(helpers.payWithWallet(orderId, { wallet: 'applePay' })).rejects.toMatchObject({
      status: 409,
      message: expect.stringContaining('does not offer this wallet'),
    });
    expect(await rest('getOrderStatusExtended', { orderId }, creds)).toMatchObject({ orderStatus: 0 });
  });
});
