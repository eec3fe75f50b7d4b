import { isIPv4 } from 'node:net';
import type { SandboxMerchant } from '../types.js';

/**
 * Where the sandbox may send server-side requests (callbacks): without such a list, anyone who can register an
 * order could name an internal address as its dynamicCallbackUrl and make the sandbox call it (SSRF).
 *
 * Hosts are compared in the WHATWG URL parser's canonical form, the form fetch() connects to, so `127.1`,
 * `0x7f.0.0.1`, `2130706433` and `127.0.0.1` are one host, `LOCALHOST.` is `localhost`, and an IPv4-mapped IPv6
 * address (`[::ffff:127.0.0.1]`) is its IPv4 address. Host names are matched as names: the sandbox never resolves
 * them, so a listed name is trusted to point where its owner says.
 */
export class CallbackAllowList {
  readonly #loopback: boolean;
  readonly #hosts: ReadonlySet<string>;

  private constructor(loopback: boolean, hosts: Iterable<string>) {
    this.#loopback = loopback;
    this.#hosts = new Set(hosts);
  }

  /**
   * `hosts` given (SANDBOX_CALLBACK_HOSTS): exactly those. Otherwise the default: loopback (127.0.0.0/8, ::1,
   * localhost) plus the hosts of the merchants' static callback URLs.
   */
  static of(hosts: readonly string[] | undefined, merchants: readonly SandboxMerchant[]): CallbackAllowList {
    if (hosts !== undefined) {
      const canonical = hosts.map((entry) => {
        const host = canonicalHostEntry(entry);
        if (host === undefined) throw new Error('callback hosts must be host names or IP addresses, without a port');
        return host;
      });
      return new CallbackAllowList(false, canonical);
    }
    const merchantHosts = merchants
      .map((m) => (m.callbackUrl === undefined ? undefined : hostOfUrl(m.callbackUrl)))
      .filter((h): h is string => h !== undefined);
    return new CallbackAllowList(true, merchantHosts);
  }

  /** True when a request to this absolute http(s) URL may be sent. Anything unparseable is refused. */
  allows(url: string): boolean {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return false;
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return false;
    const host = canonicalHost(parsed.hostname);
    if (host === '') return false;
    return this.#hosts.has(host) || (this.#loopback && isLoopbackHost(host));
  }
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

/** 127.0.0.0/8, ::1 and the name localhost: what a sandbox on a developer's machine may call by default. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || (isIPv4(host) && host.startsWith('127.'));
}

/** WHATWG hostname (already lower case, IPv4 normalised) without IPv6 brackets and a trailing dot, IPv4-mapped unmapped. */
function canonicalHost(hostname: string): string {
  const bare = hostname.replace(/^\[|\]$/g, '').replace(/\.$/, '');
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(bare);
  if (!mapped) return bare;
  const [hi, lo] = [Number.parseInt(mapped[1]!, 16), Number.parseInt(mapped[2]!, 16)];
  return [hi >> 8, hi & 0xff, lo >> 8, lo & 0xff].join('.');
}
