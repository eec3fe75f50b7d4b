import { randomBytes } from 'node:crypto';
import type { SandboxClock } from '../clock.js';
import type { DeliveryOutcome, DeliveryRecord, OrderJournal } from '../journal.js';
import type { SandboxEvent, SandboxOperation, SandboxOrder } from '../types.js';
import { signCallback } from './checksum.js';
import { callbackParams, sendCallbackRequest, withQuery } from './dispatcher.js';

/**
 * How a callback sent on purpose (a test helper's, a probe's) is signed: with the merchant's key as usual (`signed`;
 * no key, no checksum), with a wrong key (`forged`) or not at all (`unsigned`).
 */
export type CallbackSigning = 'signed' | 'forged' | 'unsigned';

/** One callback copy: the URL as the journal keeps it (no checksum), and the URL sent. */
export interface CallbackCopy {
  operation: SandboxOperation;
  /** The callback URL with the parameters, without `checksum`. */
  url: string;
  /** The URL requested: `url` plus the checksum the signing calls for. */
  sent: string;
  signed: boolean;
  /** Set for forged and unsigned copies: they are no genuine notification. */
  probe?: 'forged' | 'unsigned';
}

/**
 * The copy of a callback to `target` with `params`, signed as asked. A forged checksum is made with a fresh random
 * key, never the merchant's. Throws when `target` is not a URL (only code can set such a callback URL).
 */
export function callbackCopy(
  target: string,
  params: Record<string, string>,
  signing: CallbackSigning,
  key: string | undefined,
): CallbackCopy {
  const url = withQuery(target, params);
  const checksum =
    signing === 'unsigned'
      ? undefined
      : signing === 'forged'
        ? signCallback(params, randomBytes(32).toString('hex'))
        : key && signCallback(params, key);
  const operation = (params.operation ?? '') as SandboxOperation;
  return {
    operation,
    url,
    sent: checksum === undefined ? url : withQuery(target, { ...params, checksum }),
    signed: checksum !== undefined,
    ...(signing !== 'signed' && { probe: signing }),
  };
}

export interface CopySender {
  journal: OrderJournal;
  clock: SandboxClock;
  /** Aborts the request when the sandbox stops. */
  signal: AbortSignal;
  timeoutMs: number;
}

/** Sends one copy (one attempt, no retry) and journals it like a delivery, tagged with its probe; its outcome. */
export async function sendCallbackCopy(
  sender: CopySender,
  order: Readonly<SandboxOrder>,
  copy: CallbackCopy,
  number = 1,
): Promise<DeliveryOutcome> {
  const outcome = await sendCallbackRequest(copy.sent, sender.signal, sender.timeoutMs);
  // A stopped sandbox records nothing more (its database may be closing).
  if (sender.signal.aborted) return outcome;
  const record: DeliveryRecord = {
    at: sender.clock.now(),
    operation: copy.operation,
    url: copy.url,
    signed: copy.signed,
    copy: number,
    attempt: 1,
    outcome,
    ...(copy.probe && { probe: copy.probe }),
  };
  sender.journal.recordDelivery(order, record);
  return outcome;
}

/**
 * The forged-callbacks probe, after a genuine notification the merchant answered: the same callback URL gets a copy
 * claiming the payment succeeded (the order's payment operation, status 1, its amount) with a checksum made with a
 * wrong key, then the same claim without a checksum; each journaled with its `probe`. Only where `allowed` lets it.
 */
export async function sendForgedCallbacks(
  sender: CopySender,
  event: SandboxEvent,
  allowed: (url: string, merchantLogin: string) => boolean,
): Promise<void> {
  const target = event.order.callbackUrl ?? event.merchant.callbackUrl;
  if (target === undefined) return;
  const operation = event.order.twoPhase ? 'approved' : 'deposited';
  const claim = callbackParams({ ...event, operation, status: 1, amount: event.order.amount });
  for (const signing of ['forged', 'unsigned'] as const) {
    if (sender.signal.aborted) return;
    let copy: CallbackCopy;
    try {
      copy = callbackCopy(target, claim, signing, undefined);
    } catch {
      return;
    }
    if (!allowed(copy.url, event.merchant.login)) return;
    await sendCallbackCopy(sender, event.order, copy);
  }
}
