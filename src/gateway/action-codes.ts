/**
 * Buyer-facing explanations of the gateway's `actionCode` (docs/gateway-reference.md §5).
 * Codes are grouped into reasons so that related codes read the same way; every
 * code the gateway documents maps to a specific reason. Unknown codes fall back to a
 * generic decline, never to "an error occurred".
 */

export type RetryAdvice = 'same-card' | 'other-card' | 'new-order' | 'contact-issuer';

export interface ActionCodeExplanation {
  en: string;
  ru: string;
  retryAdvice: RetryAdvice;
}

type Reason = readonly [en: string, ru: string, advice: RetryAdvice];

const R = {
  approved: ['The bank approved the operation.', 'Банк одобрил операцию.', 'same-card'],
  inProgress: ['The payment is still being processed.', 'Платёж ещё обрабатывается.', 'same-card'],
  notAttempted: ['No payment was attempted for this order.', 'По этому заказу не было попыток оплаты.', 'new-order'],
  timeRanOut: ['The time for payment ran out.', 'Время на оплату истекло.', 'new-order'],
  attemptsExhausted: [
    'Too many payment attempts were made for this order.',
    'Исчерпано число попыток оплаты этого заказа.',
    'new-order',
  ],
  leftPaymentPage: [
    'The payment page was closed before the payment was completed.',
    'Страница оплаты была закрыта до завершения платежа.',
    'new-order',
  ],
  leftBankPage: [
    'The bank’s confirmation page was closed before the payment was completed.',
    'Страница подтверждения банка была закрыта до завершения платежа.',
    'new-order',
  ],
  threeDsRejected: [
    'The card issuer rejected 3-D Secure authentication.',
    'Банк-эмитент отклонил проверку 3-D Secure.',
    'same-card',
  ],
  threeDsFailed: [
    '3-D Secure verification of the card could not be completed.',
    'Не удалось пройти проверку карты 3-D Secure.',
    'same-card',
  ],
  threeDsCancelled: ['3-D Secure verification was cancelled.', 'Проверка 3-D Secure была отменена.', 'same-card'],
  threeDsNotAllowed: [
    'This payment requires 3-D Secure, which is not available for this card.',
    'Для этого платежа нужна проверка 3-D Secure, а для карты она недоступна.',
    'other-card',
  ],
  issuerNoAnswer: ['The card issuer did not respond in time.', 'Банк-эмитент не ответил вовремя.', 'same-card'],
  issuerUnavailable: ['The card issuer is temporarily unavailable.', 'Банк-эмитент временно недоступен.', 'same-card'],
  technical: [
    'A technical error occurred while processing the payment.',
    'При обработке платежа произошла техническая ошибка.',
    'same-card',
  ],
  insufficientFunds: ['Insufficient funds on the card.', 'Недостаточно средств на карте.', 'other-card'],
  expired: ['The card has expired.', 'Срок действия карты истёк.', 'other-card'],
  wrongExpiry: ['The card expiry date was entered incorrectly.', 'Срок действия карты введён неверно.', 'same-card'],
  wrongCvc: [
    'The security code (CVC/CVV) was entered incorrectly.',
    'Код безопасности (CVC/CVV) введён неверно.',
    'same-card',
  ],
  wrongCardNumber: ['The card number is not valid.', 'Номер карты недействителен.', 'same-card'],
  wrongCardData: ['The card details were entered incorrectly.', 'Данные карты введены неверно.', 'same-card'],
  unknownCard: [
    'The card was not recognised by the payment system.',
    'Платёжная система не распознала карту.',
    'other-card',
  ],
  unknownIssuer: [
    'The bank that issued the card could not be identified.',
    'Не удалось определить банк, выпустивший карту.',
    'other-card',
  ],
  cardInactive: ['The card is not active.', 'Карта не активна.', 'contact-issuer'],
  invalidCard: [
    'This card cannot be used for this payment.',
    'Эту карту нельзя использовать для этого платежа.',
    'other-card',
  ],
  amountOverLimit: [
    'The amount exceeds the limit set for this card.',
    'Сумма превышает лимит, установленный для карты.',
    'contact-issuer',
  ],
  dailyLimit: [
    'The card’s daily spending limit has been reached.',
    'Достигнут дневной лимит расходов по карте.',
    'contact-issuer',
  ],
  countLimit: [
    'The card’s limit on the number of payments has been reached.',
    'Достигнут лимит количества операций по карте.',
    'contact-issuer',
  ],
  cardRestricted: [
    'The card issuer does not allow online payments with this card.',
    'Банк-эмитент запретил оплату этой картой в интернете.',
    'contact-issuer',
  ],
  notPermitted: [
    'The card issuer does not allow this type of payment.',
    'Банк-эмитент не разрешает этот тип операций.',
    'contact-issuer',
  ],
  accountRestricted: ['The card account is restricted.', 'Счёт карты ограничен.', 'contact-issuer'],
  lostStolen: [
    'The card has been reported lost or stolen.',
    'Карта заявлена как утерянная или украденная.',
    'other-card',
  ],
  blocked: ['The card is blocked.', 'Карта заблокирована.', 'other-card'],
  pickUp: ['The card issuer has asked to withhold this card.', 'Банк-эмитент запросил изъятие карты.', 'other-card'],
  pinTries: [
    'The number of PIN attempts for this card has been exceeded.',
    'Превышено число попыток ввода PIN-кода.',
    'contact-issuer',
  ],
  wrongPin: ['The PIN was entered incorrectly.', 'PIN-код введён неверно.', 'same-card'],
  identityRequired: [
    'The card issuer needs to confirm your identity before approving this payment.',
    'Банку-эмитенту нужно подтвердить вашу личность, прежде чем одобрить платёж.',
    'contact-issuer',
  ],
  callIssuer: [
    'Please call your card issuer to approve this payment.',
    'Позвоните в банк-эмитент, чтобы одобрить этот платёж.',
    'contact-issuer',
  ],
  issuerDeclined: [
    'The card issuer declined this payment; your bank can tell you why.',
    'Банк-эмитент отклонил платёж; причину можно узнать в вашем банке.',
    'contact-issuer',
  ],
  gatewayDeclined: ['The payment service declined the payment.', 'Платёжный сервис отклонил платёж.', 'other-card'],
  orderDeclined: ['The order was declined by the payment service.', 'Заказ отклонён платёжным сервисом.', 'new-order'],
  fraudSuspected: [
    'The payment was stopped by security checks.',
    'Платёж остановлен проверкой безопасности.',
    'contact-issuer',
  ],
  blockedByRules: [
    'The payment was blocked by the payment service’s security rules.',
    'Платёж заблокирован правилами безопасности платёжного сервиса.',
    'other-card',
  ],
  invalidAmount: ['The payment amount was not accepted.', 'Сумма платежа не принята.', 'new-order'],
  merchantSetup: [
    'The shop cannot accept this kind of payment at the moment.',
    'Сейчас магазин не может принять такой платёж.',
    'new-order',
  ],
  merchantDeclined: ['The shop declined the payment.', 'Магазин отклонил платёж.', 'new-order'],
  duplicate: [
    'The payment was stopped because it looked like a duplicate.',
    'Платёж остановлен как повторный.',
    'new-order',
  ],
  alreadyPaid: ['This order has already been paid.', 'Этот заказ уже оплачен.', 'new-order'],
  notCompleted: ['The payment was not completed.', 'Платёж не был завершён.', 'new-order'],
  reversed: [
    'The payment was cancelled and the held amount released.',
    'Платёж отменён, заблокированная сумма освобождена.',
    'new-order',
  ],
  refundTooLarge: [
    'The refund amount exceeds the payment.',
    'Сумма возврата превышает сумму платежа.',
    'contact-issuer',
  ],
  cancelledByAgent: [
    'The payment was cancelled by the payment agent.',
    'Платёж отменён платёжным агентом.',
    'new-order',
  ],
  sberPayDeclined: ['The payment was declined in SberPay.', 'Оплата отклонена в SberPay.', 'other-card'],
  sbpNoSubscription: [
    'The Faster Payments System (SBP) subscription was not found.',
    'Подписка в Системе быстрых платежей (СБП) не найдена.',
    'other-card',
  ],
  sbpInProgress: [
    'The Faster Payments System (SBP) payment is still in progress.',
    'Платёж через Систему быстрых платежей (СБП) ещё выполняется.',
    'same-card',
  ],
  savedCardOff: [
    'Payments with this saved card have been turned off by the card holder.',
    'Владелец карты запретил платежи этой сохранённой картой.',
    'other-card',
  ],
  savedCardDeactivated: [
    'This saved card has been deactivated.',
    'Эта сохранённая карта деактивирована.',
    'other-card',
  ],
  cancelSubscription: [
    'The card issuer asked to cancel the subscription for this card.',
    'Банк-эмитент потребовал отменить подписку по этой карте.',
    'other-card',
  ],
  wrongWallet: [
    'The selected wallet cannot be used for this payment.',
    'Выбранный кошелёк нельзя использовать для этого платежа.',
    'other-card',
  ],
  noInstalments: [
    'Payment in instalments is not available for this card.',
    'Оплата частями недоступна для этой карты.',
    'other-card',
  ],
  notSupported: [
    'This operation is not supported for the payment.',
    'Эта операция не поддерживается для платежа.',
    'new-order',
  ],
  authorisationError: [
    'The payment could not be authorised because of a security or 3-D Secure error.',
    'Платёж не авторизован из-за ошибки проверки безопасности или 3-D Secure.',
    'same-card',
  ],
} as const satisfies Record<string, Reason>;

type ReasonKey = keyof typeof R;

/** Every documented code: issuer codes, gateway-side negatives and the BT iPay list. */
const CODE_REASONS: ReadonlyMap<number, ReasonKey> = new Map<number, ReasonKey>([
  // Gateway-side (negative) codes
  [-30001, 'inProgress'],
  [-20010, 'amountOverLimit'],
  [-9000, 'inProgress'],
  [-5031, 'sbpNoSubscription'],
  [-3101, 'savedCardOff'],
  [-3100, 'savedCardDeactivated'],
  [-2102, 'blockedByRules'],
  [-2101, 'blockedByRules'],
  [-2025, 'threeDsRejected'],
  [-2024, 'threeDsFailed'],
  [-2023, 'threeDsFailed'],
  [-2022, 'threeDsFailed'],
  [-2020, 'threeDsFailed'],
  [-2019, 'threeDsRejected'],
  [-2018, 'threeDsFailed'],
  [-2017, 'threeDsRejected'],
  [-2016, 'threeDsFailed'],
  [-2015, 'threeDsRejected'],
  [-2014, 'leftPaymentPage'],
  [-2013, 'attemptsExhausted'],
  [-2012, 'notSupported'],
  [-2011, 'threeDsFailed'],
  [-2010, 'threeDsFailed'],
  [-2009, 'leftBankPage'],
  [-2008, 'wrongWallet'],
  [-2007, 'timeRanOut'],
  [-2006, 'threeDsRejected'],
  [-2005, 'threeDsFailed'],
  [-2003, 'blockedByRules'],
  [-2002, 'amountOverLimit'],
  [-2001, 'blockedByRules'],
  [-2000, 'blockedByRules'],
  [-999, 'sberPayDeclined'],
  [-102, 'cancelledByAgent'],
  [-100, 'notAttempted'],
  [-99, 'sbpInProgress'],
  [-1, 'issuerNoAnswer'],
  // Processing / issuer codes
  [0, 'approved'],
  [1, 'identityRequired'],
  [5, 'issuerDeclined'],
  [7, 'pickUp'],
  [12, 'amountOverLimit'],
  [13, 'invalidAmount'],
  [14, 'wrongCardNumber'],
  [15, 'unknownIssuer'],
  [31, 'issuerUnavailable'],
  [41, 'lostStolen'],
  [43, 'lostStolen'],
  [53, 'unknownCard'],
  [61, 'dailyLimit'],
  [62, 'blocked'],
  [65, 'countLimit'],
  [75, 'pinTries'],
  [76, 'technical'],
  [94, 'duplicate'],
  [81, 'issuerDeclined'],
  [82, 'wrongCvc'],
  [93, 'notPermitted'],
  [96, 'technical'],
  [100, 'cardRestricted'],
  [101, 'expired'],
  [103, 'issuerUnavailable'],
  [107, 'callIssuer'],
  [104, 'accountRestricted'],
  [106, 'pinTries'],
  [109, 'merchantSetup'],
  [110, 'invalidAmount'],
  [111, 'wrongCardNumber'],
  [116, 'insufficientFunds'],
  [117, 'wrongPin'],
  [118, 'notPermitted'],
  [119, 'fraudSuspected'],
  [120, 'notPermitted'],
  [121, 'amountOverLimit'],
  [123, 'countLimit'],
  [125, 'invalidCard'],
  [208, 'lostStolen'],
  [209, 'amountOverLimit'],
  [239, 'cancelSubscription'],
  // BT iPay-specific
  [320, 'cardInactive'],
  [801, 'issuerUnavailable'],
  [803, 'blocked'],
  [804, 'notPermitted'],
  [805, 'issuerDeclined'],
  [861, 'wrongExpiry'],
  [871, 'wrongCvc'],
  [905, 'invalidCard'],
  [906, 'expired'],
  [915, 'insufficientFunds'],
  [917, 'amountOverLimit'],
  [998, 'noInstalments'],
  // Network, gateway and 3DS codes
  [400, 'reversed'],
  [433, 'technical'],
  [434, 'technical'],
  [435, 'technical'],
  [902, 'amountOverLimit'],
  [903, 'amountOverLimit'],
  [904, 'technical'],
  [907, 'issuerUnavailable'],
  [909, 'technical'],
  [910, 'issuerUnavailable'],
  [913, 'technical'],
  [914, 'technical'],
  [999, 'authorisationError'],
  [1001, 'notAttempted'],
  [1004, 'inProgress'],
  [1005, 'inProgress'],
  [1014, 'gatewayDeclined'],
  [1015, 'wrongCardData'],
  [1018, 'issuerNoAnswer'],
  [1019, 'issuerNoAnswer'],
  [2001, 'fraudSuspected'],
  [2002, 'technical'],
  [2003, 'threeDsNotAllowed'],
  [2004, 'merchantSetup'],
  [2005, 'threeDsNotAllowed'],
  [2006, 'merchantSetup'],
  [2007, 'alreadyPaid'],
  [2008, 'notCompleted'],
  [2009, 'refundTooLarge'],
  [2014, 'threeDsFailed'],
  [2015, 'merchantSetup'],
  [2016, 'merchantSetup'],
  [2022, 'orderDeclined'],
  [2023, 'technical'],
  [4005, 'merchantDeclined'],
  [9001, 'technical'],
  [71015, 'wrongCardData'],
  [151017, 'threeDsFailed'],
  [151018, 'issuerNoAnswer'],
  [151019, 'issuerNoAnswer'],
  [341014, 'gatewayDeclined'],
  [341016, 'threeDsRejected'],
  [341017, 'threeDsFailed'],
  [341018, 'threeDsCancelled'],
  [341019, 'threeDsFailed'],
  [341020, 'threeDsFailed'],
]);

/** Every actionCode with a specific explanation, ascending. */
export const DOCUMENTED_ACTION_CODES: readonly number[] = Object.freeze([...CODE_REASONS.keys()].sort((a, b) => a - b));

export const GENERIC_DECLINE: Readonly<ActionCodeExplanation> = Object.freeze({
  en: 'The payment was declined by the card issuer.',
  ru: 'Платёж отклонён банком-эмитентом.',
  retryAdvice: 'contact-issuer',
});

/**
 * The actionCodes that mean the buyer left on purpose: the payment page (-2014, also what the sandbox reports for its
 * Cancel button) or the bank's 3-D Secure page (-2009) was closed before paying. The order is declined at the
 * gateway like any failed payment, but the buyer is told calmly that it was cancelled, not that it failed.
 */
export const BUYER_CANCEL_ACTION_CODES: readonly number[] = Object.freeze([-2014, -2009]);

export function isBuyerCancel(code: number | null | undefined): boolean {
  return typeof code === 'number' && BUYER_CANCEL_ACTION_CODES.includes(code);
}

export function explainActionCode(code: number | null | undefined): ActionCodeExplanation {
  const key = typeof code === 'number' ? CODE_REASONS.get(code) : undefined;
  if (key === undefined) return { ...GENERIC_DECLINE };
  const [en, ru, retryAdvice] = R[key];
  return { en, ru, retryAdvice };
}
