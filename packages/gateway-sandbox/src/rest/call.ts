import type { Request, Response } from 'express';
import type { SandboxMerchant } from '../types.js';
import { authenticate, type AuthResult } from './auth.js';
import { readParams, type Params } from './params.js';

/**
 * Parameters and authentication of one REST call, worked out once per request: the fault middleware needs
 * them before the router does, and hashing the credentials twice would double the cost of every faulted call.
 * Kept on res.locals, which lives exactly as long as the request.
 */
interface CallState {
  params: Params;
  auth?: { merchants: readonly SandboxMerchant[]; result: AuthResult };
}

const KEY = 'sandboxRestCall';

function state(req: Request, res: Response): CallState {
  const known = res.locals[KEY] as CallState | undefined;
  if (known) return known;
  const fresh: CallState = { params: readParams(req) };
  res.locals[KEY] = fresh;
  return fresh;
}

export function callParams(req: Request, res: Response): Params {
  return state(req, res).params;
}

/** Whether this call authenticated; false when it failed or was never checked (e.g. refused before). Never checks. */
export function callAuthenticated(res: Response): boolean {
  const known = res.locals[KEY] as CallState | undefined;
  return known?.auth?.result.ok === true;
}

export function callAuth(req: Request, res: Response, merchants: readonly SandboxMerchant[]): AuthResult {
  const s = state(req, res);
  // Reused only for the same merchant list, so a router given other merchants never sees a foreign answer.
  if (s.auth?.merchants !== merchants) s.auth = { merchants, result: authenticate(s.params, merchants) };
  return s.auth.result;
}

/** The authentication result of this call if something worked it out already; never checks. */
export function knownCallAuth(res: Response): AuthResult | undefined {
  return (res.locals[KEY] as CallState | undefined)?.auth?.result;
}
