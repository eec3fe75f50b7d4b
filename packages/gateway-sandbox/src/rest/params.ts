import type { Request } from 'express';

/** Request parameters of one call: form body over query string, as the gateway accepts both (docs/gateway-reference.md §1.1). */
export type Params = Readonly<Record<string, unknown>>;

export function readParams(req: Request): Params {
  // Express types req.body as any; without a matching body parser it is undefined (Express 5), not an object.
  const body: unknown = req.body;
  return { ...req.query, ...(isRecord(body) ? body : {}) };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** One value of a parameter; a repeated parameter counts by its first value, an empty one as absent. */
export function param(params: Params, name: string): string | undefined {
  const raw = params[name];
  const value: unknown = Array.isArray(raw) ? raw[0] : raw;
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
