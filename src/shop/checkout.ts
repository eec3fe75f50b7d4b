import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import type { RequestHandler, Response } from 'express';
import type { Config } from '../config.js';
import { HttpError } from '../http/errors.js';
import { translator } from '../http/i18n.js';
import { THIS_LIFE } from '../orders/claims.js';
import type { ClaimOwner, Order } from '../orders/types.js';
import { purchasePolicy, type Registration } from '../payments/index.js';
import { MAX_QUANTITY, type Catalog, type Product } from './catalog.js';
import { createBinder } from './binding.js';
import type { ShopRouteDeps } from './deps.js';

/**
 * POST /buy: validate, claim the purchase in the ledger, register it with the gateway (or reuse the registration a
 * double click or second tab already made, once the gateway confirms its page still takes a payment), bind the
 * order to a fresh session, 303 to formUrl. The amount comes from
 * the catalog only; any price or currency field in the form is ignored.
 */
export function createBuy(
  deps: Pick<ShopRouteDeps, 'catalog' | 'ledger' | 'config' | 'browserKey' | 'logger' | 'payments'>,
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

  return async (req, res) => {
    const startedAt = Date.now();
    const { product, quantity } = parseBuyForm(req.body, catalog);
    const { lang, referenceId } = res.locals;
    // Normally issued with the product page; a browser without one gets it now (and this Buy has no twin to find).
    const browser = browserKey.id(browserKey.ensure(req, res));
    const purchaseKey = purchaseKeyOf(browser, product, quantity);
    const input = {
      items: [{ productId: product.id, name: product.name[lang], quantity, unitAmount: product.price }],
      amount: product.price * quantity,
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
        const registering = payments.register(claim.order, { language: lang, heading, referenceId });
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
    await bind(req, result.order.id, browser, startedAt);
    res.redirect(303, result.formUrl);
  };
}

function parseBuyForm(body: unknown, catalog: Catalog): { product: Product; quantity: number } {
  const form = (body ?? {}) as Record<string, unknown>;
  const product = typeof form.productId === 'string' ? catalog.get(form.productId) : undefined;
  if (!product) throw new HttpError(404, 'errors.unknownProduct');
  const raw = form.quantity;
  if (typeof raw !== 'string' || !/^\d{1,3}$/.test(raw.trim())) throw new HttpError(400, 'errors.badQuantity');
  const quantity = Number(raw.trim());
  if (quantity < 1 || quantity > MAX_QUANTITY) throw new HttpError(400, 'errors.badQuantity');
  return { product, quantity };
}

/**
 * Same browser + same cart = same purchase: a double click or a second tab finds it. The browser is known by its
 * HttpOnly browser key, never by a value that a page prints (the CSRF token is in every product page).
 */
export function purchaseKeyOf(browser: string, product: Product, quantity: number): string {
  return createHash('sha256').update(`${browser}\n${product.id}:${quantity}`).digest('base64url');
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
