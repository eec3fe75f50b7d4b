import { refuse, type Refusal } from '../ledger.js';
import type { SandboxOrder } from '../types.js';
import { param, type Params } from './params.js';

/** Where orders are looked up: the engine (applies due transitions) or the bare store (the fault middleware). */
export interface OrderSource {
  get(id: string): SandboxOrder | undefined;
  findByNumber(merchantLogin: string, orderNumber: string): SandboxOrder | undefined;
}

/**
 * The order a call names by orderId or, except with token authentication, by orderNumber (docs/gateway-reference.md §3.2).
 * An order of another merchant is "not found" (6), never "forbidden".
 */
export function lookupOrder(
  source: OrderSource,
  login: string,
  params: Params,
  byToken: boolean,
): { ok: true; order: SandboxOrder } | Refusal {
  const orderId = param(params, 'orderId');
  if (orderId !== undefined) return own(source.get(orderId), login);
  const orderNumber = param(params, 'orderNumber');
  if (orderNumber === undefined) return refuse(4, 'orderIdOrNumberEmpty');
  if (byToken) return refuse(4, 'tokenNeedsOrderId');
  return own(source.findByNumber(login, orderNumber), login);
}

export function own(order: SandboxOrder | undefined, login: string): { ok: true; order: SandboxOrder } | Refusal {
  return order && order.merchantLogin === login ? { ok: true, order } : refuse(6, 'orderNotFound');
}
