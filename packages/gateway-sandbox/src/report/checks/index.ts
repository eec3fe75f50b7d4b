import type { Check } from '../types.js';
import { statusAfterReturnCheck } from './status-after-return.js';
import { decisionFollowsStatusCheck } from './decision-follows-status.js';
import { callbacksAnsweredCheck } from './callbacks-answered.js';
import { forgedCallbacksRefusedCheck } from './forged-callbacks-refused.js';
import { holdsSettledCheck } from './holds-settled.js';
import { statusPollingRateCheck } from './status-polling-rate.js';

/** Every check of the report card, one file each in this folder; gradeIntegration sorts them by CHECK_IDS. */
export const CHECKS: readonly Check[] = [
  // (each check's import and entry go on their own line, in CHECK_IDS order)
  statusAfterReturnCheck,
  decisionFollowsStatusCheck,
  callbacksAnsweredCheck,
  forgedCallbacksRefusedCheck,
  holdsSettledCheck,
  statusPollingRateCheck,
];
