export { createGatewayClient } from './client.js';
export { baseUrlProblem, DEFAULT_TIMEOUTS, originProblem } from './options.js';
export { isTaxSystem, TAX_SYSTEMS, TAX_TYPES } from './fiscal.js';
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
  BundleItemEcho,
  CardAuthInfo,
  CartItem,
  GatewayAuth,
  GatewayCallEvent,
  GatewayClient,
  GatewayClientOptions,
  GatewayExchange,
  GatewayMethod,
  GatewayTimeouts,
  MovedItem,
  OrderBundle,
  OrderRef,
  OrderStatusExtended,
  PaymentAmountInfo,
  Receipt,
  ReceiptStatus,
  RegisterParams,
  RegisterResult,
} from './types.js';
