import { describe, it, expect } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_PRODUCTS, MAX_QUANTITY, createCatalog } from '../../src/shop/catalog.js';
import type { Product } from '../../src/shop/catalog.js';

const publicDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../public');

const product = (over: Partial<Product> = {}): Product => ({
  id: 'thing',
  name: { en: 'Thing', ru: 'Вещь' },
  description: { en: 'A thing.', ru: 'Вещь.' },
  price: 100,
  image: '/img/thing.svg',
  ...over,
});

describe('createCatalog', () => {
  it('when created with defaults, then lists 4 to 6 products with integer minor-unit prices', () => {
    const list = createCatalog().list();
    expect(list.length).toBeGreaterThanOrEqual(4);
    expect(list.length).toBeLessThanOrEqual(6);
    for (const p of list) {
      expect(p.id).toMatch(/^[a-z0-9-]+$/);
      expect(Number.isSafeInteger(p.price) && p.price > 0).toBe(true);
      expect(p.image).toBe(`/img/${p.id}.svg`);
    }
    expect(MAX_QUANTITY).toBe(10);
  });

  it('when looking up by id, then returns the product or undefined, never a prototype member', () => {
    const catalog = createCatalog();
    expect(catalog.get('coffee-beans')?.price).toBe(1250);
    for (const id of ['nope', '__proto__', 'constructor', 'toString', '']) expect(catalog.get(id)).toBeUndefined();
  });

  it('when a caller tries to change a product, then the catalog price stays the same', () => {
    const catalog = createCatalog();
    const p = catalog.get('coffee-beans') as Product;
    expect(() => {
      (p as { price: number }).price = 1;
    }).toThrow(TypeError);
    expect(catalog.get('coffee-beans')?.price).toBe(1250);
  });

  it('when custom products are given, then only those are listed', () => {
    const catalog = createCatalog([product()]);
    expect(catalog.list().map((p) => p.id)).toEqual(['thing']);
  });

  it.each([
    ['a bad id', product({ id: 'Bad Id', image: '/img/Bad Id.svg' })],
    ['a fractional price', product({ price: 12.5 })],
    ['a zero price', product({ price: 0 })],
    ['a foreign image', product({ image: 'https://cdn.example/thing.svg' })],
    ['a missing translation', product({ name: { en: 'Thing', ru: ' ' } })],
  ])('when a product has %s, then creating the catalog throws', (_label, bad) => {
    expect(() => createCatalog([bad])).toThrow();
  });

  it('when two products share an id, then creating the catalog throws', () => {
    expect(() => createCatalog([product(), product()])).toThrow(/Duplicate/);
  });

  it.each(DEFAULT_PRODUCTS.map((p) => [p.id]))(
    'when product %s is shown, then its own SVG exists and is self-contained',
    (id) => {
      const svg = readFileSync(path.join(publicDir, 'img', `${id}.svg`), 'utf8');
      expect(svg).toMatch(/^<svg [^>]*viewBox="0 0 \d+ \d+"/);
      expect(svg).not.toMatch(/<script|javascript:|on[a-z]+=|href=|<image|<foreignObject|url\(/i);
    },
  );
});
