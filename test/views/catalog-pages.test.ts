import { describe, it, expect } from '@jest/globals';
import { createCatalog, MAX_QUANTITY } from '../../src/shop/catalog.js';
import type { Product } from '../../src/shop/catalog.js';
import { LANGS } from '../../src/http/i18n.js';
import { expectSafePage, render, text } from '../helpers/render-view.js';

const catalog = createCatalog();
const evil: Product = {
  id: 'evil',
  name: { en: '<script>alert(1)</script>Mug', ru: '<script>alert(1)</script>Кружка' },
  description: { en: '"quoted" & <b>bold</b>', ru: '"кавычки" & <b>жирный</b>' },
  price: 100,
  image: '/img/evil.svg',
};

describe('views/shop/list.ejs', () => {
  it.each(LANGS)('when rendered in %s, then shows every product with link, name, price and image', async (lang) => {
    const html = await render('shop/list', lang, { products: catalog.list() });
    expectSafePage(html, lang);
    for (const p of catalog.list()) {
      expect(html).toContain(`href="/products/${p.id}"`);
      expect(html).toContain(`src="${p.image}"`);
      expect(html).toContain(p.name[lang]);
    }
    expect(text(html)).toContain(lang === 'en' ? '€12.50' : '12,50 €');
    expect(text(html)).toContain(lang === 'en' ? 'Our products' : 'Наши товары');
  });

  it('when a product name contains markup, then it is escaped', async () => {
    const html = await render('shop/list', 'en', { products: [evil] });
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;Mug');
  });

  it('when the catalog is empty, then says so', async () => {
    const html = await render('shop/list', 'ru', { products: [] });
    expect(text(html)).toContain('Товаров пока нет.');
  });
});

describe('views/shop/product.ejs', () => {
  const product = catalog.get('coffee-beans') as Product;

  it.each([
    ['en', 'Buy', 'Quantity', '€12.50'],
    ['ru', 'Купить', 'Количество', '12,50 €'],
  ] as const)('when rendered in %s, then has a labelled quantity field and a "%s" button posting to /buy', async (lang, buy, qty, price) => {
    const html = await render('shop/product', lang, { product, csrfToken: 'tok-123', maxQuantity: MAX_QUANTITY, sold: 3 });
    expectSafePage(html, lang);
    expect(html).toMatch(/<form class="buy-form" method="post" action="\/buy">/);
    expect(html).toContain('<input type="hidden" name="_csrf" value="tok-123">');
    expect(html).toContain('<input type="hidden" name="productId" value="coffee-beans">');
    expect(html).toMatch(/<input id="quantity" name="quantity" type="number"[^>]* min="1" max="10"[^>]* value="1"/);
    expect(html).toMatch(new RegExp(`<label for="quantity">${qty}</label>`));
    expect(html).toMatch(new RegExp(`<button [^>]*type="submit">${buy}</button>`));
    expect(html).toContain(`alt="${product.name[lang]}"`);
    expect(text(html)).toContain(price);
    expect(text(html)).toContain(product.description[lang]);
    expect(text(html)).toContain(lang === 'en' ? 'Sold so far: 3' : 'Уже продано: 3');
    // The price is display-only: the form must not carry an amount or currency.
    expect(html).not.toMatch(/name="(price|amount|currency)"/);
  });

  it('when the product name and description contain markup, then both are escaped', async () => {
    const html = await render('shop/product', 'en', { product: evil, csrfToken: 't', maxQuantity: 10, sold: 0 });
    expect(html).not.toMatch(/<script|<b>/);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;Mug');
    expect(html).toContain('&#34;quoted&#34; &amp; &lt;b&gt;bold&lt;/b&gt;');
  });

  it('when the csrf token contains quotes, then the attribute cannot be broken out of', async () => {
    const html = await render('shop/product', 'en', { product, csrfToken: '"><img src=x>', maxQuantity: 10, sold: 0 });
    expect(html).not.toContain('<img src=x>');
    expectSafePage(html, 'en');
  });
});
