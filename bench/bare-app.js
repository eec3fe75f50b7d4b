/**
 * The baseline of `npm run bench`: a bare Express 5 app in its own process, nothing but what each figure needs.
 * GET /healthz always (the cold-start baseline imports nothing else); with BARE_PAGES=1 also POST /x (the JSON
 * baseline for the sandbox's REST calls) and GET /products/:id, which renders the shop's own product template
 * with the same data the shop passes (its language middleware for the texts, a fixed form token).
 * Listens on 127.0.0.1:PORT and prints "listening" when it does.
 */
import express from 'express';

const app = express();
app.get('/healthz', (_req, res) => res.json({ status: 'ok' }));

if (process.env.BARE_PAGES === '1') {
  const path = await import('node:path');
  const { fileURLToPath } = await import('node:url');
  const { language } = await import('../dist/http/lang.js');
  const { createCatalog, MAX_QUANTITY } = await import('../dist/shop/catalog.js');
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const catalog = createCatalog();
  app.set('view engine', 'ejs');
  app.set('views', path.join(root, 'views'));
  // What `npm start` (NODE_ENV unset) now does too: compile each template once.
  app.set('view cache', true);
  app.use(express.urlencoded({ extended: false }));
  app.use(language({ currency: '978', shopName: 'Demo Shop', https: false }));
  app.post('/x', (_req, res) => res.json({ ok: true }));
  app.get('/products/:id', (req, res) => {
    const product = catalog.get(String(req.params.id));
    if (!product) return void res.status(404).end();
    res.render('shop/product', { product, csrfToken: 'bench-token', maxQuantity: MAX_QUANTITY, sold: 0 });
  });
}

app.listen(Number(process.env.PORT), '127.0.0.1', () => process.stdout.write('listening\n'));
