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

/** Keeps results free of `key: undefined` noise so they compare and log cleanly. */
function dropUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
