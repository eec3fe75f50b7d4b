import type { Check } from '../types.js';
import { orderNumberUniqueCheck } from './order-number-unique.js';
import { amountsMinorUnitsCheck } from './amounts-minor-units.js';
import { returnUrlSafeCheck } from './return-url-safe.js';
import { refundsSaneCheck } from './refunds-sane.js';
import { credentialsServerSideCheck } from './credentials-server-side.js';
import { registerFieldsValidCheck } from './register-fields-valid.js';

/** Every check of the report card, one file each in this folder; gradeIntegration sorts them by CHECK_IDS. */
export const CHECKS: readonly Check[] = [
  // (each check's import and entry go on their own line, in CHECK_IDS order)
  orderNumberUniqueCheck,
  amountsMinorUnitsCheck,
  returnUrlSafeCheck,
  refundsSaneCheck,
  credentialsServerSideCheck,
  registerFieldsValidCheck,
];
