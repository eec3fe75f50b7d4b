import { randomUUID } from 'node:crypto';
import { findTestCard, maskPan, paymentSystemOf, TEST_CVC, TEST_OTP, type CardScenario } from './cards.js';
import type { SandboxClock } from './clock.js';
import type { SandboxEvents } from './events.js';
import { OrderLedger, randomDigits, refuse, type OpResult, type Refusal } from './ledger.js';
import * as ops from './operations.js';
import type { OrderStore } from './store.js';
import type { CartItem, SandboxMerchant, SandboxOrder } from './types.js';
import { paymentWayOf, type WalletId, type WalletTestCard } from './wallets.js';

export type { OpResult, Refusal } from './ledger.js';

/** What register.do / registerPreAuth.do ask for: the order's own fields as given, plus how long it may live. */
export type RegisterInput = Pick<
  SandboxOrder,
  | 'orderNumber'
  | 'twoPhase'
  | 'amount'
  | 'currency'
  | 'description'
  | 'language'
  | 'returnUrl'
  | 'failUrl'
  | 'callbackUrl'
  | 'jsonParams'
  | 'ip'
  | 'cart'
  | 'taxSystem'
> & {
  /** Absolute expiry (ms) when expirationDate was given; otherwise sessionTimeoutSecs applies. */
  expiresAt?: number;
  sessionTimeoutSecs?: number;
};

export interface CardInput {
  pan: string;
  /** YYYYMM */
  expiration: string;
  cvc: string;
  cardholderName: string;
}

export type PayOutcome =
  | { kind: 'approved' | 'declined' | 'challenge' | 'processing' }
  | { kind: 'retry'; attemptsLeft: number }
  | { kind: 'notPayable' };

export interface EngineOptions {
  store: OrderStore;
  clock: SandboxClock;
  events: SandboxEvents;
  merchants: readonly SandboxMerchant[];
  /** How long the processor-wait card keeps the order in status 5. */
  processingDelayMs?: number;
  maxAttempts?: number;
  defaultSessionTimeoutSecs?: number;
  /** How long finished or expired orders stay queryable before the sweep purges them. */
  retentionMs?: number;
  /**
   * How long an approved two-phase order's hold lives (from its authorization) before the gateway releases it, as
   * reverse.do would: orderStatus 3, operation `reversed`. Default DEFAULT_HOLD_LIFETIME_SECS (7 days).
   */
  holdLifetimeSecs?: number;
}

/** The hold lifetime unless configured (SANDBOX_HOLD_LIFETIME_SECS): 7 days. */
export const DEFAULT_HOLD_LIFETIME_SECS = 7 * 24 * 3600;
/** The longest hold lifetime accepted: 366 days. */
export const MAX_HOLD_LIFETIME_SECS = 366 * 24 * 3600;

/** A time-based transition: a page expired unpaid, a processor wait settled, a hold released. */
export type DueTransition = 'expired' | 'settled' | 'released';
/** What one sweep did: orders per transition, and orders purged after their retention. */
export type SweepResult = Record<DueTransition | 'purged', number>;

/** The gateway's order lifecycle (docs/gateway-reference.md §4.2): every state change happens here and fires one event. */
export class SandboxEngine {
  readonly store: OrderStore;
  readonly clock: SandboxClock;
  readonly #ledger: OrderLedger;
  readonly #merchants: Map<string, SandboxMerchant>;
  readonly #processingDelayMs: number;
  readonly #maxAttempts: number;
  readonly #defaultTimeoutSecs: number;
  readonly #retentionMs: number;
  /** How long a hold lives before the gateway releases it (ms). */
  readonly holdLifetimeMs: number;

  constructor(options: EngineOptions) {
    const holdSecs = options.holdLifetimeSecs ?? DEFAULT_HOLD_LIFETIME_SECS;
    if (!Number.isInteger(holdSecs) || holdSecs < 1 || holdSecs > MAX_HOLD_LIFETIME_SECS)
      throw new Error(`sandbox holdLifetimeSecs must be a whole number of seconds from 1 to ${MAX_HOLD_LIFETIME_SECS}`);
    this.holdLifetimeMs = holdSecs * 1000;
    this.store = options.store;
    this.clock = options.clock;
    this.#merchants = new Map(options.merchants.map((m) => [m.login, m]));
    this.#ledger = new OrderLedger(options.clock, options.events, this.#merchants);
    this.#processingDelayMs = options.processingDelayMs ?? 15_000;
    this.#maxAttempts = options.maxAttempts ?? 3;
    this.#defaultTimeoutSecs = options.defaultSessionTimeoutSecs ?? 1200;
    this.#retentionMs = options.retentionMs ?? 60 * 60 * 1000;
  }

  merchant(login: string): SandboxMerchant | undefined {
    return this.#merchants.get(login);
  }

  register(merchant: SandboxMerchant, input: RegisterInput): { ok: true; order: SandboxOrder } | Refusal {
    if (this.findByNumber(merchant.login, input.orderNumber)) return refuse(1, 'orderNumberDuplicate');
    const now = this.clock.now();
    const order: SandboxOrder = {
      id: randomUUID(),
      merchantLogin: merchant.login,
      orderNumber: input.orderNumber,
      twoPhase: input.twoPhase,
      amount: input.amount,
      currency: input.currency,
      description: input.description,
      language: input.language,
      pageLang: input.language === 'ru' ? 'ru' : 'en',
      returnUrl: input.returnUrl,
      failUrl: input.failUrl,
      callbackUrl: input.callbackUrl,
      jsonParams: input.jsonParams,
      ip: input.ip,
      createdAt: now,
      expiresAt: input.expiresAt ?? now + (input.sessionTimeoutSecs ?? this.#defaultTimeoutSecs) * 1000,
      updatedAt: now,
      status: 0,
      actionCode: -100,
      attempts: 0,
      approvedAmount: 0,
      depositedAmount: 0,
      refundedAmount: 0,
      refunds: [],
      reverseAttempted: false,
      ...(input.cart && { cart: input.cart }),
      ...(input.taxSystem !== undefined && { taxSystem: input.taxSystem }),
    };
    this.store.add(order);
    return { ok: true, order };
  }

  /** Reads go through here so time-based transitions are applied lazily, before anyone looks. */
  get(id: string): SandboxOrder | undefined {
    const order = this.store.get(id);
    if (order) this.refresh(order);
    return order;
  }

  findByNumber(login: string, orderNumber: string): SandboxOrder | undefined {
    const order = this.store.findByNumber(login, orderNumber);
    if (order) this.refresh(order);
    return order;
  }

  /** Applies the order's due time-based transition, if any, and says which it was. */
  refresh(order: SandboxOrder): DueTransition | undefined {
    const now = this.clock.now();
    if (order.status === 5 && order.pending?.kind === 'processor') {
      if (now < order.pending.until) return undefined;
      this.#saved(order, () => this.#ledger.approve(order));
      return 'settled';
    }
    if (order.status === 1) {
      // A hold nobody captured or reversed in time: the gateway releases it, as of the moment it expired.
      const expiresAt = (order.authDateTime ?? order.updatedAt) + this.holdLifetimeMs;
      if (now < expiresAt) return undefined;
      this.#saved(order, () => ops.releaseHold(this.#ledger, order, expiresAt));
      return 'released';
    }
    if ((order.status === 0 || order.status === 5) && now >= order.expiresAt) {
      this.#saved(order, () => {
        delete order.pending;
        // Logically the order died at its expiry, whenever we notice; retention counts from then.
        this.#ledger.finish(order, 6, -2007, order.expiresAt);
        this.#ledger.emit(order, 'declinedByTimeout', 1, order.amount);
      });
      return 'expired';
    }
    return undefined;
  }

  /**
   * Runs a change to an order, then hands the order to the store (a no-op in memory, a write with the SQLite store).
   * Every method below that changes an order goes through here, so a restart finds each order as it was last left.
   */
  #saved<T>(order: SandboxOrder, change: () => T): T {
    try {
      return change();
    } finally {
      this.store.save(order);
    }
  }

  /**
   * Applies due transitions everywhere (expired pages, settled processor waits, expired holds) and purges orders past
   * expiry plus retention; counts each.
   */
  sweep(): SweepResult {
    const now = this.clock.now();
    const done: SweepResult = { expired: 0, settled: 0, released: 0, purged: 0 };
    for (const order of this.store.values()) {
      const transition = this.refresh(order);
      if (transition) done[transition]++;
    }
    // A live hold (refreshed above, so not expired yet) stays until it is captured, reversed or released.
    done.purged = this.store.purge(
      (o) => o.status !== 1 && now >= Math.max(o.expiresAt, o.updatedAt) + this.#retentionMs,
    );
    return done;
  }

  attemptsLeft(order: SandboxOrder): number {
    return Math.max(0, this.#maxAttempts - order.attempts);
  }

  /*
   * pay, completeChallenge and the merchant operations below take an order fetched with get() or findByNumber()
   * in the same request: those already applied due expiries and settlements, so a second refresh here would only
   * repeat the work. (Every caller, the REST router and the hosted page, looks the order up right before.)
   */

  pay(order: SandboxOrder, card: CardInput, payerIp?: string): PayOutcome {
    if (order.status !== 0) return { kind: 'notPayable' };
    return this.#saved(order, () => this.#pay(order, card, payerIp));
  }

  #pay(order: SandboxOrder, card: CardInput, payerIp?: string): PayOutcome {
    order.attempts += 1;
    order.updatedAt = this.clock.now();
    const test = findTestCard(card.pan);
    order.card = {
      maskedPan: maskPan(card.pan),
      expiration: card.expiration,
      cardholderName: card.cardholderName,
      paymentSystem: test?.paymentSystem ?? paymentSystemOf(card.pan),
    };
    order.paymentWay = 'CARD';
    if (order.ip === undefined && payerIp) order.ip = payerIp;
    order.authRefNum = randomDigits(12);
    if (!test || card.cvc !== TEST_CVC) {
      // Wrong card data is a failed attempt the buyer may correct on the page, until attempts run out.
      if (order.attempts >= this.#maxAttempts) return this.#decline(order, -2013);
      order.actionCode = 1015;
      return { kind: 'retry', attemptsLeft: this.attemptsLeft(order) };
    }
    return this.#settle(order, test.scenario);
  }

  /** What a payment attempt that reached the bank comes to: the test card's (or wallet card's) scenario. */
  #settle(order: SandboxOrder, scenario: CardScenario): PayOutcome {
    switch (scenario.kind) {
      case 'approve':
        this.#ledger.approve(order);
        return { kind: 'approved' };
      case 'decline':
        return this.#decline(order, scenario.actionCode);
      case 'challenge':
        order.status = 5;
        order.pending = { kind: 'challenge' };
        return { kind: 'challenge' };
      case 'processorWait':
        order.status = 5;
        order.pending = { kind: 'processor', until: this.clock.now() + this.#processingDelayMs };
        return { kind: 'processing' };
    }
  }

  /**
   * A payment through a wallet (wallets.ts): the hosted page's simulated sheet or a direct wallet endpoint. The
   * wallet's card needs no CVC; the order reports the wallet's paymentWay and the card's number masked (a token's
   * device PAN, never a funding card's).
   */
  payWithWallet(order: SandboxOrder, wallet: WalletId, card: WalletTestCard, payerIp?: string): PayOutcome {
    if (order.status !== 0) return { kind: 'notPayable' };
    return this.#saved(order, () => {
      order.attempts += 1;
      order.updatedAt = this.clock.now();
      order.card = {
        maskedPan: maskPan(card.pan),
        expiration: `${new Date(this.clock.now()).getUTCFullYear() + 3}12`,
        cardholderName: '',
        paymentSystem: paymentSystemOf(card.pan),
      };
      order.paymentWay = paymentWayOf(wallet, card.kind);
      if (order.ip === undefined && payerIp) order.ip = payerIp;
      order.authRefNum = randomDigits(12);
      return this.#settle(order, card.scenario);
    });
  }

  completeChallenge(order: SandboxOrder, otp: string): PayOutcome {
    if (order.status !== 5 || order.pending?.kind !== 'challenge') return { kind: 'notPayable' };
    return this.#saved(order, () => {
      delete order.pending;
      if (otp.trim() === TEST_OTP) {
        this.#ledger.approve(order);
        return { kind: 'approved' };
      }
      return this.#decline(order, -2006);
    });
  }

  #decline(order: SandboxOrder, actionCode: number): PayOutcome {
    this.#ledger.declinePayment(order, actionCode);
    return { kind: 'declined' };
  }

  /** `items`: the capture's lines of a cart order (depositItems, cart.ts). */
  deposit(order: SandboxOrder, amount: number, items?: readonly CartItem[]): OpResult {
    return this.#saved(order, () => ops.deposit(this.#ledger, order, amount, items));
  }

  reverse(order: SandboxOrder, amount: number | undefined): OpResult {
    return this.#saved(order, () => ops.reverse(this.#ledger, order, amount));
  }

  /** `items`: the refund's lines of a cart order (refundItems, cart.ts). */
  refund(order: SandboxOrder, amount: number, externalRefundId?: string, items?: readonly CartItem[]): OpResult {
    return this.#saved(order, () => ops.refund(this.#ledger, order, amount, externalRefundId, items));
  }

  decline(order: SandboxOrder): OpResult {
    return this.#saved(order, () => ops.decline(this.#ledger, order));
  }
}
