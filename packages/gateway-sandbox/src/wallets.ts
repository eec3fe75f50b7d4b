/**
 * Wallets (Apple Pay, Google Pay, Samsung Pay), emulated without any real wallet (docs/gateway-reference.md §10):
 * which wallets a merchant offers, the tokenized test cards a simulated wallet holds, and the `paymentWay` an order
 * paid through one reports. The hosted page's wallet sheet (page/wallet-sheet.ts) and the direct wallet endpoints
 * (rest/wallet-payment.ts) both decide from here.
 */
import type { CardScenario } from './cards.js';

export const WALLETS = ['applePay', 'googlePay', 'samsungPay'] as const;
export type WalletId = (typeof WALLETS)[number];

export function isWalletId(value: unknown): value is WalletId {
  return typeof value === 'string' && (WALLETS as readonly string[]).includes(value);
}

/** The brand names, the same in every language. */
export const WALLET_NAMES: Readonly<Record<WalletId, string>> = {
  applePay: 'Apple Pay',
  googlePay: 'Google Pay',
  samsungPay: 'Samsung Pay',
};

/** How the order was paid, as getOrderStatusExtended's `paymentWay` says it (the values the sandbox produces). */
export type PaymentWay = 'CARD' | 'APPLE_PAY' | 'GOOGLE_PAY_TOKENIZED' | 'GOOGLE_PAY_CARD' | 'SAMSUNG_PAY';

/**
 * What a wallet hands over: a device token (a device PAN with a cryptogram, in every wallet) or, Google Pay only, a
 * plain card saved in the buyer's account (PAN_ONLY), which the gateway treats as a card and may send to 3-D Secure.
 */
export type WalletCardKind = 'token' | 'panOnly';

export interface WalletTestCard {
  /** Stable id: the sheet's choice, and `sandboxCard` in a direct endpoint's test token. */
  id: string;
  /** The device PAN of a token; the card's own number for a plain card. Reported masked, never in full. */
  pan: string;
  kind: WalletCardKind;
  scenario: CardScenario;
  /** The wallets that hold it. */
  wallets: readonly WalletId[];
  summary: string;
  summaryRu: string;
}

export const WALLET_TEST_CARDS: readonly WalletTestCard[] = [
  {
    id: 'approved',
    pan: '4895370000000015',
    kind: 'token',
    scenario: { kind: 'approve' },
    wallets: WALLETS,
    summary: 'Device token: approved',
    summaryRu: 'Токен устройства: одобрено',
  },
  {
    id: 'declined',
    pan: '5204240000000039',
    kind: 'token',
    scenario: { kind: 'decline', actionCode: 116 },
    wallets: WALLETS,
    summary: 'Device token: declined, insufficient funds (actionCode 116)',
    summaryRu: 'Токен устройства: отклонено, недостаточно средств (actionCode 116)',
  },
  {
    id: 'pan-only-3ds',
    pan: '5555555555555599',
    kind: 'panOnly',
    scenario: { kind: 'challenge' },
    wallets: ['googlePay'],
    summary: 'Card saved in the Google account (not tokenized), enrolled in 3-D Secure: asks for the code 12345678',
    summaryRu: 'Карта, сохранённая в аккаунте Google (без токена), с 3-D Secure: запрашивает код 12345678',
  },
];

/** The test cards a wallet holds, in the sheet's order. */
export function walletCards(wallet: WalletId): WalletTestCard[] {
  return WALLET_TEST_CARDS.filter((c) => c.wallets.includes(wallet));
}

export function findWalletCard(wallet: WalletId, id: unknown): WalletTestCard | undefined {
  return walletCards(wallet).find((c) => c.id === id);
}

/** The paymentWay of a payment through this wallet with this kind of card. */
export function paymentWayOf(wallet: WalletId, kind: WalletCardKind): PaymentWay {
  if (wallet === 'applePay') return 'APPLE_PAY';
  if (wallet === 'samsungPay') return 'SAMSUNG_PAY';
  return kind === 'panOnly' ? 'GOOGLE_PAY_CARD' : 'GOOGLE_PAY_TOKENIZED';
}

/**
 * The paymentWay an order reports: from its first payment attempt on, the way it was paid; an order stored before
 * the sandbox kept it (a data folder from an older version) paid with a typed card. None before any attempt.
 */
export function reportedPaymentWay(order: {
  readonly card?: unknown;
  readonly paymentWay?: PaymentWay;
}): PaymentWay | undefined {
  return order.card === undefined ? undefined : (order.paymentWay ?? 'CARD');
}

/** The wallets a merchant offers: its `wallets` setting, all of them when unset, none for `[]`. */
export function merchantWallets(merchant: { readonly wallets?: readonly WalletId[] }): readonly WalletId[] {
  return merchant.wallets === undefined ? WALLETS : WALLETS.filter((w) => merchant.wallets?.includes(w));
}

/** What the sandbox reads from a direct wallet endpoint's paymentToken (its convention, docs/sandbox.md "Wallets"). */
export interface WalletTokenContent {
  /** The wallet test card the token stands for; absent: `approved`. */
  card: WalletTestCard;
  /** Apple Pay and Samsung Pay carry the amount in the token (minor units), and maybe the currency. */
  amount?: number;
  currencyCode?: string;
}

/** Why a paymentToken could not be read. */
export type WalletTokenProblem = 'notBase64' | 'unknownCard' | 'badAmount';

/** The longest paymentToken accepted, in characters. */
export const MAX_PAYMENT_TOKEN_LENGTH = 8192;

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Reads a paymentToken by the sandbox's convention: any Base64 text is a token (so a real wallet's test token
 * pays too, with the approving card). When it decodes to a JSON object, `sandboxCard` names the wallet test card
 * (approved, declined, pan-only-3ds for Google Pay), and `amount` (minor units) and `currencyCode` (ISO 4217
 * numeric) stand for the amount a real Apple Pay or Samsung Pay token carries.
 */
export function readWalletToken(
  wallet: WalletId,
  token: string,
): { ok: true; content: WalletTokenContent } | { ok: false; problem: WalletTokenProblem } {
  if (token.length === 0 || token.length > MAX_PAYMENT_TOKEN_LENGTH || !BASE64.test(token))
    return { ok: false, problem: 'notBase64' };
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
  } catch {
    decoded = undefined;
  }
  const fields = typeof decoded === 'object' && decoded !== null && !Array.isArray(decoded) ? decoded : {};
  const { sandboxCard, amount, currencyCode } = fields as Record<string, unknown>;
  const card = findWalletCard(wallet, sandboxCard ?? 'approved');
  if (!card) return { ok: false, problem: 'unknownCard' };
  if (amount !== undefined && !(Number.isSafeInteger(amount) && (amount as number) > 0))
    return { ok: false, problem: 'badAmount' };
  if (currencyCode !== undefined && !(typeof currencyCode === 'string' && /^\d{3}$/.test(currencyCode)))
    return { ok: false, problem: 'badAmount' };
  return {
    ok: true,
    content: {
      card,
      ...(amount !== undefined && { amount: amount as number }),
      ...(currencyCode !== undefined && { currencyCode: currencyCode }),
    },
  };
}

/** A test token by the convention above: what a team's tests send as paymentToken. */
export function sandboxWalletToken(fields: { sandboxCard?: string; amount?: number; currencyCode?: string }): string {
  return Buffer.from(JSON.stringify(fields), 'utf8').toString('base64');
}
