// Builds a client recording every onCall event. Budgets are generous so a loaded CI machine never times
// out a healthy call; tests about timeouts pass FAST_TIMEOUTS next to the hang they script.
import { createGatewayClient } from '../../src/gateway/index.js';
import type { GatewayCallEvent, GatewayClient, GatewayClientOptions } from '../../src/gateway/index.js';

export const TEST_AUTH = { userName: 'shop-api', password: 'test-password' } as const;

export interface TestClient {
  client: GatewayClient;
  events: GatewayCallEvent[];
}

export function makeClient(baseUrl: string, overrides: Partial<GatewayClientOptions> = {}): TestClient {
  const events: GatewayCallEvent[] = [];
  const client = createGatewayClient({
    baseUrl,
    auth: TEST_AUTH,
    timeouts: { connectMs: 2000, operationMs: 3000, statusMs: 3000 },
    statusRetryDelayMs: 1,
    onCall: (e) => events.push(e),
    ...overrides,
  });
  return { client, events };
}

export const FAST_TIMEOUTS = { timeouts: { operationMs: 250, statusMs: 250 } } as const;

export const REGISTER = {
  orderNumber: 'ORD-1-1',
  amount: 12_345,
  currency: '643',
  returnUrl: 'https://shop.example/checkout/return',
} as const;
