import { describe, expect, it } from '@jest/globals';
import { DuplicatePurchaseError, InvalidOrderError, InvalidTransitionError } from '../../src/orders/errors.js';
import {
  NOTHING,
  byLastChecked,
  casFrom,
  casTarget,
  checkEventLabels,
  checkGatewayStatus,
  checkLeaseQuery,
  createdClaim,
  createdEvent,
  decideAdopt,
  decideClaim,
  decideMismatch,
  decideNeverRegistered,
  decideRegistered,
  decideRegisterFailed,
  decideRelease,
  decideStatus,
  dueWindow,
  listFilter,
  recentLimit,
  refuseDuplicate,
  unitsByProduct,
  type RowWrite,
} from '../../src/orders/rules.js';
import { RECHECK_AFTER_PAYMENT, STALE_CANDIDATES } from '../../src/orders/state-machine.js';
import type {
  GatewayStatusInput,
  LocalStatus,
  Order,
  OrderListQuery,
  PurchasePolicy,
  ReconcileQuery,
} from '../../src/orders/types.js';
import { LOCAL_STATUSES } from '../../src/orders/types.js';
import { orderInput } from '../helpers/orders-db.js';

/** The decisions of src/orders/rules.ts on plain rows: no database, every branch. */

const T = 1_700_000_000_000;

function row(overrides: Partial<Order> = {}): Order {
  return {
    id: 7,
    orderNumber: 'SHOP-7',
    gatewayOrderId: 'gw-7',
    formUrl: 'https://pay.example/payment_en.html?mdOrder=gw-7',
    items: [{ productId: 'mug', name: 'Mug', quantity: 2, unitAmount: 1250 }],
    amount: 2500,
    currency: '978',
    flow: 'one-phase',
    language: 'en',
    status: 'registered',
    actionCode: null,
    gatewayStatus: null,
    purchaseKey: 'cart-1',
    createdAt: T - 60_000,
    updatedAt: T - 60_000,
    paidAt: null,
    checkedAt: null,
    nextCheckAt: null,
    depositedAmount: 0,
    refundedAmount: 0,
    card: { maskedPan: null, paymentWay: null },
    ...overrides,
  };
}

const reply = (orderStatus: number, more: Partial<GatewayStatusInput> = {}): GatewayStatusInput => ({
  orderStatus,
  actionCode: 0,
  ...more,
});

describe('decideStatus: what an order becomes given its row and the gateway answer', () => {
  const kinds = (events: readonly { kind: string; outcome: string }[]) => events.map((e) => `${e.kind}:${e.outcome}`);

  it.each<[string, Partial<Order>, GatewayStatusInput, { write?: string; events: string[]; changed: boolean }]>([
    [
      'an orderStatus the shop does not map (7) is kept as evidence only',
      {},
      reply(7),
      {
        events: ['status:unknown_status'],
        changed: false,
      },
    ],
    [
      'the status the order already has, nothing more moved, writes the fields and no event',
      { status: 'paid', paidAt: T - 1 },
      reply(2),
      {
        write: 'refresh',
        events: [],
        changed: false,
      },
    ],
    [
      'the same status with more refunded is an amounts event',
      { status: 'partially_refunded', paidAt: T - 1, depositedAmount: 2500, refundedAmount: 500 },
      reply(4, { amounts: { deposited: 2500, refunded: 1000 } }),
      {
        write: 'refresh',
        events: ['status:amounts'],
        changed: true,
      },
    ],
    [
      'the same status with less refunded (a stale reply) takes nothing back and is no event',
      { status: 'partially_refunded', paidAt: T - 1, depositedAmount: 2500, refundedAmount: 1000 },
      reply(4, { amounts: { deposited: 2500, refunded: 500 } }),
      {
        write: 'refresh',
        events: [],
        changed: false,
      },
    ],
    [
      'a reply the transition table refuses (processing after paid) is ignored',
      { status: 'paid', paidAt: T - 1 },
      reply(5),
      {
        events: ['status:ignored'],
        changed: false,
      },
    ],
    [
      'a declined reply moves a registered order, with no fulfilment',
      {},
      reply(6),
      {
        write: 'move',
        events: ['status:changed'],
        changed: true,
      },
    ],
    [
      'paid after authorized (already fulfilled) moves without a second fulfilment',
      { status: 'authorized', paidAt: T - 1 },
      reply(2),
      {
        write: 'move',
        events: ['status:changed'],
        changed: true,
      },
    ],
    [
      'a first paid reply moves and fulfils',
      {},
      reply(2),
      {
        write: 'move',
        events: ['status:changed', 'fulfilled:paid'],
        changed: true,
      },
    ],
  ])('when %s', (_title, current, s, expected) => {
    const plan = decideStatus(row(current), s, T);
    expect(plan.write?.kind).toBe(expected.write);
    expect(kinds(plan.events)).toEqual(expected.events);
    expect(plan.changed).toBe(expected.changed);
    expect(plan.fulfilled).toBe(expected.events.includes('fulfilled:paid'));
    expect(plan.fulfil !== undefined).toBe(plan.fulfilled);
  });

  it('when a first paid reply arrives, then paidAt is stamped, each product fulfilled once, and the cause kept', () => {
    const o = row({
      items: [
        { productId: 'mug', name: 'Mug', quantity: 1, unitAmount: 1000 },
        { productId: 'cap', name: 'Cap', quantity: 1, unitAmount: 500 },
        { productId: 'mug', name: 'Mug', quantity: 2, unitAmount: 500 },
      ],
    });
    const cause = { source: 'callback' as const };
    const plan = decideStatus(o, reply(2, { amounts: { deposited: 2500 }, cause }), T);
    expect(plan.write).toEqual({
      kind: 'move',
      to: 'paid',
      fields: { orderStatus: 2, actionCode: 0, deposited: 2500, refunded: 0, paidAt: T },
    });
    expect(plan.fulfil).toEqual({
      status: 'paid',
      units: [
        ['cap', 1],
        ['mug', 3],
      ],
    });
    expect(plan.events[0]!.detail).toEqual({
      orderStatus: 2,
      actionCode: 0,
      from: 'registered',
      to: 'paid',
      cause,
      amounts: { deposited: 2500 },
    });
    expect(plan.events[1]).toEqual({ kind: 'fulfilled', outcome: 'paid', detail: { amount: 2500, currency: '978' } });
  });

  it('when a move does not fulfil, then paidAt is left as the row has it', () => {
    const plan = decideStatus(row({ status: 'paid', paidAt: T - 5 }), reply(3), T);
    expect(plan.write).toMatchObject({ kind: 'move', to: 'reversed', fields: { paidAt: null } });
  });

  it("when a reply names less money moved than the row has, then the plan writes the row's amounts", () => {
    const o = row({ status: 'partially_refunded', paidAt: T - 1, depositedAmount: 2500, refundedAmount: 1000 });
    const stale = decideStatus(o, reply(4, { amounts: { deposited: 2000, refunded: 500 } }), T);
    expect(stale.write).toMatchObject({ kind: 'refresh', fields: { deposited: 2500, refunded: 1000 } });
    const more = decideStatus(o, reply(4, { amounts: { deposited: 2500, refunded: 1500 } }), T);
    expect(more.write).toMatchObject({ kind: 'refresh', fields: { deposited: 2500, refunded: 1500 } });
    const refunded = decideStatus(o, reply(4), T);
    expect(refunded.write).toMatchObject({ kind: 'move', to: 'refunded', fields: { deposited: 2500, refunded: 1000 } });
    const mismatch = decideMismatch(row({ depositedAmount: 300, refundedAmount: 100 }), {}, undefined);
    expect(mismatch.write).toMatchObject({ kind: 'move', to: 'mismatch', fields: { deposited: 300, refunded: 100 } });
  });

  it('when a refund reply names less refunded than deposited, then the order becomes partially refunded', () => {
    const plan = decideStatus(
      row({ status: 'paid', paidAt: T - 1 }),
      reply(4, { amounts: { deposited: 2500, refunded: 100 } }),
      T,
    );
    expect(plan.write).toMatchObject({ kind: 'move', to: 'partially_refunded' });
  });

  it.each<[string, Partial<Order>, GatewayStatusInput['card'], object | undefined]>([
    [
      'a masked card on a move is kept',
      {},
      { maskedPan: '411111**1111', paymentWay: 'CARD' },
      { maskedPan: '411111**1111', paymentWay: 'CARD' },
    ],
    [
      'a card the order already keeps is not written again',
      { card: { maskedPan: '411111**1111', paymentWay: 'CARD' } },
      { maskedPan: '411111**1111', paymentWay: 'CARD' },
      undefined,
    ],
    ['a full number is never kept', {}, { maskedPan: '4111111111111111' }, undefined],
    [
      'no card in the reply keeps what the order has',
      { card: { maskedPan: '411111**1111', paymentWay: 'CARD' } },
      undefined,
      undefined,
    ],
  ])('when %s', (_title, current, card, expected) => {
    expect(decideStatus(row(current), reply(2, { card }), T).card).toEqual(expected);
  });

  it('when the reply changes no status and is ignored or unknown, then its card is not written either', () => {
    const card = { maskedPan: '411111**1111', paymentWay: 'CARD' };
    expect(decideStatus(row({ status: 'paid', paidAt: T - 1 }), reply(5, { card }), T).card).toBeUndefined();
    expect(decideStatus(row(), reply(7, { card }), T).card).toBeUndefined();
  });
});

describe('checkGatewayStatus: which status reply is refused', () => {
  it.each<[string, GatewayStatusInput]>([
    ['a fractional orderStatus', reply(2.5)],
    ['an actionCode that is not a number', { orderStatus: 2, actionCode: Number.NaN }],
    ['a negative deposited amount', reply(2, { amounts: { deposited: -1 } })],
    ['a fractional refunded amount', reply(4, { amounts: { refunded: 0.5 } })],
    ['an amount past 2^53', reply(2, { amounts: { deposited: 2 ** 60 } })],
  ])('when %s, then InvalidOrderError', (_title, s) => {
    expect(() => checkGatewayStatus(s)).toThrow(InvalidOrderError);
  });

  it('when the reply is well formed, with or without amounts, then it passes', () => {
    expect(() => checkGatewayStatus(reply(2))).not.toThrow();
    expect(() => checkGatewayStatus(reply(4, { amounts: { deposited: 0, refunded: 0 } }))).not.toThrow();
  });
});

describe('decideMismatch', () => {
  const detail = { reason: 'amount' };
  it.each<[LocalStatus, string, boolean]>([
    ['registered', 'marked', true],
    ['new', 'marked', true],
    ['processing', 'marked', true],
    ['paid', 'ignored', false],
    ['refunded', 'ignored', false],
    ['mismatch', 'unchanged', false],
  ])('when the order is %s, then the mismatch is %s', (status, outcome, moves) => {
    const plan = decideMismatch(row({ status }), detail, { source: 'return' });
    expect(plan.events.map((e) => e.outcome)).toEqual([outcome]);
    expect(plan.write).toEqual(
      moves
        ? {
            kind: 'move',
            to: 'mismatch',
            fields: { orderStatus: null, actionCode: null, deposited: 0, refunded: 0, paidAt: null },
          }
        : undefined,
    );
    expect(plan.events[0]!.detail).toEqual(
      moves
        ? { reason: 'amount', cause: { source: 'return' } }
        : { reason: 'amount', cause: { source: 'return' }, status },
    );
  });
});

describe('the registration decisions', () => {
  const FORM = { gatewayOrderId: 'gw-9', formUrl: 'https://pay.example/payment_en.html?mdOrder=gw-9' };

  it('decideRegistered: a new order is registered; the same reply again is nothing; anything else is refused', () => {
    expect(decideRegistered(row({ status: 'new', gatewayOrderId: null, formUrl: null }), FORM)).toEqual({
      write: { kind: 'register', ...FORM },
      events: [{ kind: 'register', outcome: 'registered', detail: { gatewayOrderId: 'gw-9' } }],
    });
    expect(decideRegistered(row({ status: 'registered', ...FORM }), FORM)).toBe(NOTHING);
    expect(() => decideRegistered(row({ status: 'registered' }), FORM)).toThrow(InvalidTransitionError);
    expect(() => decideRegistered(row({ status: 'register_failed' }), FORM)).toThrow(InvalidTransitionError);
  });

  it.each<[LocalStatus, 'register_failed' | 'register_unknown', 'write' | 'nothing' | 'refused']>([
    ['new', 'register_failed', 'write'],
    ['new', 'register_unknown', 'write'],
    ['register_failed', 'register_failed', 'nothing'],
    ['register_unknown', 'register_unknown', 'nothing'],
    ['register_unknown', 'register_failed', 'refused'],
    ['registered', 'register_unknown', 'refused'],
  ])('decideRegisterFailed: from %s to %s: %s', (status, to, expected) => {
    const decide = () => decideRegisterFailed(row({ status }), to, { error: 'x' });
    if (expected === 'refused') return expect(decide).toThrow(InvalidTransitionError);
    if (expected === 'nothing') return expect(decide()).toBe(NOTHING);
    expect(decide()).toEqual({
      write: { kind: 'fail', status: to },
      events: [{ kind: 'register_error', outcome: to, detail: { error: 'x' } }],
    });
  });

  it.each<[LocalStatus, 'write' | 'nothing' | 'refused']>([
    ['new', 'write'],
    ['register_unknown', 'write'],
    ['register_failed', 'nothing'],
    ['registered', 'refused'],
    ['paid', 'refused'],
  ])('decideNeverRegistered: from %s: %s', (status, expected) => {
    const decide = () => decideNeverRegistered(row({ status }), { by: 'reconciler' });
    if (expected === 'refused') return expect(decide).toThrow(InvalidTransitionError);
    if (expected === 'nothing') return expect(decide()).toBe(NOTHING);
    expect(decide()).toMatchObject({
      write: { kind: 'move', to: 'register_failed' },
      events: [{ kind: 'register_error', outcome: 'never_registered', detail: { by: 'reconciler' } }],
    });
  });

  it('decideAdopt: an order without a gateway id adopts it; the same id is nothing; another id is refused', () => {
    expect(decideAdopt(row({ gatewayOrderId: null }), 'gw-8')).toEqual({
      write: { kind: 'adopt', gatewayOrderId: 'gw-8' },
      events: [{ kind: 'register', outcome: 'adopted', detail: { gatewayOrderId: 'gw-8' } }],
    });
    expect(decideAdopt(row({ gatewayOrderId: 'gw-8' }), 'gw-8')).toBe(NOTHING);
    expect(() => decideAdopt(row({ gatewayOrderId: 'gw-7' }), 'gw-8')).toThrow(InvalidOrderError);
  });

  it('decideRelease: a registered order frees its key; a new order or a released key is nothing', () => {
    expect(decideRelease(row({ status: 'registered' }), { why: 'gone' })).toEqual({
      write: { kind: 'release' },
      events: [{ kind: 'purchase_key', outcome: 'released', detail: { status: 'registered', why: 'gone' } }],
    });
    expect(decideRelease(row({ status: 'new' }))).toBe(NOTHING);
    expect(decideRelease(row({ purchaseKey: null }))).toBe(NOTHING);
  });
});

describe('decideClaim: what a purchase claim answers given the pending order', () => {
  const owner = { instance: 'host:8080', life: 'now' };
  const policy: PurchasePolicy = { abandonAfterMs: 30_000, reuseForMs: 600_000, owner };
  const stored = (life: string) => JSON.stringify(['host:8080', life]);

  it('when nothing is pending, then a new order is created with the claimant as owner', () => {
    expect(decideClaim(undefined, undefined, policy, T)).toEqual({ create: { owner: stored('now') } });
    expect(decideClaim(undefined, undefined, { ...policy, owner: undefined }, T)).toEqual({ create: { owner: null } });
  });

  it.each<[string, Partial<Order>, string | null, string]>([
    [
      'a new order claimed by another instance is in flight',
      { status: 'new', createdAt: T - 1_000 },
      JSON.stringify(['other:8080', 'x']),
      'in_flight',
    ],
    [
      'a new order claimed by this very life is in flight',
      { status: 'new', createdAt: T - 1_000 },
      stored('now'),
      'in_flight',
    ],
    ['a new order of an unknown owner is in flight', { status: 'new', createdAt: T - 1_000 }, 'not json', 'in_flight'],
    [
      'a registered order with a fresh page is reusable',
      { status: 'registered', createdAt: T - 1_000 },
      null,
      'reusable',
    ],
  ])('when %s', (_title, pending, claimOwner, outcome) => {
    const o = row(pending);
    const plan = decideClaim(o, claimOwner, policy, T);
    expect(plan).toEqual({ answer: { outcome, order: o, ...(outcome === 'reusable' && { formUrl: o.formUrl }) } });
  });

  it.each<[string, Partial<Order>, string | null, object]>([
    [
      'a registered order whose page went stale: its key is released',
      { status: 'registered', createdAt: T - 600_000 },
      null,
      {
        write: { kind: 'release' },
      },
    ],
    [
      'a registered order without a payment page: its key is released',
      { status: 'registered', formUrl: null, createdAt: T - 1 },
      null,
      {
        write: { kind: 'release' },
      },
    ],
    [
      'a new order older than abandonAfterMs: retired as register_unknown',
      { status: 'new', createdAt: T - 30_000 },
      null,
      {
        write: { kind: 'fail', status: 'register_unknown' },
        events: [
          {
            kind: 'register_error',
            outcome: 'register_unknown',
            detail: { reason: 'abandoned before the gateway answered' },
          },
        ],
      },
    ],
    [
      'a new order of this instance in an earlier life: retired at once',
      { status: 'new', createdAt: T - 1 },
      stored('before'),
      {
        write: { kind: 'fail', status: 'register_unknown' },
        events: [
          {
            kind: 'register_error',
            outcome: 'register_unknown',
            detail: { reason: 'the process registering it is gone (restarted)' },
          },
        ],
      },
    ],
  ])('when %s, then a new order is created after retiring it', (_title, pending, claimOwner, retirePlan) => {
    const o = row(pending);
    const plan = decideClaim(o, claimOwner, policy, T);
    expect(plan).toMatchObject({ create: { owner: stored('now') }, retire: { order: o, plan: retirePlan } });
  });

  it('createdClaim names the retired order only when there is one', () => {
    const o = row();
    expect(createdClaim(o, undefined)).toEqual({ outcome: 'created', order: o });
    expect(createdClaim(o, row({ id: 3 }))).toEqual({ outcome: 'created', order: o, retired: row({ id: 3 }) });
  });

  it('refuseDuplicate: createOrder refuses a second pending order of one purchase', () => {
    expect(() => refuseDuplicate(undefined)).not.toThrow();
    expect(() => refuseDuplicate(row())).toThrow(DuplicatePurchaseError);
  });

  it('createdEvent records the amount, currency and flow of a new order', () => {
    expect(createdEvent(orderInput())).toEqual({
      kind: 'created',
      outcome: 'ok',
      detail: { amount: 2500, currency: '978', flow: 'one-phase' },
    });
  });
});

describe('the queries: which input is refused, and what it asks', () => {
  const page = (q: Partial<OrderListQuery>): OrderListQuery => ({ limit: 20, offset: 0, ...q });

  it.each<[string, Partial<OrderListQuery>]>([
    ['limit 0', { limit: 0 }],
    ['limit 101', { limit: 101 }],
    ['a fractional limit', { limit: 1.5 }],
    ['a negative offset', { offset: -1 }],
    ['an unknown status', { status: 'shipped' as LocalStatus }],
    ['an empty text', { text: '' }],
    ['a text over 64 characters', { text: 'x'.repeat(65) }],
  ])('listFilter refuses %s', (_title, q) => {
    expect(() => listFilter(page(q))).toThrow(InvalidOrderError);
  });

  it.each<[Partial<OrderListQuery>, { status: LocalStatus | null; like: string | null }]>([
    [{}, { status: null, like: null }],
    [{ status: 'paid' }, { status: 'paid', like: null }],
    [{ text: 'SHOP-12' }, { status: null, like: '%shop-12%' }],
    [{ text: '50%_off\\' }, { status: null, like: '%50\\%\\_off\\\\%' }],
    [{ text: 'ÄB' }, { status: null, like: '%Äb%' }],
  ])('listFilter(%j) asks %j', (q, expected) => {
    expect(listFilter(page(q))).toEqual(expected);
  });

  it('every local status is a status the list accepts', () => {
    for (const status of LOCAL_STATUSES) expect(listFilter(page({ status })).status).toBe(status);
  });

  it.each([
    [0, 1],
    [Number.NaN, 1],
    [2.7, 2],
    [5000, 1000],
  ])('recentLimit(%p) is %p', (asked, limit) => {
    expect(recentLimit(asked)).toBe(limit);
  });

  const lease = (limit: number): ReconcileQuery => ({
    holder: 'h',
    leaseMs: 1000,
    openBefore: T,
    paidSince: T,
    checkedBefore: T,
    limit,
  });

  it('checkLeaseQuery takes a batch of 1..1000', () => {
    for (const limit of [0, 1001, 1.5]) expect(() => checkLeaseQuery(lease(limit))).toThrow(InvalidOrderError);
    for (const limit of [1, 1000]) expect(() => checkLeaseQuery(lease(limit))).not.toThrow();
  });

  it('dueWindow: due by the clock unless dueBy says otherwise', () => {
    expect(dueWindow(lease(5), T)).toEqual({
      open: STALE_CANDIDATES,
      paid: RECHECK_AFTER_PAYMENT,
      openBefore: T,
      paidSince: T,
      checkedBefore: T,
      dueBy: T,
      now: T,
    });
    expect(dueWindow({ ...lease(5), dueBy: T + 9 }, T).dueBy).toBe(T + 9);
  });

  it('byLastChecked: never checked first, then least recently, then by id', () => {
    const orders = [row({ id: 3, checkedAt: 5 }), row({ id: 2, checkedAt: null }), row({ id: 1, checkedAt: 5 })];
    expect(orders.sort(byLastChecked).map((o) => o.id)).toEqual([2, 1, 3]);
  });

  it('checkEventLabels refuses an empty or overlong kind or outcome', () => {
    expect(() => checkEventLabels('', 'ok')).toThrow(InvalidOrderError);
    expect(() => checkEventLabels('admin', 'x'.repeat(65))).toThrow(InvalidOrderError);
    expect(() => checkEventLabels('admin', 'ok')).not.toThrow();
  });
});

const MOVE = { orderStatus: null, actionCode: null, deposited: 0, refunded: 0, paidAt: null };

describe('the plan helpers', () => {
  it.each<[RowWrite, LocalStatus | undefined]>([
    [{ kind: 'register', gatewayOrderId: 'g', formUrl: 'https://x' }, 'registered'],
    [{ kind: 'fail', status: 'register_unknown' }, 'register_unknown'],
    [
      { kind: 'move', to: 'paid', fields: { orderStatus: 2, actionCode: 0, deposited: 0, refunded: 0, paidAt: T } },
      'paid',
    ],
    [{ kind: 'refresh', fields: { orderStatus: 2, actionCode: 0, deposited: 0, refunded: 0 } }, undefined],
    [{ kind: 'release' }, undefined],
    [{ kind: 'adopt', gatewayOrderId: 'g' }, undefined],
  ])('casTarget(%j) is %p', (w, target) => {
    expect(casTarget(w)).toBe(target);
  });

  it('each write is a compare-and-set from exactly the statuses its decision writes from', () => {
    const form = { gatewayOrderId: 'gw-9', formUrl: 'https://pay.example/payment_en.html?mdOrder=gw-9' };
    const writes = (decide: () => { write?: RowWrite }, kind: RowWrite['kind']) => {
      try {
        return decide().write?.kind === kind;
      } catch {
        return false;
      }
    };
    for (const status of LOCAL_STATUSES) {
      const o = row({ status, gatewayOrderId: null, formUrl: null });
      const cases: [string, boolean, RowWrite][] = [
        ['register', writes(() => decideRegistered(o, form), 'register'), { kind: 'register', ...form }],
        ...(['register_failed', 'register_unknown'] as const).map((to): [string, boolean, RowWrite] => [
          `fail ${to}`,
          writes(() => decideRegisterFailed(o, to, {}), 'fail'),
          { kind: 'fail', status: to },
        ]),
        [
          'mismatch',
          writes(() => decideMismatch(o, {}, undefined), 'move'),
          { kind: 'move', to: 'mismatch', fields: MOVE },
        ],
        [
          'never registered',
          writes(() => decideNeverRegistered(o, {}), 'move'),
          { kind: 'move', to: 'register_failed', fields: MOVE },
        ],
      ];
      for (const [what, decided, w] of cases)
        expect([status, what, casFrom(w).includes(status)]).toEqual([status, what, decided]);
    }
  });

  it('unitsByProduct sums the units of each product, sorted by product', () => {
    const o = row({
      items: [
        { productId: 'b', name: 'B', quantity: 1, unitAmount: 1 },
        { productId: 'a', name: 'A', quantity: 2, unitAmount: 1 },
        { productId: 'b', name: 'B', quantity: 3, unitAmount: 1 },
      ],
    });
    expect(unitsByProduct(o)).toEqual([
      ['a', 2],
      ['b', 4],
    ]);
  });
});
