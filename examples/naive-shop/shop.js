// A deliberately NAIVE shop: every mistake here is on purpose (README.md lists them). Do not copy it.
// It is what the sandbox's report card must catch: a shop that "works" in a demo and is wrong in each detail.
import express from 'express';

const PRODUCTS = {
  mug: { name: 'Mug', price: 12.5 }, // 12.5 * 100 === 1250: the float happens to be exact
  poster: { name: 'Poster', price: 8.25 }, // 825, exact too
  tshirt: { name: 'T-shirt', price: 19.99 }, // 19.99 * 100 === 1998.9999999999998
};

/** @param {{ gatewayUrl: string, userName: string, password: string }} options gatewayUrl ends with /payment/rest/ */
export function createNaiveShop({ gatewayUrl, userName, password }) {
  const app = express();
  const orders = new Map(); // the gateway's orderId -> what the buyer bought

  app.get('/', (_req, res) => {
    const list = Object.entries(PRODUCTS).map(([id, p]) => `<li><a href="/buy/${id}">${p.name}: ${p.price}</a></li>`);
    res.send(`<h1>Naive shop</h1><ul>${list.join('')}</ul>`);
  });

  app.get('/buy/:productId', async (req, res) => {
    const product = PRODUCTS[req.params.productId];
    if (!product) return res.status(404).send('No such product');
    const answer = await fetch(`${gatewayUrl}register.do`, {
      method: 'POST',
      body: new URLSearchParams({
        userName,
        password,
        orderNumber: `order-${req.params.productId}`, // MISTAKE: the same number for every buyer of this product
        amount: String(product.price * 100), // MISTAKE: minor units computed with floats
        returnUrl: `http://${req.headers.host}/return`, // MISTAKE: http, and built from the Host header
      }),
    }).then((r) => r.json());
    if (!answer.formUrl) return res.status(502).send(`The gateway said: ${answer.errorMessage}`);
    orders.set(answer.orderId, product);
    res.redirect(answer.formUrl);
  });

  // MISTAKE: the buyer's return is taken at its word; nobody asks the gateway for the order's status.
  app.get('/return', (req, res) => {
    const product = orders.get(req.query.orderId);
    res.send(`<h1>Thank you!</h1><p>Your ${product?.name ?? 'order'} is paid and on its way.</p>`);
  });

  // MISTAKE: every callback is welcome: no checksum check, answered 200, and no status request follows it.
  app.all('/callback', (_req, res) => res.send('OK'));

  return app;
}
