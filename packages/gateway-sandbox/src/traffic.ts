import { withoutBuyerData } from './cart.js';
import type { DeliveryOutcome } from './journal.js';
import type { SandboxOperation } from './types.js';

/**
 * The sandbox's integration journal (issue 17): every REST call a merchant makes, every step of its buyers on the
 * hosted page and every callback sent to it, per merchant, bounded, newest kept. A typed, stable shape, since tools
 * (a report card grading an integration) read it; `seq` orders all entries of one sandbox and survives a restart.
 *
 * Nothing secret is ever in an entry: REST parameters pass through redactParams (passwords, tokens, keys, checksums,
 * card data), a callback's URL is recorded without its checksum, and no merchant object is ever kept.
 */

/** Whether the request came with a browser's Origin / Referer header (a server-to-server call should not). */
export interface BrowserHints {
  origin: boolean;
  referer: boolean;
}

interface EntryBase {
  /** Increasing across the sandbox's entries (all merchants), never reused: a cursor for `after` / `before`. */
  seq: number;
  /** Epoch milliseconds, from the sandbox's clock. */
  at: number;
  /** The merchant's login; null when the call named no merchant the sandbox knows (e.g. a wrong token). */
  merchant: string | null;
  /** The order concerned, when known. */
  orderId?: string;
}

/** What a REST answer said, in short. */
export interface ApiAnswer {
  httpStatus: number;
  /** errorCode as answered (getOrderStatus.do's ErrorCode too); absent when the body had none or was not JSON. */
  errorCode?: string;
  errorMessage?: string;
  orderStatus?: number;
  actionCode?: number;
  /** The connection was dropped before an answer (a fault), or the answer was not the API's JSON. */
  noJson?: true;
}

export interface ApiEntry extends EntryBase {
  kind: 'api';
  /** The method name without `.do`, e.g. `register`. */
  method: string;
  /** The userName the call gave (an auth failure with a known userName is filed under that merchant). */
  userName?: string;
  /** Every parameter, secrets replaced by REDACTED, long values cut. */
  params: Record<string, string>;
  answer: ApiAnswer;
  durationMs: number;
  /** The caller's address as the sandbox saw it. */
  source: string;
  browser: BrowserHints;
}

export const PAGE_STEPS = ['shown', 'card-submitted', '3ds-shown', '3ds-submitted', 'cancelled'] as const;
export type PageStep = (typeof PAGE_STEPS)[number];

export interface PageEntry extends EntryBase {
  kind: 'page';
  step: PageStep;
  /** What came of a submitted card or 3-D Secure code (the engine's outcome), e.g. `approved`, `challenge`, `retry`. */
  outcome?: string;
  /** The order's status after the step. */
  orderStatus: number;
  source: string;
  browser: BrowserHints;
  /** Where the buyer was sent back to the shop after this step (returnUrl or failUrl with orderId and lang): a return. */
  sentTo?: string;
  /** The step was taken by a test helper (POST /sandbox/test/…), not by a browser on the hosted page. */
  via?: 'test-helper';
  /** The return was the report card's probe: a declined order sent back with success-looking parameters. */
  probe?: 'success-looking-return';
}

export interface CallbackEntry extends EntryBase {
  kind: 'callback';
  operation: SandboxOperation;
  /** The callback URL with the gateway's parameters, without `checksum`. */
  url: string;
  signed: boolean;
  /** 1 for the notification, 2 for the callbacks=duplicated fault's copy. */
  copy: number;
  attempt: number;
  /** The merchant's HTTP status; absent when nothing was answered (network error, not sent). */
  httpStatus?: number;
  outcome: DeliveryOutcome;
  gaveUp?: boolean;
  /** Not a genuine notification: a forged checksum or no checksum, sent by a probe or a test helper on purpose. */
  probe?: 'forged' | 'unsigned';
}

export type TrafficEntry = ApiEntry | PageEntry | CallbackEntry;
export type TrafficKind = TrafficEntry['kind'];
/** An entry before the journal numbers it. */
export type NewTrafficEntry = DistributiveOmit<TrafficEntry, 'seq'>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export interface TrafficFilter {
  merchant?: string;
  orderId?: string;
  /** An API method (`register`), a page step (`shown`) or `callback`. */
  method?: string;
  kind?: TrafficKind;
  /** Only entries newer than this seq. */
  after?: number;
  /** Only entries older than this seq (the next page of a newest-first listing). */
  before?: number;
  /** Default 100, at most MAX_LIST. */
  limit?: number;
}

export const MAX_LIST = 1000;
export const DEFAULT_MAX_PER_MERCHANT = 5000;
export const REDACTED = '[redacted]';

/** Where a persistent journal keeps its entries (store-sqlite.ts); both calls are synchronous and must not throw. */
export interface TrafficPersistence {
  append(entry: TrafficEntry, droppedSeq: number | undefined): void;
  /** Deletes the given entries (a merchant's journal cleared by a reset), including any not written yet. */
  forget(seqs: readonly number[]): void;
}

export interface TrafficJournalOptions {
  /** Entries kept per merchant (and for the unknown-merchant bucket); older ones are dropped. Default 5 000. */
  maxPerMerchant?: number;
  persist?: TrafficPersistence;
}

/** The bucket of calls that named no known merchant. */
const NOBODY = '\n';

export class TrafficJournal {
  readonly #buckets = new Map<string, TrafficEntry[]>();
  readonly #max: number;
  readonly #persist: TrafficPersistence | undefined;
  #seq = 0;

  constructor(options: TrafficJournalOptions = {}) {
    const max = options.maxPerMerchant ?? DEFAULT_MAX_PER_MERCHANT;
    if (!Number.isInteger(max) || max < 1) throw new Error('the journal keeps at least 1 entry per merchant');
    this.#max = max;
    this.#persist = options.persist;
  }

  get maxPerMerchant(): number {
    return this.#max;
  }

  /** Puts back entries kept on disk (any order); the bound applies again. Returns the seqs it dropped. */
  restore(entries: readonly TrafficEntry[]): number[] {
    const dropped: number[] = [];
    for (const entry of [...entries].sort((a, b) => a.seq - b.seq)) {
      this.#seq = Math.max(this.#seq, entry.seq);
      const gone = this.#push(entry);
      if (gone) dropped.push(gone.seq);
    }
    return dropped;
  }

  /**
   * Numbers the entry and keeps it. The object given is the one kept (its `seq` set, no copy: this runs on every
   * REST call), so pass a fresh one and do not change it afterwards.
   */
  record(entry: NewTrafficEntry): TrafficEntry {
    const full = entry as TrafficEntry;
    full.seq = ++this.#seq;
    const gone = this.#push(full);
    this.#persist?.append(full, gone?.seq);
    return full;
  }

  /** Newest first. */
  list(filter: TrafficFilter = {}): TrafficEntry[] {
    const limit = Math.min(MAX_LIST, Math.max(0, filter.limit ?? 100));
    const source =
      filter.merchant !== undefined
        ? (this.#buckets.get(filter.merchant) ?? [])
        : [...this.#buckets.values()].flat().sort((a, b) => a.seq - b.seq);
    const out: TrafficEntry[] = [];
    for (let i = source.length - 1; i >= 0 && out.length < limit; i--) {
      const e = source[i];
      if (e === undefined) continue;
      if (filter.after !== undefined && e.seq <= filter.after) break;
      if (filter.before !== undefined && e.seq >= filter.before) continue;
      if (filter.orderId !== undefined && e.orderId !== filter.orderId) continue;
      if (filter.kind !== undefined && e.kind !== filter.kind) continue;
      if (filter.method !== undefined && methodOf(e) !== filter.method) continue;
      out.push(e);
    }
    return out;
  }

  /** Every entry kept for one merchant, oldest first (what the report card grades; a copy, at most maxPerMerchant). */
  entriesOf(merchant: string): TrafficEntry[] {
    return [...(this.#buckets.get(merchant) ?? [])];
  }

  /** Forgets every entry of the merchant (a reset: its next report card starts from nothing); how many there were. */
  clear(merchant: string): number {
    const bucket = this.#buckets.get(merchant) ?? [];
    this.#buckets.delete(merchant);
    if (bucket.length > 0) this.#persist?.forget(bucket.map((e) => e.seq));
    return bucket.length;
  }

  /** How many entries are kept (all merchants). */
  get size(): number {
    let n = 0;
    for (const bucket of this.#buckets.values()) n += bucket.length;
    return n;
  }

  #push(entry: TrafficEntry): TrafficEntry | undefined {
    const key = entry.merchant ?? NOBODY;
    let bucket = this.#buckets.get(key);
    if (!bucket) this.#buckets.set(key, (bucket = []));
    bucket.push(entry);
    return bucket.length > this.#max ? bucket.shift() : undefined;
  }
}

/** What the `method` filter matches: the API method, the page step, or `callback`. */
export function methodOf(entry: TrafficEntry): string {
  return entry.kind === 'api' ? entry.method : entry.kind === 'page' ? entry.step : 'callback';
}

/** A parameter name that may carry a secret or card data: its value is never kept. */
const SECRET_KEY = /pass|token|secret|key|checksum|credential|auth|cvc|cvv|cvv2|pan|card|otp|sign/i;
/** register.do's own parameters that name the buyer (the receipt's address): personal data, never kept either. */
const BUYER_PARAMS = new Set(['email', 'phone']);
/** The journal keeps at most this many characters of a parameter's value, and marks a cut one with '…'. */
export const JOURNAL_VALUE_MAX = 200;
const MAX_PARAMS = 50;

/**
 * Whether a parameter name's value is redacted, worked out once per name: the names a shop sends are the same on
 * every call, so the regular expression runs once each. Bounded, since names come from the caller: past the bound
 * the expression runs as before.
 */
const secretByName = new Map<string, boolean>();
const MAX_NAMES = 1000;
function isSecretName(name: string): boolean {
  const known = secretByName.get(name);
  if (known !== undefined) return known;
  const secret = SECRET_KEY.test(name) || BUYER_PARAMS.has(name.toLowerCase());
  if (secretByName.size < MAX_NAMES) secretByName.set(name, secret);
  return secret;
}

/** Request parameters as the journal keeps them: strings, secrets redacted, values and count bounded. */
export function redactParams(params: Readonly<Record<string, unknown>>): Record<string, string> {
  const out: Record<string, string> = {};
  let n = 0;
  for (const name in params) {
    if (!Object.hasOwn(params, name)) continue;
    if (++n > MAX_PARAMS) break;
    const key = name.length > 64 ? name.slice(0, 64) : name;
    if (isSecretName(name)) {
      out[key] = REDACTED;
      continue;
    }
    const raw = params[name];
    const value: unknown = Array.isArray(raw) ? raw[0] : raw;
    const given = typeof value === 'string' ? value : (JSON.stringify(value) ?? '');
    // A cart names its buyer (customerDetails: the receipt's email or phone); the journal never keeps them.
    const text = name === 'orderBundle' ? withoutBuyerData(given, REDACTED) : given;
    out[key] = text.length > JOURNAL_VALUE_MAX ? `${text.slice(0, JOURNAL_VALUE_MAX)}…` : text;
  }
  return out;
}
