import { isIPv4 } from 'node:net';
import type { SandboxMerchant } from '../types.js';

/**
 * Where the sandbox may send server-side requests (callbacks): without such a list, anyone who can register an
 * order could name an internal address as its dynamicCallbackUrl and make the sandbox call it (SSRF). On a sandbox
 * several merchants share, whoever holds one merchant's credentials (the public demo ones, say) must not reach any
 * other service either, so the list is per merchant.
 *
 * A merchant's callbacks may go to its own origins: the origin (scheme, host and port) of its static `callbackUrl`
 * and those its `callbackOrigins` list, any path there. SANDBOX_CALLBACK_HOSTS widens that for every merchant to
 * whole hosts, any port. Nothing else: loopback is no longer allowed by default (list `localhost,127.0.0.1` in
 * SANDBOX_CALLBACK_HOSTS to get the old default back).
 *
 * Hosts are compared in the WHATWG URL parser's canonical form, the form fetch() connects to, so `127.1`,
 * `0x7f.0.0.1`, `2130706433` and `127.0.0.1` are one host, `LOCALHOST.` is `localhost`, and an IPv4-mapped IPv6
 * address (`[::ffff:127.0.0.1]`) is its IPv4 address. Host names are matched as names: the sandbox never resolves
 * them, so a listed name is trusted to point where its owner says.
 */
export class CallbackAllowList {
  readonly #hosts: ReadonlySet<string>;
  readonly #origins: ReadonlyMap<string, ReadonlySet<string>>;

  private constructor(hosts: Iterable<string>, origins: ReadonlyMap<string, ReadonlySet<string>>) {
    this.#hosts = new Set(hosts);
    this.#origins = origins;
  }

  /**
   * Each merchant's own origins (its callbackUrl's and its `callbackOrigins`), plus `hosts` (SANDBOX_CALLBACK_HOSTS)
   * for every merchant when given.
   */
  static of(hosts: readonly string[] | undefined, merchants: readonly SandboxMerchant[]): CallbackAllowList {
    const canonical = (hosts ?? []).map((entry) => {
      const host = canonicalHostEntry(entry);
      if (host === undefined) throw new Error('callback hosts must be host names or IP addresses, without a port');
      return host;
    });
    const origins = new Map<string, ReadonlySet<string>>();
    for (const m of merchants) {
      const own = new Set<string>();
      const fromUrl = m.callbackUrl === undefined ? undefined : originOf(m.callbackUrl);
      if (fromUrl !== undefined) own.add(fromUrl);
      for (const entry of m.callbackOrigins ?? []) {
        const origin = originOf(entry);
        if (origin === undefined)
          throw new Error(`sandbox merchant ${m.login} has a callbackOrigins entry that is not an http(s) origin`);
        own.add(origin);
      }
      origins.set(m.login, own);
    }
    return new CallbackAllowList(canonical, origins);
  }

  /** True when a callback of this merchant may be sent to this absolute http(s) URL. Anything unparseable is refused. */
  allows(url: string, merchantLogin: string): boolean {
    const origin = originOf(url);
    if (origin === undefined) return false;
    if (this.#origins.get(merchantLogin)?.has(origin)) return true;
    const host = hostOfUrl(url);
    return host !== undefined && this.#hosts.has(host);
  }
}

/**
 * The canonical `scheme://host:port` of an absolute http(s) URL (default port written out), or undefined. Accepts
 * a bare origin (`http://shop.example:3000`) as well as a whole URL.
 */
export function originOf(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return undefined;
  const host = canonicalHost(parsed.hostname);
  if (host === '') return undefined;
  const port = parsed.port || (parsed.protocol === 'https:' ? '443' : '80');
  return `${parsed.protocol}//${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** A SANDBOX_CALLBACK_HOSTS entry in canonical form, or undefined when it is not a bare host name or IP address. */
export function canonicalHostEntry(entry: string): string | undefined {
  const raw = entry.trim();
  if (raw === '' || raw.length > 253) return undefined;
  // An IPv6 literal, bracketed or not; anything else with a colon would be host:port.
  const ipv6 = raw.includes(':');
  let url: URL;
  try {
    url = new URL(`http://${ipv6 ? `[${raw.replace(/^\[|\]$/g, '')}]` : raw}/`);
  } catch {
    return undefined;
  }
  // The parser accepts "a/b", "u@a", "a?x", "a#x" as a URL around a host: an entry is only the host.
  if (url.port !== '' || url.username !== '' || url.password !== '' || url.pathname !== '/' || url.search || url.hash)
    return undefined;
  const host = canonicalHost(url.hostname);
  if (ipv6 || isIPv4(host)) return host;
  return /^[a-z0-9_-]+(\.[a-z0-9_-]+)*$/.test(host) && host.split('.').every((l) => l.length <= 63) ? host : undefined;
}

/** The canonical host of an absolute URL, or undefined. */
export function hostOfUrl(url: string): string | undefined {
  try {
    const host = canonicalHost(new URL(url).hostname);
    return host === '' ? undefined : host;
  } catch {
    return undefined;
  }
}

/** WHATWG hostname (already lower case, IPv4 normalised) without IPv6 brackets and a trailing dot, IPv4-mapped unmapped. */
function canonicalHost(hostname: string): string {
  const bare = hostname.replace(/^\[|\]$/g, '').replace(/\.$/, '');
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(bare);
  if (!mapped) return bare;
  const [hi, lo] = [Number.parseInt(mapped[1]!, 16), Number.parseInt(mapped[2]!, 16)];
  return [hi >> 8, hi & 0xff, lo >> 8, lo & 0xff].join('.');
}
