import { Router } from 'express';
import { rateLimit } from 'express-rate-limit';
import { renderError } from '../http/errors.js';
import { noStore } from '../http/security.js';
import { createCallbackReceiver } from './callback.js';
import { createBuy } from './checkout.js';
import type { ShopRouteDeps } from './deps.js';
import { createCatalogPages } from './pages.js';
import { createReturn } from './return.js';

/** The storefront's whole route table. */
export function shopRoutes(deps: ShopRouteDeps): Router {
  const pages = createCatalogPages(deps);
  const buy = createBuy(deps);
  const returned = createReturn(deps);
  const { csrf, session } = deps;
  const buyLimit = rateLimit({
    windowMs: 60_000,
    limit: deps.config.buyRateLimitPerMinute,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    handler: (_req, res) => renderError(res, 429, 'errors.tooManyRequests'),
  });

  // The gateway notifies from a few addresses; a flood from one address must not become a flood of status calls.
  const callbackLimit = rateLimit({ windowMs: 60_000, limit: 600, standardHeaders: 'draft-8', legacyHeaders: false });

  const r = Router();
  r.get('/', pages.list);
  r.get('/products/:id', pages.view);
  r.post('/buy', buyLimit, csrf.protect, session, noStore, buy);
  r.get('/checkout/return', session, noStore, returned);
  r.get('/checkout/fail', session, noStore, returned);
  if (deps.config.callbacks.enabled) {
    const callback = createCallbackReceiver(deps, { key: deps.callbackKey ?? deps.config.callbacks.key });
    r.get('/payment/callback', callbackLimit, callback);
    r.post('/payment/callback', callbackLimit, callback);
  }
  return r;
}
