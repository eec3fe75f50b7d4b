import { message, type MessageId } from '../messages.js';

/**
 * Which JSON type errorCode has (docs/gateway-reference.md §1.3): register and status calls answer strings ("1"),
 * deposit/reverse/refund/decline answer numbers (0). This is the single place that decides it for normal
 * answers; the errorCodeAsNumber fault switch rewrites finished bodies afterwards (faults/middleware.ts).
 */
export type MethodFamily = 'register' | 'status' | 'operation';

export function errorCodeValue(family: MethodFamily, code: number): string | number {
  return family === 'operation' ? code : String(code);
}

export function errorBody(
  family: MethodFamily,
  code: number,
  messageId: MessageId,
  language: string,
  detail?: string,
): Record<string, unknown> {
  const text = message(messageId, language);
  return { errorCode: errorCodeValue(family, code), errorMessage: detail === undefined ? text : `${text} [${detail}]` };
}
