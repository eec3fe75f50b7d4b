/**
 * The report card's active probes (issue 17), armed per merchant by the test helpers (POST
 * /sandbox/test/merchants/:login/probes) and kept in memory only: a restart disarms them. Each is one-shot: it fires
 * once, on the merchant's next occasion, then is disarmed.
 *
 * - `success-looking-return`: the merchant's next declined order whose buyer is sent back to the shop (the hosted page
 *   or a test helper) goes back with SUCCESS_LOOKING_PARAMS appended to its return URL; does the shop still ask the
 *   status, and decide by it?
 * - `forged-callbacks`: after the merchant's next genuine callback delivery, the same callback URL gets a copy
 *   claiming success with a checksum made with a wrong key, and one without a checksum; does the shop refuse both?
 */
export const PROBES = ['success-looking-return', 'forged-callbacks'] as const;
export type ProbeName = (typeof PROBES)[number];

/**
 * What a success-looking return adds to the URL, after the gateway's orderId and lang: parameters a shop that trusts
 * its return URL might read as "paid". Plain ASCII names and values, so the URL stays valid wherever it points.
 */
export const SUCCESS_LOOKING_PARAMS: Readonly<Record<string, string>> = Object.freeze({
  status: 'success',
  paid: 'true',
  orderStatus: '2',
  errorCode: '0',
});

export class ProbeRegistry {
  readonly #armed = new Map<string, Set<ProbeName>>();

  /** Arms the probes for the merchant (again, if already armed); returns what is armed now. */
  arm(login: string, probes: readonly ProbeName[]): ProbeName[] {
    const set = this.#armed.get(login) ?? new Set<ProbeName>();
    for (const probe of probes) set.add(probe);
    this.#armed.set(login, set);
    return this.armed(login);
  }

  /** The merchant's armed probes, in PROBES order. */
  armed(login: string): ProbeName[] {
    const set = this.#armed.get(login);
    return PROBES.filter((p) => set?.has(p) === true);
  }

  /** Whether the probe was armed for the merchant; it is disarmed by the asking (one-shot). */
  take(login: string, probe: ProbeName): boolean {
    return this.#armed.get(login)?.delete(probe) === true;
  }

  /** Disarms every probe of the merchant; whether any was armed. */
  clear(login: string): boolean {
    const had = (this.#armed.get(login)?.size ?? 0) > 0;
    this.#armed.delete(login);
    return had;
  }
}
