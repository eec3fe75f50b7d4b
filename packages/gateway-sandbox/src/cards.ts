/** The sandbox's test cards and the card checks a real payment page performs. */

export type CardScenario =
  { kind: 'approve' } | { kind: 'challenge' } | { kind: 'decline'; actionCode: number } | { kind: 'processorWait' };

export interface TestCardInfo {
  /** Stable short name, e.g. for the hosted page's `?card=<id>` prefill link. */
  id: string;
  pan: string;
  paymentSystem: string;
  scenario: CardScenario;
  /** Short English description for the cards page and docs. */
  summary: string;
  /** The same in Russian, for the Russian pages. */
  summaryRu: string;
}

/** A test card's description in the page language. */
export function cardSummary(card: TestCardInfo, lang: string): string {
  return lang === 'ru' ? card.summaryRu : card.summary;
}

export const TEST_CVC = '123';
export const TEST_OTP = '12345678';

export const TEST_CARDS: readonly TestCardInfo[] = [
  {
    id: 'approved',
    pan: '4111111111111111',
    paymentSystem: 'VISA',
    scenario: { kind: 'approve' },
    summary: 'Approved, no 3-D Secure challenge (frictionless)',
    summaryRu: 'Одобрено, без запроса кода 3-D Secure (frictionless)',
  },
  {
    id: 'approved-3ds-attempt',
    pan: '4000001111111118',
    paymentSystem: 'VISA',
    scenario: { kind: 'approve' },
    summary: 'Approved, 3-D Secure attempt',
    summaryRu: 'Одобрено, попытка 3-D Secure (attempt)',
  },
  {
    id: '3ds-challenge',
    pan: '5555555555555599',
    paymentSystem: 'MASTERCARD',
    scenario: { kind: 'challenge' },
    summary: `3-D Secure challenge: code ${TEST_OTP} approves, any other code declines (actionCode -2006)`,
    summaryRu: `Запрос кода 3-D Secure: код ${TEST_OTP} одобряет, любой другой код отклоняет (actionCode -2006)`,
  },
  {
    id: '3ds-failed',
    pan: '5168494895055780',
    paymentSystem: 'MASTERCARD',
    scenario: { kind: 'decline', actionCode: -2006 },
    summary: '3-D Secure authentication fails without a challenge (actionCode -2006)',
    summaryRu: 'Аутентификация 3-D Secure не пройдена без запроса кода (actionCode -2006)',
  },
  {
    id: 'insufficient-funds',
    pan: '2202205000060910',
    paymentSystem: 'MIR',
    scenario: { kind: 'decline', actionCode: 116 },
    summary: 'Declined: insufficient funds (actionCode 116)',
    summaryRu: 'Отклонено: недостаточно средств (actionCode 116)',
  },
  {
    id: 'expired-card',
    pan: '2202202107593166',
    paymentSystem: 'MIR',
    scenario: { kind: 'decline', actionCode: 101 },
    summary: 'Declined: expired card (actionCode 101)',
    summaryRu: 'Отклонено: истёк срок действия карты (actionCode 101)',
  },
  {
    id: 'do-not-honour',
    pan: '4000001111111126',
    paymentSystem: 'VISA',
    scenario: { kind: 'decline', actionCode: 5 },
    summary: 'The card issuer declines: do not honour (actionCode 5)',
    summaryRu: 'Банк-эмитент отклоняет платёж: do not honour (actionCode 5)',
  },
  {
    id: 'processor-wait',
    pan: '4000000000000002',
    paymentSystem: 'VISA',
    scenario: { kind: 'processorWait' },
    summary: 'Waits for the processor: orderStatus stays 5 for the configured delay, then approves',
    summaryRu: 'Ожидание процессинга: orderStatus остаётся 5 в течение заданной задержки, затем одобрено',
  },
];

export function findTestCard(pan: string): TestCardInfo | undefined {
  return TEST_CARDS.find((c) => c.pan === pan);
}

export function findTestCardById(id: unknown): TestCardInfo | undefined {
  return typeof id === 'string' ? TEST_CARDS.find((c) => c.id === id) : undefined;
}

export function normalisePan(input: string): string {
  return input.replace(/[\s-]/g, '');
}

export function passesLuhn(pan: string): boolean {
  if (!/^\d{12,19}$/.test(pan)) return false;
  let sum = 0;
  let double = false;
  for (let i = pan.length - 1; i >= 0; i -= 1) {
    let digit = Number(pan[i]);
    if (double) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
    double = !double;
  }
  return sum % 10 === 0;
}

export function maskPan(pan: string): string {
  return `${pan.slice(0, 6)}**${pan.slice(-4)}`;
}

export function paymentSystemOf(pan: string): string {
  if (pan.startsWith('4')) return 'VISA';
  if (/^(5[1-5]|2[3-7]|222[1-9]|22[3-9])/.test(pan)) return 'MASTERCARD';
  if (/^220[0-4]/.test(pan)) return 'MIR';
  if (/^3[47]/.test(pan)) return 'AMEX';
  if (/^35/.test(pan)) return 'JCB';
  if (/^62/.test(pan)) return 'CUP';
  return 'UNKNOWN';
}

/** Parses "MM/YY", "MM / YY", "MMYY" or "MM/YYYY"; returns YYYYMM or undefined. */
export function parseExpiry(input: string): string | undefined {
  const m = /^\s*(\d{2})\s*\/?\s*(\d{2}|\d{4})\s*$/.exec(input);
  if (!m || !m[1] || !m[2]) return undefined;
  const month = Number(m[1]);
  if (month < 1 || month > 12) return undefined;
  const year = m[2].length === 2 ? `20${m[2]}` : m[2];
  return `${year}${m[1]}`;
}

/** A card is valid through the last day of its expiry month. */
export function isExpired(yyyymm: string, now: number): boolean {
  const d = new Date(now);
  const current = d.getUTCFullYear() * 100 + d.getUTCMonth() + 1;
  return Number(yyyymm) < current;
}
