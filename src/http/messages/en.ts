/**
 * English UI text. This object defines the set of message keys: ru.ts must have
 * exactly the same keys (enforced by its type). `{name}` marks a parameter.
 */
export const en = {
  // Layout
  'layout.skipToContent': 'Skip to content',
  'layout.language': 'Language',
  'layout.footer': 'This is a demo shop. Payments go to a test payment gateway, so no real money is charged.',
  'layout.langName.en': 'English',
  'layout.langName.ru': 'Русский',
  'nav.catalog': 'Catalog',
  'nav.backToCatalog': 'Back to the catalog',
  buy: 'Buy',
  pay: 'Pay',
  tryAgain: 'Try again',
  'common.referenceId': 'Reference ID',
  'common.referenceHint': 'If you contact us, please quote this reference.',

  // Catalog
  'list.title': 'Our products',
  'list.intro': 'Small things for slow mornings. Prices include all taxes.',
  'list.empty': 'There are no products yet.',
  'product.price': 'Price',
  'product.quantity': 'Quantity',
  'product.quantityHint': 'From 1 to {max} items.',
  'product.sold': 'Sold so far: {count}',
  'product.payNote': 'You will pay on the secure page of the payment service. The shop never sees your card details.',

  // Order summary
  'order.description': 'Order {orderNumber}',
  'order.number': 'Order number',
  'order.caption': 'Your order',
  'order.item': 'Item',
  'order.quantity': 'Quantity',
  'order.unitPrice': 'Price',
  'order.lineAmount': 'Amount',
  'order.total': 'Total',
  'order.card': 'Card',

  // Outcomes
  'success.title': 'Payment successful',
  'success.text': 'Thank you! We have received your payment of {amount}.',
  'success.authorizedTitle': 'Payment authorized, will be captured',
  'success.authorizedText':
    'The amount of {amount} is reserved on your card and will be charged when we ship your order.',
  'success.continue': 'Continue shopping',
  'success.partlyRefunded': 'Of this, {amount} has been refunded to your card.',
  'failure.title': 'Payment failed',
  'failure.cancelledTitle': 'Payment cancelled',
  'failure.cancelledText': 'The payment for this order was cancelled or refunded.',
  'failure.refundedTitle': 'Payment refunded',
  'failure.refundedText': 'The payment for this order was refunded to your card.',
  'failure.notCharged': 'You were not charged.',
  'failure.reason': 'Reason',
  'failure.code': 'Bank response code',
  'failure.retryText': 'You can try again: we will create a new order for the same item.',
  'pending.title': 'We are confirming your payment',
  'pending.text': 'This can take up to a minute. This page checks again by itself for about two minutes.',
  'pending.doNotPayAgain': 'Please don’t pay again while we are checking.',
  'pending.checkAgain': 'Check again',
  'pending.stop': 'Stop refreshing',
  'pending.stoppedText': 'This page no longer refreshes by itself. Press “Check again” whenever you like.',
  'pending.gaveUpTitle': 'We couldn’t confirm your payment yet',
  'pending.gaveUpText': 'The payment service hasn’t told us the outcome of this payment yet.',
  'pending.notChargedTwice': 'You will not be charged twice for this order. Please don’t pay again.',
  'pending.whatToDo':
    'Check again in a few minutes: if the payment went through, your order is confirmed and there is nothing more to do. If this page is still here in an hour, contact us.',
  'pending.keepReference': 'Keep your order number and this reference ID: with them we can find your payment.',
  'unavailable.title': 'We can’t show your order right now',
  'unavailable.text':
    'The part of our shop that recognises your browser is briefly unavailable, so this page can’t show the outcome of your order yet. If you paid, the payment is recorded with your order all the same: nothing is lost. This page checks again by itself.',
  'unavailable.gaveUpText':
    'The part of our shop that recognises your browser is still unavailable. If you paid, the payment is recorded with your order all the same. Open this page again later in this browser to see your order.',
  'neutral.title': 'We can’t show this order here',
  'neutral.text':
    'Order details are shown only in the browser where the order was placed. If you placed this order, please open this page in that browser.',
  'gatewayError.title': 'The payment service is unavailable right now',
  'gatewayError.text': 'The payment service is unavailable right now. You have not been charged.',
  'gatewayError.unknownTitle': 'We couldn’t confirm the payment service’s answer',
  'gatewayError.unknownText':
    'We couldn’t confirm the payment service’s answer. You have not been charged by this attempt; please try again in a few minutes.',

  // Errors (full sentences; shown as the message of error.ejs)
  'errors.title.badRequest': 'Something is wrong with the request',
  'errors.title.forbidden': 'Access denied',
  'errors.title.notFound': 'Page not found',
  'errors.title.tooManyRequests': 'Too many requests',
  'errors.title.internal': 'Something went wrong',
  'errors.title.unavailable': 'Service unavailable',
  'errors.title.wrongHost': 'Please use the shop’s own address',
  'errors.busy': 'Your previous attempt is still being processed. Please wait a few seconds and try again.',
  'errors.verification':
    'We couldn’t verify this payment with the payment service. Please contact us and quote the reference ID below.',
  'errors.notFound': 'We couldn’t find the page you were looking for.',
  'errors.badQuantity': 'Please choose a quantity within the allowed range.',
  'errors.unknownProduct': 'This product is not in our catalog.',
  'errors.csrf': 'Your session has expired or the form was already sent. Please reload the page and try again.',
  'errors.tooManyRequests': 'Too many attempts. Please wait a minute and try again.',
  'errors.internal': 'Something went wrong on our side. Please try again later.',
  'errors.badRequest': 'We couldn’t understand this request. Please go back and try again.',
  'errors.forbidden': 'You don’t have access to this page.',
  'errors.unavailable': 'The service is temporarily unavailable. Please try again in a few minutes.',
  'errors.wrongHost':
    'This shop is at {url}. Orders can be placed and shown only at that address: please open it there and try again.',
  'errors.goHome': 'Go to the catalog',
} as const;

export type MessageKey = keyof typeof en;
