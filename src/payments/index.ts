import type { Logger } from '../log.js';
import type { GatewayClient, OrderStatusExtended } from '../gateway/index.js';
import type { Ledger, Order, StatusCause } from '../orders/types.js';
import { movedItems, type FiscalLookup, type LinePart } from './bundle.js';
import { createOrderGate } from './gate.js';
import { createReceipts, type KeptReceipt } from './receipts.js';
import { createReconciler, type Reconciler, type ReconcilerOptions } from './reconciler.js';
import { createPageCheck, createRegister, type RegisterRequest, type Registration } from './register.js';
import { createSettle, type Settled } from './settle.js';
import type { PaymentsMetrics } from './types.js';

export { describeSkipped, type ReconcileSummary, type Reconciler, type ReconcilerOptions } from './reconciler.js';
export { purchasePolicy, type Registration } from './register.js';
export {
  fiscalProblem,
  fiscalSettings,
  partsOfLines,
  positionOf,
  spreadAmount,
  type ChosenLine,
  type FiscalLookup,
  type FiscalSettings,
  type LinePart,
} from './bundle.js';
export type { Settled } from './settle.js';
export { receiptsOf, RECEIPT_EVENT, type KeptReceipt } from './receipts.js';
export type { PaymentsMetrics } from './types.js';

/** The settings payments read: a part of src/config.ts's Config (which fits it as it is). */
export interface PaymentsConfig {
  /** The shop's public URL: the gateway sends the buyer back to its /checkout/return and /checkout/fail. */
  readonly publicBaseUrl: string;
  /** How long a payment page takes a payment (ORDER_LIFETIME_SECS). */
  readonly orderLifetimeSecs: number;
  /** GATEWAY_DYNAMIC_CALLBACK=on: the URL each order's callbacks are sent to; undefined when off. */
  readonly callbacks: { readonly dynamicUrl: string | undefined };
  /** GATEWAY_TIMEOUT_MS: how long a register call may take. */
  readonly gateway: { readonly timeoutMs: number };
  /** TAX_SYSTEM (0..5): sent with every register; undefined: not sent. */
  readonly taxSystem?: number | undefined;
  /** The reconciler's schedule (RECONCILE_*). */
  readonly reconcile: Pick<ReconcilerOptions, 'intervalMs' | 'batch' | 'recheckPaidForMs' | 'giveUpAfterMs'>;
}

export interface PaymentsDeps {
  config: PaymentsConfig;
  ledger: Ledger;
  gateway: GatewayClient;
  logger: Logger;
  /** Called exactly once per order, when it first becomes paid (or authorized in two-phase): ship the goods here. */
  onFulfilled?: ((orderId: number) => void) | undefined;
  /** Called after every attempt to bring an order up to date from the gateway, whatever its outcome. */
  onSettled?: ((order: Order, cause: StatusCause) => void) | undefined;
  /** Prometheus counters (src/metrics/); absent = nothing is counted. */
  metrics?: PaymentsMetrics | undefined;
  /** The catalog's fiscal settings of a product (its cart line on the receipt); absent: the defaults (bundle.ts). */
  fiscal?: FiscalLookup | undefined;
  /**
   * Claims `key` for `ms` across every instance: true when this call got it (Redis SET NX PX with REDIS_URL). Absent,
   * the returns' cool-down holds per process only. A rejection counts as got: the local gate still bounds the calls.
   */
  cooldown?: ((key: string, ms: number) => Promise<boolean>) | undefined;
  /** The clock of the cool-down and the reconciler; default Date.now. */
  now?: () => number;
  /** The reconciler's options where they differ from config's (the one-shot run's intervalMs: 0, tests). */
  reconciler?: Partial<ReconcilerOptions>;
}

/** An order's payment state, owned here: the shop and the back office ask, never change it themselves. */
export interface Payments {
  /** register.do / registerPreAuth.do for a new order, and its recording (register.ts). */
  register: (order: Order, req: RegisterRequest) => Promise<Registration>;
  /** Whether the payment page stored for a repeat Buy still takes a payment (register.ts). */
  stillPayable: (order: Order, referenceId: string) => Promise<boolean>;
  /** Brings the order up to date from the gateway, sharing a status call queued or running for it. */
  settle: (order: Order, cause: StatusCause, language?: string) => Promise<Settled | undefined>;
  /** A return: shares a call in flight, else asks unless a return asked less than a cool-down ago (gate.ts). */
  settleOnReturn: (order: Order, language: string) => Promise<Settled | undefined>;
  /** A callback: shares a call in flight if it brought news, else asks once more after it (gate.ts). */
  settleOnCallback: (order: Order) => Promise<Settled | undefined>;
  /** The back office: a status call that starts after whatever runs for the order now (e.g. its own capture). */
  settleFresh: (order: Order, cause: StatusCause) => Promise<Settled | undefined>;
  /** What the gateway says about the order now, read only (the back office's order page), one call at a time. */
  liveStatus: (order: Order & { gatewayOrderId: string }) => Promise<OrderStatusExtended>;
  /**
   * deposit.do, refund.do, reverse.do: alone for the order (no status call beside them); errors are thrown. False
   * when nothing was sent: `stillOurs`, asked when its turn came, said the caller's claim ran out while it waited.
   */
  /** `parts`: the lines the capture takes (depositItems, built by bundle.ts), adding up to `amount`. */
  capture: (order: Order, amount: number, stillOurs?: () => boolean, parts?: readonly LinePart[]) => Promise<boolean>;
  /** `parts`: the lines the refund gives back (refundItems, built by bundle.ts), adding up to `amount`. */
  refund: (
    order: Order,
    amount: number,
    externalRefundId: string,
    stillOurs?: () => boolean,
    parts?: readonly LinePart[],
  ) => Promise<boolean>;
  reverse: (order: Order, stillOurs?: () => boolean) => Promise<boolean>;
  /**
   * getReceiptStatus.do for the order, one call at a time for it like liveStatus: each receipt new or changed since
   * the ledger last heard is kept as a 'receipt' event (receipts.ts); answers the order's receipts. Errors are thrown.
   */
  receipts: (order: Order & { gatewayOrderId: string }) => Promise<KeptReceipt[]>;
  /** The periodic job (start/stop) and its one-shot run, settling through the same gate. */
  reconciler: Reconciler;
}

/**
 * Payments, built once per process by its launcher (src/server.ts, src/reconcile.ts) and handed to the shop's and
 * the back office's handlers: one settle, one per-order gate, one reconciler.
 */
export function createPayments(deps: PaymentsDeps): Payments {
  const { config, ledger, gateway, logger, metrics } = deps;
  // Read at each use, not kept: a test that moves Date.now moves the cool-down too, as it did before.
  const now = deps.now ?? (() => Date.now());
  const settle = createSettle(deps);
  const gate = createOrderGate({ settle, load: async (id) => ledger.get(id), cooldown: deps.cooldown, now });
  const register = createRegister(
    { ledger, gateway, logger, metrics, fiscal: deps.fiscal },
    {
      publicBaseUrl: config.publicBaseUrl,
      orderLifetimeSecs: config.orderLifetimeSecs,
      dynamicCallbackUrl: config.callbacks.dynamicUrl,
      taxSystem: config.taxSystem,
    },
  );
  const reconciler = createReconciler(
    { ledger, logger, metrics, settle: gate.share, registerTimeoutMs: config.gateway.timeoutMs },
    { ...config.reconcile, pageLifetimeMs: config.orderLifetimeSecs * 1000, now, ...deps.reconciler },
  );
  const orderId = (order: Order) => order.gatewayOrderId ?? '';
  const fiscal = deps.fiscal ?? (() => undefined);
  const receipts = createReceipts({ ledger, gateway });
  /** Sends a money call when its turn in the order's gate comes, if the caller's claim is still good then. */
  const alone = (order: Order, stillOurs: (() => boolean) | undefined, send: () => Promise<void>) =>
    gate.exclusive(order.id, async () => {
      if (stillOurs && !stillOurs()) return false;
      await send();
      return true;
    });
  return {
    register,
    stillPayable: createPageCheck({ ledger, gateway, logger }),
    settle: gate.share,
    settleOnReturn: gate.onReturn,
    settleOnCallback: gate.onCallback,
    settleFresh: gate.fresh,
    liveStatus: (order) =>
      gate.exclusive(order.id, () => gateway.getOrderStatusExtended({ orderId: order.gatewayOrderId })),
    capture: (order, amount, stillOurs, parts) => {
      // Built before the order's turn: lines the order does not have are refused before anything is sent.
      const items = parts === undefined ? undefined : movedItems(order, fiscal, parts);
      return alone(order, stillOurs, () =>
        gateway.deposit({ orderId: orderId(order), amount, ...(items && { items }) }),
      );
    },
    refund: (order, amount, externalRefundId, stillOurs, parts) => {
      const items = parts === undefined ? undefined : movedItems(order, fiscal, parts);
      return alone(order, stillOurs, () =>
        gateway.refund({ orderId: orderId(order), amount, externalRefundId, ...(items && { items }) }),
      );
    },
    reverse: (order, stillOurs) => alone(order, stillOurs, () => gateway.reverse({ orderId: orderId(order) })),
    receipts: (order) => gate.exclusive(order.id, () => receipts(order)),
    reconciler,
  };
}
