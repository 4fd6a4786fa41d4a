import * as grpc from '@grpc/grpc-js';
import { v1 } from '@google-cloud/pubsub';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT, startHarness, uniqueId, type Harness } from './testing/harness.js';

let h: Harness;
let publisher: v1.PublisherClient;
let subscriber: v1.SubscriberClient;
beforeAll(async () => {
  h = await startHarness();
  const [host, port] = h.emulator.host.split(':');
  const opts = {
    servicePath: host,
    port: Number(port),
    sslCreds: grpc.credentials.createInsecure(),
  };
  publisher = new v1.PublisherClient(opts);
  subscriber = new v1.SubscriberClient(opts);
});
afterAll(async () => {
  await publisher.close();
  await subscriber.close();
  await h.close();
});

const topicPath = (id: string) => `projects/${PROJECT}/topics/${id}`;
const subPath = (id: string) => `projects/${PROJECT}/subscriptions/${id}`;

async function failure(p: Promise<unknown>): Promise<{ code: number; details: string }> {
  try {
    await p;
  } catch (error) {
    const e = error as { code: number; details: string };
    return { code: e.code, details: e.details };
  }
  throw new Error('expected the call to fail');
}

describe('malformed requests get the real codes and messages', () => {
  it('ALREADY_EXISTS and NOT_FOUND name the resource id', async () => {
    const id = uniqueId('t');
    await h.pubsub.createTopic(id);
    expect(await failure(h.pubsub.createTopic(id))).toEqual({
      code: grpc.status.ALREADY_EXISTS,
      details: `Resource already exists in the project (resource=${id}).`,
    });
    expect(await failure(h.pubsub.topic('missing-topic').getMetadata())).toEqual({
      code: grpc.status.NOT_FOUND,
      details: 'Resource not found (resource=missing-topic).',
    });
    expect(
      await failure(h.pubsub.topic('missing-topic').publishMessage({ data: Buffer.from('x') })),
    ).toMatchObject({
      code: grpc.status.NOT_FOUND,
    });
    expect(
      await failure(h.pubsub.topic('missing-topic').createSubscription(uniqueId('s'))),
    ).toEqual({
      code: grpc.status.NOT_FOUND,
      details: 'Resource not found (resource=missing-topic).',
    });
    expect(
      await failure(subscriber.pull({ subscription: subPath('nope'), maxMessages: 1 })),
    ).toMatchObject({
      code: grpc.status.NOT_FOUND,
    });
  });

  it('invalid names are INVALID_ARGUMENT', async () => {
    for (const bad of [
      'projects/p/topics/1abc',
      'projects/p/topics/ab',
      'projects/p/topics/goog-x',
      'topics/x',
      '',
    ]) {
      const f = await failure(publisher.createTopic({ name: bad }));
      expect(f.code).toBe(grpc.status.INVALID_ARGUMENT);
      expect(f.details).toBe(
        `Invalid resource name given (name=${bad}). Refer to https://cloud.google.com/pubsub/docs/pubsub-basics#resource_names for more information.`,
      );
    }
  });

  it('publish limits: empty message, attributes, request size', async () => {
    const id = uniqueId('t');
    await publisher.createTopic({ name: topicPath(id) });
    const publish = (messages: object[]) => publisher.publish({ topic: topicPath(id), messages });
    expect((await failure(publish([{}]))).details).toMatch(
      /^One or more messages in the publish request is empty/,
    );
    const longValue = await failure(
      publish([{ data: Buffer.from('x'), attributes: { k: 'v'.repeat(1025) } }]),
    );
    expect(longValue).toEqual({
      code: grpc.status.INVALID_ARGUMENT,
      details:
        'The attribute "k" in the request has a value that is too long. The length is 1025 characters, but the maximum allowed is 1024. Refer to https://cloud.google.com/pubsub/quotas for more information.',
    });
    expect(
      (await failure(publish([{ data: Buffer.from('x'), attributes: { ['k'.repeat(257)]: 'v' } }])))
        .details,
    ).toMatch(/has a key that is too long\. The length is 257/);
    const many = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`k${i}`, 'v']));
    expect((await failure(publish([{ data: Buffer.from('x'), attributes: many }]))).code).toBe(
      grpc.status.INVALID_ARGUMENT,
    );
    const exactly100 = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`k${i}`, 'v']));
    await expect(
      publish([{ data: Buffer.from('x'), attributes: exactly100 }]),
    ).resolves.toBeDefined();
    const big = await failure(
      publish([{ data: Buffer.alloc(6 * 1024 * 1024) }, { data: Buffer.alloc(5 * 1024 * 1024) }]),
    );
    expect(big).toEqual({
      code: grpc.status.INVALID_ARGUMENT,
      details: 'Request payload size exceeds the limit: 10485760 bytes.',
    });
  });

  it('subscription settings outside the service ranges are INVALID_ARGUMENT', async () => {
    const t = uniqueId('t');
    await publisher.createTopic({ name: topicPath(t) });
    const create = (extra: object) =>
      subscriber.createSubscription({
        name: subPath(uniqueId('s')),
        topic: topicPath(t),
        ...extra,
      });
    expect((await failure(create({ ackDeadlineSeconds: 5 }))).code).toBe(
      grpc.status.INVALID_ARGUMENT,
    );
    expect((await failure(create({ ackDeadlineSeconds: 601 }))).code).toBe(
      grpc.status.INVALID_ARGUMENT,
    );
    expect((await failure(create({ filter: 'attributes.a = b' }))).details).toMatch(
      /^Invalid filter expression/,
    );
    expect(
      (
        await failure(
          create({ deadLetterPolicy: { deadLetterTopic: topicPath(t), maxDeliveryAttempts: 4 } }),
        )
      ).code,
    ).toBe(grpc.status.INVALID_ARGUMENT);
    expect(
      (
        await failure(
          create({
            deadLetterPolicy: { deadLetterTopic: topicPath('nope-dlt'), maxDeliveryAttempts: 5 },
          }),
        )
      ).code,
    ).toBe(grpc.status.NOT_FOUND);
    expect((await failure(create({ pushConfig: { pushEndpoint: 'not a url' } }))).code).toBe(
      grpc.status.INVALID_ARGUMENT,
    );
    expect((await failure(create({ bigqueryConfig: { table: 'nodots' } }))).code).toBe(
      grpc.status.INVALID_ARGUMENT,
    );
    const s = subPath(uniqueId('s'));
    await subscriber.createSubscription({ name: s, topic: topicPath(t) });
    expect(
      (
        await failure(
          subscriber.modifyAckDeadline({ subscription: s, ackIds: ['x'], ackDeadlineSeconds: 601 }),
        )
      ).details,
    ).toBe(
      'Invalid ack deadline given (ack_deadline=601). The ack deadline must be between 0 and 600 seconds.',
    );
    expect((await failure(subscriber.pull({ subscription: s, maxMessages: 0 }))).code).toBe(
      grpc.status.INVALID_ARGUMENT,
    );
    expect(
      (
        await failure(
          subscriber.updateSubscription({
            subscription: { name: s, filter: 'attributes:a' },
            updateMask: { paths: ['filter'] },
          }),
        )
      ).code,
    ).toBe(grpc.status.INVALID_ARGUMENT);
  });

  it('StreamingPull on a missing subscription ends the stream with NOT_FOUND', async () => {
    const sub = h.pubsub.subscription('missing-sub');
    const error = await new Promise<{ code: number; details: string }>((resolve) => {
      sub.on('error', resolve);
      sub.on('message', () => undefined);
    });
    await sub.close().catch(() => undefined);
    expect(error.code).toBe(grpc.status.NOT_FOUND);
    expect(error.details).toBe('Resource not found (resource=missing-sub).');
  });

  it('never crashes on garbage bytes sent to any method', async () => {
    const client = new grpc.Client(h.emulator.host, grpc.credentials.createInsecure());
    const methods = [
      '/google.pubsub.v1.Publisher/CreateTopic',
      '/google.pubsub.v1.Publisher/Publish',
      '/google.pubsub.v1.Subscriber/CreateSubscription',
      '/google.pubsub.v1.Subscriber/Acknowledge',
      '/google.pubsub.v1.Subscriber/Pull',
      '/google.pubsub.v1.Subscriber/Seek',
    ];
    let seed = 7;
    const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
    for (const method of methods) {
      for (let i = 0; i < 20; i += 1) {
        const bytes = Buffer.from(Array.from({ length: rand() % 64 }, () => rand() & 0xff));
        await new Promise<void>((resolve) => {
          client.makeUnaryRequest(
            method,
            (b: Buffer) => b,
            (b: Buffer) => b,
            bytes,
            () => resolve(),
          );
        });
      }
    }
    client.close();
    // Still serving.
    const [topics] = await h.pubsub.getTopics();
    expect(Array.isArray(topics)).toBe(true);
  });
});
