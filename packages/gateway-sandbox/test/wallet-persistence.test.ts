/** A wallet payment seen from the operator pages, and kept across a restart of a sandbox with a data folder. */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { sandboxWalletToken, startSandbox } from '../src/index.js';
import { SqliteOrderStore } from '../src/store-sqlite.js';
import { CREDS, makeSandbox, nextNumber, OPERATOR_AUTH, OPERATOR_TOKEN } from './helpers/sandbox-app.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('wallet payments: operator page and persistence', () => {
  it('when an order was paid through a wallet, then the operator’s order page shows the device PAN and the way', async () => {
    const sb = makeSandbox();
    const { orderId } = await sb.register();
    await request(sb.app)
      .post('/payment/merchants/demo-shop/wallet/applePay')
      .type('form')
      .send({ mdOrder: orderId, card: 'approved' });
    const page = await request(sb.app).get(`/sandbox/orders/${orderId}`).set(OPERATOR_AUTH);
    expect(page.text).toContain('<dt>Card</dt><dd>489537**0015 (APPLE_PAY)</dd>');
  });

  it('when the sandbox restarts on its data folder, then the order still reports its paymentWay; an older row says CARD', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sandbox-wallet-'));
    dirs.push(dir);
    const options = { port: 0, dataDir: dir, operatorToken: OPERATOR_TOKEN, callbacks: false as const };
    const first = await startSandbox(options);
    const answer = (await (
      await fetch(`${first.url}/payment/google/payment.do`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          merchant: 'demo-shop',
          orderNumber: nextNumber(),
          amount: 700,
          returnUrl: 'https://shop.test/r',
          paymentToken: sandboxWalletToken({}),
        }),
      })
    ).json()) as { data: { orderId: string } };
    const typed = first.sandbox.engine.register(first.sandbox.merchants[0]!, {
      orderNumber: nextNumber(),
      twoPhase: false,
      amount: 100,
      currency: '643',
      description: '',
      language: 'en',
      returnUrl: 'https://shop.test/r',
      failUrl: undefined,
      callbackUrl: undefined,
      jsonParams: {},
      ip: undefined,
    });
    if (!typed.ok) throw new Error('register failed');
    first.sandbox.engine.pay(typed.order, {
      pan: '4111111111111111',
      expiration: '203012',
      cvc: '123',
      cardholderName: 'TEST',
    });
    // As a data folder written before paymentWay was kept: a paid order without it.
    delete typed.order.paymentWay;
    first.sandbox.store.save(typed.order);
    await first.close();

    const second = await startSandbox(options);
    try {
      expect(second.sandbox.store).toBeInstanceOf(SqliteOrderStore);
      const status = async (orderId: string) =>
        (await (
          await fetch(`${second.gatewayUrl}getOrderStatusExtended.do`, {
            method: 'POST',
            body: new URLSearchParams({ ...CREDS, orderId }),
          })
        ).json()) as Record<string, unknown>;
      expect(await status(answer.data.orderId)).toMatchObject({
        orderStatus: 2,
        paymentWay: 'GOOGLE_PAY_TOKENIZED',
        cardAuthInfo: { pan: '489537**0015' },
      });
      expect(await status(typed.order.id)).toMatchObject({ orderStatus: 2, paymentWay: 'CARD' });
    } finally {
      await second.close();
    }
  });
});
