/**
 * A cart (orderBundle) that adds up for the amount sandbox-app's `register` sends by default (150000): what makes an
 * order fiscal, for the tests of its receipts. One line of 1500.00, VAT 20 %, full payment of goods.
 */
export const FISCAL_AMOUNT = 150_000;

export const FISCAL_BUNDLE = JSON.stringify({
  cartItems: {
    items: [
      {
        positionId: 1,
        name: 'Boots',
        quantity: { value: 1, measure: 'pcs' },
        itemPrice: FISCAL_AMOUNT,
        itemAmount: FISCAL_AMOUNT,
        itemCode: 'boots',
        tax: { taxType: 6 },
        itemAttributes: {
          attributes: [
            { name: 'paymentMethod', value: '4' },
            { name: 'paymentObject', value: '1' },
          ],
        },
      },
    ],
  },
});
