/**
 * Error texts of the REST API in the two languages the sandbox speaks. Clients must not match on them
 * (docs/gateway-reference.md §1.3), but they follow the real gateway's wording so logs look familiar.
 */
const MESSAGES = {
  success: ['Success', 'Успешно'],
  credentialsEmpty: ['[userName] or [password] or [token] is empty', '[userName] или [password] или [token] не указан'],
  accessDenied: ['Access denied', 'Доступ запрещён'],
  authThrottled: [
    'Access denied: too many failed authentication attempts, try again later',
    'Доступ запрещён: слишком много неудачных попыток авторизации, повторите позже',
  ],
  bothCredentials: [
    'Access denied: use either [userName] and [password] or [token]',
    'Доступ запрещён: укажите либо [userName] и [password], либо [token]',
  ],
  orderNumberEmpty: ['Order number is empty', 'Номер заказа не указан'],
  orderNumberInvalid: ['Invalid order number', 'Неверный номер заказа'],
  orderNumberDuplicate: [
    'Order number is duplicated, order with given order number is processed already',
    'Заказ с таким номером уже обработан',
  ],
  amountEmpty: ['Amount is empty', 'Сумма не указана'],
  amountInvalid: ['Invalid amount', 'Неверная сумма'],
  returnUrlEmpty: ['Return URL is empty', 'URL возврата не указан'],
  returnUrlInvalid: ['Return URL is invalid', 'URL возврата некорректен'],
  failUrlInvalid: ['Fail URL is invalid', 'URL ошибки некорректен'],
  callbackUrlInvalid: ['Dynamic callback URL is invalid', 'Динамический URL для callback-уведомлений некорректен'],
  callbackHostNotAllowed: [
    "Dynamic callback URL host is not allowed: this sandbox sends a merchant's callbacks only to its own callback origins and the hosts in SANDBOX_CALLBACK_HOSTS",
    'Хост динамического URL для callback-уведомлений не разрешён: песочница отправляет уведомления продавца только на его собственные адреса для уведомлений и хосты из SANDBOX_CALLBACK_HOSTS',
  ],
  currencyUnknown: ['Unknown currency', 'Неизвестная валюта'],
  languageInvalid: ['Invalid language', 'Неверный язык'],
  descriptionInvalid: ['Invalid description', 'Неверное описание'],
  jsonParamsInvalid: [
    'Invalid jsonParams: expected a JSON object of at most 32 string values (names up to 255, values up to 1024 characters)',
    'Неверный формат jsonParams: ожидается JSON-объект не более чем из 32 строковых значений (имена до 255, значения до 1024 символов)',
  ],
  sessionTimeoutInvalid: ['Invalid sessionTimeoutSecs', 'Неверное значение sessionTimeoutSecs'],
  expirationDateInvalid: ['Invalid expirationDate', 'Неверное значение expirationDate'],
  paramInvalid: ['Invalid request parameter value', 'Неверное значение параметра запроса'],
  preAuthForbidden: [
    'Pre-authorization payments are not allowed for this merchant',
    'Предавторизация запрещена для продавца',
  ],
  orderIdOrNumberEmpty: ['Expected [orderId] or [orderNumber]', 'Ожидается [orderId] или [orderNumber]'],
  orderIdEmpty: ['[orderId] is empty', '[orderId] не указан'],
  tokenNeedsOrderId: [
    'With token authentication only [orderId] is accepted',
    'При авторизации по токену допускается только [orderId]',
  ],
  orderNotFound: ['Order not found', 'Заказ не найден'],
  orderDeclined: ['Order is declined', 'Заказ отклонён'],
  wrongState: [
    'Operation is not possible in the current order state',
    'Операция невозможна для текущего состояния платежа',
  ],
  depositExceedsHold: [
    'Deposit amount exceeds the pre-authorized amount',
    'Сумма завершения превышает сумму холдирования',
  ],
  refundLimitReached: [
    'Refund limit reached: at most 50 refunds per order',
    'Достигнут предел возвратов: не более 50 возвратов по заказу',
  ],
  externalRefundIdInvalid: [
    'Invalid externalRefundId: at most 36 characters',
    'Неверный externalRefundId: не более 36 символов',
  ],
  refundExceedsDeposit: ['Refund amount exceeds the deposited amount', 'Сумма возврата превышает сумму списания'],
  partialReverseForbidden: ['Partial reversal is not allowed', 'Частичная отмена запрещена'],
  reverseAlreadyAttempted: ['Reversal was already attempted for this order', 'Отмена по заказу уже выполнялась'],
  currencyMismatch: ['Currency does not match the order currency', 'Валюта не совпадает с валютой заказа'],
  // The cart (orderBundle, depositItems, refundItems; cart.ts).
  cartNotJson: ['Wrong request format: the cart is not JSON', 'Неверный формат запроса: корзина не является JSON'],
  cartFormatInvalid: ['Wrong cart format', 'Неверный формат корзины'],
  // The sandbox's own bounds (cart.ts CART_LIMITS; the gateway documents none): said as such, not as a format error.
  cartTooManyItems: [
    "Wrong cart format: more than 100 items, the sandbox's own bound",
    'Неверный формат корзины: больше 100 позиций, это ограничение песочницы',
  ],
  cartTooManyAttributes: [
    "Wrong cart format: more than 20 attributes, the sandbox's own bound",
    'Неверный формат корзины: больше 20 атрибутов, это ограничение песочницы',
  ],
  cartItemAmountNotPriceTimesQuantity: [
    'Wrong cart format: itemAmount is not itemPrice × quantity.value rounded to a minor unit',
    'Неверный формат корзины: itemAmount не равен itemPrice × quantity.value с округлением до минимальной единицы валюты',
  ],
  cartPayerDataIncomplete: [
    'Wrong cart format: payer data needs the inn, or birth date, document code and document number',
    'Неверный формат корзины: к данным покупателя нужен ИНН либо дата рождения, код и номер документа',
  ],
  cartCurrencyMismatch: [
    'Cart currency does not match the order currency',
    'Валюта корзины не совпадает с валютой заказа',
  ],
  cartSumMismatch: [
    'Sum of the cart positions does not match the order amount',
    'Сумма товарных позиций в Корзине не совпадает с общей суммой заказа',
  ],
  cartItemsSumMismatch: [
    'Sum of the cart positions does not match the amount of the operation',
    'Сумма товарных позиций в Корзине не совпадает с суммой операции',
  ],
  cartPositionUnknown: [
    'Wrong cart format: the position is not in the registered cart (positionId, name and itemCode must match)',
    'Неверный формат корзины: позиции нет в зарегистрированной корзине (positionId, name и itemCode должны совпадать)',
  ],
  cartItemExceeds: [
    'The quantity or amount of a cart position exceeds what is left of it',
    'Количество или сумма товарной позиции превышает оставшиеся',
  ],
  cartRequired: [
    'The cart is required for an operation on a part of a cart order',
    'Для операции на часть заказа с корзиной необходимо передать корзину',
  ],
  cartRequiredAfterItems: [
    'An earlier refund of this order named its cart lines: every later refund must name them too',
    'Предыдущий возврат по заказу был с корзиной: каждый следующий возврат тоже должен передавать корзину',
  ],
  taxSystemInvalid: ['Invalid taxSystem', 'Неверное значение taxSystem'],
  // getReceiptStatus.do (receipts.ts)
  receiptIdEmpty: [
    'Expected at least one of: orderId, orderNumber, uuid.',
    'Ожидается хотя бы один из параметров: orderId, orderNumber, uuid.',
  ],
  receiptUuidInvalid: ['Invalid [uuid]: at most 36 characters', 'Неверный [uuid]: не более 36 символов'],
  receiptNotFound: ['Receipt not found', 'Чек не найден'],
} as const;

export type MessageId = keyof typeof MESSAGES;

export function message(id: MessageId, language: string | undefined): string {
  const [en, ru] = MESSAGES[id];
  return language === 'ru' ? ru : en;
}

const ACTION_CODE_TEXT: Record<number, readonly [string, string]> = {
  0: ['', ''],
  [-100]: ['No payment attempts yet', 'Попыток оплаты не было'],
  // The same words as the shop's buyer text for 5 (src/http/messages/action-codes.ts): an issuer decline, "do not honour".
  5: ['The card issuer declined this payment (do not honour)', 'Банк-эмитент отклонил платёж (do not honour)'],
  101: ['Card expired', 'Истёк срок действия карты'],
  116: ['Insufficient funds', 'Недостаточно средств'],
  1015: ['Wrong card data entered', 'Неверно введены параметры карты'],
  4005: ['Declined by the merchant', 'Отклонено продавцом'],
  [-2006]: ['3-D Secure authentication failed', 'Аутентификация 3-D Secure не пройдена'],
  [-2007]: ['Order session timed out', 'Истекло время, отведённое на оплату заказа'],
  [-2013]: ['Payment attempts exhausted', 'Исчерпаны попытки оплаты'],
};

export function actionCodeDescription(code: number, language: string | undefined): string {
  const pair = ACTION_CODE_TEXT[code];
  if (!pair) return '';
  return language === 'ru' ? pair[1] : pair[0];
}
