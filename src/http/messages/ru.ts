import type { MessageKey } from './en.js';

/** Russian UI text. The type makes a missing or extra key a compile-time error. */
export const ru: Record<MessageKey, string> = {
  // Layout
  'layout.skipToContent': 'Перейти к содержимому',
  'layout.language': 'Язык',
  'layout.footer':
    'Это демонстрационный магазин. Платежи проходят через тестовый платёжный шлюз, настоящие деньги не списываются.',
  'layout.langName.en': 'English',
  'layout.langName.ru': 'Русский',
  'nav.catalog': 'Каталог',
  'nav.backToCatalog': 'Вернуться в каталог',
  buy: 'Купить',
  pay: 'Оплатить',
  tryAgain: 'Попробовать снова',
  'common.referenceId': 'Код обращения',
  'common.referenceHint': 'Если будете писать нам, укажите этот код.',

  // Catalog
  'list.title': 'Наши товары',
  'list.intro': 'Маленькие радости для неспешного утра. Цены указаны с учётом налогов.',
  'list.empty': 'Товаров пока нет.',
  'product.price': 'Цена',
  'product.quantity': 'Количество',
  'product.quantityHint': 'От 1 до {max} шт.',
  'product.sold': 'Уже продано: {count}',
  'product.payNote': 'Оплата проходит на защищённой странице платёжного сервиса. Магазин не видит данные вашей карты.',

  // Order summary
  'order.description': 'Заказ {orderNumber}',
  'order.number': 'Номер заказа',
  'order.caption': 'Ваш заказ',
  'order.item': 'Товар',
  'order.quantity': 'Количество',
  'order.unitPrice': 'Цена',
  'order.lineAmount': 'Сумма',
  'order.total': 'Итого',
  'order.card': 'Карта',

  // Outcomes
  'success.title': 'Оплата прошла успешно',
  'success.text': 'Спасибо! Мы получили ваш платёж на сумму {amount}.',
  'success.authorizedTitle': 'Заказ оформлен: оплата при отправке',
  'success.authorizedText': 'Сумма {amount} зарезервирована на вашей карте и будет списана, когда мы отправим заказ.',
  'success.continue': 'Продолжить покупки',
  'success.partlyRefunded': 'Из этой суммы {amount} возвращено на вашу карту.',
  'failure.title': 'Оплата не прошла',
  'failure.cancelledTitle': 'Платёж отменён',
  'failure.cancelledText': 'Платёж по этому заказу отменён или возвращён.',
  'failure.refundedTitle': 'Платёж возвращён',
  'failure.refundedText': 'Деньги за этот заказ возвращены на вашу карту.',
  'failure.notCharged': 'Деньги с карты не списаны.',
  'failure.reason': 'Причина',
  'failure.code': 'Код ответа банка',
  'failure.buyerCancelledText': 'Вы отменили оплату, поэтому деньги не списаны. Товар по-прежнему ждёт вас в магазине.',
  'failure.backToProduct': 'Вернуться к товару',
  'failure.retryText': 'Можно попробовать ещё раз: мы создадим новый заказ на тот же товар.',
  'pending.title': 'Подтверждаем ваш платёж',
  'pending.text': 'Это может занять до минуты. Страница сама проверит снова несколько раз в течение двух минут.',
  'pending.doNotPayAgain': 'Пожалуйста, не оплачивайте заказ повторно, пока идёт проверка.',
  'pending.checkAgain': 'Проверить снова',
  'pending.stop': 'Не обновлять',
  'pending.stoppedText': 'Страница больше не обновляется сама. Нажмите «Проверить снова», когда захотите.',
  'pending.gaveUpTitle': 'Мы пока не смогли подтвердить ваш платёж',
  'pending.gaveUpText': 'Платёжный сервис ещё не сообщил нам, чем закончился этот платёж.',
  'pending.notChargedTwice': 'Дважды за этот заказ деньги не спишут. Пожалуйста, не оплачивайте его повторно.',
  'pending.whatToDo':
    'Проверьте снова через несколько минут: если платёж прошёл, заказ подтверждён и больше ничего делать не нужно. Если через час эта страница не изменится, свяжитесь с нами.',
  'pending.keepReference': 'Сохраните номер заказа и этот код обращения: по ним мы найдём ваш платёж.',
  'neutral.title': 'Мы не можем показать этот заказ здесь',
  'neutral.text':
    'Данные заказа видны только в браузере, в котором его оформили. Если это ваш заказ, откройте эту страницу в том браузере.',
  'gatewayError.title': 'Платёжный сервис сейчас недоступен',
  'gatewayError.text': 'Платёжный сервис сейчас недоступен. Деньги с вас не списаны.',
  'gatewayError.unknownTitle': 'Не удалось получить ответ платёжного сервиса',
  'gatewayError.unknownText':
    'Мы не смогли подтвердить ответ платёжного сервиса. За эту попытку деньги с вас не списаны; попробуйте ещё раз через несколько минут.',

  // Errors
  'errors.title.badRequest': 'Ошибка в запросе',
  'errors.title.forbidden': 'Доступ запрещён',
  'errors.title.notFound': 'Страница не найдена',
  'errors.title.tooManyRequests': 'Слишком много запросов',
  'errors.title.internal': 'Что-то пошло не так',
  'errors.title.unavailable': 'Сервис недоступен',
  'errors.title.wrongHost': 'Откройте магазин по его адресу',
  'errors.busy': 'Предыдущая попытка ещё обрабатывается. Подождите несколько секунд и попробуйте снова.',
  'errors.verification':
    'Не удалось сверить этот платёж с платёжным сервисом. Свяжитесь с нами и укажите код обращения ниже.',
  'errors.notFound': 'Мы не нашли страницу, которую вы ищете.',
  'errors.badQuantity': 'Выберите количество в допустимых пределах.',
  'errors.unknownProduct': 'Такого товара нет в нашем каталоге.',
  'errors.csrf': 'Сессия истекла или форма уже была отправлена. Обновите страницу и попробуйте снова.',
  'errors.tooManyRequests': 'Слишком много попыток. Подождите минуту и попробуйте снова.',
  'errors.internal': 'На нашей стороне что-то пошло не так. Попробуйте позже.',
  'errors.badRequest': 'Мы не смогли разобрать запрос. Вернитесь назад и попробуйте снова.',
  'errors.forbidden': 'У вас нет доступа к этой странице.',
  'errors.unavailable': 'Сервис временно недоступен. Попробуйте через несколько минут.',
  'errors.wrongHost':
    'Магазин работает по адресу {url}. Оформить и посмотреть заказ можно только по этому адресу: откройте его и попробуйте снова.',
  'errors.goHome': 'Перейти в каталог',
};
