import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SqliteLedger } from '../../src/orders/ledger.js';
import type { RunningSandbox } from '@rbs-storefront/gateway-sandbox';
import { startShop, type TestShop } from './shop.js';

export interface LiveShop {
  /** http://localhost:<port> — the shop's public URL, also its PUBLIC_BASE_URL. */
  url: string;
  /** http://127.0.0.1:<port> — another *site* than the shop, as a real gateway is. */
  sandbox: RunningSandbox;
  ledger: SqliteLedger;
  logs: string[];
  fulfilled: number[];
  /** The test shop behind the listener (app, deps, config), for helpers that take a TestShop. */
  shop: TestShop;
  close(): Promise<void>;
}

/**
 * The shop of test/helpers/shop.ts on a real listener, reachable by a browser. The server is created
 * and bound first because PUBLIC_BASE_URL (hence returnUrl) must carry the real port. `env` adds or overrides settings.
 */
export async function startLiveShop(env: Record<string, string> = {}): Promise<LiveShop> {
  const server = http.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  // localhost, not 127.0.0.1: the browser then treats shop and gateway as different sites (SameSite applies).
  const url = `http://localhost:${port}`;

  const shop = await startShop({
    env: {
      PUBLIC_BASE_URL: url,
      GATEWAY_TIMEOUT_MS: '3000',
      GATEWAY_STATUS_TIMEOUT_MS: '2000',
      // Every test presses Buy a few times from one address; the limit is not what is being tested here.
      BUY_RATE_LIMIT_PER_MINUTE: '1000',
      ...env,
    },
  });
  server.on('request', shop.app);

  return {
    url,
    sandbox: shop.sandbox!,
    ledger: shop.ledger,
    logs: shop.logs,
    fulfilled: shop.fulfilled,
    shop,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // The browser keeps connections alive; without this close() waits for their idle timeout.
        server.closeAllConnections();
      });
      await shop.close();
    },
  };
}
