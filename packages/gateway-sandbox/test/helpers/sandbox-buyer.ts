/**
 * Acts as the buyer on the gateway sandbox's hosted payment page over plain HTTP (no browser):
 * loads formUrl, fills the card form the way a browser's autofill would (by the inputs' autocomplete
 * hints), answers a 3-D Secure challenge, and stops at the first redirect that leaves the gateway.
 */

export interface TestCard {
  pan: string;
  /** MM/YY, default a future date. */
  expiry?: string;
  /** Default '123'. */
  cvc?: string;
  /** Default 'TEST CARDHOLDER'. */
  name?: string;
  /** Used if a 3-D Secure challenge appears. */
  otp?: string;
}

interface ParsedForm {
  action: string;
  method: string;
  inputs: { name: string; value: string; autocomplete: string; type: string }[];
}

const MAX_STEPS = 10;

export async function payOnHostedPage(
  formUrl: string,
  card: TestCard,
): Promise<{ redirectUrl: string | null; html: string }> {
  const gatewayOrigin = new URL(formUrl).origin;
  const cookies = new Map<string, string>();
  const submitted = new Set<string>();
  let response = await send(formUrl, 'GET', undefined, cookies);
  let url = formUrl;

  for (let step = 0; step < MAX_STEPS; step += 1) {
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location) {
      const next = new URL(location, url);
      // Leaving the gateway's origin means going back to the shop: report it, don't follow it.
      if (next.origin !== gatewayOrigin) return { redirectUrl: next.href, html: await response.text() };
      url = next.href;
      response = await send(url, 'GET', undefined, cookies);
      continue;
    }
    const html = await response.text();
    const form = findForm(html);
    const kind = form ? formKind(form) : undefined;
    // A form we already filled coming back means the page shows an error (e.g. Luhn, wrong code).
    if (!form || !kind || submitted.has(kind) || (kind === 'challenge' && card.otp === undefined)) {
      return { redirectUrl: null, html };
    }
    submitted.add(kind);
    const body = new URLSearchParams();
    for (const input of form.inputs) body.append(input.name, fill(input, card));
    url = new URL(form.action || url, url).href;
    response = await send(url, form.method, body, cookies);
  }
  throw new Error(`payOnHostedPage: more than ${MAX_STEPS} steps without reaching the shop`);
}

async function send(
  url: string,
  method: string,
  body: URLSearchParams | undefined,
  cookies: Map<string, string>,
): Promise<Response> {
  const headers: Record<string, string> = { accept: 'text/html' };
  if (cookies.size > 0) headers.cookie = [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  if (body) headers['content-type'] = 'application/x-www-form-urlencoded';
  const res = await fetch(url, { method, headers, redirect: 'manual', ...(body && { body: body.toString() }) });
  for (const line of res.headers.getSetCookie()) {
    const [pair] = line.split(';');
    const eq = pair?.indexOf('=') ?? -1;
    if (pair && eq > 0) cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
  }
  return res;
}

function findForm(html: string): ParsedForm | undefined {
  const match = /<form\b([^>]*)>([\s\S]*?)<\/form>/i.exec(html);
  if (!match) return undefined;
  const attrs = attributes(match[1] ?? '');
  const inputs = [...(match[2] ?? '').matchAll(/<input\b([^>]*)>/gi)]
    .map((m) => attributes(m[1] ?? ''))
    .filter((a) => a.name)
    .map((a) => ({
      name: a.name ?? '',
      value: a.value ?? '',
      autocomplete: a.autocomplete ?? '',
      type: a.type ?? 'text',
    }));
  return { action: attrs.action ?? '', method: (attrs.method ?? 'GET').toUpperCase(), inputs };
}

function formKind(form: ParsedForm): 'card' | 'challenge' | undefined {
  if (form.inputs.some((i) => i.autocomplete === 'cc-number')) return 'card';
  if (form.inputs.some((i) => i.autocomplete === 'one-time-code')) return 'challenge';
  return undefined;
}

function fill(input: ParsedForm['inputs'][number], card: TestCard): string {
  switch (input.autocomplete) {
    case 'cc-number':
      return card.pan;
    case 'cc-exp':
      return card.expiry ?? futureExpiry();
    case 'cc-csc':
      return card.cvc ?? '123';
    case 'cc-name':
      return card.name ?? 'TEST CARDHOLDER';
    case 'one-time-code':
      return card.otp ?? '';
    default:
      return input.value;
  }
}

function futureExpiry(): string {
  // Far enough ahead to stay valid for sandboxes whose clock is set or advanced into the future.
  const year = (new Date().getUTCFullYear() + 8) % 100;
  return `12/${String(year).padStart(2, '0')}`;
}

function attributes(source: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of source.matchAll(/([a-zA-Z_:-]+)\s*=\s*("([^"]*)"|'([^']*)'|([^\s>]+))/g)) {
    const name = m[1]?.toLowerCase();
    if (name) out[name] = decodeEntities(m[3] ?? m[4] ?? m[5] ?? '');
  }
  return out;
}

function decodeEntities(value: string): string {
  return value
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCodePoint(Number(n)))
    .replace(/&#x([0-9a-f]+);/gi, (_, n: string) => String.fromCodePoint(parseInt(n, 16)))
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}
