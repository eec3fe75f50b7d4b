import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import type { Request, RequestHandler, Response } from 'express';
import type { Config } from '../config.js';
import { HttpError } from '../http/errors.js';
import { translator } from '../http/i18n.js';
import { THIS_LIFE } from '../orders/claims.js';
import type { ClaimOwner, Order } from '../orders/types.js';
import { purchasePolicy, type Registration } from '../payments/index.js';
import type { Catalog, Product } from './catalog.js';
import { createBinder, recentBuySessions } from './binding.js';
import {
  cartOf,
  linesKey,
  orderAmount,
  parseEmail,
  parseQuantity,
  priceCart,
  type CartLine,
  type StoredCart,
} from './cart.js';
import type { CartPages } from './cart-pages.js';
import type { ShopRouteDeps } from './deps.js';

/** What one Buy buys: a product page's "Buy now" (one line) or the session's cart (`cart`: its lines' key). */
interface Purchase {
  lines: { product: Product; quantity: number }[];
  email?: string | undefined;
  cart?: string;
}

/**
 * POST /buy: validate, claim the purchase in the ledger, register it with the gateway (or reuse the registration a
 * double click or second tab already made, once the gateway confirms its page still takes a payment), bind the
 * order to a fresh session, 303 to formUrl. The amount comes from
 * the catalog only; any price or currency field in the form is ignored.
 */
export function createBuy(
  deps: Pick<ShopRouteDeps, 'catalog' | 'ledger' | 'config' | 'browserKey' | 'logger' | 'payments'>,
  cartPages?: Pick<CartPages, 'render'>,
): RequestHandler {
  const { catalog, ledger, config, browserKey, logger, payments } = deps;
  const bind = createBinder();
  const policy = purchasePolicy(config.orderLifetimeSecs * 1000, config.gateway.timeoutMs, claimOwner(config));
  /**
   * A retired order whose register call never answered here may still exist at the gateway: asked about by its
   * orderNumber now (the reconciler's lost-answer path in src/payments/settle.ts), so the gateway's order is
   * adopted, not orphaned. In the background: the buyer's new order does not wait for it.
   */
  const askAboutRetired = (retired: Order | undefined) => {
    if (retired?.status !== 'register_unknown') return;
    payments
      .settle(retired, { source: 'buy' })
      .catch((err: unknown) =>
        logger.error({ err, orderId: retired.id }, 'asking the gateway about a retired order failed'),
      );
  };
  /** This process's register calls in flight, by purchase key: a repeat request awaits the first one's answer. */
  const inFlight = new Map<string, Promise<Registration>>();

  /**
   * A Buy of the session's cart (a form with `cart=<version>` from the cart page): the cart as the buyer last saw
   * it, or nothing. An empty cart, a product gone from the catalog or a version that no longer matches (a line
   * changed in another tab, a new price) sends the buyer back to the cart page with a message; nothing is
   * registered. The receipt email typed with it is kept in the cart first, so going back loses nothing.
   */
  async function cartPurchase(req: Request, res: Response, browser: string): Promise<Purchase | undefined> {
    const form = req.body as Record<string, unknown>;
    let stored = cartOf(req.session, browser);
    const typed = parseEmail(form.email);
    if (!typed) {
      if (!cartPages) throw new HttpError(400, 'cart.badEmail');
      const typedEmail = typeof form.email === 'string' ? form.email : undefined;
      cartPages.render(req, res, { status: 400, error: 'cart.badEmail', typedEmail });
      return undefined;
    }
    if (stored.lines.length === 0 && req.session.browser === undefined) {
      // The session this form came with may be one an earlier send of this very Buy replaced (its answer was lost,
      // or a double click): that Buy's new session has the cart. This session, new, becomes this browser's.
      const earlier = await cartOfEarlierBuy(req, browser, form.cart);
      if (earlier) {
        req.session.browser = browser;
        stored = earlier;
      }
    }
    if (stored.lines.length === 0) return back(res, 'empty');
    req.session.cart =
      typed.email === undefined ? { lines: stored.lines } : { lines: stored.lines, email: typed.email };
    const priced = priceCart(stored, catalog);
    if (priced.gone.length > 0) return back(res, 'gone');
    if (priced.version !== form.cart) return back(res, 'changed');
    const lines = priced.lines.map(({ product, quantity }) => ({ product, quantity }));
    return { lines, email: typed.email, cart: linesKey(stored.lines) };
  }

  /** The cart of a session a Buy of this browser made just now, if its version is the one this form carries. */
  async function cartOfEarlierBuy(req: Request, browser: string, version: unknown): Promise<StoredCart | undefined> {
    for (const session of await recentBuySessions(req.sessionStore, browser)) {
      const cart = cartOf(session, browser);
      if (cart.lines.length > 0 && priceCart(cart, catalog).version === version) return cart;
    }
    return undefined;
  }

  return async (req, res) => {
    const startedAt = Date.now();
    const { lang, referenceId } = res.locals;
    const fromCart = ((req.body ?? {}) as Record<string, unknown>).cart !== undefined;
    // "Buy now" is validated before anything else, as it always was.
    const buyNow = fromCart ? undefined : parseBuyForm(req.body, catalog);
    // Normally issued with the product page; a browser without one gets it now (and this Buy has no twin to find).
    const browser = browserKey.id(browserKey.ensure(req, res));
    const purchase = buyNow ? { lines: [buyNow] } : await cartPurchase(req, res, browser);
    if (!purchase) return;
    const purchaseKey = purchaseKeyOfLines(
      browser,
      purchase.lines.map((l) => ({ productId: l.product.id, quantity: l.quantity })),
      purchase.email,
    );
    const items = purchase.lines.map(({ product, quantity }) => ({
      productId: product.id,
      name: product.name[lang],
      quantity,
      unitAmount: product.price,
    }));
    const input = {
      items,
      amount: orderAmount(items),
      currency: config.currency,
      flow: config.flow,
      language: lang,
      purchaseKey,
    };
    let claim = await ledger.claimPurchase(input, policy);
    if (claim.outcome === 'reusable' && !(await payments.stillPayable(claim.order, referenceId))) {
      // The stored page is dead (the gateway lost the order, or it is no longer payable) and its purchase is free
      // again: this claim creates the new order (or finds the one a parallel Buy just made).
      claim = await ledger.claimPurchase(input, policy);
    }

    let result: Registration;
    switch (claim.outcome) {
      case 'reusable':
        result = { ok: true, order: claim.order, formUrl: claim.formUrl };
        break;
      case 'created': {
        askAboutRetired(claim.retired);
        const heading = translator(lang)('order.description', { orderNumber: claim.order.orderNumber });
        const registering = payments.register(claim.order, {
          language: lang,
          heading,
          referenceId,
          ...(purchase.email !== undefined && { email: purchase.email }),
        });
        inFlight.set(purchaseKey, registering);
        result = await registering.finally(() => {
          if (inFlight.get(purchaseKey) === registering) inFlight.delete(purchaseKey);
        });
        break;
      }
      case 'in_flight': {
        const first = inFlight.get(purchaseKey);
        // Another instance is registering this purchase now; the ledger's unique index keeps it to one order.
        if (!first) {
          res.set('Retry-After', '3');
          throw new HttpError(503, 'errors.busy');
        }
        result = await first;
        break;
      }
    }

    if (!result.ok) return notChargedPage(res, result);
    const cartOrder = purchase.cart === undefined ? undefined : { orderId: result.order.id, lines: purchase.cart };
    await bind(req, result.order.id, browser, startedAt, cartOrder);
    res.redirect(303, result.formUrl);
  };
}

function parseBuyForm(body: unknown, catalog: Catalog): { product: Product; quantity: number } {
  const form = (body ?? {}) as Record<string, unknown>;
  const product = typeof form.productId === 'string' ? catalog.get(form.productId) : undefined;
  if (!product) throw new HttpError(404, 'errors.unknownProduct');
  const quantity = parseQuantity(form.quantity);
  if (quantity === undefined) throw new HttpError(400, 'errors.badQuantity');
  return { product, quantity };
}

/**
 * Same browser + same cart = same purchase: a double click or a second tab finds it. The browser is known by its
 * HttpOnly browser key, never by a value that a page prints (the CSRF token is in every product page).
 */
export function purchaseKeyOf(browser: string, product: Product, quantity: number): string {
  return purchaseKeyOfLines(browser, [{ productId: product.id, quantity }]);
}

/**
 * The purchase key of any cart; a one-line cart without an email has the key "Buy now" of that line has. The receipt
 * email is part of the purchase (only hashed, with the browser's id): an email corrected after going back from the
 * payment page makes a new order that carries it, instead of reusing the one registered with the old address.
 */
export function purchaseKeyOfLines(browser: string, lines: readonly CartLine[], email?: string): string {
  return createHash('sha256')
    .update(`${browser}\n${linesKey(lines)}${email === undefined ? '' : `\nemail ${email}`}`)
    .digest('base64url');
}

/** Back to the cart page with what happened; nothing was registered. */
function back(res: Response, notice: 'empty' | 'gone' | 'changed'): undefined {
  res.redirect(303, `/cart?notice=${notice}`);
  return undefined;
}

/**
 * This process as a claim owner: the instance is the host and the address it listens on, which no two running
 * processes share and a restarted one keeps (src/orders/claims.ts).
 */
export function claimOwner(config: Pick<Config, 'host' | 'port'>): ClaimOwner {
  return { instance: `${hostname()} ${config.host}:${config.port}`, life: THIS_LIFE };
}

/** The buyer never reached the payment page, so whatever happened, they were not charged. */
function notChargedPage(res: Response, failure: { status: 502 | 503; unknownOutcome: boolean }): void {
  const { referenceId } = res.locals;
  res.status(failure.status).render('shop/gateway-error', { referenceId, unknownOutcome: failure.unknownOutcome });
}
