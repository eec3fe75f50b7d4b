// Metrics in tests: a test shop's app rebuilt with its own metrics registry, and a reader of Prometheus' text
// exposition format the way a scraper reads it: one sample per line, `name{labels} value`.
import session from 'express-session';
import type { Express } from 'express';
import { createApp, type AppDeps } from '../../src/app.js';
import { createMetrics, type ShopMetrics } from '../../src/metrics/index.js';
import { isDatabaseUsable } from '../../src/orders/db.js';
import { createSqliteSessionStore } from '../../src/storage/sessions/sqlite.js';
import { createPayments } from '../../src/payments/index.js';
import type { TestShop } from './shop.js';

/**
 * The same shop (database, gateway, deps) served by an app built with a fresh metrics registry (no process
 * metrics unless asked), and its own `payments` counting into it. `close()` closes its session store; close it before the shop.
 */
export function withMetrics(
  shop: TestShop,
  extra: Partial<AppDeps> = {},
  processMetrics = false,
): { app: Express; metrics: ShopMetrics; text: () => Promise<string>; close: () => void } {
  const metrics = createMetrics({ processMetrics });
  const sessionStore = createSqliteSessionStore(session, shop.db);
  const app = createApp({
    ...shop.deps,
    metrics,
    payments: createPayments({ ...shop.paymentsDeps, metrics }),
    sessionStore,
    healthCheck: () => isDatabaseUsable(shop.db),
    ...extra,
  });
  return { app, metrics, text: () => metrics.registry.metrics(), close: () => sessionStore.close() };
}

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`not an exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    samples.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return samples;
}

/** The value of the one sample with this name and (at least) these labels; undefined when there is none. */
export function valueOf(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const found = parseExposition(text).filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  if (found.length > 1) throw new Error(`${found.length} samples of ${name} match ${JSON.stringify(labels)}`);
  return found[0]?.value;
}
