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
    const html = await render('shop/list', lang, { products: catalog.list(), csrfToken: 'tok-123' });
    expectSafePage(html, lang);
    for (const p of catalog.list()) {
      expect(html).toContain(`href="/products/${p.id}"`);
      expect(html).toContain(`src="${p.image}"`);
      expect(html).toContain(p.name[lang]);
    }
    expect(text(html)).toContain(lang === 'en' ? '€12.50' : '12,50 €');
    expect(text(html)).toContain(lang === 'en' ? 'Our products' : 'Наши товары');
    // Each product can be added to the cart from the list: a form with the product's id and the page's token only.
    expect(html.match(/<form class="card__add" method="post" action="\/cart\/add">/g)).toHaveLength(catalog.list().length);
    expect(html).toContain('<input type="hidden" name="productId" value="notebook">');
    expect(html).toContain('<input type="hidden" name="_csrf" value="tok-123">');
    expect(html).not.toMatch(/name="(price|amount|currency)"/);
  });

  it('when a product name contains markup, then it is escaped', async () => {
    const html = await render('shop/list', 'en', { products: [evil], csrfToken: 't' });
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;Mug');
  });

  it('when the catalog is empty, then says so', async () => {
    const html = await render('shop/list', 'ru', { products: [], csrfToken: 't' });
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

  it.each([
    ['en', 'Add to cart'],
    ['ru', 'В корзину'],
  ] as const)('when rendered in %s, then the same form adds to the cart ("%s")', async (lang, label) => {
    const html = await render('shop/product', lang, { product, csrfToken: 't', maxQuantity: MAX_QUANTITY, sold: 0 });
    expect(html).toContain(`<button class="button" type="submit" formaction="/cart/add">${label}</button>`);
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

describe('views/shop/cart.ejs', () => {
  const cartLocals = (lines: unknown[], extra: Record<string, unknown> = {}) => ({
    lines,
    amount: 4470,
    version: 'v-123',
    email: '',
    notice: undefined,
    error: undefined,
    csrfToken: 'tok-123',
    maxQuantity: MAX_QUANTITY,
    maxLines: 10,
    maxEmail: 40,
    ...extra,
  });
  const line = (p: Product, quantity: number) => ({
    productId: p.id,
    name: p.name.en,
    image: p.image,
    unitAmount: p.price,
    quantity,
    lineAmount: p.price * quantity,
  });

  it.each([
    ['en', 'Your cart', 'Go to payment', '€44.70'],
    ['ru', 'Ваша корзина', 'Перейти к оплате', '44,70 €'],
  ] as const)('when rendered in %s, then lists the lines with labelled quantity fields and the checkout form', async (lang, title, pay, total) => {
    const notebook = catalog.get('notebook')!;
    const mug = catalog.get('ceramic-mug')!;
    const html = await render('shop/cart', lang, cartLocals([line(notebook, 3), line(mug, 1)]));
    expectSafePage(html, lang);
    expect(text(html)).toContain(title);
    expect(text(html)).toContain(total);
    expect(html).toMatch(/<form class="checkout-form" method="post" action="\/buy">/);
    expect(html).toContain('<input type="hidden" name="cart" value="v-123">');
    expect(html).toMatch(/<input id="email" name="email" type="email"[^>]* maxlength="40"/);
    expect(html).toMatch(new RegExp(`<button class="button button--primary" type="submit">${pay}</button>`));
    expect(html).toMatch(/<input id="qty-0" name="quantity" type="number"[^>]* max="10"[^>]* value="3"/);
    // Prices are shown, never posted.
    expect(html).not.toMatch(/name="(price|amount|currency|unitAmount)"/);
  });

  it('when the cart is empty, then says so and offers no checkout', async () => {
    const html = await render('shop/cart', 'ru', cartLocals([], { amount: 0 }));
    expectSafePage(html, 'ru');
    expect(text(html)).toContain('Ваша корзина пуста.');
    expect(html).not.toContain('action="/buy"');
  });

  it('when the email was refused, then marks the field and says why', async () => {
    const notebook = catalog.get('notebook')!;
    const html = await render('shop/cart', 'en', cartLocals([line(notebook, 1)], { error: 'cart.badEmail' }));
    expectSafePage(html, 'en');
    expect(html).toMatch(/role="alert">Please type one email address/);
    expect(html).toMatch(/<input id="email"[^>]* aria-invalid="true">/);
  });
});
