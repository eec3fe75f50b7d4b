import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startSandbox, type RunningSandbox } from '../src/index.js';

const run = promisify(execFile);

/*
 * The example clients of docs/sandbox.md (docs/clients/) against a real sandbox on 127.0.0.1 and a random port,
 * each in its own child process, as a reader would run them.
 */
const HAS_PYTHON = spawnSync('python3', ['--version']).status === 0;
if (!HAS_PYTHON)
  process.stderr.write(
    '\n*** packages/gateway-sandbox/test/clients.test.ts: python3 not found — the Python client (docs/clients/sandbox_client.py) is NOT tested ***\n\n',
  );

describe('example clients in docs/clients register an order and read its status', () => {
  let sb: RunningSandbox;
  let n = 0;

  beforeAll(async () => {
    sb = await startSandbox({ port: 0, host: '127.0.0.1', callbacks: false });
  });
  afterAll(() => sb.close());

  const runClient = async (command: string, file: string) => {
    const orderNumber = `client-${process.pid}-${++n}`;
    const { stdout } = await run(command, [file], {
      env: { PATH: process.env.PATH ?? '', GATEWAY_URL: sb.gatewayUrl, ORDER_NUMBER: orderNumber },
      timeout: 15_000,
    });
    const lines = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    return { orderNumber, lines };
  };

  const expectRegisteredAndRead = ({ orderNumber, lines }: Awaited<ReturnType<typeof runClient>>) => {
    const order = sb.sandbox.engine.findByNumber('demo-shop', orderNumber);
    expect(order).toMatchObject({ amount: 1250, currency: '978', status: 0 });
    expect(lines).toEqual([
      { orderNumber, orderId: order?.id, formUrl: expect.stringContaining(`${sb.url}/payment/merchants/demo-shop/`) },
      { orderStatus: 0, actionCode: -100, amount: 1250, currency: '978' },
    ]);
  };

  it('when the Node client runs (built-in fetch), then the order exists and its status line is printed', async () => {
    expectRegisteredAndRead(await runClient(process.execPath, 'docs/clients/sandbox-client.js'));
  });

  (HAS_PYTHON ? it : it.skip)(
    'when the Python client runs (urllib), then the order exists and its status line is printed',
    async () => {
      expectRegisteredAndRead(await runClient('python3', 'docs/clients/sandbox_client.py'));
    },
  );

  it('when the credentials are wrong, then the Node client exits 1 naming the errorCode', async () => {
    const failed = await run(process.execPath, ['docs/clients/sandbox-client.js'], {
      env: { PATH: process.env.PATH ?? '', GATEWAY_URL: sb.gatewayUrl, GATEWAY_PASSWORD: 'wrong-password' },
      timeout: 15_000,
    }).catch((err: { code?: number; stderr?: string }) => err);
    expect(failed).toMatchObject({ code: 1, stderr: expect.stringContaining('register.do refused: errorCode 5') });
  });

  it.each([
    [process.execPath, 'docs/clients/sandbox-client.js'],
    ...(HAS_PYTHON ? [['python3', 'docs/clients/sandbox_client.py']] : []),
  ])(
    'when %s runs %s, then it reads the shop’s setting names (GATEWAY_USERNAME, not GATEWAY_USER)',
    async (command, file) => {
      const withUser = (env: Record<string, string>) =>
        run(command, [file], {
          env: { PATH: process.env.PATH ?? '', GATEWAY_URL: sb.gatewayUrl, ...env },
          timeout: 15_000,
        }).catch((err: { code?: number; stderr?: string }) => err);
      // The shop's name is the one read: a wrong user there is refused…
      expect(await withUser({ GATEWAY_USERNAME: 'no-such-user-api' })).toMatchObject({
        code: 1,
        stderr: expect.stringContaining('errorCode 5'),
      });
      // …and the other spelling is not read at all.
      expect(await withUser({ GATEWAY_USER: 'no-such-user-api' })).toMatchObject({
        stdout: expect.stringMatching(/"orderStatus": ?0/),
      });
    },
  );
});
