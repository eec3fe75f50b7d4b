/**
 * Buyer-facing explanations of the gateway's `actionCode`, in English and Russian: the words for each reason that
 * src/gateway/action-codes.ts gives a code (its type makes a reason without words a compile-time error).
 */
import {
  actionCodeReason,
  GENERIC_DECLINE_ADVICE,
  REASON_ADVICE,
  type ActionCodeReason,
  type RetryAdvice,
} from '../../gateway/action-codes.js';

export interface ActionCodeExplanation {
  en: string;
  ru: string;
  retryAdvice: RetryAdvice;
}

const TEXTS: Readonly<Record<ActionCodeReason, readonly [en: string, ru: string]>> = {
  approved: ['The bank approved the operation.', 'Банк одобрил операцию.'],
  inProgress: ['The payment is still being processed.', 'Платёж ещё обрабатывается.'],
  notAttempted: ['No payment was attempted for this order.', 'По этому заказу не было попыток оплаты.'],
  timeRanOut: ['The time for payment ran out.', 'Время на оплату истекло.'],
  attemptsExhausted: [
    'Too many payment attempts were made for this order.',
    'Исчерпано число попыток оплаты этого заказа.',
  ],
  leftPaymentPage: [
    'The payment page was closed before the payment was completed.',
    'Страница оплаты была закрыта до завершения платежа.',
  ],
  leftBankPage: [
    'The bank’s confirmation page was closed before the payment was completed.',
    'Страница подтверждения банка была закрыта до завершения платежа.',
  ],
  threeDsRejected: [
    'The card issuer rejected 3-D Secure authentication.',
    'Банк-эмитент отклонил проверку 3-D Secure.',
  ],
  threeDsFailed: [
    '3-D Secure verification of the card could not be completed.',
    'Не удалось пройти проверку карты 3-D Secure.',
  ],
  threeDsCancelled: ['3-D Secure verification was cancelled.', 'Проверка 3-D Secure была отменена.'],
  threeDsNotAllowed: [
    'This payment requires 3-D Secure, which is not available for this card.',
    'Для этого платежа нужна проверка 3-D Secure, а для карты она недоступна.',
  ],
  issuerNoAnswer: ['The card issuer did not respond in time.', 'Банк-эмитент не ответил вовремя.'],
  issuerUnavailable: ['The card issuer is temporarily unavailable.', 'Банк-эмитент временно недоступен.'],
  technical: [
    'A technical error occurred while processing the payment.',
    'При обработке платежа произошла техническая ошибка.',
  ],
  insufficientFunds: ['Insufficient funds on the card.', 'Недостаточно средств на карте.'],
  expired: ['The card has expired.', 'Срок действия карты истёк.'],
  wrongExpiry: ['The card expiry date was entered incorrectly.', 'Срок действия карты введён неверно.'],
  wrongCvc: ['The security code (CVC/CVV) was entered incorrectly.', 'Код безопасности (CVC/CVV) введён неверно.'],
  wrongCardNumber: ['The card number is not valid.', 'Номер карты недействителен.'],
  wrongCardData: ['The card details were entered incorrectly.', 'Данные карты введены неверно.'],
  unknownCard: ['The card was not recognised by the payment system.', 'Платёжная система не распознала карту.'],
  unknownIssuer: [
    'The bank that issued the card could not be identified.',
    'Не удалось определить банк, выпустивший карту.',
  ],
  cardInactive: ['The card is not active.', 'Карта не активна.'],
  invalidCard: ['This card cannot be used for this payment.', 'Эту карту нельзя использовать для этого платежа.'],
  amountOverLimit: [
    'The amount exceeds the limit set for this card.',
    'Сумма превышает лимит, установленный для карты.',
  ],
  dailyLimit: ['The card’s daily spending limit has been reached.', 'Достигнут дневной лимит расходов по карте.'],
  countLimit: [
    'The card’s limit on the number of payments has been reached.',
    'Достигнут лимит количества операций по карте.',
  ],
  cardRestricted: [
    'The card issuer does not allow online payments with this card.',
    'Банк-эмитент запретил оплату этой картой в интернете.',
  ],
  notPermitted: [
    'The card issuer does not allow this type of payment.',
    'Банк-эмитент не разрешает этот тип операций.',
  ],
  accountRestricted: ['The card account is restricted.', 'Счёт карты ограничен.'],
  lostStolen: ['The card has been reported lost or stolen.', 'Карта заявлена как утерянная или украденная.'],
  blocked: ['The card is blocked.', 'Карта заблокирована.'],
  pickUp: ['The card issuer has asked to withhold this card.', 'Банк-эмитент запросил изъятие карты.'],
  pinTries: ['The number of PIN attempts for this card has been exceeded.', 'Превышено число попыток ввода PIN-кода.'],
  wrongPin: ['The PIN was entered incorrectly.', 'PIN-код введён неверно.'],
  identityRequired: [
    'The card issuer needs to confirm your identity before approving this payment.',
    'Банку-эмитенту нужно подтвердить вашу личность, прежде чем одобрить платёж.',
  ],
  callIssuer: [
    'Please call your card issuer to approve this payment.',
    'Позвоните в банк-эмитент, чтобы одобрить этот платёж.',
  ],
  issuerDeclined: [
    'The card issuer declined this payment; your bank can tell you why.',
    'Банк-эмитент отклонил платёж; причину можно узнать в вашем банке.',
  ],
  gatewayDeclined: ['The payment service declined the payment.', 'Платёжный сервис отклонил платёж.'],
  orderDeclined: ['The order was declined by the payment service.', 'Заказ отклонён платёжным сервисом.'],
  fraudSuspected: ['The payment was stopped by security checks.', 'Платёж остановлен проверкой безопасности.'],
  blockedByRules: [
    'The payment was blocked by the payment service’s security rules.',
    'Платёж заблокирован правилами безопасности платёжного сервиса.',
  ],
  invalidAmount: ['The payment amount was not accepted.', 'Сумма платежа не принята.'],
  merchantSetup: [
    'The shop cannot accept this kind of payment at the moment.',
    'Сейчас магазин не может принять такой платёж.',
  ],
  merchantDeclined: ['The shop declined the payment.', 'Магазин отклонил платёж.'],
  duplicate: ['The payment was stopped because it looked like a duplicate.', 'Платёж остановлен как повторный.'],
  alreadyPaid: ['This order has already been paid.', 'Этот заказ уже оплачен.'],
  notCompleted: ['The payment was not completed.', 'Платёж не был завершён.'],
  reversed: [
    'The payment was cancelled and the held amount released.',
    'Платёж отменён, заблокированная сумма освобождена.',
  ],
  refundTooLarge: ['The refund amount exceeds the payment.', 'Сумма возврата превышает сумму платежа.'],
  cancelledByAgent: ['The payment was cancelled by the payment agent.', 'Платёж отменён платёжным агентом.'],
  sberPayDeclined: ['The payment was declined in SberPay.', 'Оплата отклонена в SberPay.'],
  sbpNoSubscription: [
    'The Faster Payments System (SBP) subscription was not found.',
    'Подписка в Системе быстрых платежей (СБП) не найдена.',
  ],
  sbpInProgress: [
    'The Faster Payments System (SBP) payment is still in progress.',
    'Платёж через Систему быстрых платежей (СБП) ещё выполняется.',
  ],
  savedCardOff: [
    'Payments with this saved card have been turned off by the card holder.',
    'Владелец карты запретил платежи этой сохранённой картой.',
  ],
  savedCardDeactivated: ['This saved card has been deactivated.', 'Эта сохранённая карта деактивирована.'],
  cancelSubscription: [
    'The card issuer asked to cancel the subscription for this card.',
    'Банк-эмитент потребовал отменить подписку по этой карте.',
  ],
  wrongWallet: [
    'The selected wallet cannot be used for this payment.',
    'Выбранный кошелёк нельзя использовать для этого платежа.',
  ],
  noInstalments: [
    'Payment in instalments is not available for this card.',
    'Оплата частями недоступна для этой карты.',
  ],
  notSupported: ['This operation is not supported for the payment.', 'Эта операция не поддерживается для платежа.'],
  authorisationError: [
    'The payment could not be authorised because of a security or 3-D Secure error.',
    'Платёж не авторизован из-за ошибки проверки безопасности или 3-D Secure.',
  ],
};

export const GENERIC_DECLINE: Readonly<ActionCodeExplanation> = Object.freeze({
  en: 'The payment was declined by the card issuer.',
  ru: 'Платёж отклонён банком-эмитентом.',
  retryAdvice: GENERIC_DECLINE_ADVICE,
});

export function explainActionCode(code: number | null | undefined): ActionCodeExplanation {
  const reason = actionCodeReason(code);
  if (reason === undefined) return { ...GENERIC_DECLINE };
  const [en, ru] = TEXTS[reason];
  return { en, ru, retryAdvice: REASON_ADVICE[reason] };
}
