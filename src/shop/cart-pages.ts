import type { Request, RequestHandler, Response } from 'express';
import { fixedCookie } from '../http/cookies.js';
import { HttpError } from '../http/errors.js';
import { regenerateSession } from '../http/session.js';
import { MAX_QUANTITY } from './catalog.js';
import {
  addToCart,
  cartOf,
  itemCount,
  MAX_CART_LINES,
  MAX_EMAIL_LENGTH,
  parseQuantity,
  priceCart,
  removeLines,
  setQuantity,
  storeCart,
  type StoredCart,
} from './cart.js';
import type { ShopRouteDeps } from './deps.js';

/** What a redirect back to the cart page may say (`/cart?notice=…`): only these, each with its text and kind. */
const NOTICES = {
  added: { key: 'cart.notice.added', error: false },
  updated: { key: 'cart.notice.updated', error: false },
  removed: { key: 'cart.notice.removed', error: false },
  changed: { key: 'cart.notice.changed', error: true },
  gone: { key: 'cart.notice.gone', error: true },
  empty: { key: 'cart.notice.empty', error: true },
} as const;
export type CartNotice = keyof typeof NOTICES;

/** The header's cart count: a display hint in its own cookie, so that browsing never reads the session store. */
const COUNT_MAX_AGE_MS = 24 * 60 * 60 * 1000;

export function cartCountCookie(https: boolean) {
  const name = `${https ? '__Host-' : ''}cart_n`;
  const set = fixedCookie(name, {
    httpOnly: true,
    secure: https,
    sameSite: 'lax',
    path: '/',
    maxAge: COUNT_MAX_AGE_MS,
  });
  return {
    name,
    /** Sets the cookie, and the count this response's page shows. */
    set(res: Response, cart: StoredCart): void {
      res.locals.cartCount = itemCount(cart);
      set(res, String(itemCount(cart)));
    },
    read(req: Request): number {
      const v: unknown = req.cookies?.[name];
      return typeof v === 'string' && /^\d{1,3}$/.test(v) ? Number(v) : 0;
    },
  };
}

export type CartDeps = Pick<ShopRouteDeps, 'catalog' | 'csrf' | 'browserKey' | 'config'>;

/** What the cart page may show besides the cart: a refusal (`error`, a message key) and the email as typed. */
export interface CartPageState {
  status?: number;
  error?: string;
  notice?: CartNotice;
  /** The email as typed when it was refused: shown back in its field only, never stored. */
  typedEmail?: string;
}

/** A refused email is shown back at most this long (the field's own limit is MAX_EMAIL_LENGTH). */
const TYPED_EMAIL_MAX = 254;

/** GET /cart and the forms that change the cart (POST /cart/add, /cart/update, /cart/remove). */
export function createCartPages(deps: CartDeps) {
  const { catalog, csrf, browserKey } = deps;
  const count = cartCountCookie(deps.config.https);

  /** This browser's id, issuing its key if it has none (the cart page's checkout needs it, like a product page). */
  const browserOf = (req: Request, res: Response) => browserKey.id(browserKey.ensure(req, res));

  /** Renders the cart page for this request's browser; lines whose product left the catalog are dropped first. */
  function render(req: Request, res: Response, state: CartPageState = {}): void {
    const browser = browserOf(req, res);
    let cart = cartOf(req.session, browser);
    let { notice } = state;
    const priced = priceCart(cart, catalog);
    if (priced.gone.length > 0) {
      cart = removeLines(cart, priced.gone);
      storeCart(req.session, cart);
      notice = 'gone';
    }
    // The header's count is a cookie of its own: here, where the cart itself is read, it is put right when the
    // session no longer backs it (expired, lost by its store, a product gone).
    if (count.read(req) !== itemCount(cart)) count.set(res, cart);
    const { lang } = res.locals;
    res.status(state.status ?? 200).render('shop/cart', {
      lines: priced.lines.map((l) => ({
        productId: l.product.id,
        name: l.product.name[lang],
        image: l.product.image,
        unitAmount: l.product.price,
        quantity: l.quantity,
        lineAmount: l.lineAmount,
      })),
      amount: priced.amount,
      version: priced.version,
      email: state.typedEmail?.slice(0, TYPED_EMAIL_MAX) ?? cart.email ?? '',
      notice: notice && NOTICES[notice],
      error: state.error,
      csrfToken: csrf.token(req, res),
      maxQuantity: MAX_QUANTITY,
      maxLines: MAX_CART_LINES,
      maxEmail: MAX_EMAIL_LENGTH,
    });
  }

  /**
   * The session the cart is written to, made for this browser: a session of another browser (a planted id) is
   * replaced by a new one first, so nobody else can read this cart or its email.
   */
  async function cartSession(req: Request, res: Response): Promise<StoredCart> {
    const browser = browserOf(req, res);
    if (req.session.browser !== undefined && req.session.browser !== browser) await regenerateSession(req);
    req.session.browser = browser;
    return cartOf(req.session, browser);
  }

  function save(req: Request, res: Response, cart: StoredCart, notice: CartNotice): void {
    storeCart(req.session, cart);
    count.set(res, cart);
    res.redirect(303, `/cart?notice=${notice}`);
  }

  function formOf(req: Request): { productId: unknown; quantity: unknown } {
    const form = (req.body ?? {}) as Record<string, unknown>;
    return { productId: form.productId, quantity: form.quantity };
  }

  const show: RequestHandler = (req, res) => {
    const n = req.query.notice;
    render(req, res, typeof n === 'string' && Object.hasOwn(NOTICES, n) ? { notice: n as CartNotice } : {});
  };

  const add: RequestHandler = async (req, res) => {
    const form = formOf(req);
    const product = typeof form.productId === 'string' ? catalog.get(form.productId) : undefined;
    if (!product) throw new HttpError(404, 'errors.unknownProduct');
    // The catalog list adds one without a quantity field.
    const quantity = form.quantity === undefined ? 1 : parseQuantity(form.quantity);
    if (quantity === undefined) throw new HttpError(400, 'errors.badQuantity');
    const cart = await cartSession(req, res);
    const added = addToCart(cart, product.id, quantity);
    if ('refused' in added) return render(req, res, { status: 409, error: added.refused });
    save(req, res, added.cart, 'added');
  };

  const update: RequestHandler = async (req, res) => {
    const form = formOf(req);
    if (typeof form.productId !== 'string') throw new HttpError(400, 'errors.badRequest');
    const quantity = parseQuantity(form.quantity);
    if (quantity === undefined) return render(req, res, { status: 400, error: 'errors.badQuantity' });
    const cart = await cartSession(req, res);
    const changed = setQuantity(cart, form.productId, quantity);
    // The line was removed meanwhile (another tab): nothing to change, and the buyer sees the cart as it is now.
    if (!changed) return res.redirect(303, '/cart?notice=changed');
    save(req, res, changed, 'updated');
  };

  const remove: RequestHandler = async (req, res) => {
    const form = formOf(req);
    if (typeof form.productId !== 'string') throw new HttpError(400, 'errors.badRequest');
    const cart = await cartSession(req, res);
    save(req, res, removeLines(cart, [form.productId]), 'removed');
  };

  /** Shop pages show the cart link with this count (res.locals.cartCount). */
  const countLocal: RequestHandler = (req, res, next) => {
    res.locals.cartCount = count.read(req);
    next();
  };

  return { show, add, update, remove, render, countLocal, count };
}

export type CartPages = ReturnType<typeof createCartPages>;
