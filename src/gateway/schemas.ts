// zod schemas for gateway responses. Lenient where installs disagree on types (errorCode, actionCode,
// currency: string vs number, docs/gateway-reference.md §1.3), strict on what the shop decides money on
// (orderStatus and amount must be integers, orderNumber a string).
import { z } from 'zod';

/** An integer sent either as a JSON number or as a numeric string ("5"). */
const intLike = z
  .union([
    z.number().int(),
    z
      .string()
      .trim()
      .regex(/^-?\d+$/, 'expected an integer string'),
  ])
  .transform((v) => Number(v));

/** Optional field that some installs send as null. */
function opt<T extends z.ZodType>(schema: T) {
  return schema.nullish().transform((v) => v ?? undefined);
}

const textLike = z.union([z.string(), z.number()]).transform((v) => String(v));

/** The error envelope: errorCode / ErrorCode (legacy) / error.code (newer BPC), plus `success`. */
const envelopeSchema = z.object({
  success: opt(z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')])),
  errorCode: opt(intLike),
  ErrorCode: opt(intLike),
  errorMessage: opt(textLike),
  ErrorMessage: opt(textLike),
  error: opt(
    z.union([z.object({ code: opt(intLike), message: opt(textLike), description: opt(textLike) }), z.string()]),
  ),
});

export interface Envelope {
  ok: boolean;
  errorCode: number;
  errorMessage: string;
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; problem: string };

function describe(error: z.ZodError): string {
  // Paths and zod's type messages only: received values are never echoed into our messages.
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.length > 0 ? i.path.join('.') : '(root)'}: ${i.message}`)
    .join('; ');
}

function parse<T>(schema: z.ZodType<T>, json: unknown): ParseResult<T> {
  const r = schema.safeParse(json);
  return r.success ? { ok: true, value: r.data } : { ok: false, problem: describe(r.error) };
}

export function parseEnvelope(json: unknown): ParseResult<Envelope> {
  const r = parse(envelopeSchema, json);
  if (!r.ok) return r;
  const e = r.value;
  const nested = typeof e.error === 'object' ? e.error : undefined;
  const errorCode = e.errorCode ?? e.ErrorCode ?? nested?.code ?? 0; // absent means 0 (docs/gateway-reference.md §1.3)
  const errorMessage =
    e.errorMessage ??
    e.ErrorMessage ??
    nested?.message ??
    nested?.description ??
    (typeof e.error === 'string' ? e.error : '');
  // BPC: success=true or errorCode=0 means processed; when both are present `success` wins.
  const ok = e.success ?? errorCode === 0;
  return { ok: true, value: { ok, errorCode, errorMessage } };
}

const registerSchema = z.object({
  orderId: z.string().min(1).max(64),
  formUrl: z.string().min(1).max(2048),
});

export function parseRegister(json: unknown): ParseResult<z.infer<typeof registerSchema>> {
  return parse(registerSchema, json);
}

const cardAuthInfoSchema = z
  .object({
    maskedPan: opt(z.string()),
    pan: opt(z.string()),
    expiration: opt(textLike),
    cardholderName: opt(z.string()),
    cardHolderName: opt(z.string()), // Sber ecom spelling
    approvalCode: opt(z.string()),
    paymentSystem: opt(z.string()),
  })
  .transform((c) =>
    dropUndefined({
      maskedPan: c.maskedPan ?? c.pan,
      expiration: c.expiration,
      cardholderName: c.cardholderName ?? c.cardHolderName,
      approvalCode: c.approvalCode,
      paymentSystem: c.paymentSystem,
    }),
  );

const paymentAmountInfoSchema = z
  .object({
    paymentState: opt(z.string()),
    approvedAmount: opt(intLike),
    depositedAmount: opt(intLike),
    refundedAmount: opt(intLike),
  })
  .transform(dropUndefined);

/** A number the gateway may send as a string ("2", "1.5"). */
const numberLike = z
  .union([
    z.number(),
    z
      .string()
      .trim()
      .regex(/^-?\d+(\.\d+)?$/),
  ])
  .transform((v) => Number(v))
  .refine((v) => Number.isFinite(v));

// The cart echoed by getOrderStatusExtended: its lines only. customerDetails (the buyer's email) is not read at all.
const bundleItemEchoSchema = z
  .object({
    positionId: intLike,
    name: z.string(),
    quantity: z.object({ value: numberLike, measure: opt(textLike) }),
    itemAmount: opt(intLike),
    itemPrice: opt(intLike),
    itemCode: opt(textLike),
    depositedItemAmount: opt(intLike),
    // The version table's spelling of the same field.
    depostedItemAmount: opt(intLike),
  })
  .transform(({ quantity, depostedItemAmount, ...rest }) =>
    dropUndefined({
      ...rest,
      quantity: dropUndefined({ value: quantity.value, measure: quantity.measure }),
      depositedItemAmount: rest.depositedItemAmount ?? depostedItemAmount,
    }),
  );

const bundleEchoSchema = z
  .object({ cartItems: z.object({ items: z.array(bundleItemEchoSchema).max(1000) }) })
  .transform(({ cartItems }) => ({ cartItems: { items: cartItems.items } }));

const attributesSchema = z.array(z.object({ name: z.string(), value: textLike }).loose());

const statusSchema = z
  .object({
    orderNumber: z.string(),
    orderStatus: z.number().int(),
    actionCode: intLike,
    actionCodeDescription: opt(z.string()),
    amount: z.number().int().nonnegative(),
    currency: z.union([z.string().regex(/^\d{1,3}$/), z.number().int().min(0).max(999)]),
    date: opt(intLike),
    orderDescription: opt(z.string()),
    cardAuthInfo: opt(cardAuthInfoSchema),
    paymentAmountInfo: opt(paymentAmountInfoSchema),
    authDateTime: opt(intLike),
    authRefNum: opt(textLike),
    paymentWay: opt(z.string()),
    // Informational only: a strange attributes list must not make a paid order unreadable.
    attributes: opt(attributesSchema.catch([])),
    // Informational too: a cart the shop cannot read leaves it out rather than failing the status.
    orderBundle: opt(bundleEchoSchema).catch(undefined),
  })
  .transform(({ attributes, actionCodeDescription, currency, ...rest }) =>
    dropUndefined({
      ...rest,
      actionCodeDescription: actionCodeDescription ?? '',
      currency: String(currency).padStart(3, '0'),
      orderId: attributes?.find((a) => a.name === 'mdOrder')?.value,
    }),
  );

export type ParsedStatus = z.infer<typeof statusSchema>;

export function parseStatus(json: unknown): ParseResult<ParsedStatus> {
  return parse(statusSchema, json);
}

/** An absolute http(s) URL, else nothing: a receipt link is shown as a link, so no other scheme gets through. */
const webUrl = z
  .string()
  .max(1024)
  .transform((v) => {
    try {
      const u = new URL(v);
      return u.protocol === 'https:' || u.protocol === 'http:' ? u.href : undefined;
    } catch {
      return undefined;
    }
  });

const receiptSchema = z
  .object({
    receiptStatus: intLike,
    receiptType: opt(z.string()),
    uuid: opt(textLike),
    shift_number: opt(intLike),
    fiscal_receipt_number: opt(intLike),
    receipt_datetime: opt(intLike),
    receipt_date_time: opt(intLike), // the example's spelling
    fn_number: opt(textLike),
    fiscal_document_number: opt(intLike),
    fiscal_document_attribute: opt(textLike),
    amount_total: opt(textLike),
    ofd_receipt_url: opt(webUrl).catch(undefined),
    OFD: opt(z.object({ inn: opt(textLike), name: opt(textLike), website: opt(textLike) })).catch(undefined),
  })
  .transform((r) =>
    dropUndefined({
      receiptStatus: r.receiptStatus,
      uuid: r.uuid,
      receiptType: r.receiptType,
      shiftNumber: r.shift_number,
      fiscalReceiptNumber: r.fiscal_receipt_number,
      receiptDatetime: r.receipt_datetime ?? r.receipt_date_time,
      fnNumber: r.fn_number,
      fiscalDocumentNumber: r.fiscal_document_number,
      fiscalDocumentAttribute: r.fiscal_document_attribute,
      amountTotal: r.amount_total,
      ofdReceiptUrl: r.ofd_receipt_url,
      ofd: r.OFD && dropUndefined(r.OFD),
    }),
  );

const receiptStatusSchema = z
  .object({
    orderId: opt(textLike),
    orderNumber: opt(textLike),
    // An array in the examples, one object in some installs' descriptions: both read as a list.
    receipt: opt(z.union([z.array(receiptSchema).max(100), receiptSchema.transform((r) => [r])])),
  })
  .transform((r) => dropUndefined({ orderId: r.orderId, orderNumber: r.orderNumber, receipts: r.receipt ?? [] }));

export type ParsedReceiptStatus = z.infer<typeof receiptStatusSchema>;

export function parseReceiptStatus(json: unknown): ParseResult<ParsedReceiptStatus> {
  return parse(receiptStatusSchema, json);
}

/** Keeps results free of `key: undefined` noise so they compare and log cleanly. */
function dropUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
