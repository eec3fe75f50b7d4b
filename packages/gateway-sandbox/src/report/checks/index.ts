import type { Check } from '../types.js';
import { amountsMinorUnitsCheck } from './amounts-minor-units.js';
import { callbacksAnsweredCheck } from './callbacks-answered.js';
import { credentialsServerSideCheck } from './credentials-server-side.js';
import { decisionFollowsStatusCheck } from './decision-follows-status.js';
import { forgedCallbacksRefusedCheck } from './forged-callbacks-refused.js';
import { holdsSettledCheck } from './holds-settled.js';
import { orderNumberUniqueCheck } from './order-number-unique.js';
import { refundsSaneCheck } from './refunds-sane.js';
import { registerFieldsValidCheck } from './register-fields-valid.js';
import { returnUrlSafeCheck } from './return-url-safe.js';
import { statusAfterReturnCheck } from './status-after-return.js';
import { statusPollingRateCheck } from './status-polling-rate.js';

/** Every check of the report card, one file each in this folder, in CHECK_IDS order (gradeIntegration sorts anyway). */
export const CHECKS: readonly Check[] = [
  statusAfterReturnCheck,
  decisionFollowsStatusCheck,
  orderNumberUniqueCheck,
  amountsMinorUnitsCheck,
  returnUrlSafeCheck,
  callbacksAnsweredCheck,
  forgedCallbacksRefusedCheck,
  holdsSettledCheck,
  refundsSaneCheck,
  statusPollingRateCheck,
  credentialsServerSideCheck,
  registerFieldsValidCheck,
];
