import type { Request } from 'express';
import type { SessionData, Store } from 'express-session';
import { regenerateSession, saveSession } from '../http/session.js';

/** How many orders a browser can come back to. */
const SESSION_ORDER_LIMIT = 20;
/** How long a Buy's new session stays findable by Buys of the same browser that were already under way. */
const SIBLING_WINDOW_MS = 30_000;

interface Sibling {
  sid: string;
  at: number;
}

/**
 * Binds an order to the browser that bought it, in a new session (a session id planted before Buy is worthless).
 *
 * - The new session carries the old session's orders only when the old session was made for this same browser
 *   (same browser key); a planted session's orders are not carried over.
 * - Two Buys of one browser at once (two tabs, different carts) each make a new session, and the browser keeps
 *   whichever Set-Cookie arrives last. So each Buy leaves a note, under the browser's id, of the session it made; a
 *   Buy that was already under way when that note was written adds its order to that session and takes that
 *   session's orders into its own. Whichever cookie wins, it sees both orders.
 */
export function createBinder() {
  /** One bind at a time per browser in this process, so two concurrent Buys can't both miss each other's note. */
  const queues = new Map<string, Promise<unknown>>();

  async function serialised<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = queues.get(key) ?? Promise.resolve();
    const run = previous.then(work, work);
    const tail = run.catch(() => undefined);
    queues.set(key, tail);
    try {
      return await run;
    } finally {
      if (queues.get(key) === tail) queues.delete(key);
    }
  }

  /**
   * `cartOrder`: the order was bought from the session's cart (these lines), so its success page empties the cart.
   * The cart itself always moves to the new session (a "Buy now" leaves it as it was), only from this browser's own.
   */
  return function bind(
    req: Request,
    orderId: number,
    browserId: string,
    startedAt: number,
    cartOrder?: { orderId: number; lines: string },
  ): Promise<void> {
    return serialised(browserId, async () => {
      const store = req.sessionStore;
      const noteId = `browser:${browserId}`;
      const old = req.session;
      const carried = old.browser === browserId ? (old.orders ?? []) : [];
      const ownCart = old.browser === browserId ? { cart: old.cart, cartOrder: old.cartOrder } : {};
      const note = await readNote(store, noteId);
      const siblings = note.filter((s) => s.at > startedAt);
      const fromSiblings: number[] = [];
      for (const sibling of siblings) {
        const data = await get(store, sibling.sid);
        if (!data) continue;
        fromSiblings.push(...(data.orders ?? []));
        await set(store, sibling.sid, { ...data, orders: withOrder(data.orders ?? [], orderId) });
      }

      await regenerateSession(req);
      req.session.browser = browserId;
      req.session.orders = withOrder([...new Set([...carried, ...fromSiblings])], orderId);
      if (ownCart.cart) req.session.cart = ownCart.cart;
      const lastCartOrder = cartOrder ?? ownCart.cartOrder;
      if (lastCartOrder) req.session.cartOrder = lastCartOrder;
      await saveSession(req);

      const now = Date.now();
      const kept = note.filter((s) => s.at > now - SIBLING_WINDOW_MS);
      await set(store, noteId, {
        siblings: [...kept, { sid: req.sessionID, at: now }],
        cookie: { expires: new Date(now + SIBLING_WINDOW_MS), originalMaxAge: SIBLING_WINDOW_MS },
      } as unknown as SessionData);
    });
  };
}

/**
 * The sessions this browser's Buys made in the last moments (the note `bind` leaves), newest first, as the store
 * has them now. A Buy repeated with the session id the first one replaced (its answer was lost, the balancer sent it
 * again) finds its cart there.
 */
export async function recentBuySessions(store: Store, browserId: string): Promise<SessionData[]> {
  const since = Date.now() - SIBLING_WINDOW_MS;
  const note = (await readNote(store, `browser:${browserId}`)).filter((s) => s.at > since);
  const found: SessionData[] = [];
  for (const sibling of note.sort((a, b) => b.at - a.at)) {
    const data = await get(store, sibling.sid);
    if (data?.browser === browserId) found.push(data);
  }
  return found;
}

function withOrder(orders: readonly number[], orderId: number): number[] {
  return [...orders.filter((id) => id !== orderId), orderId].slice(-SESSION_ORDER_LIMIT);
}

async function readNote(store: Store, noteId: string): Promise<Sibling[]> {
  const data = (await get(store, noteId)) as { siblings?: unknown } | undefined;
  const list = Array.isArray(data?.siblings) ? (data.siblings as unknown[]) : [];
  return list.filter(
    (s): s is Sibling =>
      typeof s === 'object' &&
      s !== null &&
      typeof (s as Sibling).sid === 'string' &&
      typeof (s as Sibling).at === 'number',
  );
}

function get(store: Store, sid: string): Promise<SessionData | undefined> {
  return new Promise((resolve, reject) =>
    store.get(sid, (err: unknown, data?: SessionData | null) => {
      if (err) reject(err instanceof Error ? err : new Error('session store failed', { cause: err }));
      else resolve(data ?? undefined);
    }),
  );
}

function set(store: Store, sid: string, data: SessionData): Promise<void> {
  return new Promise((resolve, reject) =>
    store.set(sid, data, (err?: unknown) => {
      if (err) reject(err instanceof Error ? err : new Error('session store failed', { cause: err }));
      else resolve();
    }),
  );
}
