import { createHmac } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { callbackSigningString, verifyCallbackChecksum } from '../../src/gateway/callback.js';

// A known answer, computed independently of this code: key "123" over the documented deposited-callback string.
const KEY = '123';
const DEPOSITED = {
  amount: '1500',
  mdOrder: 'ed6f3abf-cea0-427e-afdf-0ba43ead124f',
  operation: 'deposited',
  orderNumber: '89312',
  status: '1',
};
const EXPECTED = '9F8253A6BB7777D067DD955751119FA5AAF67B14B9215147190F96B505CDB72C';

const sign = (params: Record<string, string>, key = KEY) =>
  createHmac('sha256', key).update(callbackSigningString(params)).digest('hex').toUpperCase();

describe('callback checksum (HMAC-SHA256 over the sorted parameters)', () => {
  it('builds name;value; pairs sorted by name, without checksum and sign_alias', () => {
    const shuffled = { status: '1', checksum: 'X', operation: 'deposited', sign_alias: 'a', amount: '1500' };
    expect(callbackSigningString(shuffled)).toBe('amount;1500;operation;deposited;status;1;');
  });

  it('when the checksum is the known answer, accepts it in upper or lower case', () => {
    expect(verifyCallbackChecksum({ ...DEPOSITED, checksum: EXPECTED }, KEY)).toBe(true);
    expect(verifyCallbackChecksum({ ...DEPOSITED, checksum: EXPECTED.toLowerCase() }, KEY)).toBe(true);
  });

  it('when extra parameters (callbackCreationDate) are sent, they are signed too', () => {
    const params = { ...DEPOSITED, callbackCreationDate: 'Mon Jan 31 21:46:52 MSK 2022' };
    expect(verifyCallbackChecksum({ ...params, checksum: sign(params) }, KEY)).toBe(true);
    expect(verifyCallbackChecksum({ ...params, checksum: EXPECTED }, KEY)).toBe(false);
  });

  it.each([
    ['no checksum', { ...DEPOSITED }],
    ['an empty checksum', { ...DEPOSITED, checksum: '' }],
    ['a short checksum', { ...DEPOSITED, checksum: EXPECTED.slice(0, 62) }],
    ['a non-hex checksum', { ...DEPOSITED, checksum: 'Z'.repeat(64) }],
    ['a checksum under another key', { ...DEPOSITED, checksum: sign(DEPOSITED, '124') }],
    ['a checksum over other parameters', { ...DEPOSITED, amount: '150000', checksum: EXPECTED }],
    ["another order's checksum", { ...DEPOSITED, mdOrder: 'other', checksum: EXPECTED }],
  ])('when the call carries %s, refuses it without throwing', (_label, params: Record<string, string>) => {
    expect(verifyCallbackChecksum(params, KEY)).toBe(false);
  });
});
