import type { Message } from '@google-cloud/pubsub';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, uniqueId, until, type Harness } from './testing/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

describe('publish → StreamingPull → ack through the official client', () => {
  it('delivers 10,000 messages exactly once to an acking subscriber', async () => {
    const [topic] = await h.pubsub.createTopic(uniqueId('t'));
    const [sub] = await topic.createSubscription(uniqueId('s'));
    const seen = new Map<string, number>();
    sub.on('message', (m: Message) => {
      seen.set(m.data.toString(), (seen.get(m.data.toString()) ?? 0) + 1);
      m.ack();
    });
    const n = 10_000;
    const ids = await Promise.all(
      Array.from({ length: n }, (_, i) =>
        topic.publishMessage({ data: Buffer.from(`m${i}`), attributes: { i: String(i) } }),
      ),
    );
    expect(new Set(ids).size).toBe(n);
    await until(() => seen.size === n, 30_000, '10,000 messages');
    // Every ack reaches the emulator: the backlog drains and nothing was delivered twice.
    await until(
      () => h.emulator.status().subscriptions.find((s) => s.name === sub.name)!.backlog === 0,
      10_000,
      'acks',
    );
    await sub.close();
    expect([...seen.values()].every((count) => count === 1)).toBe(true);
  });

  it('spreads messages that arrive one at a time over every stream of the subscription', async () => {
    const [topic] = await h.pubsub.createTopic(uniqueId('t'));
    const [created] = await topic.createSubscription(uniqueId('s'));
    const received = [0, 0];
    const subscribers = received.map((_, i) => {
      const sub = h.pubsub.subscription(created.name, { streamingOptions: { maxStreams: 1 } });
      sub.on('message', (m: Message) => {
        received[i]! += 1;
        m.ack();
      });
      return sub;
    });
    const status = () => h.emulator.status().subscriptions.find((s) => s.name === created.name)!;
    await until(() => status().consumers === 2, 10_000, 'both streams attached');
    const n = 100;
    for (let i = 0; i < n; i += 1) {
      await topic.publishMessage({ data: Buffer.from(`m${i}`) });
      await until(() => received[0]! + received[1]! === i + 1, 10_000, `message ${i}`);
    }
    await Promise.all(subscribers.map((sub) => sub.close()));
    // Either stream has room for all of them; only the turn passing between streams splits them.
    expect(Math.min(...received)).toBeGreaterThanOrEqual(n * 0.4);
  });

  it('redelivers a nacked message, then stops after the ack', async () => {
    const [topic] = await h.pubsub.createTopic(uniqueId('t'));
    const [sub] = await topic.createSubscription(uniqueId('s'));
    const deliveries: string[] = [];
    sub.on('message', (m: Message) => {
      deliveries.push(m.id);
      if (deliveries.length === 1) m.nack();
      else m.ack();
    });
    const id = await topic.publishMessage({ data: Buffer.from('again') });
    await until(() => deliveries.length >= 2, 10_000, 'redelivery');
    await sub.close();
    expect(deliveries.slice(0, 2)).toEqual([id, id]);
  });

  it('carries attributes, ordering keys and server-assigned ids and times', async () => {
    const [topic] = await h.pubsub.createTopic(uniqueId('t'));
    const [sub] = await topic.createSubscription(uniqueId('s'));
    const before = Date.now();
    const id = await topic.publishMessage({
      data: Buffer.from('x'),
      attributes: { a: '1', b: 'two' },
    });
    const received = await new Promise<Message>((resolve) => sub.on('message', resolve));
    received.ack();
    await sub.close();
    expect(received.id).toBe(id);
    expect(received.attributes).toEqual({ a: '1', b: 'two' });
    expect(received.publishTime.getTime()).toBeGreaterThanOrEqual(before - 5);
    expect(received.deliveryAttempt).toBe(0);
  });
});
