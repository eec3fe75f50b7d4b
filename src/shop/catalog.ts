import { fiscalProblem, fiscalSettings, type FiscalSettings } from '../payments/index.js';

/**
 * The shop's product catalog. Prices are server-owned integer minor units of the
 * shop currency (configured elsewhere); the buyer's form never carries a price.
 */

export interface Product {
  /** URL slug, /^[a-z0-9-]+$/. */
  id: string;
  name: { en: string; ru: string };
  description: { en: string; ru: string };
  /** Price in integer minor units of the shop currency. */
  price: number;
  /** Public path of the product's own image: '/img/<id>.svg'. */
  image: string;
  /**
   * Its line on the fiscal receipt (the cart sent as orderBundle): tax rate, what is sold, how it is paid, unit,
   * article code. What is left out takes the defaults of src/payments/bundle.ts (itemCode: the id); the catalog
   * holds them filled in.
   */
  fiscal?: Partial<FiscalSettings>;
}

export interface Catalog {
  list(): readonly Product[];
  get(id: string): Product | undefined;
}

/** Upper bound for the quantity field; also enforced by the buy route. */
export const MAX_QUANTITY = 10;

const ID_RE = /^[a-z0-9-]+$/;

export const DEFAULT_PRODUCTS: readonly Product[] = [
  {
    id: 'coffee-beans',
    name: { en: 'Coffee beans, 250 g', ru: 'Кофе в зёрнах, 250 г' },
    description: {
      en: 'Medium-roast single-origin beans with notes of cocoa and cherry.',
      ru: 'Зёрна средней обжарки одного происхождения с нотами какао и вишни.',
    },
    price: 1250,
    image: '/img/coffee-beans.svg',
    // Food: the reduced VAT rate (10 %).
    fiscal: { taxType: 2 },
  },
  {
    id: 'ceramic-mug',
    name: { en: 'Ceramic mug', ru: 'Керамическая кружка' },
    description: {
      en: 'A sturdy 350 ml mug, glazed by hand. Dishwasher safe.',
      ru: 'Прочная кружка на 350 мл с ручной глазурью. Можно мыть в посудомоечной машине.',
    },
    price: 1490,
    image: '/img/ceramic-mug.svg',
    fiscal: { taxType: 6 },
  },
  {
    id: 'notebook',
    name: { en: 'Dotted notebook', ru: 'Блокнот в точку' },
    description: {
      en: 'A5, 120 pages of thick paper, lies flat when open.',
      ru: 'Формат A5, 120 страниц плотной бумаги, раскрывается на 180°.',
    },
    price: 990,
    image: '/img/notebook.svg',
    fiscal: { taxType: 6 },
  },
  {
    id: 'tote-bag',
    name: { en: 'Canvas tote bag', ru: 'Холщовая сумка-шопер' },
    description: {
      en: 'Heavy cotton canvas with long handles; fits a laptop.',
      ru: 'Плотный хлопковый холст и длинные ручки; поместится ноутбук.',
    },
    price: 1990,
    image: '/img/tote-bag.svg',
    fiscal: { taxType: 6 },
  },
  {
    id: 't-shirt',
    name: { en: 'Organic cotton T-shirt', ru: 'Футболка из органического хлопка' },
    description: {
      en: 'A soft, relaxed-fit T-shirt in a calm blue.',
      ru: 'Мягкая футболка свободного кроя спокойного синего цвета.',
    },
    price: 2990,
    image: '/img/t-shirt.svg',
    fiscal: { taxType: 6 },
  },
];

function validate(p: Product): void {
  if (!ID_RE.test(p.id)) throw new Error(`Invalid product id: ${JSON.stringify(p.id)}`);
  // A zero or fractional price would be rejected by the gateway or silently rounded; catch it at boot.
  if (!Number.isSafeInteger(p.price) || p.price <= 0) {
    throw new Error(`Product ${p.id}: price must be a positive integer of minor units`);
  }
  if (p.image !== `/img/${p.id}.svg`) throw new Error(`Product ${p.id}: image must be /img/${p.id}.svg`);
  for (const field of [p.name, p.description]) {
    if (!field.en.trim() || !field.ru.trim()) throw new Error(`Product ${p.id}: name and description need en and ru`);
  }
  // A setting the gateway would refuse would fail every Buy of the product: refused at start instead.
  const fiscalWrong = fiscalProblem(fiscalSettings(p.id, p.fiscal));
  if (fiscalWrong) throw new Error(`Product ${p.id}: fiscal ${fiscalWrong}`);
}

export function createCatalog(products: readonly Product[] = DEFAULT_PRODUCTS): Catalog {
  // A Map (not a plain object) so ids like "__proto__" or "constructor" can never resolve to something.
  const byId = new Map<string, Product>();
  for (const p of products) {
    validate(p);
    if (byId.has(p.id)) throw new Error(`Duplicate product id: ${p.id}`);
    byId.set(
      p.id,
      Object.freeze({
        ...p,
        name: Object.freeze({ ...p.name }),
        description: Object.freeze({ ...p.description }),
        fiscal: Object.freeze(fiscalSettings(p.id, p.fiscal)),
      }),
    );
  }
  const list = Object.freeze([...byId.values()]);
  return {
    list: () => list,
    get: (id) => byId.get(id),
  };
}
