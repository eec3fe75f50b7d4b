import { randomBytes } from 'node:crypto';
import type { Config } from './config.js';
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
  /** The key callbacks are signed with: GATEWAY_CALLBACK_KEY, or the one shared with the embedded sandbox. */
  readonly callbackKey: string | undefined;
  /** Stops the embedded sandbox, if any. */
  close(): Promise<void>;
}

/**
 * The configured gateway as is, or (GATEWAY_URL unset) the gateway sandbox started with the SANDBOX_* settings,
 * the shop calling it as its first merchant. Listens but never exits: server.ts stays the launcher.
 */
export async function startGatewayTarget(
  config: Pick<Config, 'gateway' | 'callbacks' | 'publicBaseUrl'>,
  logger: Logger,
): Promise<GatewayTarget> {
  const { gateway, callbacks } = config;
  if (gateway.mode === 'remote') {
    const callbackKey = callbacks.key;
    return { url: gateway.url, auth: gateway.auth, sandbox: undefined, callbackKey, close: () => Promise.resolve() };
  }
  // The config parser refuses an empty SANDBOX_MERCHANTS; this guards a Config built by hand.
  const [configured, ...others] = gateway.sandbox.merchants;
  if (!configured) throw new Error('the embedded sandbox needs at least one merchant');
  let merchant = configured;
  let callbackKey = callbacks.key;
  if (callbacks.enabled) {
    // Out of the box the sandbox notifies this shop, signed with a key the two share for this run only (both
    // restart together). The first merchant's own callbackUrl/callbackKey in SANDBOX_MERCHANTS win.
    callbackKey = configured.callbackKey ?? callbackKey ?? randomBytes(32).toString('base64url');
    const callbackUrl = configured.callbackUrl ?? `${config.publicBaseUrl}/payment/callback`;
    merchant = { ...configured, callbackUrl, callbackKey };
  }
  const sandbox = await startSandbox({
    ...gateway.sandbox,
    merchants: [merchant, ...others],
    logger: logger.child({ component: 'sandbox' }),
  });
  logger.info(
    { url: sandbox.url, merchant: merchant.login },
    'embedded gateway sandbox started (GATEWAY_URL is unset)',
  );
  return {
    // The address buyers use (SANDBOX_PUBLIC_URL), so formUrl's origin is the gateway origin the shop calls.
    url: sandbox.gatewayUrl,
    auth: { userName: merchant.userName, password: merchant.password },
    sandbox,
    callbackKey,
    close: () => sandbox.close(),
  };
}
