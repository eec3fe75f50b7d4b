export { createGatewayClient } from './client.js';
export { baseUrlProblem, DEFAULT_TIMEOUTS, originProblem } from './options.js';
export { callbackSigningString, verifyCallbackChecksum } from './callback.js';
export {
  GatewayBadResponseError,
  GatewayCause,
  GatewayError,
  GatewayForeignFormUrlError,
  GatewayHttpError,
  GatewayNetworkError,
  GatewayRejectedError,
  GatewayTimeoutError,
  isGatewayError,
  ORDER_NOT_FOUND,
} from './errors.js';
export type { GatewayErrorCode, GatewayErrorInit } from './errors.js';
export type {
  CardAuthInfo,
  GatewayAuth,
  GatewayCallEvent,
  GatewayClient,
  GatewayClientOptions,
  GatewayExchange,
  GatewayMethod,
  GatewayTimeouts,
  OrderRef,
  OrderStatusExtended,
  PaymentAmountInfo,
  RegisterParams,
  RegisterResult,
} from './types.js';
