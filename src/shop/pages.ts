import type { RequestHandler } from 'express';
import { HttpError } from '../http/errors.js';
import { MAX_QUANTITY } from './catalog.js';
import type { ShopRouteDeps } from './deps.js';

export function createCatalogPages(deps: Pick<ShopRouteDeps, 'catalog' | 'csrf' | 'ledger' | 'browserKey'>) {
  const { catalog, csrf, ledger, browserKey } = deps;
  const list: RequestHandler = (req, res) => {
    // Each product has an "Add to cart" form; the browser key comes with it, as with a product page's Buy form.
    browserKey.ensure(req, res);
    res.render('shop/list', { products: catalog.list(), csrfToken: csrf.token(req, res) });
  };

  const view: RequestHandler = async (req, res) => {
    const product = catalog.get(String(req.params.id));
    if (!product) throw new HttpError(404, 'errors.unknownProduct');
    const sold = await ledger.unitsSold(product.id);
    browserKey.ensure(req, res);
    res.render('shop/product', { product, csrfToken: csrf.token(req, res), maxQuantity: MAX_QUANTITY, sold });
  };

  return { list, view };
}
