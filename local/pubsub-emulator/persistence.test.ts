import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { v1 } from '@google-cloud/pubsub';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnEmulator, stopEmulator } from './testing/child.js';
import { PROJECT } from './testing/harness.js';

const dir = mkdtempSync(join(tmpdir(), 'pubsub-emulator-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function clients(host: string) {
  const [servicePath, port] = host.split(':');
  const opts = { servicePath, port: Number(port), sslCreds: grpc.credentials.createInsecure() };
  return { publisher: new v1.PublisherClient(opts), subscriber: new v1.SubscriberClient(opts) };
}

describe('--data-dir', () => {
  it('keeps topics, subscriptions and every unacked message across kill -9', async () => {
    const topic = `projects/${PROJECT}/topics/durable`;
    const subscription = `projects/${PROJECT}/subscriptions/durable-sub`;
    const first = await spawnEmulator(['--data-dir', dir]);
    const a = clients(first.host);
    await a.publisher.createTopic({ name: topic });
    await a.subscriber.createSubscription({ name: subscription, topic, filter: 'attributes:keep' });
    const published: string[] = [];
    for (let batch = 0; batch < 10; batch += 1) {
      const [res] = await a.publisher.publish({
        topic,
        messages: Array.from({ length: 100 }, (_, i) => ({
          data: Buffer.from(`m${batch * 100 + i}`),
          attributes: (i % 10 === 0 ? {} : { keep: '1' }) as Record<string, string>,
        })),
      });
      published.push(...res.messageIds!.filter((_: string, i: number) => i % 10 !== 0));
    }
    // Ack 300 of the 900 that pass the filter.
    const acked = new Set<string>();
    while (acked.size < 300) {
      const [res] = await a.subscriber.pull({ subscription, maxMessages: 300 - acked.size });
      const take = res.receivedMessages ?? [];
      await a.subscriber.acknowledge({ subscription, ackIds: take.map((r) => r.ackId!) });
      for (const r of take) acked.add(r.message!.messageId!);
    }
    await stopEmulator(first.process, 'SIGKILL');
    await a.publisher.close();
    await a.subscriber.close();

    const second = await spawnEmulator(['--data-dir', dir]);
    const b = clients(second.host);
    try {
      const [sub] = await b.subscriber.getSubscription({ subscription });
      expect(sub.filter).toBe('attributes:keep');
      const received = new Set<string>();
      for (;;) {
        const [res] = await b.subscriber.pull({
          subscription,
          maxMessages: 1000,
          returnImmediately: true,
        });
        const got = res.receivedMessages ?? [];
        if (got.length === 0) break;
        for (const r of got) received.add(r.message!.messageId!);
        await b.subscriber.acknowledge({ subscription, ackIds: got.map((r) => r.ackId!) });
      }
      const unacked = published.filter((id) => !acked.has(id));
      expect(unacked).toHaveLength(600);
      // Nothing unacked is lost; nothing outside the filter or already acked comes back.
      expect([...received].sort()).toEqual([...unacked].sort());
      // New ids continue after the old ones.
      const [res] = await b.publisher.publish({
        topic,
        messages: [{ data: Buffer.from('after'), attributes: { keep: '1' } }],
      });
      expect(Number(res.messageIds![0])).toBeGreaterThan(Math.max(...published.map(Number)));
    } finally {
      await b.publisher.close();
      await b.subscriber.close();
      await stopEmulator(second.process, 'SIGKILL');
    }
  });
});
