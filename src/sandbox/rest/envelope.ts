import { message, type MessageId } from '../messages.js';
import type { SandboxMerchant } from '../types.js';

/**
 * Which JSON type errorCode has (§1.4): register and status calls answer strings ("1"),
 * deposit/reverse/refund/decline answer numbers (0). This is the single place that decides it,
 * so a per-merchant switch (string | number | auto) only needs to change this function.
 */
export type MethodFamily = 'register' | 'status' | 'operation';

export function errorCodeValue(family: MethodFamily, code: number, _merchant?: SandboxMerchant): string | number {
  return family === 'operation' ? code : String(code);
}

export function errorBody(
  family: MethodFamily,
  code: number,
  messageId: MessageId,
  language: string,
  merchant?: SandboxMerchant,
): Record<string, unknown> {
  return { errorCode: errorCodeValue(family, code, merchant), errorMessage: message(messageId, language) };
}
