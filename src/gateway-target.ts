import net from 'node:net';
import path from 'node:path';
import { CALLBACK_PATH, type Config, type GatewayConfig } from './config.js';
import {
  createGatewayClient,
  type GatewayAuth,
  type GatewayClient,
  type GatewayClientOptions,
} from './gateway/index.js';
import type { Logger } from './log.js';
import {
  CREDENTIALS_DIR,
  keptMerchantCredentials,
  keptOperatorToken,
  startSandbox,
  type RunningSandbox,
  type SandboxMerchant,
} from '@rbs-storefront/gateway-sandbox';

/** The gateway the shop talks to: where, as whom, and the embedded sandbox when there is one. */
export interface GatewayTarget {
  /** REST base URL the shop calls, ending in /payment/rest/ (the embedded sandbox: its listening address). */
  readonly url: string;
  /**
   * Origin of the hosted payment page, where formUrl must point; undefined means the origin of `url`. Set for the
   * embedded sandbox, which browsers reach at SANDBOX_PUBLIC_URL while the shop calls it directly, and for a
   * remote gateway by GATEWAY_PAYMENT_PAGE_ORIGIN (compose.yaml: the shop calls the sandbox service by name).
   */
  readonly paymentPageOrigin: string | undefined;
  readonly auth: GatewayAuth;
  /** Present when GATEWAY_URL is unset: the sandbox started in this process. */
  readonly sandbox: RunningSandbox | undefined;
  /**
   * For the start-up block: the embedded sandbox's operator pages, and its operator token when it was generated (kept
   * in `tokenFile`); undefined with a configured SANDBOX_OPERATOR_TOKEN or without a sandbox.
   */
  readonly sandboxOperator?: {
    readonly pages: string;
    /** The report card grading the shop's own merchant (the sandbox's /sandbox/report/<login>). */
    readonly reportCard: string;
    readonly token: string;
    readonly tokenFile: string;
  };
  /** Stops the embedded sandbox, if any. */
  close(): Promise<void>;
}

/**
 * The configured gateway as is, or (GATEWAY_URL unset) the gateway sandbox started with the SANDBOX_* settings,
 * the shop calling it as its first merchant. Listens but never exits: server.ts stays the launcher.
 *
 * Without SANDBOX_MERCHANTS the embedded sandbox does not answer to the public demo credentials (docs/sandbox.md
 * prints them): its merchant gets generated ones, kept under DATA_DIR (packages/gateway-sandbox/src/credentials.ts). Without
 * SANDBOX_OPERATOR_TOKEN (outside production only: the config refuses it there) the sandbox's operator token is
 * generated once and kept next to those credentials (DATA_DIR/sandbox/operator-token.json); the log names the file and
 * the start-up block shows the token, since the operator needs it to open the sandbox's tools.
 */
export async function startGatewayTarget(
  config: Pick<Config, 'env' | 'gateway' | 'callbacks' | 'publicBaseUrl' | 'dataDir'>,
  logger: Logger,
): Promise<GatewayTarget> {
  const { gateway, callbacks } = config;
  if (gateway.mode === 'remote') return remoteGatewayTarget(gateway);
  const settings = gateway.sandbox;
  // loadConfig checks the settings (SANDBOX_OPERATOR_TOKEN in production, at least one merchant); this only narrows.
  const [first, ...rest] = settings.merchants;
  if (!first) throw new Error('the embedded sandbox needs at least one merchant');
  let configured: SandboxMerchant = first;
  let others = rest;
  let credentialsFile: string | undefined;
  if (!settings.merchantsConfigured) {
    // The demo merchant keeps its login (it is only part of the page URL), not its public credentials; any other
    // demo merchant would keep public ones, so it is left out.
    const kept = keptMerchantCredentials(config.dataDir);
    configured = { ...first, ...kept.credentials };
    others = [];
    credentialsFile = kept.file;
  }
  let merchant = configured;
  if (callbacks.enabled) {
    // Out of the box the sandbox notifies this shop, signed with the key config resolved (callbacks.key). The first
    // merchant's own callbackUrl in SANDBOX_MERCHANTS wins.
    const callbackUrl = configured.callbackUrl ?? `${config.publicBaseUrl}${CALLBACK_PATH}`;
    merchant = { ...configured, callbackUrl, callbackKey: callbacks.key };
  }
  // The shop calls the sandbox where it listens, not at SANDBOX_PUBLIC_URL: behind a port mapping (docker run -p
  // 45911:3001) nothing listens at the public port inside the container. With port 0 and a public URL, the port is
  // picked first so that its address is known.
  const port = settings.port === 0 && settings.publicUrl !== undefined ? await freePort(settings.host) : settings.port;
  const keptToken =
    settings.operatorToken === undefined ? keptOperatorToken(path.join(config.dataDir, CREDENTIALS_DIR)) : undefined;
  const sandbox = await startSandbox({
    ...settings,
    operatorToken: settings.operatorToken ?? keptToken?.token,
    port,
    // Next to its credentials, so a restarted shop finds the orders its stored payment pages point at.
    dataDir: path.join(config.dataDir, CREDENTIALS_DIR),
    merchants: [merchant, ...others],
    logger: logger.child({ component: 'sandbox' }),
  });
  logger.info(
    {
      url: sandbox.url,
      merchant: merchant.login,
      ...(credentialsFile !== undefined && { credentialsFile }),
      operatorPages: `${sandbox.url}/sandbox/orders`,
      // Where the generated token is kept, never the token itself (the start-up block shows it to the operator).
      ...(keptToken !== undefined && { operatorTokenFile: keptToken.file }),
    },
    'embedded gateway sandbox started (GATEWAY_URL is unset)',
  );
  if (config.env === 'production')
    logger.warn(
      'SANDBOX=on with NODE_ENV=production: the gateway is an emulator whose test cards approve any payment and no money moves; never let real buyers reach it',
    );
  // Without a public URL and with port 0, sandbox.url is the listening address already.
  const listening = port === 0 ? sandbox.url : `http://${connectHost(settings.host)}:${port}`;
  return {
    url: `${listening}/payment/rest/`,
    // formUrl is built from SANDBOX_PUBLIC_URL, the address buyers use: the client accepts it there only.
    paymentPageOrigin: new URL(sandbox.url).origin,
    auth: { userName: merchant.userName, password: merchant.password },
    sandbox,
    ...(keptToken !== undefined && {
      sandboxOperator: {
        pages: `${sandbox.url}/sandbox/orders`,
        reportCard: `${sandbox.url}/sandbox/report/${encodeURIComponent(merchant.login)}`,
        token: keptToken.token,
        tokenFile: keptToken.file,
      },
    }),
    close: () => sandbox.close(),
  };
}

/** The configured remote gateway (GATEWAY_URL) as a target: nothing to start or stop. */
export function remoteGatewayTarget(gateway: Extract<GatewayConfig, { mode: 'remote' }>): GatewayTarget {
  return {
    url: gateway.url,
    auth: gateway.auth,
    paymentPageOrigin: gateway.paymentPageOrigin,
    sandbox: undefined,
    close: () => Promise.resolve(),
  };
}

/** Where to connect to a server bound to `host`: a wildcard bind is reached on loopback. */
function connectHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

/** A port free on `host` right now (the sandbox binds it a moment later; a lost race fails the start, loudly). */
function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, host, () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/**
 * The gateway client for a target, as the shop runs it: the target's API URL, payment page origin and credentials,
 * and the configured timeouts. `extra` adds options such as an onCall listener. The one translation of the
 * configuration into GatewayClientOptions: every launcher (server.ts, reconcile.ts) builds its client here.
 */
export function gatewayClientFor(
  target: GatewayTarget,
  config: Pick<Config, 'gateway'>,
  extra: Partial<GatewayClientOptions> = {},
): GatewayClient {
  return createGatewayClient({
    baseUrl: target.url,
    paymentPageOrigin: target.paymentPageOrigin,
    // Named in the error when formUrl is on another origin: the setting that says where the payment page is.
    paymentPageOriginSetting: target.sandbox ? 'SANDBOX_PUBLIC_URL' : 'GATEWAY_PAYMENT_PAGE_ORIGIN',
    auth: target.auth,
    timeouts: { operationMs: config.gateway.timeoutMs, statusMs: config.gateway.statusTimeoutMs },
    ...extra,
  });
}
