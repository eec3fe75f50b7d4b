import type { PageLang } from '../types.js';
import type { ReceiptState } from '../receipts.js';

/** Every visible string of the receipt page (GET /sandbox/receipts/:uuid), in English and Russian. */
const TEXTS = {
  en: {
    receiptTitle: 'Receipt (simulated)',
    receiptNote:
      'A fiscal receipt made up by the payment sandbox: it was never sent to a tax authority or a real fiscal data operator.',
    receiptKind: 'Type',
    kindPayment: 'Sale',
    kindRefund: 'Refund of a sale',
    receiptStatus: 'Status',
    stateSent: 'Sent to the cash register, not registered yet',
    stateDelivered: 'Registered',
    stateFailed: 'Registration failed',
    receiptMerchant: 'Merchant',
    receiptOrder: 'Order',
    receiptTotal: 'Total',
    receiptDate: 'Date and time (UTC)',
    receiptShift: 'Shift',
    receiptNumber: 'Receipt number in the shift',
    receiptFn: 'Fiscal drive number',
    receiptEcr: 'Cash register registration number',
    receiptFd: 'Fiscal document number',
    receiptFp: 'Fiscal sign',
    receiptOfd: 'Fiscal data operator',
    receiptNotFoundTitle: 'Receipt not found',
    receiptNotFoundText: 'The receipt link is invalid or the receipt no longer exists.',
  },
  ru: {
    receiptTitle: 'Кассовый чек (имитация)',
    receiptNote:
      'Фискальный чек, созданный платёжной песочницей: он не передавался ни в налоговую службу, ни настоящему оператору фискальных данных.',
    receiptKind: 'Признак расчёта',
    kindPayment: 'Приход',
    kindRefund: 'Возврат прихода',
    receiptStatus: 'Статус',
    stateSent: 'Передан в кассу, ещё не зарегистрирован',
    stateDelivered: 'Зарегистрирован',
    stateFailed: 'Ошибка регистрации',
    receiptMerchant: 'Магазин',
    receiptOrder: 'Заказ',
    receiptTotal: 'Итог',
    receiptDate: 'Дата и время (UTC)',
    receiptShift: 'Смена',
    receiptNumber: 'Номер чека за смену',
    receiptFn: 'Номер фискального накопителя',
    receiptEcr: 'Регистрационный номер ККТ',
    receiptFd: 'Номер фискального документа',
    receiptFp: 'Фискальный признак документа',
    receiptOfd: 'Оператор фискальных данных',
    receiptNotFoundTitle: 'Чек не найден',
    receiptNotFoundText: 'Ссылка на чек неверна или чек больше не хранится.',
  },
} as const;

export type ReceiptTexts = (typeof TEXTS)['en'] | (typeof TEXTS)['ru'];

export function receiptTextsFor(lang: PageLang): ReceiptTexts {
  return TEXTS[lang];
}

export function receiptStateText(t: ReceiptTexts, state: ReceiptState): string {
  return state === 'sent' ? t.stateSent : state === 'delivered' ? t.stateDelivered : t.stateFailed;
}
