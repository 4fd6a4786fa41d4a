import type { Topic } from '@google-cloud/pubsub';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replayDeadLetters, type ReplaySettings } from '../dlq-replayer/replay.js';
import { createApp as createStationInfoWriter } from '../station-info-writer/app.js';
import { silentLogger } from '../../runtime/logger.js';
import { listen, type Listening } from '../testing/service-fixtures.js';
import { eventually, startStack, tableRows, type Stack } from '../testing/e2e-harness.js';

const K = 4;
const HOLD = 'pmp-velib-station-info-push-dlq-hold-sub';
const PUSH_SUB = 'pmp-velib-station-info-to-bq-sub';

function infoEnvelope(n: number): Buffer {
  return Buffer.from(
    JSON.stringify({
      ingest_ts: '2026-03-01T03:10:00Z',
      source: 'velib',
      event_type: 'station_information_snapshot',
      payload: {
        lastUpdatedOther: 1772334600,
        data: {
          stations: [
            { station_id: 1000 + n * 2, name: `A${n}`, lat: 48.85, lon: 2.35, capacity: 20 },
            { station_id: 1001 + n * 2, name: `B${n}`, lat: 48.86, lon: 2.36, capacity: 30 },
          ],
        },
      },
    }),
  );
}

// The original's drill: DLQ_TEST_ENABLED + dlq_test=true → 500 on every delivery → dead-lettered
// after 5 attempts → the replayer strips dlq_test and sends each message back exactly once.
describe('dead-lettering and replay', () => {
  let stack: Stack;
  let writer: Listening;
  let topic: Topic;
  const statuses: number[] = [];
  const settings: ReplaySettings = {
    subscription: HOLD,
    targetTopic: 'pmp-velib-station-info',
    qps: 50,
    maxMessages: 1000,
    batchSize: 3,
    dryRun: false,
    replayEnabled: true,
    ackSkipped: false,
    pullTimeoutMs: 10_000,
  };
  const backlog = (name: string) =>
    stack.pubsubEmulator.status().subscriptions.find((s) => s.name.endsWith(`/${name}`))?.backlog;

  beforeAll(async () => {
    stack = await startStack();
    const app = createStationInfoWriter({
      bigquery: stack.bigquery,
      table: { datasetId: 'pmp_curated', tableId: 'velib_station_information' },
      dlqTable: { datasetId: 'pmp_ops', tableId: 'push_writer_dlq' },
      log: silentLogger(),
      dlqTestEnabled: true,
    });
    const handler = app.callback();
    writer = await listen((req, res) => {
      res.on('finish', () => statuses.push(res.statusCode));
      void handler(req, res);
    });
    [topic] = await stack.pubsub.createTopic('pmp-velib-station-info');
    const [dlqTopic] = await stack.pubsub.createTopic('pmp-velib-station-info-push-dlq');
    await dlqTopic.createSubscription(HOLD, { messageRetentionDuration: { seconds: 7 * 86400 } });
    await topic.createSubscription(PUSH_SUB, {
      pushConfig: { pushEndpoint: `${writer.url}/pubsub` },
      deadLetterPolicy: { deadLetterTopic: dlqTopic.name, maxDeliveryAttempts: 5 },
      retryPolicy: {
        minimumBackoff: { seconds: 0, nanos: 10_000_000 },
        maximumBackoff: { seconds: 0, nanos: 50_000_000 },
      },
    });
  });

  afterAll(async () => {
    await writer?.close();
    await stack?.close();
  });

  it('dead-letters a drill message after exactly 5 failed deliveries', async () => {
    for (let n = 0; n < K; n++) {
      await topic.publishMessage({ data: infoEnvelope(n), attributes: { dlq_test: 'true' } });
    }
    // One that already went round once: the replayer must not send it round again.
    await topic.publishMessage({
      data: infoEnvelope(99),
      attributes: { dlq_test: 'true', replay: 'true', replay_id: 'earlier-run' },
    });
    await eventually(() => (backlog(HOLD) === K + 1 ? true : undefined), 'the hold subscription');
    expect(statuses.filter((s) => s === 500)).toHaveLength(5 * (K + 1));
    expect(statuses.filter((s) => s !== 500)).toEqual([]);
    expect(await tableRows(stack.bigquery, 'pmp_curated', 'velib_station_information')).toEqual([]);
  });

  it('a dry run publishes and acks nothing and leaves every message held', async () => {
    const summary = await replayDeadLetters(
      stack.pubsub,
      // maxMessages bounds the run, so it ends without waiting on an empty pull.
      { ...settings, dryRun: true, maxMessages: K + 1 },
      { log: silentLogger() },
    );
    expect(summary).toMatchObject({
      pulled: K + 1,
      republished: K,
      acked: 0,
      skipped: 1,
      failed: 0,
    });
    await eventually(() => (backlog(HOLD) === K + 1 ? true : undefined), 'released messages');
    expect(backlog(PUSH_SUB)).toBe(0);
  });

  it('REPLAY_ENABLED=false pulls nothing', async () => {
    const summary = await replayDeadLetters(
      stack.pubsub,
      { ...settings, replayEnabled: false },
      { log: silentLogger() },
    );
    expect(summary).toMatchObject({ pulled: 0, republished: 0, acked: 0 });
  });

  it('replays every message exactly once, without dlq_test and marked replay=true', async () => {
    const before = statuses.length;
    const [audit] = await topic.createSubscription('pmp-velib-station-info-audit');
    const seen: Record<string, string>[] = [];
    audit.on('message', (message: { attributes: Record<string, string>; ack(): void }) => {
      seen.push(message.attributes);
      message.ack();
    });
    const summary = await replayDeadLetters(
      stack.pubsub,
      { ...settings, maxMessages: K + 1 },
      { log: silentLogger(), runId: 'run-1' },
    );
    expect(summary).toMatchObject({
      runId: 'run-1',
      pulled: K + 1,
      republished: K,
      acked: K,
      skipped: 1,
      failed: 0,
      errors: [],
    });
    const rows = await eventually(async () => {
      const found = await tableRows(stack.bigquery, 'pmp_curated', 'velib_station_information');
      return found.length >= 2 * K ? found : undefined;
    }, 'replayed rows');
    expect(rows).toHaveLength(2 * K);
    const ids = rows.map((r) => Number(r.station_id)).sort((a, b) => a - b);
    expect(ids).toEqual(Array.from({ length: 2 * K }, (_, i) => 1000 + i));
    // Each replayed message was delivered once and accepted (the drill attribute is gone).
    await eventually(() => (backlog(PUSH_SUB) === 0 ? true : undefined), 'push drained');
    expect(statuses.slice(before)).toEqual(Array(K).fill(200));
    await eventually(() => (seen.length === K ? true : undefined), 'replays on the audit sub');
    await audit.close();
    for (const attributes of seen) {
      expect(attributes).toEqual({
        replay: 'true',
        replay_id: 'run-1',
        replay_source: HOLD,
      });
    }
    // Only the already-replayed message is left in the hold subscription.
    await eventually(() => (backlog(HOLD) === 1 ? true : undefined), 'hold backlog of 1');
  });

  it('acks skipped messages with ACK_SKIPPED, then finds nothing left', async () => {
    const summary = await replayDeadLetters(
      stack.pubsub,
      { ...settings, ackSkipped: true, maxMessages: 1 },
      { log: silentLogger() },
    );
    expect(summary).toMatchObject({ pulled: 1, republished: 0, acked: 1, skipped: 1, failed: 0 });
    const again = await replayDeadLetters(stack.pubsub, settings, { log: silentLogger() });
    expect(again).toMatchObject({ pulled: 0, republished: 0, failed: 0 });
    expect(backlog(HOLD)).toBe(0);
    const rows = await tableRows(stack.bigquery, 'pmp_curated', 'velib_station_information');
    expect(rows).toHaveLength(2 * K);
  });
});
