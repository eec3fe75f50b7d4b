/** The integration journal's bound per merchant, and its entries kept in the data folder's database across restarts. */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { loadSandboxConfig, startSandbox, TrafficJournal, type TrafficEntry } from '../src/index.js';
import { CREDS, makeSandbox, OPERATOR_AUTH, OPERATOR_TOKEN } from './helpers/sandbox-app.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sandbox-journal-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function start(dataDir: string, journalMaxPerMerchant?: number) {
  const sb = await startSandbox({
    port: 0,
    host: '127.0.0.1',
    dataDir,
    operatorToken: OPERATOR_TOKEN,
    callbacks: false,
    journalMaxPerMerchant,
    testHelpers: true,
  });
  let closed = false;
  cleanups.push(() => (closed ? undefined : sb.close()));
  return Object.assign(sb, {
    stop: async () => {
      closed = true;
      await sb.close();
    },
  });
}

const status = (url: string, orderId: string) =>
  fetch(`${url}/payment/rest/getOrderStatusExtended.do`, {
    method: 'POST',
    body: new URLSearchParams({ ...CREDS, orderId }),
  });

describe('the journal bound', () => {
  it('when a merchant makes more calls than the bound, then only its newest are kept and another merchant keeps its own', async () => {
    const sb = makeSandbox({ journalMaxPerMerchant: 3 });
    for (let i = 1; i <= 5; i++) await sb.call('getOrderStatusExtended', { ...CREDS, orderId: `order-${i}` });
    await sb.call('getOrderStatusExtended', { token: 'nobody-s-token' });
    const mine = sb.integrationJournal.list({ merchant: 'demo-shop' });
    expect(mine.map((e) => e.orderId)).toEqual(['order-5', 'order-4', 'order-3']);
    expect(sb.integrationJournal.list().filter((e) => e.merchant === null)).toHaveLength(1);
    const res = await request(sb.app).get('/sandbox/journal.json').set(OPERATOR_AUTH);
    expect((res.body as { maxPerMerchant: number }).maxPerMerchant).toBe(3);
  });

  it('when the bound is not a positive integer, then the journal refuses it', () => {
    expect(() => new TrafficJournal({ maxPerMerchant: 0 })).toThrow(/at least 1/);
  });
});

describe('a sandbox with a data folder', () => {
  it('when it restarts, then the journal comes back with its sequence ids, and new entries continue after them', async () => {
    const dir = tempDir();
    const first = await start(dir);
    for (const id of ['a-1', 'a-2', 'a-3']) await status(first.url, id);
    const before = first.sandbox.integrationJournal.list();
    await first.stop();

    const second = await start(dir);
    const res = await request(second.url).get('/sandbox/journal.json').set(OPERATOR_AUTH);
    const restored = (res.body as { entries: TrafficEntry[] }).entries;
    expect(restored).toEqual(before);
    await status(second.url, 'b-1');
    const [newest] = second.sandbox.integrationJournal.list({ limit: 1 });
    expect(newest).toMatchObject({ orderId: 'b-1', seq: before[0]!.seq + 1 });
    await second.stop();

    // Started again with a lower bound: only the newest entries come back, and the file keeps no more than those.
    const third = await start(dir, 2);
    expect(third.sandbox.integrationJournal.list().map((e) => e.orderId)).toEqual(['b-1', 'a-3']);
    await third.stop();
    const fourth = await start(dir);
    expect(fourth.sandbox.integrationJournal.list().map((e) => e.orderId)).toEqual(['b-1', 'a-3']);
  });
});

describe('a reset with a data folder', () => {
  it('when a merchant is reset, then its entries are gone from the file too, those not written yet included', async () => {
    const dir = tempDir();
    const first = await start(dir);
    for (const id of ['a-1', 'a-2']) await status(first.url, id);
    // An entry of nobody's (wrong credentials) is kept: the reset is the merchant's alone.
    await fetch(`${first.url}/payment/rest/getOrderStatusExtended.do`, {
      method: 'POST',
      body: new URLSearchParams({ userName: 'nobody', password: 'wrong-password', orderId: 'x-1' }),
    });
    const reset = await fetch(`${first.url}/sandbox/test/merchants/demo-shop/reset`, {
      method: 'POST',
      headers: { authorization: `Bearer ${OPERATOR_TOKEN}` },
    });
    expect(await reset.json()).toMatchObject({ deletedJournalEntries: 2 });
    await status(first.url, 'b-1');
    await first.stop();

    const second = await start(dir);
    expect(second.sandbox.integrationJournal.list({ merchant: 'demo-shop' }).map((e) => e.orderId)).toEqual(['b-1']);
    expect(second.sandbox.integrationJournal.list().map((e) => e.orderId)).toEqual(['b-1', 'x-1']);
  });
});

describe('a sandbox with recordJournal: false', () => {
  it('when calls are made, then its journal stays empty', async () => {
    const sb = makeSandbox({ recordJournal: false });
    await sb.register();
    expect(sb.integrationJournal.list()).toEqual([]);
  });
});

describe('SANDBOX_JOURNAL_MAX_ENTRIES', () => {
  it('when set, then the config carries the bound; when not a positive integer, then the config names the variable', () => {
    expect(loadSandboxConfig({ SANDBOX_JOURNAL_MAX_ENTRIES: '250' }).journalMaxPerMerchant).toBe(250);
    expect(loadSandboxConfig({}).journalMaxPerMerchant).toBeUndefined();
    expect(() => loadSandboxConfig({ SANDBOX_JOURNAL_MAX_ENTRIES: '0' })).toThrow(/SANDBOX_JOURNAL_MAX_ENTRIES/);
  });
});

describe('calls refused before the method runs', () => {
  it('when the auth throttle refuses a call, then it is recorded too, with the throttle answer and no password', async () => {
    const sb = makeSandbox({ authThrottle: { perAddress: 1 } });
    await sb.call('getOrderStatusExtended', { userName: CREDS.userName, password: 'wrong-1-Pa55' });
    const refused = await sb.call('getOrderStatusExtended', { userName: CREDS.userName, password: 'wrong-2-Pa55' });
    expect(refused.headers['retry-after']).toBeDefined();
    const [throttled, failed] = sb.integrationJournal.list({ method: 'getOrderStatusExtended' });
    expect(throttled).toMatchObject({ merchant: 'demo-shop', answer: { httpStatus: 200, errorCode: '5' } });
    expect(failed).toMatchObject({ merchant: 'demo-shop', answer: { errorCode: '5' } });
    expect(JSON.stringify(sb.integrationJournal.list())).not.toMatch(/wrong-\d-Pa55/);
  });
});

describe('the paths a REST method is reached by', () => {
  it('when a method is called with an encoded name, in capitals or with a trailing slash, then the call is recorded too', async () => {
    const sb = makeSandbox();
    const paths = [
      '/payment/rest/getOrderStatusExtended%2Edo',
      '/PAYMENT/REST/getOrderStatusExtended.do',
      '/payment/rest/getOrderStatusExtended.do/',
    ];
    for (const [i, path] of paths.entries()) {
      const res = await request(sb.app)
        .post(path)
        .type('form')
        .send({ ...CREDS, orderId: `path-${i}` });
      expect((res.body as { errorCode?: string }).errorCode).toBe('6');
    }
    const recorded = sb.integrationJournal.list({ method: 'getOrderStatusExtended' });
    expect(recorded.map((e) => e.orderId).sort()).toEqual(['path-0', 'path-1', 'path-2']);
    // Not a method: nothing recorded.
    await request(sb.app).post('/payment/rest/nothing.do').type('form').send(CREDS);
    expect(sb.integrationJournal.list()).toHaveLength(3);
  });
});

describe('journal entries on disk', () => {
  it('when calls are still queued for the next batch write, then the stop writes them all', async () => {
    const dir = tempDir();
    const first = await start(dir);
    await Promise.all(['c-1', 'c-2', 'c-3', 'c-4'].map((id) => status(first.url, id)));
    const written = first.sandbox.integrationJournal.list();
    await first.stop();
    const second = await start(dir);
    expect(second.sandbox.integrationJournal.list()).toEqual(written);
  });
});
