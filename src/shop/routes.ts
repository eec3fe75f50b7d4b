import { Router, type Response } from 'express';
import { rateLimit } from 'express-rate-limit';
import { renderError } from '../http/errors.js';
import { createCallbackReceiver } from './callback.js';
import { createCartPages } from './cart-pages.js';
import { createBuy } from './checkout.js';
import type { ShopRouteDeps } from './deps.js';
import { createCatalogPages } from './pages.js';
import { createReturn } from './return.js';

/** Cart changes per client address per minute: each one writes the session store. */
const CART_CHANGES_PER_MINUTE = 120;
/** Returns per client address per minute: a buyer's confirming page reloads at most every few seconds. */
const RETURNS_PER_MINUTE = 120;

/** The storefront's whole route table. */
export function shopRoutes(deps: ShopRouteDeps): Router {
  const pages = createCatalogPages(deps);
  const cart = createCartPages(deps);
  const buy = createBuy(deps, cart);
  const returned = createReturn(deps, cart);
  const { csrf, session, browserKey } = deps;
  const limited = { windowMs: 60_000, standardHeaders: 'draft-8', legacyHeaders: false } as const;
  // Shared counters when configured (REDIS_URL): each limiter its own store, since a store belongs to one limiter.
  const store = (name: string) => (deps.rateLimitStore ? { store: deps.rateLimitStore(name) } : {});
  const tooMany = (_req: unknown, res: Response) => renderError(res, 429, 'errors.tooManyRequests');
  const buyLimit = rateLimit({
    ...limited,
    ...store('buy'),
    limit: deps.config.buyRateLimitPerMinute,
    handler: tooMany,
  });
  // Per browser too, whatever address it comes from; a request without a browser key is limited by address only.
  const buyLimitPerBrowser = rateLimit({
    ...limited,
    ...store('buy-browser'),
    limit: deps.config.buyRateLimitPerBrowser,
    identifier: 'buy-browser',
    keyGenerator: (req) => browserKey.id(browserKey.read(req) ?? ''),
    skip: (req) => browserKey.read(req) === undefined,
    handler: tooMany,
  });
  // Every return may ask the gateway about an open order: a flood from one address must not become a flood of calls.
  const returnLimit = rateLimit({
    ...limited,
    ...store('return'),
    limit: RETURNS_PER_MINUTE,
    identifier: 'return',
    handler: tooMany,
  });

  // The gateway notifies from a few addresses; a flood from one address must not become a flood of status calls.
  const callbackLimit = rateLimit({ ...limited, ...store('callback'), limit: 600 });

  const cartLimit = rateLimit({
    ...limited,
    ...store('cart'),
    limit: CART_CHANGES_PER_MINUTE,
    identifier: 'cart',
    handler: tooMany,
  });

  const r = Router({ caseSensitive: true });
  // The header's cart link and count, from a cookie of its own: no page but the cart's reads the session for it.
  r.use(cart.countLocal);
  r.get('/', pages.list);
  r.get('/products/:id', pages.view);
  r.post('/buy', buyLimit, buyLimitPerBrowser, csrf.protect, session, buy);
  r.get('/cart', session, cart.show);
  r.post('/cart/add', cartLimit, csrf.protect, session, cart.add);
  r.post('/cart/update', cartLimit, csrf.protect, session, cart.update);
  r.post('/cart/remove', cartLimit, csrf.protect, session, cart.remove);
  // The return loads the session itself: a session store that fails is an answer there, not the error page.
  r.get('/checkout/return', returnLimit, returned);
  r.get('/checkout/fail', returnLimit, returned);
  if (deps.config.callbacks.enabled) {
    const callback = createCallbackReceiver(deps, { key: deps.config.callbacks.key });
    r.get('/payment/callback', callbackLimit, callback);
    r.post('/payment/callback', callbackLimit, callback);
  }
  return r;
}
