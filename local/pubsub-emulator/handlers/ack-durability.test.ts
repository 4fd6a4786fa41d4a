import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { v1 } from '@google-cloud/pubsub';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../runtime/logger.js';
import { bindGrpc, createGrpcServer } from '../server.js';
import { Broker } from '../storage/broker.js';
import { Journal } from '../storage/journal.js';

/**
 * Exactly-once acks are confirmed only once the journal holds them, so a kill -9 right after a
 * confirmation cannot bring the message back. The real emulator pieces run here (gRPC server,
 * broker, journal on disk, the official generated client); the journal's test hook holds its disk
 * writes back so "not confirmed before it is on disk" can be observed without timing.
 */

/** Holds journal writes until released; `entered` resolves once a write is waiting. */
class Gate {
  entered!: () => void;
  readonly waiting = new Promise<void>((resolve) => (this.entered = resolve));
  release!: () => void;
  readonly released = new Promise<void>((resolve) => (this.release = resolve));
}

interface StreamingPullResponse {
  receivedMessages?: Array<{ ackId: string; message: { data: Buffer } }>;
  acknowledgeConfirmation?: { ackIds?: string[]; invalidAckIds?: string[] } | null;
}

const PROJECT = 'durability';
const topic = `projects/${PROJECT}/topics/durable-topic`;
const subscription = `projects/${PROJECT}/subscriptions/durable-sub`;

let dir: string;
let gate: Gate | undefined;
let journal: Journal;
let broker: Broker;
let server: grpc.Server;
let publisher: InstanceType<typeof v1.PublisherClient>;
let subscriber: InstanceType<typeof v1.SubscriberClient>;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pubsub-ack-durability-'));
  const opened = await Journal.open(dir, {
    beforeWrite: async () => {
      if (!gate) return;
      gate.entered();
      await gate.released;
    },
  });
  journal = opened.journal;
  broker = new Broker({ log: silentLogger(), journal });
  broker.restore(opened.state);
  server = createGrpcServer(broker);
  const port = await bindGrpc(server, '127.0.0.1', 0);
  const opts = {
    servicePath: '127.0.0.1',
    port,
    sslCreds: grpc.credentials.createInsecure(),
  };
  publisher = new v1.PublisherClient(opts);
  subscriber = new v1.SubscriberClient(opts);
  await publisher.createTopic({ name: topic });
  await subscriber.createSubscription({
    name: subscription,
    topic,
    enableExactlyOnceDelivery: true,
  });
});

afterEach(async () => {
  gate?.release();
  gate = undefined;
  await publisher.close();
  await subscriber.close();
  server.forceShutdown();
  broker.close();
  await journal.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Resolves with the next response `pick` accepts, from a stream that keeps every response. */
function responses(stream: NodeJS.ReadWriteStream) {
  const seen: StreamingPullResponse[] = [];
  const waiters: Array<() => void> = [];
  stream.on('data', (r: StreamingPullResponse) => {
    seen.push(r);
    for (const w of waiters.splice(0)) w();
  });
  const next = async (
    pick: (r: StreamingPullResponse) => boolean,
  ): Promise<StreamingPullResponse> => {
    for (;;) {
      const found = seen.find(pick);
      if (found) return found;
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
  };
  return { seen, next };
}

const carrying = (text: string) => (r: StreamingPullResponse) =>
  r.receivedMessages?.some((m) => m.message.data.toString() === text) ?? false;
const confirming = (r: StreamingPullResponse) =>
  (r.acknowledgeConfirmation?.ackIds?.length ?? 0) > 0;

describe('exactly-once ack durability (--data-dir)', () => {
  it('confirms a StreamingPull ack only after the journal wrote it', async () => {
    await publisher.publish({ topic, messages: [{ data: Buffer.from('A') }] });
    const stream = subscriber.streamingPull();
    const { seen, next } = responses(stream);
    stream.on('error', () => {}); // cancelled at the end of the test
    stream.write({ subscription, streamAckDeadlineSeconds: 60 });
    const a = (await next(carrying('A'))).receivedMessages![0]!;

    gate = new Gate();
    stream.write({ ackIds: [a.ackId] });
    await gate.waiting; // the ack reached the broker; its journal write is held

    // B is published now and delivered on the same stream, behind anything the emulator already
    // wrote there: once B arrives, a confirmation sent at ack time would have arrived too.
    const published = publisher.publish({ topic, messages: [{ data: Buffer.from('B') }] });
    await next(carrying('B'));
    expect(seen.some(confirming)).toBe(false);
    expect(readFileSync(join(dir, 'pubsub.journal'), 'utf8')).not.toContain('"t":"ack"');

    gate.release();
    const confirmation = (await next(confirming)).acknowledgeConfirmation!;
    expect(confirmation.ackIds).toEqual([a.ackId]);
    expect(confirmation.invalidAckIds ?? []).toEqual([]);
    expect(readFileSync(join(dir, 'pubsub.journal'), 'utf8')).toContain('"t":"ack"');
    await published;
    stream.cancel();
  });

  it('answers a unary Acknowledge with invalid ids only after the valid ones are on disk', async () => {
    await publisher.publish({ topic, messages: [{ data: Buffer.from('A') }] });
    const [pulled] = await subscriber.pull({ subscription, maxMessages: 1 });
    const ackId = pulled.receivedMessages![0]!.ackId!;

    gate = new Gate();
    let settled = false;
    const answer = subscriber
      .acknowledge({ subscription, ackIds: [ackId, `${ackId}0`] })
      .catch((error: unknown) => error as { code: number })
      .finally(() => (settled = true));
    await gate.waiting;
    // A later call on the same connection: its answer comes after one sent at ack time.
    await subscriber.getSubscription({ subscription });
    expect(settled).toBe(false);

    gate.release();
    expect(((await answer) as { code: number }).code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(readFileSync(join(dir, 'pubsub.journal'), 'utf8')).toContain('"t":"ack"');
  });
});
