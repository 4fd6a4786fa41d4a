import { gzipSync } from 'node:zlib';
import type { Message } from '@google-cloud/pubsub';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIMITS } from './limits.js';
import { PROJECT, startHarness, uniqueId, until, type Harness } from './testing/harness.js';

// The REST surface byte for byte, with plain fetch: the JSON Java's PubsubJsonClient sends
// (`--pubsubRootUrl=http://host:port`, gzip-compressed bodies) and what it reads back.
let h: Harness;
let base: string;
beforeAll(async () => {
  h = await startHarness();
  base = `http://${h.emulator.host}/v1/projects/${PROJECT}`;
});
afterAll(async () => {
  await h.close();
});

const b64 = (text: string) => Buffer.from(text).toString('base64');
const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$/;

interface Reply {
  status: number;
  json: Record<string, unknown>;
}

async function call(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Reply> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json; charset=UTF-8', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

interface ReceivedJson {
  ackId: string;
  message: {
    data?: string;
    attributes?: Record<string, string>;
    messageId: string;
    publishTime: string;
  };
  deliveryAttempt?: number;
}

async function pull(sub: string, maxMessages = 10): Promise<ReceivedJson[]> {
  const reply = await call('POST', `/subscriptions/${sub}:pull`, {
    maxMessages,
    returnImmediately: true,
  });
  expect(reply.status).toBe(200);
  return (reply.json.receivedMessages as ReceivedJson[] | undefined) ?? [];
}

/** A topic and a pull subscription, created as Java's client creates them. */
async function topicAndSub(): Promise<{ topic: string; sub: string }> {
  const topic = uniqueId('t');
  const sub = uniqueId('s');
  expect((await call('PUT', `/topics/${topic}`, {})).status).toBe(200);
  const created = await call('PUT', `/subscriptions/${sub}`, {
    topic: `projects/${PROJECT}/topics/${topic}`,
    ackDeadlineSeconds: 60,
  });
  expect(created).toMatchObject({ status: 200, json: { ackDeadlineSeconds: 60 } });
  return { topic, sub };
}

describe('the JSON Java’s PubsubJsonClient sends and reads', () => {
  it('publish → {messageIds}; pull → base64 data, attributes, messageId and an RFC 3339 publishTime', async () => {
    const { topic, sub } = await topicAndSub();
    const published = await call('POST', `/topics/${topic}:publish`, {
      messages: [
        { data: b64('{"station":1}'), attributes: { ts: '1700000000000' } },
        { data: b64('ordered'), attributes: {}, orderingKey: 'k1' },
      ],
    });
    expect(published.status).toBe(200);
    const ids = published.json.messageIds as string[];
    expect(ids).toHaveLength(2);
    expect(ids.every((id) => typeof id === 'string')).toBe(true);

    const received = await pull(sub);
    expect(received.map((r) => r.message.messageId).sort()).toEqual([...ids].sort());
    const first = received.find((r) => r.message.messageId === ids[0])!;
    expect(Buffer.from(first.message.data!, 'base64').toString()).toBe('{"station":1}');
    expect(first.message.attributes).toEqual({ ts: '1700000000000' });
    expect(first.message.publishTime).toMatch(RFC3339);
    expect(Math.abs(Date.parse(first.message.publishTime) - Date.now())).toBeLessThan(60_000);
    expect(typeof first.ackId).toBe('string');
    expect(first.deliveryAttempt).toBeUndefined();
  });

  it('an empty pull answers {}', async () => {
    const { sub } = await topicAndSub();
    expect(
      await call('POST', `/subscriptions/${sub}:pull`, { maxMessages: 5, returnImmediately: true }),
    ).toEqual({
      status: 200,
      json: {},
    });
  });

  it('a waiting pull (returnImmediately false) answers when a message arrives', async () => {
    const { topic, sub } = await topicAndSub();
    const waiting = call('POST', `/subscriptions/${sub}:pull`, { maxMessages: 5 });
    await new Promise((r) => setTimeout(r, 100));
    await h.pubsub.topic(topic).publishMessage({ data: Buffer.from('late') });
    const reply = await waiting;
    const [only] = reply.json.receivedMessages as ReceivedJson[];
    expect(Buffer.from(only!.message.data!, 'base64').toString()).toBe('late');
  });

  it('acknowledge and modifyAckDeadline answer {} and act on the lease', async () => {
    const { topic, sub } = await topicAndSub();
    await call('POST', `/topics/${topic}:publish`, {
      messages: [{ data: b64('a') }, { data: b64('b') }],
    });
    const [a, b] = await pull(sub);
    expect(await call('POST', `/subscriptions/${sub}:acknowledge`, { ackIds: [a!.ackId] })).toEqual(
      {
        status: 200,
        json: {},
      },
    );
    expect(
      await call('POST', `/subscriptions/${sub}:modifyAckDeadline`, {
        ackIds: [b!.ackId],
        ackDeadlineSeconds: 0,
      }),
    ).toEqual({ status: 200, json: {} });
    const again = await pull(sub);
    expect(again.map((r) => r.message.messageId)).toEqual([b!.message.messageId]);
  });

  it('reads gzip-compressed bodies, as Google’s Java clients send them', async () => {
    const { topic, sub } = await topicAndSub();
    const body = gzipSync(JSON.stringify({ messages: [{ data: b64('zipped') }] }));
    const res = await fetch(`${base}/topics/${topic}:publish`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body,
    });
    expect(res.status).toBe(200);
    const [only] = await pull(sub);
    expect(Buffer.from(only!.message.data!, 'base64').toString()).toBe('zipped');
  });

  it('GET topic and subscription return the resources in REST’s camelCase JSON', async () => {
    const { topic, sub } = await topicAndSub();
    expect(await call('GET', `/topics/${topic}`)).toMatchObject({
      status: 200,
      json: { name: `projects/${PROJECT}/topics/${topic}`, state: 'ACTIVE' },
    });
    expect(await call('GET', `/subscriptions/${sub}`)).toMatchObject({
      status: 200,
      json: {
        name: `projects/${PROJECT}/subscriptions/${sub}`,
        topic: `projects/${PROJECT}/topics/${topic}`,
        ackDeadlineSeconds: 60,
        messageRetentionDuration: '604800s',
        state: 'ACTIVE',
      },
    });
  });

  it('lists a topic’s subscriptions and the project’s, with paging', async () => {
    const { topic, sub } = await topicAndSub();
    expect(await call('GET', `/topics/${topic}/subscriptions`)).toMatchObject({
      status: 200,
      json: { subscriptions: [`projects/${PROJECT}/subscriptions/${sub}`] },
    });
    await topicAndSub();
    const page = await call('GET', '/subscriptions?pageSize=1');
    expect(page.json.subscriptions).toHaveLength(1);
    expect(page.json.nextPageToken).toBeTruthy();
    const next = await call(
      'GET',
      `/subscriptions?pageSize=1&pageToken=${page.json.nextPageToken as string}`,
    );
    expect(next.json.subscriptions).toHaveLength(1);
  });
});

describe('errors in Google’s REST shape', () => {
  it('a missing subscription is 404 NOT_FOUND', async () => {
    expect(await call('GET', '/subscriptions/missing-sub')).toEqual({
      status: 404,
      json: {
        error: {
          code: 404,
          message: 'Resource not found (resource=missing-sub).',
          status: 'NOT_FOUND',
        },
      },
    });
    expect((await call('POST', '/subscriptions/missing-sub:pull', { maxMessages: 1 })).status).toBe(
      404,
    );
  });

  it('a second create is 409 ALREADY_EXISTS', async () => {
    const { topic } = await topicAndSub();
    expect(await call('PUT', `/topics/${topic}`, {})).toMatchObject({
      status: 409,
      json: { error: { code: 409, status: 'ALREADY_EXISTS' } },
    });
  });

  it('malformed JSON, unknown fields and wrong types are 400 INVALID_ARGUMENT', async () => {
    const { topic, sub } = await topicAndSub();
    const malformed = await call('POST', `/subscriptions/${sub}:pull`, '{"maxMessages": ');
    expect(malformed.status).toBe(400);
    expect(malformed.json.error).toMatchObject({ code: 400, status: 'INVALID_ARGUMENT' });
    expect((malformed.json.error as { message: string }).message).toMatch(
      /^Invalid JSON payload received\./,
    );

    expect((await call('POST', `/subscriptions/${sub}:pull`, '[1]')).status).toBe(400);
    expect(
      await call('POST', `/subscriptions/${sub}:pull`, { maxMessages: 1, maxMesages: 2 }),
    ).toMatchObject({
      status: 400,
      json: {
        error: {
          message: 'Invalid JSON payload received. Unknown name "maxMesages": Cannot find field.',
        },
      },
    });
    expect(
      await call('POST', `/topics/${topic}:publish`, { messages: [{ data: 'not base64!' }] }),
    ).toMatchObject({
      status: 400,
      json: {
        error: { message: `Invalid value at 'messages[0].data' (TYPE_BYTES), "not base64!"` },
      },
    });
  });

  it('the service’s own validation speaks as over gRPC (empty message, no ack ids, bad deadline)', async () => {
    const { topic, sub } = await topicAndSub();
    const empty = await call('POST', `/topics/${topic}:publish`, { messages: [{}] });
    expect(empty).toMatchObject({ status: 400, json: { error: { status: 'INVALID_ARGUMENT' } } });
    expect((empty.json.error as { message: string }).message).toMatch(/is empty/);
    expect(await call('POST', `/subscriptions/${sub}:acknowledge`, { ackIds: [] })).toMatchObject({
      status: 400,
      json: { error: { message: 'No ack ids were specified.' } },
    });
    expect(
      await call('POST', `/subscriptions/${sub}:modifyAckDeadline`, {
        ackIds: ['x'],
        ackDeadlineSeconds: 601,
      }),
    ).toMatchObject({ status: 400, json: { error: { status: 'INVALID_ARGUMENT' } } });
  });

  it('exactly-once ack failures carry the ErrorInfo the gRPC status details hold', async () => {
    const topic = uniqueId('t');
    const sub = uniqueId('s');
    await call('PUT', `/topics/${topic}`, {});
    await call('PUT', `/subscriptions/${sub}`, {
      topic: `projects/${PROJECT}/topics/${topic}`,
      enableExactlyOnceDelivery: true,
    });
    await call('POST', `/topics/${topic}:publish`, { messages: [{ data: b64('eo') }] });
    const [leased] = await pull(sub);
    await call('POST', `/subscriptions/${sub}:acknowledge`, { ackIds: [leased!.ackId] });
    const stale = await call('POST', `/subscriptions/${sub}:acknowledge`, {
      ackIds: [leased!.ackId],
    });
    expect(stale).toMatchObject({
      status: 400,
      json: {
        error: {
          status: 'INVALID_ARGUMENT',
          details: [
            {
              '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
              reason: 'EXACTLY_ONCE_ACKID_FAILURE',
              metadata: { [leased!.ackId]: 'PERMANENT_FAILURE_INVALID_ACK_ID' },
            },
          ],
        },
      },
    });
  });

  it('a body past the limit is 413; an unknown path 404; a wrong verb 405', async () => {
    const { topic } = await topicAndSub();
    const huge = JSON.stringify({ messages: [{ data: 'A'.repeat(LIMITS.maxRestBodyBytes) }] });
    const tooLarge = await call('POST', `/topics/${topic}:publish`, huge);
    expect(tooLarge).toMatchObject({
      status: 413,
      json: { error: { code: 413, status: 'INVALID_ARGUMENT' } },
    });

    expect(await call('GET', '/nothing-here')).toMatchObject({
      status: 404,
      json: { error: { code: 404, status: 'NOT_FOUND' } },
    });
    const res = await fetch(`${base}/topics/${topic}:publish`);
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
  });
});

describe('REST and gRPC are one broker', () => {
  it('messages published over REST are all received over gRPC StreamingPull', async () => {
    const { topic, sub } = await topicAndSub();
    const n = 500;
    const sent: string[] = [];
    for (let batch = 0; batch < n / 100; batch++) {
      const messages = Array.from({ length: 100 }, (_, i) => ({
        data: b64(`rest-${batch * 100 + i}`),
      }));
      const reply = await call('POST', `/topics/${topic}:publish`, { messages });
      sent.push(...(reply.json.messageIds as string[]));
    }
    const seen = new Map<string, string>();
    const subscription = h.pubsub.subscription(sub);
    subscription.on('message', (m: Message) => {
      seen.set(m.id, m.data.toString());
      m.ack();
    });
    await until(() => seen.size === n, 15_000, `${n} messages over gRPC`);
    await subscription.close();
    expect([...seen.keys()].sort()).toEqual([...sent].sort());
    expect(new Set(seen.values()).size).toBe(n);
  });

  it('messages published over gRPC are all pulled and acked over REST', async () => {
    const { topic, sub } = await topicAndSub();
    const n = 300;
    const sent = await Promise.all(
      Array.from({ length: n }, (_, i) =>
        h.pubsub.topic(topic).publishMessage({ data: Buffer.from(`grpc-${i}`) }),
      ),
    );
    const received = new Set<string>();
    while (received.size < n) {
      const batch = await pull(sub, 100);
      expect(batch.length).toBeGreaterThan(0);
      for (const r of batch) received.add(r.message.messageId);
      await call('POST', `/subscriptions/${sub}:acknowledge`, {
        ackIds: batch.map((r) => r.ackId),
      });
    }
    expect([...received].sort()).toEqual([...sent].sort());
    expect(await pull(sub)).toEqual([]);
    const status = h.emulator.status().subscriptions.find((s) => s.name.endsWith(`/${sub}`));
    expect(status).toMatchObject({ backlog: 0, outstanding: 0 });
  });
});
