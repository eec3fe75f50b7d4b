/**
 * One complete purchase as a browser makes it, over plain HTTP: the product page, Buy, the sandbox's hosted payment
 * page (card form filled by its autocomplete hints, test card 4111 1111 1111 1111: approved, no challenge), the
 * return to the shop and its redirects, up to the success page. Cookies are kept per origin. Throws on anything
 * but a success page. Used by bench/run.js for the purchases figure.
 */
const MAX_STEPS = 12;
const CARD = { 'cc-number': '4111111111111111', 'cc-exp': '12/39', 'cc-csc': '123', 'cc-name': 'TEST CARDHOLDER' };

function attributes(s) {
  const out = {};
  for (const m of s.matchAll(/([a-zA-Z_:-]+)\s*=\s*"([^"]*)"/g)) out[m[1].toLowerCase()] = m[2].replace(/&amp;/g, '&');
  return out;
}

function findForm(html) {
  for (const m of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)) {
    const inputs = [...m[2].matchAll(/<input\b([^>]*)>/gi)].map((i) => attributes(i[1])).filter((a) => a.name);
    if (inputs.some((i) => i.autocomplete === 'cc-number')) return { attrs: attributes(m[1]), inputs };
  }
  return undefined;
}

async function send(jars, url, method, body, clientIp) {
  const origin = new URL(url).origin;
  const jar = jars.get(origin) ?? new Map();
  jars.set(origin, jar);
  const headers = { accept: 'text/html', 'x-forwarded-for': clientIp };
  if (jar.size > 0) headers.cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  if (body) headers['content-type'] = 'application/x-www-form-urlencoded';
  const res = await fetch(url, { method, headers, redirect: 'manual', body: body?.toString() });
  for (const line of res.headers.getSetCookie()) {
    const pair = line.split(';')[0];
    const eq = pair.indexOf('=');
    if (eq > 0) jar.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
  }
  return res;
}

let buyers = 0;
/**
 * A loopback address of its own for each buyer, sent as X-Forwarded-For to a shop started with TRUST_PROXY=1: the
 * shop's per-address limits on Buy and on returns then count each buyer, as they would behind a proxy.
 */
const nextBuyerIp = () => {
  buyers += 1;
  return `127.${(buyers >> 16) & 255}.${(buyers >> 8) & 255}.${buyers & 255}`;
};

/** Resolves with the number of HTTP requests the purchase took; rejects when it does not end on a success page. */
export async function purchase(shopUrl, productId = 'notebook') {
  const clientIp = nextBuyerIp();
  const jars = new Map();
  let requests = 0;
  const go = async (url, method, body) => {
    requests += 1;
    return send(jars, url, method ?? 'GET', body, clientIp);
  };
  const page = await go(`${shopUrl}/products/${productId}`);
  const token = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1];
  if (!token) throw new Error('no form token on the product page');
  let res = await go(`${shopUrl}/buy`, 'POST', new URLSearchParams({ _csrf: token, productId, quantity: '1' }));
  let url = `${shopUrl}/buy`;
  let paid = false;
  for (let step = 0; step < MAX_STEPS; step += 1) {
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location) {
      await res.arrayBuffer();
      url = new URL(location, url).href;
      res = await go(url);
      continue;
    }
    const html = await res.text();
    if (res.status !== 200) throw new Error(`HTTP ${res.status} at ${url}`);
    const form = paid ? undefined : findForm(html);
    if (!form) {
      if (new URL(url).origin !== shopUrl || !/successful|success/i.test(html)) throw new Error(`no success at ${url}`);
      return requests;
    }
    paid = true;
    const body = new URLSearchParams();
    for (const input of form.inputs) body.append(input.name, CARD[input.autocomplete] ?? input.value ?? '');
    url = new URL(form.attrs.action || url, url).href;
    res = await go(url, (form.attrs.method ?? 'POST').toUpperCase(), body);
  }
  throw new Error(`more than ${MAX_STEPS} steps without a success page`);
}

/**
 * `concurrency` buyers purchasing back to back for `seconds`, or until `purchases` purchases were started (whichever
 * is given); latencies in ms of every completed purchase.
 */
export async function purchaseLoad(shopUrl, { concurrency, seconds, purchases }) {
  const end = seconds === undefined ? Infinity : performance.now() + seconds * 1000;
  let left = purchases ?? Infinity;
  const latencies = [];
  let errors = 0;
  let firstError;
  const worker = async () => {
    while (performance.now() < end && left > 0) {
      left -= 1;
      const t = performance.now();
      try {
        await purchase(shopUrl);
        latencies.push(performance.now() - t);
      } catch (err) {
        errors += 1;
        firstError ??= err;
      }
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { latencies, errors, firstError, elapsedMs: performance.now() - started };
}
