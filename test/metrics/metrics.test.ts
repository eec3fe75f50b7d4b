// Prometheus metrics: never on the shop's port, served by their own listener, and the payment funnel, gateway
// latency, callbacks and the reconciler counted where each outcome is decided.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { actionCodeLabel, createMetrics } from '../../src/metrics/index.js';
import { startMetricsServer } from '../../src/metrics/server.js';
import { createPayments } from '../../src/payments/index.js';
import { parseExposition, valueOf, withMetrics } from '../helpers/metrics.js';
import { replies, startMisbehavingGateway, type GatewayReply } from '../helpers/misbehaving-gateway.js';
import { payOnHostedPage } from '../../packages/gateway-sandbox/test/helpers/sandbox-buyer.js';
import { signCallback } from '../helpers/callback-signature.js';
import { buy, RECONCILE_AT_ONCE, shopPath, startShop, type TestShop } from '../helpers/shop.js';

const CALLBACK_KEY = 'metrics-test-callback-key';

/** Signed as the gateway signs (test/helpers/callback-signature.ts), not with the shop's own code. */
const sign = (params: Record<string, string>) => signCallback(params, CALLBACK_KEY);

describe('the shop’s own port', () => {
  let shop: TestShop;
  beforeAll(async () => {
    shop = await startShop();
  });
  afterAll(() => shop.close());

  it('has no /metrics without metrics', async () => {
    await request(shop.app).get('/metrics').expect(404);
  });

  it('has no /metrics with metrics either: they have their own listener', async () => {
    const served = withMetrics(shop);
    try {
      const res = await request(served.app).get('/metrics');
      expect(res.status).toBe(404);
      expect(res.text).not.toContain('shop_orders_registered_total');
    } finally {
      served.close();
    }
  });
});

describe('the metrics listener', () => {
  const metrics = createMetrics();
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = await startMetricsServer({ registry: metrics.registry, port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('serves the text exposition with the funnel and prom-client’s process metrics', async () => {
    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(valueOf(text, 'shop_orders_registered_total')).toBe(0);
    expect(valueOf(text, 'process_cpu_user_seconds_total')).toBeGreaterThanOrEqual(0);
    expect(parseExposition(text).some((s) => s.name === 'nodejs_eventloop_lag_seconds')).toBe(true);
  });

  it('answers 404 to anything else', async () => {
    for (const path of ['/', '/healthz', '/metrics/x', '/admin']) {
      const res = await fetch(`${base}${path}`);
      await res.body?.cancel();
      expect(res.status).toBe(404);
    }
    const post = await fetch(`${base}/metrics`, { method: 'POST' });
    await post.body?.cancel();
    expect(post.status).toBe(404);
  });

  it('keeps each registry apart: two shops in one process count separately', () => {
    const other = createMetrics({ processMetrics: false });
    expect(other.registry).not.toBe(metrics.registry);
    other.orderRegistered();
    return Promise.all([other.registry.metrics(), metrics.registry.metrics()]).then(([a, b]) => {
      expect(valueOf(a, 'shop_orders_registered_total')).toBe(1);
      expect(valueOf(b, 'shop_orders_registered_total')).toBe(0);
    });
  });
});

describe('labels stay bounded', () => {
  it('keeps documented actionCodes and folds any other into "other"', () => {
    expect(actionCodeLabel(116)).toBe('116');
    expect(actionCodeLabel(-2006)).toBe('-2006');
    expect(actionCodeLabel(987654)).toBe('other');
    expect(actionCodeLabel(undefined)).toBe('other');
    expect(actionCodeLabel(null)).toBe('other');
  });

  it('counts an unknown gateway method as "other"', async () => {
    const m = createMetrics({ processMetrics: false });
    m.gatewayCall({ method: 'somethingNew', durationMs: 12, ok: true });
    const text = await m.registry.metrics();
    expect(valueOf(text, 'shop_gateway_call_duration_seconds_count', { method: 'other', outcome: 'ok' })).toBe(1);
    expect(text).not.toContain('somethingNew');
  });
});

describe('a purchase through the sandbox', () => {
  let shop: TestShop;
  let served: ReturnType<typeof withMetrics>;
  let text: string;
  beforeAll(async () => {
    shop = await startShop({ env: { GATEWAY_CALLBACK_KEY: CALLBACK_KEY } });
    served = withMetrics(shop);
    const agent = request.agent(served.app);
    const paidBuy = await buy(agent, 'notebook');
    expect(paidBuy.status).toBe(303);
    const paid = await payOnHostedPage(paidBuy.headers.location!, { pan: '4111111111111111' });
    await agent.get(shopPath(paid.redirectUrl!)).expect(200);
    const declinedBuy = await buy(agent, 'coffee-beans');
    expect(declinedBuy.status).toBe(303);
    const declined = await payOnHostedPage(declinedBuy.headers.location!, { pan: '2202205000060910' });
    await agent.get(shopPath(declined.redirectUrl!));
    text = await served.text();
  });
  afterAll(async () => {
    served.close();
    await shop.close();
  });

  it('counts the orders registered, paid and declined (by actionCode)', () => {
    expect(valueOf(text, 'shop_orders_registered_total')).toBe(2);
    expect(valueOf(text, 'shop_orders_paid_total', { status: 'paid' })).toBe(1);
    expect(valueOf(text, 'shop_orders_paid_total', { status: 'authorized' })).toBe(0);
    expect(valueOf(text, 'shop_orders_declined_total', { action_code: '116' })).toBe(1);
  });

  it('times every gateway call by method', () => {
    const count = (method: string) =>
      valueOf(text, 'shop_gateway_call_duration_seconds_count', { method, outcome: 'ok' }) ?? 0;
    expect(count('register')).toBe(2);
    expect(count('getOrderStatusExtended')).toBeGreaterThanOrEqual(2);
    const sum = valueOf(text, 'shop_gateway_call_duration_seconds_sum', { method: 'register', outcome: 'ok' });
    expect(sum).toBeGreaterThan(0);
    const inf = valueOf(text, 'shop_gateway_call_duration_seconds_bucket', {
      method: 'register',
      outcome: 'ok',
      le: '+Inf',
    });
    expect(inf).toBe(2);
  });

  it('shows no credential, order number or gateway id anywhere', () => {
    const [order] = shop.ledger.listRecent(1);
    expect(text).not.toContain(order!.orderNumber);
    expect(text).not.toContain(order!.gatewayOrderId!);
    const { auth } = shop.config.gateway as { auth: { userName: string; password: string } };
    expect(text).not.toContain(auth.password);
    expect(text).not.toContain(auth.userName);
    expect(text).not.toContain(CALLBACK_KEY);
  });
});

describe('callbacks', () => {
  let shop: TestShop;
  let served: ReturnType<typeof withMetrics>;
  beforeAll(async () => {
    shop = await startShop({ env: { GATEWAY_CALLBACK_KEY: CALLBACK_KEY } });
    served = withMetrics(shop);
  });
  afterAll(async () => {
    served.close();
    await shop.close();
  });

  it('counts those received and those refused, by reason', async () => {
    const notice = { mdOrder: 'f3a1c2d4-0000-4000-8000-000000000001', operation: 'deposited', status: '1' };
    const post = (form: Record<string, string>) =>
      request(served.app).post('/payment/callback').type('form').send(form);
    await post(notice).expect(403);
    await post({ ...notice, checksum: 'AB'.repeat(32) }).expect(403);
    await post({ ...notice, checksum: 'AB'.repeat(32) }).expect(403);
    await post(sign(notice)).expect(200); // a valid notification about an order this shop doesn't have
    await post(sign({ operation: 'deposited', status: '1' })).expect(400);
    const text = await served.text();
    expect(valueOf(text, 'shop_callbacks_received_total')).toBe(5);
    expect(valueOf(text, 'shop_callbacks_refused_total', { reason: 'missing_checksum' })).toBe(1);
    expect(valueOf(text, 'shop_callbacks_refused_total', { reason: 'bad_checksum' })).toBe(2);
    expect(valueOf(text, 'shop_callbacks_refused_total', { reason: 'unknown_order' })).toBe(1);
    expect(valueOf(text, 'shop_callbacks_refused_total', { reason: 'bad_order_id' })).toBe(1);
  });
});

describe('the reconciler', () => {
  it('counts its runs and what they found', async () => {
    const shop = await startShop();
    const served = withMetrics(shop);
    try {
      const agent = request.agent(served.app);
      expect((await buy(agent, 'notebook')).status).toBe(303); // registered, never paid: open past its page
      const { reconciler } = createPayments({
        ...shop.paymentsDeps,
        metrics: served.metrics,
        reconciler: { ...RECONCILE_AT_ONCE, firstLookMs: -60_000 },
      });
      const summary = await reconciler.runOnce();
      expect(summary.checked).toBe(1);
      const text = await served.text();
      expect(valueOf(text, 'shop_reconciler_runs_total')).toBe(1);
      expect(valueOf(text, 'shop_reconciler_orders_total', { result: 'checked' })).toBe(1);
      expect(valueOf(text, 'shop_reconciler_orders_total', { result: 'changed' })).toBe(summary.changed);
      expect(valueOf(text, 'shop_reconciler_orders_total', { result: 'unanswered' })).toBe(0);
    } finally {
      served.close();
      await shop.close();
    }
  });
});

describe('register failures', () => {
  const cases: Array<[string, GatewayReply, Record<string, string>]> = [
    ['timeout', replies.hang(), { GATEWAY_TIMEOUT_MS: '200' }],
    ['network', replies.reset(), {}],
    ['http', replies.http(502), {}],
    ['rejected', replies.rejected('5', 'Access denied'), {}],
    ['invalid_answer', replies.malformedJson(), {}],
  ];

  it.each(cases)('are counted by kind: %s', async (kind, reply, env) => {
    const gateway = await startMisbehavingGateway({ register: reply });
    const shop = await startShop({ gatewayUrl: gateway.baseUrl, env });
    const served = withMetrics(shop);
    try {
      const res = await buy(request.agent(served.app), 'coffee-beans');
      expect([502, 503]).toContain(res.status);
      const text = await served.text();
      expect(valueOf(text, 'shop_register_failures_total', { kind })).toBe(1);
      const total = parseExposition(text)
        .filter((s) => s.name === 'shop_register_failures_total')
        .reduce((n, s) => n + s.value, 0);
      expect(total).toBe(1);
      expect(valueOf(text, 'shop_orders_registered_total')).toBe(0);
      const errors = valueOf(text, 'shop_gateway_call_duration_seconds_count', {
        method: 'register',
        outcome: 'error',
      });
      expect(errors).toBe(1);
    } finally {
      served.close();
      await shop.close();
      await gateway.close();
    }
  });
});
