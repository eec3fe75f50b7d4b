import type { GatewayConfig } from './config.js';
import type { GatewayAuth } from './gateway/index.js';
import type { Logger } from './log.js';
import { startSandbox, type RunningSandbox } from './sandbox/index.js';

/** The gateway the shop talks to: where, as whom, and the embedded sandbox when there is one. */
export interface GatewayTarget {
  /** REST base URL, ending in /payment/rest/. */
  readonly url: string;
  readonly auth: GatewayAuth;
  /** Present when GATEWAY_URL is unset: the sandbox started in this process. */
  readonly sandbox: RunningSandbox | undefined;
  /** Stops the embedded sandbox, if any. */
  close(): Promise<void>;
}

/**
 * The configured gateway as is, or (GATEWAY_URL unset) the gateway sandbox started with the SANDBOX_* settings,
 * the shop calling it as its first merchant. Listens but never exits: server.ts stays the launcher.
 */
export async function startGatewayTarget(gateway: GatewayConfig, logger: Logger): Promise<GatewayTarget> {
  if (gateway.mode === 'remote') {
    return { url: gateway.url, auth: gateway.auth, sandbox: undefined, close: () => Promise.resolve() };
  }
  // The config parser refuses an empty SANDBOX_MERCHANTS; this guards a Config built by hand.
  const [merchant] = gateway.sandbox.merchants;
  if (!merchant) throw new Error('the embedded sandbox needs at least one merchant');
  const sandbox = await startSandbox({ ...gateway.sandbox, logger: logger.child({ component: 'sandbox' }) });
  logger.info(
    { url: sandbox.url, merchant: merchant.login },
    'embedded gateway sandbox started (GATEWAY_URL is unset)',
  );
  return {
    // The address buyers use (SANDBOX_PUBLIC_URL), so formUrl's origin is the gateway origin the shop calls.
    url: sandbox.gatewayUrl,
    auth: { userName: merchant.userName, password: merchant.password },
    sandbox,
    close: () => sandbox.close(),
  };
}
