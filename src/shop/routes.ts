import { Router } from 'express';
import { rateLimit } from 'express-rate-limit';
import { renderError } from '../http/errors.js';
import { noStore } from '../http/security.js';
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

  const r = Router();
  r.get('/', pages.list);
  r.get('/products/:id', pages.view);
  r.post('/buy', buyLimit, csrf.protect, session, noStore, buy);
  r.get('/checkout/return', session, noStore, returned);
  r.get('/checkout/fail', session, noStore, returned);
  return r;
}
