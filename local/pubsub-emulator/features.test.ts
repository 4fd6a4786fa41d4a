import * as grpc from '@grpc/grpc-js';
import { v1, type Message } from '@google-cloud/pubsub';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BigQueryRow, BigQueryRowSink, BigQueryTableRef } from './index.js';
import { startHarness, uniqueId, until, type Harness } from './testing/harness.js';

/** Test double at the BigQuery boundary only: fails the first inserts, then records rows. */
class FlakySink implements BigQueryRowSink {
  readonly rows: Array<{ table: BigQueryTableRef; row: BigQueryRow }> = [];
  failuresLeft = 2;
  async insertRows(table: BigQueryTableRef, rows: readonly BigQueryRow[]): Promise<void> {
    if (this.failuresLeft > 0) {
      this.failuresLeft -= 1;
      throw new Error('insertAll failed');
    }
    for (const row of rows) this.rows.push({ table, row });
  }
}

let h: Harness;
let subscriber: v1.SubscriberClient;
const sink = new FlakySink();
beforeAll(async () => {
  h = await startHarness({ bigQuerySink: sink, ackDeadlineUnitMs: 100 });
  const [host, port] = h.emulator.host.split(':');
  subscriber = new v1.SubscriberClient({
    servicePath: host,
    port: Number(port),
    sslCreds: grpc.credentials.createInsecure(),
  });
});
afterAll(async () => {
  await subscriber.close();
  await h.close();
});

function collect(sub: ReturnType<Harness['pubsub']['subscription']>, into: Message[]): void {
  sub.on('message', (m: Message) => {
    into.push(m);
    m.ack();
  });
}

describe('filters', () => {
  it('delivers only matching messages and drops the rest from the backlog', async () => {
    const [topic] = await h.pubsub.createTopic(uniqueId('t'));
    const [sub] = await topic.createSubscription(uniqueId('s'), {
      filter: 'attributes.kind = "keep" AND NOT attributes:skip',
    });
    await Promise.all([
      topic.publishMessage({ data: Buffer.from('1'), attributes: { kind: 'keep' } }),
      topic.publishMessage({ data: Buffer.from('2'), attributes: { kind: 'drop' } }),
      topic.publishMessage({ data: Buffer.from('3'), attributes: { kind: 'keep', skip: '' } }),
      topic.publishMessage({ data: Buffer.from('4'), attributes: { kind: 'keep' } }),
    ]);
    const status = h.emulator.status().subscriptions.find((s) => s.name === sub.name)!;
    expect(status.backlog).toBe(2);
    const got: Message[] = [];
    collect(sub, got);
    await until(() => got.length === 2, 5000, 'filtered messages');
    await sub.close();
    expect(got.map((m) => m.data.toString()).sort()).toEqual(['1', '4']);
  });
});

describe('ordering keys', () => {
  it('delivers each key in publish order, also across a nack', async () => {
    const [topic] = await h.pubsub.createTopic(uniqueId('t'));
    topic.setPublishOptions({ messageOrdering: true });
    const [sub] = await topic.createSubscription(uniqueId('s'), { enableMessageOrdering: true });
    const perKey = new Map<string, number[]>();
    let nacked = false;
    sub.on('message', (m: Message) => {
      const n = Number(m.data.toString());
      if (m.orderingKey === 'k1' && n === 10 && !nacked) {
        nacked = true;
        m.nack();
        return;
      }
      const key = m.orderingKey ?? '';
      const list = perKey.get(key) ?? [];
      list.push(n);
      perKey.set(key, list);
      m.ack();
    });
    const keys = ['k0', 'k1', 'k2'];
    const publishes: Promise<string>[] = [];
    for (let i = 0; i < 100; i += 1) {
      for (const key of keys)
        publishes.push(topic.publishMessage({ data: Buffer.from(String(i)), orderingKey: key }));
    }
    await Promise.all(publishes);
    await until(
      () => keys.every((k) => new Set(perKey.get(k) ?? []).size === 100),
      15_000,
      'ordered delivery',
    );
    await sub.close();
    for (const k of ['k0', 'k2'])
      expect(perKey.get(k)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    // The nacked message came back; everything handed out after it came back stays in order.
    const k1 = perKey.get('k1')!;
    const redelivered = k1.indexOf(10);
    expect(k1.slice(redelivered)).toEqual([...k1.slice(redelivered)].sort((a, b) => a - b));
  });
});

describe('seek and snapshots', () => {
  it('seek to a time redelivers retained acked messages published after it', async () => {
    const [topic] = await h.pubsub.createTopic(uniqueId('t'));
    const [sub] = await topic.createSubscription(uniqueId('s'), { retainAckedMessages: true });
    await topic.publishMessage({ data: Buffer.from('old') });
    // The Node client sends Seek's sub-second part as microseconds in the nanos field, so the service
    // sees whole seconds only: cut on a second boundary.
    const cut = new Date(Math.ceil((Date.now() + 1) / 1000) * 1000);
    await until(() => Date.now() > cut.getTime() + 5, 2000, 'next second');
    await topic.publishMessage({ data: Buffer.from('new1') });
    await topic.publishMessage({ data: Buffer.from('new2') });
    const first: Message[] = [];
    collect(sub, first);
    await until(() => first.length === 3, 5000, 'first pass');
    await sub.close();
    await until(
      () => h.emulator.status().subscriptions.find((s) => s.name === sub.name)!.backlog === 0,
      5000,
      'acks',
    );
    await sub.seek(cut);
    const second: Message[] = [];
    const again = h.pubsub.subscription(sub.name);
    collect(again, second);
    await until(() => second.length === 2, 5000, 'after seek');
    await again.close();
    expect(second.map((m) => m.data.toString()).sort()).toEqual(['new1', 'new2']);
  });

  it('seek to a snapshot restores the backlog it captured', async () => {
    const [topic] = await h.pubsub.createTopic(uniqueId('t'));
    const [sub] = await topic.createSubscription(uniqueId('s'), { retainAckedMessages: true });
    await topic.publishMessage({ data: Buffer.from('a') });
    const [snapshot] = await sub.createSnapshot(uniqueId('snap'));
    const first: Message[] = [];
    collect(sub, first);
    await until(() => first.length === 1, 5000, 'first');
    await sub.close();
    await until(
      () => h.emulator.status().subscriptions.find((s) => s.name === sub.name)!.backlog === 0,
      5000,
      'acks',
    );
    await sub.seek(snapshot.name);
    const [res] = await subscriber.pull({
      subscription: sub.name,
      maxMessages: 10,
      returnImmediately: true,
    });
    expect(res.receivedMessages?.map((r) => r.message?.data?.toString())).toEqual(['a']);
  });
});

describe('exactly-once delivery', () => {
  it('confirms acks, and rejects an ack id whose lease expired', async () => {
    const [topic] = await h.pubsub.createTopic(uniqueId('t'));
    const [sub] = await topic.createSubscription(uniqueId('s'), {
      enableExactlyOnceDelivery: true,
    });
    await topic.publishMessage({ data: Buffer.from('once') });
    // A persistent listener: removing the last one closes the subscription, which nacks.
    const m = await new Promise<Message>((resolve) => sub.on('message', resolve));
    await expect(m.ackWithResponse()).resolves.toBe('SUCCESS');
    await sub.close();

    await topic.publishMessage({ data: Buffer.from('late') });
    const [first] = await subscriber.pull({ subscription: sub.name, maxMessages: 1 });
    const stale = first.receivedMessages![0]!.ackId!;
    // Wait out the lease (10 s scaled to 1 s) until it is handed out again under a new ack id.
    let again: string | undefined;
    while (!again) {
      const [res] = await subscriber.pull({
        subscription: sub.name,
        maxMessages: 1,
        returnImmediately: true,
      });
      again = res.receivedMessages?.[0]?.ackId ?? undefined;
    }
    const err = (await subscriber
      .acknowledge({ subscription: sub.name, ackIds: [stale] })
      .catch((e: unknown) => e)) as {
      code: number;
      errorInfoMetadata?: Record<string, string>;
    };
    expect(err.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(err.errorInfoMetadata).toEqual({ [stale]: 'PERMANENT_FAILURE_INVALID_ACK_ID' });
    await subscriber.acknowledge({ subscription: sub.name, ackIds: [again] });
  });
});

describe('BigQuery subscriptions', () => {
  it('writes metadata rows, retrying failed inserts without losing messages', async () => {
    const [topic] = await h.pubsub.createTopic(uniqueId('t'));
    const [sub] = await topic.createSubscription(uniqueId('bq'), {
      bigqueryConfig: {
        table: 'pmp-test:pmp_ops.velib_station_info_push_dlq',
        writeMetadata: true,
      },
    });
    const ids = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        topic.publishMessage({ data: Buffer.from(`{"n":${i}}`), attributes: { n: String(i) } }),
      ),
    );
    await until(() => new Set(sink.rows.map((r) => r.row.insertId)).size === 50, 10_000, 'rows');
    expect(sink.failuresLeft).toBe(0);
    const row = sink.rows.find((r) => r.row.insertId === ids[7])!;
    expect(row.table).toEqual({
      projectId: 'pmp-test',
      datasetId: 'pmp_ops',
      tableId: 'velib_station_info_push_dlq',
    });
    expect(row.row.json).toMatchObject({
      subscription_name: sub.name,
      message_id: ids[7],
      data: '{"n":7}',
      attributes: '{"n":"7"}',
    });
    expect(Number.isNaN(Date.parse(row.row.json.publish_time as string))).toBe(false);
    await until(
      () => h.emulator.status().subscriptions.find((s) => s.name === sub.name)!.backlog === 0,
      5000,
      'acks',
    );
  });
});
