/**
 * OpenAPI 3.1 description of the sandbox's REST API (/payment/rest/*.do), served at GET /sandbox/openapi.json and
 * committed as docs/sandbox-openapi.json (test/openapi.test.ts keeps the two equal and checks real answers
 * against the schemas). Written by hand from rest/ — the answers' schemas are strict (no unlisted fields), so a
 * field added to an answer without adding it here fails that test.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Schema = { [key: string]: Json };

const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });

const str = (description: string, extra: Schema = {}): Schema => ({ type: 'string', description, ...extra });
const int = (description: string, extra: Schema = {}): Schema => ({ type: 'integer', description, ...extra });

/** A form body: the parameters as properties, some required. */
const form = (properties: Record<string, Schema>, required: string[]): Schema => ({
  required: true,
  content: {
    'application/x-www-form-urlencoded': {
      schema: { allOf: [ref('Credentials'), { type: 'object', properties, required }] },
    },
  },
});

const CREDENTIALS_NOTE =
  'Every call carries userName + password or token (one of the two, never both); missing, mixed or wrong credentials ' +
  'are errorCode 5. Form body (POST) or query string (GET); when both carry a parameter the body wins.';

const json = (schemaName: string, description: string): Schema => ({
  description,
  content: { 'application/json': { schema: ref(schemaName) } },
});

const PLAIN_ERRORS: Schema = {
  '405': { description: 'A method other than GET or POST (text/plain).' },
};

function method(
  tag: string,
  summary: string,
  description: string,
  body: Schema,
  answer: string,
  answerText: string,
): Schema {
  return {
    post: {
      tags: [tag],
      summary,
      description: `${description}\n\n${CREDENTIALS_NOTE}`,
      operationId: summary.replace(/\.do$/, ''),
      requestBody: body,
      responses: { '200': json(answer, answerText), ...PLAIN_ERRORS },
    },
  };
}

/** The cart's register parameters (docs/gateway-reference.md §8, cart.ts). */
function cartRegisterParams(): Record<string, Schema> {
  return {
    orderBundle: str(
      'The cart, a JSON string: {orderCreationDate?, customerDetails?{email|phone, ...}, cartItems{items[{positionId, ' +
        'name, quantity{value, measure}, itemAmount and/or itemPrice, itemCurrency?, itemCode, tax?{taxType}, ' +
        'itemAttributes?{attributes[{name, value}]}}]}}. Line totals must add up to amount (errorCode 8); not JSON is 4.',
    ),
    taxSystem: str('Tax system of the fiscal receipt: 0 to 5.', { pattern: '^[0-5]$' }),
    additionalOfdParams: str(
      'Fiscal extras, a flat JSON object of dotted keys. The sandbox reads only its client.* payer entries: with a ' +
        'cart that names the payer, client.inn, or client.birth_date + client.document_code + the document number, ' +
        'is needed (errorCode 8).',
    ),
  };
}

/** deposit.do's depositItems and refund.do's refundItems: the lines of a cart order's capture or refund. */
const cartItemsParam = (what: string): Schema =>
  str(
    `The ${what}'s lines of a cart order, a JSON string {"items":[...]} with the registered cart's item structure: ` +
      'positionId, name and itemCode as registered, quantity and itemAmount within what is left of the line, adding ' +
      'up to amount. Required for anything but the whole remaining amount of a cart order.',
  );

const registerParams: Record<string, Schema> = {
  orderNumber: str("The merchant's order number, unique per merchant; 1 to 36 characters.", { maxLength: 36 }),
  amount: str('Amount in minor units (cents, kopecks): digits only, not 0.', { pattern: '^\\d{1,12}$' }),
  currency: str('ISO 4217 numeric code (978 euro, 643 rouble, 810 the legacy rouble code); default 643.', {
    pattern: '^\\d{3}$',
  }),
  returnUrl: str('Absolute http(s) URL the buyer returns to; orderId and lang are appended.'),
  failUrl: str('Absolute http(s) URL for a declined or cancelled payment; returnUrl when absent.'),
  description: str('Shown on the hosted page; at most 598 characters. Tags like [sandbox:…] switch faults.', {
    maxLength: 598,
  }),
  language: str('Two-letter page and message language: ru gives the Russian page, anything else English.', {
    pattern: '^[A-Za-z]{2}$',
  }),
  jsonParams: str('A JSON object whose values are all strings (at most 32 entries), returned as merchantOrderParams.'),
  sessionTimeoutSecs: str('Order lifetime in seconds (default 1200).', { pattern: '^\\d{1,9}$' }),
  expirationDate: str('yyyy-MM-ddTHH:mm:ss in UTC+3; wins over sessionTimeoutSecs.'),
  dynamicCallbackUrl: str("Where this order's callbacks go; its host must be in the sandbox's allow-list."),
  ip: str("The buyer's IP address (at most 39 characters)."),
  ...cartRegisterParams(),
};

const orderRef: Record<string, Schema> = {
  orderId: str('The orderId register answered (mdOrder).', { maxLength: 36 }),
};

const nameValue: Schema = {
  type: 'object',
  properties: { name: { type: 'string' }, value: { type: 'string' } },
  required: ['name', 'value'],
  additionalProperties: false,
};

/** register/status answer errorCode as a string ("0"); the errorCodeAsNumber fault switch makes it a number. */
const codeText = (zero: boolean): Schema =>
  zero
    ? { description: 'Zero: processed.', enum: ['0', 0] }
    : {
        description: 'Non-zero: refused. A string for register and status calls, a number for operations.',
        oneOf: [
          { type: 'string', pattern: '^[1-9]\\d*$' },
          { type: 'integer', minimum: 1 },
        ],
      };

/** getOrderStatusExtended's orderBundle: the registered cart echoed (docs/gateway-reference.md §8, cart.ts). */
function cartSchemas(): Record<string, Schema> {
  const object = (properties: Record<string, Schema>, required: string[] = []): Schema => ({
    type: 'object',
    properties,
    required,
    additionalProperties: false,
  });
  const entry = (value: Schema): Schema => object({ name: { type: 'string' }, value }, ['name', 'value']);
  return {
    CartItem: object(
      {
        positionId: int('Unique within the cart, from 1.', { minimum: 1 }),
        name: { type: 'string' },
        quantity: object({ value: { type: 'number' }, measure: { type: 'string' } }, ['value', 'measure']),
        itemAmount: int('The line total, minor units.'),
        itemPrice: int('Unit price, minor units: as registered, or the line total per unit.'),
        itemCurrency: str('ISO 4217 numeric code, the order currency.', { pattern: '^\\d{3}$' }),
        itemCode: { type: 'string' },
        tax: object({ taxType: { type: 'integer' }, taxSum: { type: 'integer' } }, ['taxType']),
        itemAttributes: object({ attributes: { type: 'array', items: entry({}) } }, ['attributes']),
        itemDetails: object({ itemDetailsParams: { type: 'array', items: entry({ type: 'string' }) } }, [
          'itemDetailsParams',
        ]),
        depositedItemAmount: str('What was captured of the line, minor units (a string, as the gateway types it).', {
          pattern: '^\\d+$',
        }),
      },
      ['positionId', 'name', 'quantity', 'itemAmount', 'itemPrice', 'itemCode', 'depositedItemAmount'],
    ),
    OrderBundle: object(
      {
        orderCreationDate: { oneOf: [{ type: 'string' }, { type: 'integer' }] },
        customerDetails: object({
          email: { type: 'string' },
          phone: { type: 'string' },
          contact: { type: 'string' },
          fullName: { type: 'string' },
          passport: { type: 'string' },
          inn: { type: 'string' },
        }),
        cartItems: object({ items: { type: 'array', items: ref('CartItem') } }, ['items']),
      },
      ['cartItems'],
    ),
  };
}

const schemas: Record<string, Schema> = {
  Credentials: {
    type: 'object',
    description: CREDENTIALS_NOTE,
    properties: {
      userName: str('API user name.'),
      password: str("The API user's password. Never log request bodies: it travels in every call."),
      token: str('Merchant token, instead of userName + password.'),
      language: str('Language of errorMessage: ru or en (default).'),
    },
  },
  ErrorEnvelope: {
    type: 'object',
    description:
      'A refused call, still HTTP 200. Register and status calls answer errorCode as a string, deposit, reverse, ' +
      'refund and decline as a number. errorMessage follows `language`; never branch on it.',
    properties: { errorCode: codeText(false), errorMessage: { type: 'string' } },
    required: ['errorCode', 'errorMessage'],
    additionalProperties: false,
  },
  RegisterResult: {
    type: 'object',
    properties: {
      orderId: str('The gateway order id (mdOrder), a UUID.', { format: 'uuid' }),
      formUrl: str('The hosted payment page to send the buyer to.', { format: 'uri' }),
    },
    required: ['orderId', 'formUrl'],
    additionalProperties: false,
  },
  RegisterAnswer: { anyOf: [ref('RegisterResult'), ref('ErrorEnvelope')] },
  OperationResult: {
    type: 'object',
    description: 'deposit, reverse, refund, decline: processed. Says nothing more; read the status.',
    properties: { errorCode: { const: 0 }, errorMessage: { type: 'string' } },
    required: ['errorCode', 'errorMessage'],
    additionalProperties: false,
  },
  OperationAnswer: { anyOf: [ref('OperationResult'), ref('ErrorEnvelope')] },
  OrderStatus: {
    type: 'integer',
    enum: [0, 1, 2, 3, 4, 5, 6],
    description:
      '0 registered, 1 held (two-phase), 2 paid, 3 reversed, 4 refunded, 5 3-D Secure or processor in progress, 6 declined.',
  },
  ExtendedStatus: {
    type: 'object',
    properties: {
      errorCode: codeText(true),
      errorMessage: { type: 'string' },
      orderNumber: { type: 'string' },
      orderStatus: ref('OrderStatus'),
      actionCode: int(
        'Processing result: 0 success, -100 no attempt yet, negative gateway codes, positive issuer codes.',
      ),
      actionCodeDescription: { type: 'string' },
      amount: int('Minor units.'),
      currency: str('ISO 4217 numeric code.', { pattern: '^\\d{3}$' }),
      date: int('Registration time, milliseconds since the epoch.'),
      orderDescription: { type: 'string' },
      ip: { type: 'string' },
      merchantOrderParams: { type: 'array', items: nameValue, description: 'The jsonParams given to register.' },
      transactionAttributes: { type: 'array', items: nameValue },
      attributes: { type: 'array', items: nameValue, description: 'Holds mdOrder.' },
      cardAuthInfo: {
        type: 'object',
        properties: {
          maskedPan: str('Like 411111**1111.'),
          expiration: str('YYYYMM.', { pattern: '^\\d{6}$' }),
          cardholderName: { type: 'string' },
          approvalCode: { type: 'string' },
          paymentSystem: { type: 'string' },
          pan: str('The masked number again, as some versions name it.'),
        },
        required: ['maskedPan', 'expiration', 'cardholderName'],
        additionalProperties: false,
      },
      paymentWay: {
        enum: ['CARD', 'APPLE_PAY', 'GOOGLE_PAY_TOKENIZED', 'GOOGLE_PAY_CARD', 'SAMSUNG_PAY'],
        description:
          'How the buyer paid, from the first payment attempt on: CARD a typed card, APPLE_PAY, SAMSUNG_PAY, ' +
          'GOOGLE_PAY_TOKENIZED a Google Pay device token, GOOGLE_PAY_CARD a plain card from the Google account. ' +
          'With a wallet, cardAuthInfo holds the masked device PAN.',
      },
      authDateTime: int('Authorization time, milliseconds since the epoch.'),
      terminalId: { type: 'string' },
      authRefNum: { type: 'string' },
      depositedDate: { type: 'integer' },
      reversedDate: { type: 'integer' },
      refundedDate: { type: 'integer' },
      paymentAmountInfo: {
        type: 'object',
        properties: {
          paymentState: { enum: ['CREATED', 'APPROVED', 'DEPOSITED', 'REVERSED', 'REFUNDED', 'DECLINED'] },
          approvedAmount: { type: 'integer' },
          depositedAmount: { type: 'integer' },
          refundedAmount: { type: 'integer' },
          feeAmount: { type: 'integer' },
          totalAmount: { type: 'integer' },
        },
        required: ['paymentState', 'approvedAmount', 'depositedAmount', 'refundedAmount'],
        additionalProperties: false,
      },
      bankInfo: {
        type: 'object',
        properties: { bankCountryCode: { type: 'string' }, bankCountryName: { type: 'string' } },
        additionalProperties: false,
      },
      orderBundle: ref('OrderBundle'),
      refunds: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            date: { type: 'integer' },
            externalRefundId: { type: 'string' },
            actionCode: { type: 'integer' },
            referenceNumber: { type: 'string' },
            amount: { type: 'integer' },
          },
          required: ['date', 'actionCode', 'referenceNumber', 'amount'],
          additionalProperties: false,
        },
      },
    },
    required: [
      'errorCode',
      'orderNumber',
      'orderStatus',
      'actionCode',
      'amount',
      'currency',
      'date',
      'attributes',
      'paymentAmountInfo',
    ],
    additionalProperties: false,
  },
  ExtendedStatusAnswer: { anyOf: [ref('ExtendedStatus'), ref('ErrorEnvelope')] },
  ...cartSchemas(),
  LegacyStatus: {
    type: 'object',
    description: 'getOrderStatus.do capitalises its keys; ErrorCode 2 means declined, not a failed call.',
    properties: {
      ErrorCode: { enum: ['0', '2', 0, 2] },
      ErrorMessage: { type: 'string' },
      OrderStatus: ref('OrderStatus'),
      OrderNumber: { type: 'string' },
      Pan: { type: 'string' },
      expiration: { type: 'string' },
      cardholderName: { type: 'string' },
      Amount: { type: 'integer' },
      currency: { type: 'string' },
      approvalCode: { type: 'string' },
      authCode: { type: 'integer' },
      Ip: { type: 'string' },
      depositAmount: { type: 'integer' },
    },
    required: ['ErrorCode', 'OrderStatus', 'OrderNumber', 'Amount'],
    additionalProperties: false,
  },
  LegacyErrorEnvelope: {
    type: 'object',
    properties: { ErrorCode: codeText(false), ErrorMessage: { type: 'string' } },
    required: ['ErrorCode', 'ErrorMessage'],
    additionalProperties: false,
  },
  LegacyStatusAnswer: { anyOf: [ref('LegacyStatus'), ref('LegacyErrorEnvelope')] },
  // Fiscal receipts (getReceiptStatus.do, docs/gateway-reference.md §9)
  Receipt: {
    type: 'object',
    description:
      'One fiscal receipt. The fiscal data (shift, numbers, fiscal drive, operator) and the link come once the ' +
      'receipt is delivered (receiptStatus 1 or 4); until then, and for a failed receipt, ofd_receipt_url is empty.',
    properties: {
      receiptStatus: int(
        '0 sale receipt sent, 1 sale receipt delivered, 2 sale receipt failed, 3 refund receipt sent, ' +
          '4 refund receipt delivered, 5 refund receipt failed.',
        { enum: [0, 1, 2, 3, 4, 5] },
      ),
      uuid: str("The receipt's id in the fiscaliser.", { format: 'uuid' }),
      amount_total: str('The receipt total in major units with a point, e.g. "1500.00".', {
        pattern: '^\\d+(\\.\\d+)?$',
      }),
      ofd_receipt_url: str("Link to the receipt at the fiscal data operator (the sandbox's own page); may be empty."),
      shift_number: int('Cash register shift.'),
      fiscal_receipt_number: int('Receipt number within the shift.'),
      receipt_datetime: int('When the receipt was registered, milliseconds since the epoch.'),
      fn_number: str('Fiscal drive number.', { maxLength: 16 }),
      ecr_registration_number: str('Cash register registration number.', { maxLength: 20 }),
      fiscal_document_number: int('Fiscal document number.'),
      fiscal_document_attribute: str('Fiscal sign of the document.', { maxLength: 10 }),
      OFD: {
        type: 'object',
        description: 'The fiscal data operator.',
        properties: { inn: { type: 'string' }, name: { type: 'string' }, website: { type: 'string' } },
        required: ['inn', 'name', 'website'],
        additionalProperties: false,
      },
    },
    required: ['receiptStatus', 'uuid', 'amount_total', 'ofd_receipt_url'],
    additionalProperties: false,
  },
  ReceiptStatus: {
    type: 'object',
    properties: {
      errorCode: codeText(true),
      errorMessage: { type: 'string' },
      orderNumber: { type: 'string' },
      orderId: str('The gateway order id (mdOrder).'),
      receipt: {
        type: 'array',
        items: ref('Receipt'),
        description: 'Oldest first; empty for an order registered without orderBundle.',
      },
    },
    required: ['errorCode', 'orderNumber', 'orderId', 'receipt'],
    additionalProperties: false,
  },
  ReceiptStatusAnswer: { anyOf: [ref('ReceiptStatus'), ref('ErrorEnvelope')] },
  // The direct wallet endpoints (rest/wallet-payment.ts): JSON in and out, the merchant named in the body.
  WalletPaymentAnswer: {
    type: 'object',
    description:
      'success says the request was processed, not that the order was paid: read orderStatus (Apple Pay) or ' +
      'getOrderStatusExtended. A refused request has success false and error, and registers nothing.',
    properties: {
      success: { type: 'boolean' },
      data: {
        type: 'object',
        properties: {
          orderId: str('The order registered and paid (mdOrder).', { format: 'uuid' }),
          acsUrl: str(
            'Google Pay plain card enrolled in 3-D Secure: the challenge page to open in the buyer’s browser ' +
              '(GET); the buyer then returns to returnUrl.',
            { format: 'uri' },
          ),
        },
        required: ['orderId'],
        additionalProperties: false,
      },
      error: {
        type: 'object',
        properties: {
          code: int(
            '4 missing or malformed, 5 a bad value, unknown merchant or wallet not enabled, 1 orderNumber, 3 currency.',
          ),
          description: str('Technical text, English.'),
          message: str('Text for the buyer, in the request’s language (en or ru).'),
        },
        required: ['code', 'description', 'message'],
        additionalProperties: false,
      },
      orderStatus: { ...ref('ExtendedStatus'), description: 'Apple Pay only: the order as getOrderStatusExtended.' },
    },
    required: ['success'],
    additionalProperties: false,
  },
  Health: {
    type: 'object',
    properties: { status: { const: 'ok' } },
    required: ['status'],
    additionalProperties: false,
  },
};

const AMOUNT_FIELD: Schema = {
  oneOf: [
    { type: 'integer', minimum: 1 },
    { type: 'string', pattern: '^\\d{1,12}$' },
  ],
};

/** A direct wallet endpoint: POST JSON, the merchant by login, register and pay in one call. */
function walletMethod(
  wallet: string,
  operationId: string,
  description: string,
  extra: Record<string, Schema>,
  extraRequired: string[],
): Schema {
  return {
    post: {
      tags: ['wallets'],
      summary: `${wallet}: register and pay in one call`,
      description:
        `${description} The merchant is named by its login in \`merchant\`; no password. paymentToken is any ` +
        'Base64 text; a Base64 JSON object picks the outcome: {"sandboxCard": "approved" | "declined" | ' +
        '"pan-only-3ds" (Google Pay), "amount": minor units, "currencyCode": "643"} (docs/sandbox.md, Wallets).',
      operationId,
      requestBody: {
        required: true,
        content: {
          'application/json': {
            schema: {
              type: 'object',
              properties: {
                merchant: str('The merchant’s login.'),
                orderNumber: str('Unique per merchant, 1 to 36 characters.', { maxLength: 36 }),
                paymentToken: str('Base64, at most 8192 characters.', { maxLength: 8192 }),
                currencyCode: str('ISO 4217 numeric code; the token’s, or 643.', { pattern: '^\\d{3}$' }),
                preAuth: { type: 'boolean', description: 'true: two-phase (held until deposit.do).' },
                description: str('At most 598 characters.', { maxLength: 598 }),
                language: str('en or ru: the language of error.message and of the 3-D Secure page.'),
                ip: str('The buyer’s IP address.'),
                additionalParameters: {
                  type: 'object',
                  additionalProperties: { type: 'string' },
                  description: 'Returned as merchantOrderParams.',
                },
                dynamicCallbackUrl: str('As in register.do.'),
                ...extra,
              },
              required: ['merchant', 'orderNumber', 'paymentToken', ...extraRequired],
            },
          },
        },
      },
      responses: {
        '200': json('WalletPaymentAnswer', 'Processed (success true) or refused (success false, error).'),
        '400': json('WalletPaymentAnswer', 'The body is not a JSON object (error.code 4).'),
        '405': json('WalletPaymentAnswer', 'Not a POST.'),
        '413': json('WalletPaymentAnswer', 'The body is over 16 kB.'),
        '415': json('WalletPaymentAnswer', 'Not Content-Type: application/json.'),
      },
    },
  };
}

const REGISTER_ERRORS =
  'Errors: 1 duplicate or invalid orderNumber, 3 unknown currency, 4 a required parameter missing or a URL invalid, ' +
  '5 a bad value (credentials, amount, language, jsonParams, callback host not allowed, two-phase not allowed), ' +
  '8 a wrong cart (orderBundle: its format, its currency, line totals not adding up to amount).';
const OPERATION_ERRORS =
  'Errors: 5 bad value or missing orderId, 6 unknown order, 7 wrong order state or amount, 8 wrong cart lines.';

export const SANDBOX_OPENAPI = {
  openapi: '3.1.0',
  info: {
    title: 'Gateway sandbox REST API',
    version: '1.0.0',
    description:
      "The sandbox's emulation of the RBS/BPC gateway REST API (docs/gateway-reference.md, docs/sandbox.md). " +
      'Every method also answers GET with the parameters in the query string. Business errors come back with ' +
      'HTTP 200 and the error envelope; fault switches can answer 5xx, 429, malformed JSON or a reset instead.',
  },
  tags: [
    { name: 'orders', description: 'Register an order and read its status.' },
    { name: 'operations', description: 'Capture, release, refund or cancel an order.' },
    { name: 'service', description: 'Health check.' },
    { name: 'wallets', description: 'Direct wallet payments: Apple Pay, Google Pay, Samsung Pay (JSON).' },
  ],
  paths: {
    '/payment/rest/register.do': method(
      'orders',
      'register.do',
      `Registers a one-phase order and answers the hosted page to send the buyer to. ${REGISTER_ERRORS}`,
      form(registerParams, ['orderNumber', 'amount', 'returnUrl']),
      'RegisterAnswer',
      'orderId and formUrl, or the error envelope (errorCode a string).',
    ),
    '/payment/rest/registerPreAuth.do': method(
      'orders',
      'registerPreAuth.do',
      `Registers a two-phase order: a paid order is held (orderStatus 1) until deposit.do. ${REGISTER_ERRORS}`,
      form(registerParams, ['orderNumber', 'amount', 'returnUrl']),
      'RegisterAnswer',
      'orderId and formUrl, or the error envelope (errorCode a string).',
    ),
    '/payment/rest/getOrderStatusExtended.do': method(
      'orders',
      'getOrderStatusExtended.do',
      'The order by orderId, or by orderNumber with userName/password (token authentication needs orderId). ' +
        'Errors: 4 no identifier (or orderNumber with a token), 5 credentials, 6 unknown order.',
      form({ ...orderRef, orderNumber: str('The merchant order number; orderId wins when both are given.') }, []),
      'ExtendedStatusAnswer',
      'The order, or the error envelope (errorCode a string).',
    ),
    '/payment/rest/getOrderStatus.do': method(
      'orders',
      'getOrderStatus.do',
      'The legacy status call, by orderId only, with capitalised keys. Errors: 5 no orderId or bad credentials, ' +
        '6 unknown order.',
      form(orderRef, ['orderId']),
      'LegacyStatusAnswer',
      'The order, or ErrorCode/ErrorMessage.',
    ),
    '/payment/rest/deposit.do': method(
      'operations',
      'deposit.do',
      `Captures a held two-phase order (status 1 to 2). amount 0 captures the whole hold. ${OPERATION_ERRORS}`,
      form(
        {
          ...orderRef,
          amount: str('Minor units; 0 for the whole hold.', { pattern: '^\\d{1,12}$' }),
          currency: str("Optional; must be the order's currency.", { pattern: '^\\d{3}$' }),
          depositItems: cartItemsParam('capture'),
        },
        ['orderId', 'amount'],
      ),
      'OperationAnswer',
      'The envelope only (errorCode a number).',
    ),
    '/payment/rest/reverse.do': method(
      'operations',
      'reverse.do',
      `Releases a hold (status 1 to 3). One attempt per order; a partial amount needs a permission. ${OPERATION_ERRORS}`,
      form(
        {
          ...orderRef,
          amount: str('Optional partial amount, minor units.', { pattern: '^\\d{1,12}$' }),
          currency: str("Optional; must be the order's currency.", { pattern: '^\\d{3}$' }),
        },
        ['orderId'],
      ),
      'OperationAnswer',
      'The envelope only (errorCode a number).',
    ),
    '/payment/rest/refund.do': method(
      'operations',
      'refund.do',
      `Returns money of a paid order (to status 4), in parts while the sum stays within what was deposited. ${OPERATION_ERRORS}`,
      form(
        {
          ...orderRef,
          amount: str('Minor units.', { pattern: '^\\d{1,12}$' }),
          currency: str("Optional; must be the order's currency.", { pattern: '^\\d{3}$' }),
          externalRefundId: str('Optional id of this refund, 1 to 36 characters.', { maxLength: 36 }),
          refundItems: cartItemsParam('refund'),
        },
        ['orderId', 'amount'],
      ),
      'OperationAnswer',
      'The envelope only (errorCode a number).',
    ),
    '/payment/rest/decline.do': method(
      'operations',
      'decline.do',
      `Cancels an order not paid yet (to status 6), by orderId and/or orderNumber. ${OPERATION_ERRORS}`,
      form({ ...orderRef, orderNumber: str('The merchant order number.') }, []),
      'OperationAnswer',
      'The envelope only (errorCode a number).',
    ),
    '/payment/rest/getReceiptStatus.do': method(
      'orders',
      'getReceiptStatus.do',
      'The fiscal receipts of an order registered with orderBundle: one per payment or capture, one per refund. ' +
        'By orderId or orderNumber (every receipt of the order), or by uuid alone (that receipt). Errors: 1 none ' +
        'of the three given, 5 credentials or a uuid over 36 characters, 6 unknown order or receipt.',
      form(
        {
          ...orderRef,
          orderNumber: str('The merchant order number.', { maxLength: 36 }),
          uuid: str("A receipt's id, as an earlier answer gave it.", { maxLength: 36 }),
        },
        [],
      ),
      'ReceiptStatusAnswer',
      'The receipts, or the error envelope (errorCode a string).',
    ),
    '/payment/applepay/payment.do': walletMethod(
      'Apple Pay',
      'applePayPayment',
      'The amount (and currency) come from the token. No page and no returnUrl; the answer carries the order’s status.',
      {},
      [],
    ),
    '/payment/google/payment.do': walletMethod(
      'Google Pay',
      'googlePayPayment',
      'A device token pays as GOOGLE_PAY_TOKENIZED; the plain card test token (PAN_ONLY) is sent to 3-D Secure: ' +
        'data.acsUrl, then the buyer returns to returnUrl (GOOGLE_PAY_CARD).',
      {
        amount: { ...AMOUNT_FIELD, description: 'Minor units (a JSON number or a string of digits).' },
        returnUrl: str('Absolute http(s) URL the buyer returns to after 3-D Secure; relative is errorCode 4.'),
        failUrl: str('Absolute http(s) URL for a declined 3-D Secure; returnUrl when absent.'),
      },
      ['amount', 'returnUrl'],
    ),
    '/payment/samsung/payment.do': walletMethod(
      'Samsung Pay',
      'samsungPayPayment',
      'The amount (and currency) come from the token. No page and no returnUrl.',
      {},
      [],
    ),
    '/healthz': {
      get: {
        tags: ['service'],
        summary: 'Health check',
        operationId: 'healthz',
        responses: { '200': json('Health', 'The sandbox is up.') },
      },
    },
  },
  components: { schemas },
} as const satisfies Schema;
