// A minimal client of the gateway sandbox (or any RBS/BPC-style gateway): registers an order, then reads its
// status. Node 20+, nothing but the built-in fetch. Run: node docs/clients/sandbox-client.js
//
// Settings (environment): GATEWAY_URL (default http://127.0.0.1:3001/payment/rest/), GATEWAY_USERNAME and
// GATEWAY_PASSWORD (default: the standalone sandbox's public demo merchant), ORDER_NUMBER (default: a fresh one).
// Prints two JSON lines: the register answer, then the status fields a shop decides on.

const gatewayUrl = (process.env.GATEWAY_URL ?? 'http://127.0.0.1:3001/payment/rest/').replace(/\/?$/, '/');
const credentials = {
  userName: process.env.GATEWAY_USERNAME ?? 'demo-shop-api',
  password: process.env.GATEWAY_PASSWORD ?? 'demo-shop-password',
};

/** One call: a form-encoded POST; business errors come back with HTTP 200 and a non-zero errorCode. */
async function call(method, params) {
  const res = await fetch(`${gatewayUrl}${method}.do`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ ...credentials, ...params }),
    signal: AbortSignal.timeout(10_000),
  });
  if (!res.ok) throw new Error(`${method}.do answered HTTP ${res.status}`);
  const body = await res.json();
  // errorCode is "0" (a string) or 0 (a number), or missing, when the call was processed.
  if (Number(body.errorCode ?? 0) !== 0) throw new Error(`${method}.do refused: errorCode ${body.errorCode}`);
  return body;
}

const orderNumber = process.env.ORDER_NUMBER ?? `node-${Date.now()}`;
const registered = await call('register', {
  orderNumber,
  amount: '1250', // minor units: 12.50
  currency: '978',
  returnUrl: 'https://shop.example/return',
  description: 'Sandbox client example',
});
process.stdout.write(`${JSON.stringify({ orderNumber, ...registered })}\n`);

const status = await call('getOrderStatusExtended', { orderId: registered.orderId });
const { orderStatus, actionCode, amount, currency } = status;
process.stdout.write(`${JSON.stringify({ orderStatus, actionCode, amount, currency })}\n`);
