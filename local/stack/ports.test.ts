import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack } from './stack.js';

let busy: Server;
let port: number;
beforeAll(async () => {
  busy = createServer();
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
  port = (busy.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => busy.close(() => resolve())));

describe('startLocalStack start-up errors', () => {
  it.each([
    ['pubsub', '--pubsub-port'],
    ['bigquery', '--bigquery-port'],
    ['dashboard', '--dashboard-port'],
    ['simulator', '--simulator-port'],
  ] as const)(
    'a busy %s port names the port and the flag, before anything starts',
    async (key, flag) => {
      const free = {
        pubsub: 0,
        pubsubAdmin: 0,
        bigquery: 0,
        dashboard: 0,
        simulator: 0,
        control: 0,
      };
      await expect(
        startLocalStack({ dataDir: null, ports: { ...free, [key]: port } }),
      ).rejects.toThrow(
        `port ${port} is already in use: stop what holds it or pick another with ${flag} <port>`,
      );
    },
  );

  it('a feed folder without recordings is refused clearly', async () => {
    const free = { pubsub: 0, pubsubAdmin: 0, bigquery: 0, dashboard: 0, simulator: 0, control: 0 };
    await expect(
      startLocalStack({ dataDir: null, ports: free, feed: '/nonexistent-recording' }),
    ).rejects.toThrow('--feed /nonexistent-recording: not a directory of recorded feed files');
  });
});
