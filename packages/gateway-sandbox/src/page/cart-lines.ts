/** The order's cart lines as the hosted payment page lists them (views/partials/cart-lines.ejs), en and ru. */
import { cartLines } from '../cart.js';
import { formatAmount } from '../currency.js';
import type { PageLang, SandboxOrder } from '../types.js';

/** The texts of the lines' table, in the page's two languages. */
const TEXTS = {
  en: { caption: 'Order lines', item: 'Item', quantity: 'Quantity', amount: 'Amount' },
  ru: { caption: 'Состав заказа', item: 'Товар', quantity: 'Количество', amount: 'Сумма' },
} as const satisfies Record<PageLang, Record<string, string>>;

/**
 * Units of the FFD 1.2 measure codes (quantity.measure), en and ru; a measure that is not one of these codes is free
 * text (FFD 1.05: "шт", "kg") and is shown as given.
 */
const MEASURES: Record<string, readonly [string, string]> = {
  '0': ['pcs', 'шт.'],
  '10': ['g', 'г'],
  '11': ['kg', 'кг'],
  '12': ['t', 'т'],
  '20': ['cm', 'см'],
  '21': ['dm', 'дм'],
  '22': ['m', 'м'],
  '30': ['cm²', 'см²'],
  '31': ['dm²', 'дм²'],
  '32': ['m²', 'м²'],
  '40': ['ml', 'мл'],
  '41': ['l', 'л'],
  '42': ['m³', 'м³'],
  '50': ['kWh', 'кВт·ч'],
  '51': ['Gcal', 'Гкал'],
  '70': ['days', 'сут.'],
  '71': ['h', 'ч'],
  '72': ['min', 'мин'],
  '73': ['s', 'с'],
  '80': ['KB', 'Кбайт'],
  '81': ['MB', 'Мбайт'],
  '82': ['GB', 'Гбайт'],
  '83': ['TB', 'Тбайт'],
  '255': ['', ''],
};

export interface PageCartLines {
  t: (typeof TEXTS)[PageLang];
  lines: { name: string; quantity: string; amount: string }[];
}

/** The lines of a cart order, formatted for the page; undefined for an order registered without a cart. */
export function pageCartLines(order: Readonly<SandboxOrder>, lang: PageLang): PageCartLines | undefined {
  const lines = cartLines(order);
  if (lines.length === 0) return undefined;
  const number = new Intl.NumberFormat(lang === 'ru' ? 'ru-RU' : 'en-GB', { maximumFractionDigits: 3 });
  return {
    t: TEXTS[lang],
    lines: lines.map((line) => {
      const unit = MEASURES[line.measure]?.[lang === 'ru' ? 1 : 0] ?? line.measure;
      return {
        name: line.name,
        quantity: unit ? `${number.format(line.quantity)} ${unit}` : number.format(line.quantity),
        amount: formatAmount(line.amount, order.currency, lang),
      };
    }),
  };
}
