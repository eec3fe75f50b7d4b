/**
 * Can the ledger still write? A read proves the database answers, not that a write would commit: with the disk full
 * every write fails ("database or disk is full") while reads go on. So the ledger's health is a read and a real,
 * committed write: one row of `write_probe`, rewritten in place (its counter grows), so the database never grows and
 * no rows pile up. On a full disk that write fails as any order's would, appending its change to the journal (WAL);
 * on a PostgreSQL that has gone read-only (a standby, default_transaction_read_only) it is refused. Used by both
 * ledgers (src/orders/db.ts for SQLite, src/orders/postgres/ledger.ts).
 */

/** The probe's write, the same statement on SQLite and PostgreSQL (no parameters, so no placeholder dialect). */
export const WRITE_PROBE_SQL =
  'INSERT INTO write_probe (id, writes) VALUES (1, 1) ON CONFLICT (id) DO UPDATE SET writes = write_probe.writes + 1';

/** At most one probe write per this period, however often /healthz and /readyz are asked: anonymous requests. */
export const WRITE_PROBE_EVERY_MS = 5_000;

export interface WriteProbeOptions {
  everyMs?: number;
  now?: () => number;
}

/**
 * A cached write check: runs `write` (synchronous for SQLite, a promise for PostgreSQL) at most once per `everyMs`,
 * true when it succeeded. Probes asked meanwhile get the last result (or share the write in progress).
 */
export function createWriteProbe(write: () => unknown, opts: WriteProbeOptions = {}): () => boolean | Promise<boolean> {
  const everyMs = opts.everyMs ?? WRITE_PROBE_EVERY_MS;
  const now = opts.now ?? Date.now;
  let last: { at: number; ok: boolean } | undefined;
  let inFlight: Promise<boolean> | undefined;
  const done = (ok: boolean) => {
    last = { at: now(), ok };
    return ok;
  };
  return () => {
    if (last !== undefined && now() - last.at < everyMs) return last.ok;
    if (inFlight) return inFlight;
    let result: unknown;
    try {
      result = write();
    } catch {
      return done(false);
    }
    if (!(result instanceof Promise)) return done(true);
    inFlight = result.then(
      () => done(true),
      () => done(false),
    );
    void inFlight.finally(() => (inFlight = undefined));
    return inFlight;
  };
}
