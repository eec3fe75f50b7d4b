import { describe, expect, it } from '@jest/globals';
import { CREDS, makeSandbox, nextNumber } from './helpers/sandbox-app.js';

const order = () => ({ orderNumber: nextNumber(), amount: '1000', returnUrl: 'https://shop.test/r' });

describe('gateway sandbox authentication', () => {
  const sb = makeSandbox({
    merchants: [
      { login: 'one', userName: 'one-api', password: 'pw-one', token: 'tok-one', allowTwoPhase: true },
      { login: 'two', userName: 'two-api', password: 'pw-two', allowTwoPhase: false },
    ],
  });

  it('when credentials are missing, then answers HTTP 200 with errorCode "5" and the gateway wording', async () => {
    const res = await sb.call('register', order());
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ errorCode: '5', errorMessage: '[userName] or [password] or [token] is empty' });
  });

  it('when only the password is missing, then errorCode 5', async () => {
    const res = await sb.call('register', { userName: 'one-api', ...order() });
    expect(res.body.errorCode).toBe('5');
  });

  it('when the password is wrong, then errorCode 5 "Access denied", in Russian when language=ru', async () => {
    const en = await sb.call('register', { userName: 'one-api', password: 'nope', ...order() });
    expect(en.body).toEqual({ errorCode: '5', errorMessage: 'Access denied' });
    const ru = await sb.call('register', { userName: 'one-api', password: 'nope', language: 'ru', ...order() });
    expect(ru.body).toEqual({ errorCode: '5', errorMessage: 'Доступ запрещён' });
  });

  it('when the user name is unknown, then errorCode 5', async () => {
    const res = await sb.call('register', { userName: 'ghost', password: 'pw-one', ...order() });
    expect(res.body.errorCode).toBe('5');
  });

  it('when a valid token is given, then the call is accepted', async () => {
    const res = await sb.call('register', { token: 'tok-one', ...order() });
    expect(res.body.orderId).toEqual(expect.any(String));
  });

  it('when the token is wrong, then errorCode 5', async () => {
    const res = await sb.call('register', { token: 'tok-bad', ...order() });
    expect(res.body.errorCode).toBe('5');
  });

  it('when both a token and userName/password are given, then errorCode 5', async () => {
    const res = await sb.call('register', { token: 'tok-one', userName: 'one-api', password: 'pw-one', ...order() });
    expect(res.body.errorCode).toBe('5');
  });

  it('when the deposit family fails authentication, then errorCode is a number', async () => {
    const res = await sb.call('deposit', { orderId: 'x', amount: '0' });
    expect(res.body).toEqual({ errorCode: 5, errorMessage: '[userName] or [password] or [token] is empty' });
  });

  it('when one merchant asks for the order of another, then errorCode 6 (not found)', async () => {
    const mine = await sb.call('register', { token: 'tok-one', ...order() });
    const res = await sb.call('getOrderStatusExtended', {
      userName: 'two-api',
      password: 'pw-two',
      orderId: mine.body.orderId!,
    });
    expect(res.body).toEqual({ errorCode: '6', errorMessage: 'Order not found' });
  });

  it("when one merchant declines another's order by orderId or orderNumber, then errorCode 6 and the order stays open", async () => {
    const params = order();
    const mine = await sb.call('register', { token: 'tok-one', ...params });
    const two = { userName: 'two-api', password: 'pw-two' };
    expect((await sb.call('decline', { ...two, orderId: mine.body.orderId! })).body).toEqual({
      errorCode: 6,
      errorMessage: 'Order not found',
    });
    expect((await sb.call('decline', { ...two, orderNumber: params.orderNumber })).body).toEqual({
      errorCode: 6,
      errorMessage: 'Order not found',
    });
    expect(sb.store.get(mine.body.orderId!)?.status).toBe(0);
  });

  it('when the default merchant is used, then its documented credentials work', async () => {
    const plain = makeSandbox();
    const res = await plain.call('register', { ...CREDS, ...order() });
    expect(res.body.formUrl).toMatch(
      /^http:\/\/gateway\.test\/payment\/merchants\/demo-shop\/payment_en\.html\?mdOrder=/,
    );
  });
});
