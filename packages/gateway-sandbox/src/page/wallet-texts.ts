import type { PageLang } from '../types.js';

/** Every visible string of the wallet buttons and the simulated wallet sheet, in English and Russian. */
const TEXTS = {
  en: {
    walletsTitle: 'Pay with a wallet',
    walletsHint: 'Simulated in this test environment: no real wallet, phone or card takes part.',
    payWith: 'Pay with',
    orCard: 'Or pay with a card:',
    simulated: 'Simulated',
    sheetTitle: 'wallet (simulated)',
    sheetBanner:
      'This is not the real wallet. The sandbox shows this sheet in its place; the wallet holds the test cards below.',
    chooseCard: 'Card in the wallet',
    deviceToken: 'device token',
    plainCard: 'card in the account, not tokenized',
    payIn: 'with',
    back: 'Close the wallet and return to the payment page',
    errCard: 'Choose one of the cards in the wallet.',
    notOfferedTitle: 'This wallet is not available',
    notOfferedText: 'The merchant does not accept this wallet. Return to the payment page and pay another way.',
    toPaymentPage: 'Return to the payment page',
    cardsTitle: 'Cards in the simulated wallets',
    cardsIntro:
      'The wallet buttons of the payment page open a simulated wallet sheet holding these cards (sandboxCard in a direct endpoint’s test token).',
    cardsCard: 'Card',
    cardsWallets: 'Wallets',
  },
  ru: {
    walletsTitle: 'Оплата через кошелёк',
    walletsHint: 'В тестовой среде кошельки имитируются: настоящие кошелёк, телефон и карта не участвуют.',
    payWith: 'Оплатить через',
    orCard: 'Или оплатите картой:',
    simulated: 'Имитация',
    sheetTitle: '(имитация кошелька)',
    sheetBanner:
      'Это не настоящий кошелёк. Песочница показывает это окно вместо него; в кошельке лежат тестовые карты ниже.',
    chooseCard: 'Карта в кошельке',
    deviceToken: 'токен устройства',
    plainCard: 'карта в аккаунте, без токена',
    payIn: 'через',
    back: 'Закрыть кошелёк и вернуться к странице оплаты',
    errCard: 'Выберите одну из карт кошелька.',
    notOfferedTitle: 'Этот кошелёк недоступен',
    notOfferedText: 'Магазин не принимает оплату этим кошельком. Вернитесь к странице оплаты и оплатите иначе.',
    toPaymentPage: 'Вернуться к странице оплаты',
    cardsTitle: 'Карты в имитации кошельков',
    cardsIntro:
      'Кнопки кошельков на странице оплаты открывают имитацию окна кошелька с этими картами (sandboxCard в тестовом токене прямых методов).',
    cardsCard: 'Карта',
    cardsWallets: 'Кошельки',
  },
} as const satisfies Record<PageLang, Record<string, string>>;

export type WalletTexts = (typeof TEXTS)['en'] | (typeof TEXTS)['ru'];

export function walletTextsFor(lang: PageLang): WalletTexts {
  return TEXTS[lang];
}
