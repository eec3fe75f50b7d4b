// The developer panel: /dev (recent orders) and /dev/orders/:orderNumber (what the shop and the gateway said to each
// other about one order). createApp mounts it only outside production; see docs/decisions/0009-developer-panel.md.
import { createHash, timingSafeEqual } from 'node:crypto';
import { Router, type Request, type RequestHandler } from 'express';
import { keptDevPanelToken } from '../config.js';
import { fixedCookie } from '../http/cookies.js';
import { HttpError } from '../http/errors.js';
import type { Order } from '../orders/types.js';
import type { GatewayClient } from '../gateway/index.js';
import type { ShopDeps } from '../shop/deps.js';
import { createWireLog, type WireLog } from './wire-log.js';

const RECENT_ORDERS = 50;
const LINK_TEXT = 'What happened on the wire';
const ORDER_NUMBER = /^[A-Za-z0-9-]{1,36}$/;
/** The cookie a browser gets for opening the panel's link with its token (see devPanel). */
export const DEV_PANEL_COOKIE = 'devpanel';

/** Whether the request came straight from this machine (the socket's address, never a forwarded header). */
export function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  return address === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}

/** Whether `given` is the token, compared in constant time (both sides hashed first, so lengths don't matter). */
function sameToken(given: unknown, token: string | undefined): boolean {
  if (typeof given !== 'string' || token === undefined) return false;
  const digest = (v: string) => createHash('sha256').update(v, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(token));
}

/**
 * Records the gateway calls (through the client's onExchange) and the callbacks (by watching /payment/callback's
 * answer) of this process, serves the panel, and tells the views it is there (`res.locals.devPanel`) so the outcome
 * pages link to it. Mount after the cookie and body parsers and before the shop's routes.
 *
 * Who may open it: a loopback client (the socket's address) holding the panel's cookie. A reverse proxy or tunnel on
 * this machine connects from loopback too, so the address alone would show the panel to its clients; the cookie is
 * had only by opening the link with the token kept in DATA_DIR (keptDevPanelToken), which the launcher prints in its start-up block (as
 * notebook servers do). That link sets the cookie (HttpOnly, SameSite=Strict) and redirects to the same page without
 * the token, so the token stays out of the history and of the Referer.
 */
export function devPanel(
  deps: Pick<ShopDeps, 'ledger' | 'config'> & { gateway: GatewayClient },
  wireLog: WireLog = createWireLog(deps.ledger),
): Router {
  const { ledger, config } = deps;
  deps.gateway.onExchange((e) => wireLog.recordCall(e));
  const signed = config.callbacks.key !== undefined;
  const token = keptDevPanelToken(config.dataDir);
  const setCookie = fixedCookie(DEV_PANEL_COOKIE, {
    httpOnly: true,
    secure: config.https,
    sameSite: 'strict',
    path: '/',
  });
  const allowed = (req: Request) =>
    isLoopback(req.socket.remoteAddress) &&
    sameToken((req.cookies as Record<string, unknown>)[DEV_PANEL_COOKIE], token);

  const r = Router({ caseSensitive: true });
  r.use((req, res, next) => {
    // The link's text travels with the flag: the panel is English only, outside the shop's message catalogs.
    if (allowed(req)) res.locals.devPanel = { linkText: LINK_TEXT };
    next();
  });
  r.use('/payment/callback', watchCallbacks(wireLog, signed));

  // Anyone else gets the shop's ordinary 404, as if there were no panel.
  const local: RequestHandler = (req, res, next) => {
    const given: unknown = req.query.token;
    if (given !== undefined && isLoopback(req.socket.remoteAddress) && sameToken(given, token)) {
      setCookie(res, token ?? '');
      return res.redirect(303, `${req.baseUrl}${req.path}`);
    }
    next(given === undefined && allowed(req) ? undefined : new HttpError(404, 'errors.notFound'));
  };

  r.get('/dev', local, async (_req, res) => {
    const touched = wireLog.orderIds();
    const recent = await ledger.listRecent(RECENT_ORDERS);
    const seen = new Set(recent.map((o) => o.id));
    const extra: Order[] = [];
    for (const id of touched.filter((i) => !seen.has(i))) {
      const o = await ledger.get(id);
      if (o) extra.push(o);
    }
    const orders = [...recent, ...extra].map((o) => ({ ...o, wireEntries: wireLog.entries(o.id).entries.length }));
    res.render('dev/index', { orders });
  });

  r.get('/dev/orders/:orderNumber', local, async (req, res, next) => {
    const number: unknown = req.params.orderNumber;
    const order =
      typeof number === 'string' && ORDER_NUMBER.test(number) ? await ledger.findByOrderNumber(number) : undefined;
    if (!order) return next(new HttpError(404, 'errors.notFound'));
    const { entries, dropped } = wireLog.entries(order.id);
    res.render('dev/order', { order, entries, dropped, events: await ledger.events(order.id) });
  });
  return r;
}

function watchCallbacks(wireLog: WireLog, signed: boolean): RequestHandler {
  return (req: Request, res, next) => {
    res.on('finish', () => {
      const source: unknown = req.method === 'POST' ? req.body : req.query;
      if (typeof source !== 'object' || source === null) return;
      // Only short string parameters, like the receiver itself accepts (src/shop/callback.ts).
      const entries = Object.entries(source).filter(
        (e): e is [string, string] => typeof e[1] === 'string' && e[1].length <= 512,
      );
      if (entries.length === 0 || entries.length > 30) return;
      wireLog.recordCallback({
        at: Date.now(),
        httpMethod: req.method,
        httpStatus: res.statusCode,
        signed,
        params: Object.fromEntries(entries),
      });
    });
    next();
  };
}
