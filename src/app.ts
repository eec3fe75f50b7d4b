import path from 'node:path';
import { fileURLToPath } from 'node:url';
import cookieParser from 'cookie-parser';
import express from 'express';
import type session from 'express-session';
import type { AdminDeps } from './admin/deps.js';
import { adminRoutes } from './admin/routes.js';
import { devPanel } from './dev/routes.js';
import type { GatewayClient } from './gateway/index.js';
import { createBrowserKey } from './http/browser-key.js';
import { canonicalHost } from './http/canonical-host.js';
import { createCsrf } from './http/csrf.js';
import { errorHandler, notFound } from './http/errors.js';
import { language } from './http/lang.js';
import { requestId } from './http/request-id.js';
import { noStore, securityHeaders } from './http/security.js';
import { staticFiles } from './http/static-files.js';
import { sessionMiddleware } from './http/session.js';
import {
  cached,
  checkGatewayCredentials,
  createGatewayProbe,
  CREDENTIALS_CACHE_MS,
  gatewayReadiness,
  runReadiness,
  type CredentialsVerdict,
  type ExplainedCheck,
  type ReadinessCheck,
} from './metrics/readiness.js';
import type { ShopDeps } from './shop/deps.js';
import { shopRoutes } from './shop/routes.js';

/**
 * What the launcher hands the app: the shop's and the back office's deps (both with the one `payments` it built,
 * src/payments/), and the gateway client itself for what only the app does with it (readiness, the page's CSP,
 * metrics and the developer panel's wire log).
 */
export interface AppDeps extends AdminDeps, ShopDeps {
  gateway: GatewayClient;
  sessionStore: session.Store;
  /**
   * Asked by /healthz (liveness) and, as `database`, by /readyz: is this instance's own storage usable? With the
   * ledger in PostgreSQL, readinessChecks' `database` replaces it for /readyz, so an outage of the shared database
   * makes instances unready rather than dead (src/storage/).
   */
  healthCheck: () => boolean | Promise<boolean>;
  /**
   * Asked by /readyz, by name, besides `database` (healthCheck) and `gateway` (a cached probe of the gateway,
   * src/metrics/readiness.ts), either of which a check of the same name replaces; `redis` comes from src/storage/.
   */
  readinessChecks?: Readonly<Record<string, ReadinessCheck>>;
  /**
   * Whether the gateway accepts the shop's credentials, cached (src/metrics/readiness.ts): the launcher passes the one
   * it asked at start; without it the app makes its own.
   */
  gatewayCredentials?: () => CredentialsVerdict | Promise<CredentialsVerdict>;
}

// src/app.ts and dist/app.js sit one level below the project root, so this works under tsc output, tsx and jest.
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export function createApp(deps: AppDeps): express.Express {
  const { config, logger } = deps;
  const { https } = config;
  const app = express();
  app.disable('x-powered-by');
  // Paths are case-sensitive, as the cookies' Path attributes are: /Admin/orders must not reach the back office's
  // routes without the back office's cookie (admin_sid, Path=/admin). The routers do the same (shop, admin, /dev).
  app.set('case sensitive routing', true);
  app.set('trust proxy', config.trustProxy);
  app.set('view engine', 'ejs');
  app.set('views', path.join(ROOT, 'views'));
  // Compile each template once: Express caches views only with NODE_ENV=production, and without this every page
  // re-read and recompiled its templates (about half the cached speed, docs/performance.md). Off only in `npm run dev`.
  app.set('view cache', config.viewCache);
  // No ETag on pages: every page is no-store, so hashing its body only cost CPU. Static files keep theirs.
  app.set('etag', false);

  app.use(requestId);
  app.use(securityHeaders({ paymentPageOrigin: deps.gateway.paymentPageOrigin, https }));
  app.use(staticFiles(path.join(ROOT, 'public'), { index: false, maxAge: '1h' }));
  // Only the static files above may be cached: every page carries a form token, order data or a live state.
  app.use(noStore);
  app.get('/healthz', async (_req, res) => {
    const ok = await deps.healthCheck();
    res.status(ok ? 200 : 503).json({ status: ok ? 'ok' : 'unavailable' });
  });
  // Readiness, unlike liveness, includes what the shop depends on: 503 names the failed check (never an address).
  const readiness = { database: deps.healthCheck, gateway: gatewayProbe(deps), ...deps.readinessChecks };
  app.get('/readyz', async (_req, res) => {
    const { ready, checks } = await runReadiness(readiness);
    res.status(ready ? 200 : 503).json({ status: ready ? 'ok' : 'unavailable', checks });
  });
  // Every hook that counts an outcome sits where it is decided; gateway call latency comes from the client's events.
  const { metrics } = deps;
  if (metrics) deps.gateway.onExchange((e) => metrics.gatewayCall(e));
  app.use(cookieParser());
  // Before the body parser, so that a body it refuses (400, 413) gets the error page in the buyer's language.
  app.use(language({ currency: config.currency, shopName: 'Demo Shop', https }));
  // One address for pages and cookies (after language(): the refusal page is localized); see the module.
  if (config.canonicalHost) app.use(canonicalHost({ publicBaseUrl: config.publicBaseUrl, logger }));
  app.use(express.urlencoded({ extended: false, limit: '8kb', parameterLimit: 20 }));
  // Development only: each order's gateway calls and callbacks at /dev; absent in production (ADR 0009).
  if (config.env !== 'production') app.use(devPanel(deps));
  // The back office (or its "off" page) owns /admin, with its own session cookie; see src/admin/README.md.
  app.use('/admin', adminRoutes(deps));
  app.use(
    shopRoutes({
      ...deps,
      csrf: createCsrf({ secrets: config.sessionSecrets, https }),
      browserKey: createBrowserKey({ https }),
      // Mounted only where orders are bound or shown: browsing never reads or touches the session store.
      session: sessionMiddleware({ store: deps.sessionStore, secrets: config.sessionSecrets, https }),
    }),
  );

  app.use(notFound);
  app.use(errorHandler(logger));
  return app;
}

/**
 * Reachable: the embedded sandbox's /healthz, a remote gateway's origin asked with HEAD (no credentials, no API call);
 * and not refusing the shop's credentials.
 */
function gatewayProbe({ config, gateway, gatewayCredentials }: AppDeps): ExplainedCheck {
  const sandbox = config.gateway.mode === 'sandbox';
  const reachable = createGatewayProbe({
    url: `${gateway.origin}${sandbox ? '/healthz' : '/'}`,
    kind: sandbox ? 'healthz' : 'origin',
  });
  return gatewayReadiness(
    reachable,
    gatewayCredentials ?? cached(() => checkGatewayCredentials(gateway), { cacheMs: CREDENTIALS_CACHE_MS }),
  );
}
