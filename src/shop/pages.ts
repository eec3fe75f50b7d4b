import type { RequestHandler } from 'express';
import { HttpError } from '../http/errors.js';
import { MAX_QUANTITY } from './catalog.js';
import type { ShopRouteDeps } from './deps.js';

export function createCatalogPages({ catalog, csrf, ledger }: Pick<ShopRouteDeps, 'catalog' | 'csrf' | 'ledger'>) {
  const list: RequestHandler = (_req, res) => {
    res.render('shop/list', { products: catalog.list() });
  };

  const view: RequestHandler = (req, res) => {
    const product = catalog.get(String(req.params.id));
    if (!product) throw new HttpError(404, 'errors.unknownProduct');
    const sold = ledger.unitsSold(product.id);
    res.render('shop/product', { product, csrfToken: csrf.token(req, res), maxQuantity: MAX_QUANTITY, sold });
  };

  return { list, view };
}
