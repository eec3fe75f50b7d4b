import type { RequestHandler } from 'express';
import type { AppDeps } from '../app.js';
import type { Csrf } from '../http/csrf.js';
import { HttpError } from '../http/errors.js';
import { MAX_QUANTITY } from './catalog.js';

export function createCatalogPages({ catalog, csrf }: Pick<AppDeps, 'catalog'> & { csrf: Csrf }) {
  const list: RequestHandler = (_req, res) => {
    res.render('shop/list', { products: catalog.list() });
  };

  const view: RequestHandler = (req, res) => {
    const product = catalog.get(String(req.params.id));
    if (!product) throw new HttpError(404, 'errors.unknownProduct');
    res.render('shop/product', { product, csrfToken: csrf.token(req, res), maxQuantity: MAX_QUANTITY });
  };

  return { list, view };
}
