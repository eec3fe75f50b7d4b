import pg from 'pg';

export type Client = pg.PoolClient;

/** The same methods as `T` (a part of Ledger), every answer a Promise. */
export type Async<T> = {
  [K in keyof T]: T[K] extends (...args: infer A) => infer R ? (...args: A) => Promise<Awaited<R>> : never;
};

/** One transaction on one pooled connection (see createTx). */
export type Tx = <T>(fn: (c: Client) => Promise<T>) => Promise<T>;

const RETRIES = 3;

function pgCode(err: unknown): string | undefined {
  return err instanceof pg.DatabaseError ? err.code : undefined;
}

/** A second pending order of one purchase, caught by the partial unique index. */
export function isPendingKeyViolation(err: unknown): boolean {
  return pgCode(err) === '23505' && (err as pg.DatabaseError).constraint === 'orders_pending_purchase_key';
}

/** Deadlock or serialization failure: the transaction was rolled back as a whole and can simply run again. */
function isRetryable(err: unknown): boolean {
  const code = pgCode(err);
  return code === '40P01' || code === '40001';
}

/** The first error of a transaction whose connection then failed too (its ROLLBACK could not be sent). */
class LostConnectionError extends Error {
  constructor(
    override readonly cause: unknown,
    readonly lost: Error,
  ) {
    super(lost.message);
  }
}

/**
 * Runs `fn` on a client checked out of the pool, and returns it. While checked out, a client is outside the pool's
 * own error listener: a connection dropped then (a server restart, pg_terminate_backend, a network cut) emits
 * 'error' on the client, which without a listener would end the process. Here it is heard, the query in progress
 * fails with it, and the client is destroyed instead of going back to the pool.
 */
export async function withClient<T>(pool: pg.Pool, fn: (c: Client) => Promise<T>): Promise<T> {
  const c = await pool.connect();
  let broken: Error | undefined;
  const onError = (err: Error) => (broken ??= err);
  c.on('error', onError);
  try {
    return await fn(c);
  } catch (err) {
    if (err instanceof LostConnectionError) broken ??= err.lost;
    throw err;
  } finally {
    c.off('error', onError);
    c.release(broken);
  }
}

/**
 * One transaction on one pooled connection; run again as a whole after a deadlock, or after the connection was
 * lost before COMMIT was sent (the server rolled it back with the connection). A connection lost once COMMIT was
 * sent is not run again: it may have committed. Either way the caller gets an error, never the process.
 */
export function createTx(pool: pg.Pool): Tx {
  return async function tx<T>(fn: (c: Client) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      let committing = false;
      try {
        return await withClient(pool, async (c) => {
          try {
            await c.query('BEGIN');
            const result = await fn(c);
            committing = true;
            await c.query('COMMIT');
            return result;
          } catch (err) {
            // A failed ROLLBACK means a broken connection: withClient's listener has seen it, or it is passed on.
            await c.query('ROLLBACK').catch((e: Error) => {
              throw new LostConnectionError(err, e);
            });
            throw err;
          }
        });
      } catch (err) {
        const cause = err instanceof LostConnectionError ? err.cause : err;
        const again = isRetryable(cause) || (err instanceof LostConnectionError && !committing);
        if (attempt < RETRIES && again) continue;
        throw cause;
      }
    }
  };
}
