import { describe, expect, it } from '@jest/globals';
import { createHash, randomUUID } from 'node:crypto';
import {
  claimsOf,
  UNRESOLVED,
  type IntentAnswer,
  type IntentPolicy,
  type MoneyAction,
} from '../../src/orders/intents.js';
import { describeLedgers, type AsyncLedger, type OpenLedger } from '../helpers/ledgers.js';
import { orderInput } from '../helpers/orders-db.js';

const POLICY: IntentPolicy = { issuedForMs: 3_600_000, pendingForMs: 60_000 };
const hashOf = (token: string) => createHash('sha256').update(token).digest('hex');

/** A ledger whose clock the test moves by hand, with a paid €25.00 order. */
async function paidOrder(open: OpenLedger) {
  let t = Date.UTC(2026, 11, 7, 12);
  const kit = await open(() => t);
  const { ledger } = kit;
  const order = await ledger.createOrder(orderInput());
  await ledger.markRegistered(order.id, { gatewayOrderId: `gw-${order.id}`, formUrl: 'https://pay.example/p' });
  await ledger.applyGatewayStatus(order.id, { orderStatus: 2, actionCode: 0, amounts: { deposited: 2500 } });
  return { ...kit, order, advance: (ms: number) => (t += ms) };
}

/** Shows a confirmation form: a fresh token and its intent. */
async function issue(ledger: AsyncLedger, orderId: number, action: MoneyAction = 'refund') {
  const token = `token-${randomUUID()}`;
  const intent = await ledger.issueIntent({
    tokenHash: hashOf(token),
    ref: randomUUID(),
    orderId,
    action,
    actor: 'admin',
    forgetIssuedBefore: 0,
  });
  const claim = (amount: number | null, over: { orderId?: number; action?: MoneyAction } = {}) =>
    ledger.claimIntent(
      {
        tokenHash: hashOf(token),
        orderId: over.orderId ?? orderId,
        action: over.action ?? action,
        amount,
        actor: 'admin',
      },
      POLICY,
    );
  return { token, tokenHash: hashOf(token), intent, claim };
}

/** Answers the form's latest claim (the attempt it stands at now), as the caller that made that claim does. */
async function answer(ledger: AsyncLedger, tokenHash: string, state: 'done' | 'refused' | 'unknown', a: IntentAnswer) {
  const current = await ledger.findIntent(tokenHash);
  if (!current) throw new Error('no such intent');
  return ledger.finishIntent(current, state, a);
}

const requested = async (ledger: AsyncLedger, orderId: number) =>
  (await ledger.events(orderId)).filter((e) => e.kind === 'admin' && e.detail?.step === 'requested');

describeLedgers('money-action intents (#43)', (open) => {
  it('when a form is submitted twice, then the first claim goes to the gateway and the repeat gets its answer, with one request recorded', async () => {
    const { ledger, order } = await paidOrder(open);
    const form = await issue(ledger, order.id);
    expect(form.intent).toMatchObject({ state: 'issued', amount: null, seen: { status: 'paid', deposited: 2500 } });

    const first = await form.claim(500);
    expect(first).toMatchObject({
      outcome: 'go',
      recheck: false,
      intent: { state: 'pending', amount: 500, attempts: 1 },
    });
    // While the first call runs, a repeat waits for it rather than calling again.
    expect(await form.claim(500)).toMatchObject({ outcome: 'busy', intent: { state: 'pending' } });

    await answer(ledger, form.tokenHash, 'done', { by: 'call' });
    const repeat = await form.claim(500);
    expect(repeat).toMatchObject({ outcome: 'repeat', intent: { state: 'done', attempts: 1, answer: { by: 'call' } } });
    expect(await requested(ledger, order.id)).toHaveLength(1);
    const answered = (await ledger.events(order.id)).filter((e) => e.detail?.step === 'answered');
    expect(answered).toEqual([
      expect.objectContaining({
        outcome: 'refund',
        detail: { actor: 'admin', amount: 500, step: 'answered', answer: 'ok', intent: form.intent.ref },
      }),
    ]);
  });

  it('when a used token comes back for another amount, another order or another action, then it is refused and nothing is claimed', async () => {
    const { ledger, order } = await paidOrder(open);
    const other = await ledger.createOrder(orderInput());
    const form = await issue(ledger, order.id);
    await form.claim(500);
    await answer(ledger, form.tokenHash, 'done', {});
    expect(await form.claim(700)).toMatchObject({ outcome: 'refused', reason: 'other_amount' });
    expect(await form.claim(500, { orderId: other.id })).toMatchObject({ outcome: 'refused', reason: 'other_order' });
    expect(await form.claim(500, { action: 'capture' })).toMatchObject({ outcome: 'refused', reason: 'other_order' });

    const unused = await issue(ledger, order.id);
    expect(await unused.claim(100, { orderId: other.id })).toMatchObject({ outcome: 'refused', reason: 'other_order' });
    expect((await ledger.findIntent(unused.tokenHash))?.state).toBe('issued');
    expect(await requested(ledger, order.id)).toHaveLength(1);
    expect(await requested(ledger, other.id)).toHaveLength(0);
  });

  it('when the token is unknown or expired, another form of the order was used after it was shown or is at the gateway, then it is refused', async () => {
    const { ledger, order, advance } = await paidOrder(open);
    const unknown = await ledger.claimIntent(
      { tokenHash: hashOf('never issued'), orderId: order.id, action: 'refund', amount: 100, actor: 'admin' },
      POLICY,
    );
    expect(unknown).toMatchObject({ outcome: 'refused', reason: 'unknown', intent: undefined });
    expect(
      await ledger.claimIntent(
        { tokenHash: 'not-a-hash', orderId: order.id, action: 'refund', amount: 1, actor: 'a' },
        POLICY,
      ),
    ).toMatchObject({ outcome: 'refused', reason: 'unknown' });

    // Two tabs: both forms shown, the first used; the second was shown before that refund and is stale.
    const tabA = await issue(ledger, order.id);
    const tabB = await issue(ledger, order.id);
    expect((await tabA.claim(500)).outcome).toBe('go');
    expect(await tabB.claim(500)).toMatchObject({ outcome: 'refused', reason: 'stale' });
    // A form shown while that refund is at the gateway is not used until its outcome is known.
    const during = await issue(ledger, order.id);
    expect(await during.claim(500)).toMatchObject({ outcome: 'refused', reason: 'unresolved' });
    await answer(ledger, tabA.tokenHash, 'done', {});

    // The order changed after the form was shown (a refund made elsewhere, learnt by the reconciler): stale too.
    const tabC = await issue(ledger, order.id);
    await ledger.applyGatewayStatus(order.id, {
      orderStatus: 4,
      actionCode: 0,
      amounts: { deposited: 2500, refunded: 300 },
    });
    expect(await tabC.claim(100)).toMatchObject({ outcome: 'refused', reason: 'stale' });

    const late = await issue(ledger, order.id);
    advance(POLICY.issuedForMs + 1);
    expect(await late.claim(100)).toMatchObject({ outcome: 'refused', reason: 'expired' });
    expect(await requested(ledger, order.id)).toHaveLength(1);
  });

  it('when the first call had an unknown outcome, or its process died, then a repeat is a recheck and a new form waits until it is resolved', async () => {
    const { ledger, order, advance } = await paidOrder(open);
    const form = await issue(ledger, order.id);
    await form.claim(500);
    await answer(ledger, form.tokenHash, 'unknown', { code: 'GATEWAY_TIMEOUT' });
    const again = await form.claim(500);
    expect(again).toMatchObject({ outcome: 'go', recheck: true, intent: { state: 'pending', attempts: 2 } });
    expect(await form.claim(500)).toMatchObject({ outcome: 'busy' });
    advance(POLICY.pendingForMs + 1);
    expect(await form.claim(500)).toMatchObject({ outcome: 'go', recheck: true, intent: { attempts: 3 } });
    // Until it is resolved, a new form of the order is not used: it could make the same refund a second time.
    await answer(ledger, form.tokenHash, 'unknown', { code: 'GATEWAY_TIMEOUT' });
    const fresh = await issue(ledger, order.id);
    expect(await fresh.claim(500)).toMatchObject({ outcome: 'refused', reason: 'unresolved' });
    expect((await ledger.unresolvedIntents(order.id)).map((i) => i.tokenHash)).toEqual([form.tokenHash]);
    // Resolved from the status (by a refresh): a form shown before that answer is stale, one shown after it is used.
    await answer(ledger, form.tokenHash, 'done', { by: 'status' });
    expect(await ledger.unresolvedIntents(order.id)).toEqual([]);
    expect(await fresh.claim(500)).toMatchObject({ outcome: 'refused', reason: 'stale' });
    expect((await (await issue(ledger, order.id)).claim(500)).outcome).toBe('go');
    const steps = (await ledger.events(order.id)).filter((e) => e.kind === 'admin').map((e) => e.detail?.step);
    expect(steps).toEqual(['requested', 'answered', 'rechecked', 'rechecked', 'answered', 'answered', 'requested']);
  });

  it('when a form was shown while another was at the gateway, and that one is answered before the order shows it, then the form is stale', async () => {
    const { ledger, order } = await paidOrder(open);
    const first = await issue(ledger, order.id);
    const claimed = await first.claim(1000);
    expect(claimed.outcome).toBe('go');
    // The "busy" page of a second instance hands out a fresh form while the first refund is at the gateway.
    const second = await issue(ledger, order.id);
    // The gateway said yes; the status step that would show the refunded amount failed.
    await ledger.finishIntent(claimed.intent!, 'done', { by: 'call' });
    expect(await second.claim(1000)).toMatchObject({ outcome: 'refused', reason: 'stale' });
    expect(await requested(ledger, order.id)).toHaveLength(1);
  });

  it('when a refresh answers an attempt that was claimed again meanwhile, then the new attempt is not overwritten', async () => {
    const { ledger, order } = await paidOrder(open);
    const form = await issue(ledger, order.id);
    const firstTry = await form.claim(1000);
    await ledger.finishIntent(firstTry.intent!, 'unknown', { by: 'call', code: 'GATEWAY_TIMEOUT' });
    // A refresh reads the unresolved attempt…
    const [seenByRefresh] = await ledger.unresolvedIntents(order.id);
    // …while the same form comes back and its recheck is at the gateway.
    const retry = await form.claim(1000);
    expect(retry).toMatchObject({ outcome: 'go', recheck: true, intent: { state: 'pending', attempts: 2 } });
    // The refresh's answer belongs to the first attempt: nothing is written over the running one.
    expect(await ledger.finishIntent(seenByRefresh!, 'refused', { by: 'status' })).toMatchObject({
      state: 'pending',
      attempts: 2,
    });
    const fresh = await issue(ledger, order.id);
    expect(await fresh.claim(1000)).toMatchObject({ outcome: 'refused', reason: 'unresolved' });
    // The running attempt's own answer is kept.
    expect(await ledger.finishIntent(retry.intent!, 'done', { by: 'call' })).toMatchObject({ state: 'done' });
  });

  it('when the same form is submitted on two instances at once, then exactly one claim goes to the gateway', async () => {
    const { ledger, order, another } = await paidOrder(open);
    const second = await another();
    const form = await issue(ledger, order.id);
    const claim = (l: AsyncLedger) =>
      l.claimIntent(
        { tokenHash: form.tokenHash, orderId: order.id, action: 'refund', amount: 500, actor: 'admin' },
        POLICY,
      );
    const outcomes = await Promise.all([claim(ledger), claim(second), claim(ledger), claim(second)]);
    expect(outcomes.map((o) => o.outcome).sort()).toEqual(['busy', 'busy', 'busy', 'go']);
    expect(await requested(ledger, order.id)).toHaveLength(1);
  });

  it('stores only the token hash, and forgets forms never used once they are old', async () => {
    const { ledger, order, rawEventDetails } = await paidOrder(open);
    const old = await issue(ledger, order.id);
    const form = await issue(ledger, order.id);
    await form.claim(500);
    expect((await rawEventDetails()).join('\n')).not.toContain(form.token);
    await ledger.issueIntent({
      tokenHash: hashOf('later'),
      ref: randomUUID(),
      orderId: order.id,
      action: 'refund',
      actor: 'admin',
      forgetIssuedBefore: Number.MAX_SAFE_INTEGER,
    });
    expect(await ledger.findIntent(old.tokenHash)).toBeUndefined();
    expect((await ledger.findIntent(form.tokenHash))?.state).toBe('pending');
  });
});

describe("claimsOf: how far an order's forms have gone, from its intents' states (both stores read the states)", () => {
  it('counts claims plus final answers, and the claimed ones whose outcome is not known yet', () => {
    expect(claimsOf([])).toEqual({ claimed: 0, unresolved: 0 });
    expect(claimsOf(['issued', 'issued'])).toEqual({ claimed: 0, unresolved: 0 });
    expect(claimsOf(['pending'])).toEqual({ claimed: 1, unresolved: 1 });
    expect(claimsOf(['unknown', 'issued'])).toEqual({ claimed: 1, unresolved: 1 });
    expect(claimsOf(['done', 'refused', 'pending'])).toEqual({ claimed: 5, unresolved: 1 });
    expect(UNRESOLVED).toEqual(['pending', 'unknown']);
  });
});
