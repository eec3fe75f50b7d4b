import type { Database } from './db.js';
import { redactDetail } from './redact.js';
import { toEvent, type EventRow } from './rows.js';
import type { OrderEvent } from './types.js';

// A gateway reply echoed into the log must not bloat the ledger.
const MAX_DETAIL_CHARS = 8000;

export interface EventLog {
  write(orderId: number, at: number, kind: string, outcome: string, detail?: Record<string, unknown>): void;
  list(orderId: number): OrderEvent[];
}

/** An event detail as stored: redacted JSON, or a short summary past MAX_DETAIL_CHARS (shared with the PostgreSQL ledger). */
export function serializeDetail(detail: Record<string, unknown> | undefined): string | null {
  if (detail === undefined) return null;
  const json = JSON.stringify(redactDetail(detail));
  if (json.length <= MAX_DETAIL_CHARS) return json;
  return JSON.stringify({ truncated: true, chars: json.length, keys: Object.keys(detail).slice(0, 50) });
}

/** The append-only event log. Every detail passes through redaction: never credentials. */
export function createEventLog(db: Database): EventLog {
  const insert = db.prepare('INSERT INTO order_events (order_id, at, kind, outcome, detail) VALUES (?, ?, ?, ?, ?)');
  const select = db.prepare<[number], EventRow>('SELECT * FROM order_events WHERE order_id = ? ORDER BY id');
  return {
    write(orderId, at, kind, outcome, detail) {
      insert.run(orderId, at, kind, outcome, serializeDetail(detail));
    },
    list(orderId) {
      return select.all(orderId).map(toEvent);
    },
  };
}
