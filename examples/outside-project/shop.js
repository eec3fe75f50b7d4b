// A tiny shop of someone else's: one product, the redirect flow, the status asked on the buyer's return.
import { randomUUID } from 'node:crypto';
import express from 'express';

const PRICES = { book: 1500 }; // minor units: 15.00

export function createShop({ gatewayUrl, userName, password, publicUrl }) {
  const gateway = async (method, params) => {
    const res = await fetch(`${gatewayUrl}${method}.do`, {
      method: 'POST',
      body: new URLSearchParams({ userName, password, ...params }),
    });
    return res.json();
  };
  const app = express();

  app.post('/buy/:item', async (req, res) => {
    const amount = PRICES[req.params.item];
    if (amount === undefined) return res.status(404).send('No such item');
    const answer = await gateway('register', {
      orderNumber: randomUUID(), // a new number for every order
      amount: String(amount),
      returnUrl: `${publicUrl}/return`,
    });
    if (!answer.formUrl) return res.status(502).send('The payment could not be started');
    res.redirect(303, answer.formUrl);
  });

  // The return is only a hint: the order's status comes from the gateway.
  app.get('/return', async (req, res) => {
    const status = await gateway('getOrderStatusExtended', { orderId: String(req.query.orderId ?? '') });
    res.send(status.orderStatus === 2 ? 'Paid' : 'Not paid');
  });

  return app;
}
