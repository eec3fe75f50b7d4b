// The gateway's fiscal codes the shop checks its settings against (docs/gateway-reference.md, the cart section).

/** taxSystem: 0 general, 1 simplified (income), 2 simplified (income minus expense), 3, 4, 5 (older special ones). */
export const TAX_SYSTEMS = Object.freeze({ min: 0, max: 5 });

/** A line's tax.taxType: the VAT codes the gateway documents (3 and 5, the old 18 % rates, no longer). */
export const TAX_TYPES: readonly number[] = Object.freeze([0, 1, 2, 4, 6, 7, 10, 11, 12, 13, 14, 15]);

/** Whether a taxSystem value is one the gateway documents. */
export function isTaxSystem(v: number): boolean {
  return Number.isInteger(v) && v >= TAX_SYSTEMS.min && v <= TAX_SYSTEMS.max;
}
