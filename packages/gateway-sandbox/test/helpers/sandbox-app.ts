/** Shared arrangements for the sandbox tests: a fresh app per test file, a fake clock, REST calls. */
import request from 'supertest';
import { createSandboxApp, createSandboxClock, type SandboxApp, type SandboxAppOptions } from '../../src/index.js';
import type { SandboxEvent } from '../../src/index.js';

export const CREDS = { userName: 'demo-shop-api', password: 'demo-shop-password' } as const;
/** The operator token makeSandbox gives its sandboxes: it opens the orders view, fault switches and control API. */
export const OPERATOR_TOKEN = 'test-operator-token-0123456789';
/** The Authorization header of the sandbox's operator (Bearer; the pages take Basic with any user name too). */
export const OPERATOR_AUTH = { authorization: `Bearer ${OPERATOR_TOKEN}` } as const;
export const T0 = Date.UTC(2030, 0, 15, 12, 0, 0);

/** A REST answer as the sandbox tests read it: every field optional, the assertions say which must be there. */
export interface GatewayBody {
  errorCode?: string | number;
  errorMessage?: string;
  /** getOrderStatus.do (the legacy method) capitalises its fields. */
  ErrorCode?: string | number;
  orderId?: string;
  formUrl?: string;
  orderNumber?: string;
  orderStatus?: number;
  attributes?: { name: string; value: string }[];
  paymentAmountInfo?: {
    paymentState?: string;
    approvedAmount?: number;
    depositedAmount?: number;
    refundedAmount?: number;
  };
  cardAuthInfo?: { maskedPan?: string; approvalCode?: string };
  refunds?: unknown[];
}

export type GatewayResponse = Omit<request.Response, 'body'> & { body: GatewayBody };

/** The body of a REST answer; supertest gives `{}` for a body that is not JSON, never an array or a scalar here. */
function asGatewayResponse(res: request.Response): GatewayResponse {
  const body: unknown = res.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new Error(`the sandbox answered a body that is not a JSON object: ${res.text}`);
  return res;
}

export interface TestSandbox extends SandboxApp {
  events_: SandboxEvent[];
  call(method: string, params: Record<string, string>, via?: 'GET' | 'POST'): Promise<GatewayResponse>;
  register(params?: Record<string, string>, method?: string): Promise<{ orderId: string; formUrl: string }>;
}

let counter = 0;
export const nextNumber = () => `T-${process.pid}-${++counter}`;

export function makeSandbox(overrides: Partial<SandboxAppOptions> = {}): TestSandbox {
  const seen: SandboxEvent[] = [];
  const sandbox = createSandboxApp({
    publicUrl: 'http://gateway.test',
    clock: createSandboxClock(() => T0),
    operatorToken: OPERATOR_TOKEN,
    onEvent: (e) => seen.push(e),
    ...overrides,
  });
  const call = async (method: string, params: Record<string, string>, via: 'GET' | 'POST' = 'POST') =>
    asGatewayResponse(
      via === 'GET'
        ? await request(sandbox.app).get(`/payment/rest/${method}.do`).query(params)
        : await request(sandbox.app).post(`/payment/rest/${method}.do`).type('form').send(params),
    );
  const register = async (params: Record<string, string> = {}, method = 'register') => {
    const res = await call(method, {
      ...CREDS,
      orderNumber: nextNumber(),
      amount: '150000',
      returnUrl: 'https://shop.test/return',
      ...params,
    });
    const { orderId, formUrl } = res.body;
    if (!orderId || !formUrl) throw new Error(`register failed: ${res.text}`);
    return { orderId, formUrl };
  };
  return Object.assign(sandbox, { events_: seen, call, register });
}

/** Pays an order directly through the engine (no page), to reach a state quickly. */
export function payDirect(sb: SandboxApp, orderId: string, pan = '4111111111111111', cvc = '123') {
  const order = sb.engine.get(orderId);
  if (!order) throw new Error('no such order');
  return sb.engine.pay(order, { pan, expiration: '203012', cvc, cardholderName: 'TEST CARDHOLDER' });
}
