import type { Request } from 'express';

/** Request parameters of one call: form body over query string, as the gateway accepts both (§1.1). */
export type Params = Readonly<Record<string, unknown>>;

export function readParams(req: Request): Params {
  const query = (req.query ?? {}) as Record<string, unknown>;
  const body = req.body && typeof req.body === 'object' ? (req.body as Record<string, unknown>) : {};
  return { ...query, ...body };
}

/** One value of a parameter; a repeated parameter counts by its first value, an empty one as absent. */
export function param(params: Params, name: string): string | undefined {
  const raw = params[name];
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (typeof value !== 'string' || value === '') return undefined;
  return value;
}

/** Language for messages: the gateway answers in Russian only when asked to. */
export function messageLanguage(params: Params): 'en' | 'ru' {
  return param(params, 'language')?.toLowerCase() === 'ru' ? 'ru' : 'en';
}

/** Integer minor units as the API sends them: digits only, up to 12 of them. */
export function parseAmount(value: string): number | undefined {
  return /^\d{1,12}$/.test(value) ? Number(value) : undefined;
}
