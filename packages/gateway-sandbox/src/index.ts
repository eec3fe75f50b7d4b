/** Public surface of the gateway sandbox. Shares no code with src/gateway or the shop. */
export { DEFAULT_MERCHANTS } from './types.js';
export type {
  SandboxMerchant,
  SandboxOrder,
  SandboxEvent,
  SandboxOperation,
  SandboxLogger,
  OrderStatus,
} from './types.js';
export { startSandbox } from './start.js';
export type { StartSandboxOptions, RunningSandbox } from './start.js';
export { createSandboxApp } from './app.js';
export type { SandboxApp, SandboxAppOptions } from './app.js';
export { createSandboxClock } from './clock.js';
export type { SandboxClock } from './clock.js';
export { SandboxEvents } from './events.js';
export type { SandboxListener } from './events.js';
export { OrderStore } from './store.js';
export { TEST_CARDS, TEST_CVC, TEST_OTP } from './cards.js';
export type { TestCardInfo, CardScenario } from './cards.js';
export { WALLETS, WALLET_NAMES, WALLET_TEST_CARDS, sandboxWalletToken } from './wallets.js';
export { WALLET_PAYMENT_PATHS } from './rest/wallet-payment.js';
export type { WalletId, WalletTestCard, WalletCardKind, PaymentWay } from './wallets.js';
export { loadSandboxConfig, SandboxConfigError } from './config.js';
export {
  CREDENTIALS_DIR,
  CREDENTIALS_FILE,
  CredentialsFileError,
  keptMerchantCredentials,
  keptOperatorToken,
  OPERATOR_TOKEN_FILE,
} from './credentials.js';
export type { GeneratedCredentials } from './credentials.js';
export type { SandboxConfig } from './config.js';
export { CallbackDispatcher } from './callbacks/dispatcher.js';
export type { CallbackOptions, CallbackMode } from './callbacks/dispatcher.js';
export { checksumString, hmacChecksum, signCallback } from './callbacks/checksum.js';
export { FaultRegistry, faultProfileSchema } from './faults/profile.js';
export type { FaultProfile } from './faults/profile.js';
export { parseMagic } from './faults/magic.js';
export { OrderJournal } from './journal.js';
export type { DeliveryRecord, DeliveryOutcome, OperationRecord } from './journal.js';
// For tests and tools built around the sandbox: every REST method it serves (`<name>.do`), and its buyer-facing
// wording of an actionCode (English, or Russian for 'ru'), which a shop may compare with its own.
export { REST_METHODS } from './rest/routes.js';
export { actionCodeDescription } from './messages.js';
// The test helpers' typed client (SANDBOX_TEST_HELPERS=on; docs/sandbox.md, Test helpers).
export { createSandboxTestClient, SandboxTestHelperError } from './test-client.js';
export type {
  SandboxTestClient,
  SandboxTestClientOptions,
  TestCallbackKind,
  TestCallbackResult,
  TestOrderState,
  TestProbe,
  TestReceipts,
} from './test-client.js';
// Fiscal receipts (docs/sandbox.md, Fiscal receipts).
export { DEFAULT_RECEIPT_DELAY_MS, RECEIPT_STATUS } from './receipts.js';
export type { SandboxReceipt } from './types.js';
// The report card's probes (armed with the test helpers), and what a success-looking return adds to its URL.
export { PROBES, SUCCESS_LOOKING_PARAMS } from './probes.js';
export type { ProbeName } from './probes.js';
// The integration journal (GET /sandbox/journal): every REST call, hosted-page step and callback, per merchant.
export { TrafficJournal, redactParams, PAGE_STEPS, REDACTED, DEFAULT_MAX_PER_MERCHANT } from './traffic.js';
export type {
  TrafficEntry,
  TrafficKind,
  TrafficFilter,
  TrafficJournalOptions,
  ApiEntry,
  ApiAnswer,
  PageEntry,
  PageStep,
  CallbackEntry,
  BrowserHints,
} from './traffic.js';
// The report card (GET /sandbox/report/:merchant, `gateway-sandbox report`): a merchant's integration graded from
// its journal against the named checks.
export { gradeIntegration } from './report/grade.js';
export type { GradeInput } from './report/grade.js';
export { CHECK_IDS, DEFAULT_GRADE_SETTINGS, MAX_EVIDENCE } from './report/types.js';
export type {
  Check,
  CheckContext,
  CheckId,
  CheckOutcome,
  CheckResult,
  Evidence,
  GradeSettings,
  IntegrationReport,
  ReportScore,
  Text,
  Verdict,
} from './report/types.js';
// The cart (orderBundle; docs/sandbox.md, The cart): its bounds and codes, and the shapes an order keeps it in.
export { CART_LIMITS, TAX_SYSTEMS, TAX_TYPES } from './cart.js';
export type {
  CartAttribute,
  CartAttributeValue,
  CartItem,
  CartPosition,
  CustomerDetails,
  OrderCart,
  PositionShare,
} from './types.js';
