import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatDeadLetter, formatDeadLetterList } from './format.js';
import { listDeadLetters, showDeadLetter, UnknownDeadLetterError } from './inventory.js';
import { DLQ_NAMES } from './names.js';
import { startDlqStack, type DlqStack } from './testing/dlq-stack.js';

// Seeded dead letters of every kind: push dead letters published to the dead-letter topic as
// Pub/Sub forwards them (they reach the hold subscription and, through the BigQuery subscription,
// pmp_ops.velib_station_info_push_dlq), and rows in the curated and writer DLQ tables.
const PUSH = 4;
const CURATED = [
  ['parse_normalize', 'JSONDecodeError', 3],
  ['snapshot_to_station_rows', 'stations_not_a_list', 2],
  ['bq_insert_curated', 'bq_rows_rejected', 1],
] as const;
const WRITER = 2;

describe('pmp dlq list/show on seeded dead letters', () => {
  let stack: DlqStack;
  const now = new Date();
  beforeAll(async () => {
    stack = await startDlqStack();
    const topic = stack.pubsub.topic(DLQ_NAMES.deadLetterTopic);
    for (let i = 0; i < PUSH; i++) {
      await topic.publishMessage({
        data: Buffer.from(JSON.stringify({ n: i, payload: { data: { stations: [] } } })),
        attributes: {
          CloudPubSubDeadLetterSourceSubscription: DLQ_NAMES.pushSubscription,
          CloudPubSubDeadLetterSourceDeliveryCount: '5',
          ...(i === 0 ? { pmp_drill: '0b7e2f6c-1d7a-4c1e-9a55-3f1f2d9c8e10' } : {}),
        },
      });
    }
    let seq = 0;
    const curatedRows = CURATED.flatMap(([stage, error_type, n]) =>
      Array.from({ length: n }, () => ({
        dlq_ts: new Date(now.getTime() - 60_000 + seq++ * 1000).toISOString(),
        stage,
        error_type,
        error_message: `${error_type} #${seq}`,
        raw: seq === 1 ? 'x'.repeat(10_000) : `{"seq":${seq}}`,
      })),
    );
    await stack.bigquery
      .dataset('pmp_ops')
      .table('velib_station_status_curated_dlq')
      .insert(curatedRows);
    await stack.bigquery
      .dataset('pmp_ops')
      .table('push_writer_dlq')
      .insert(
        Array.from({ length: WRITER }, (_, i) => ({
          dlq_ts: new Date(now.getTime() - 3_600_000 * (i + 1)).toISOString(),
          writer: 'pmp-bq-writer',
          message_id: `w${i}`,
          error_type: 'invalid_json',
          error_message: 'Unexpected token',
          raw: '{not json',
        })),
      );
    // The BigQuery subscription writes the push dead letters a moment later.
    for (let tries = 0; tries < 100; tries++) {
      const [rows] = await stack.bigquery.query(
        `SELECT COUNT(*) AS n FROM ${DLQ_NAMES.pushDlqTable}`,
      );
      if (Number((rows[0] as { n: number }).n) === PUSH) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }, 60_000);
  afterAll(async () => {
    await stack?.close();
  });

  it('counts by source, origin and reason; every seeded dead letter counted once', async () => {
    const list = await listDeadLetters(stack, { limit: 5 });
    const total = PUSH + WRITER + CURATED.reduce((sum, [, , n]) => sum + n, 0);
    expect(list.total).toBe(total);
    expect(list.counts.reduce((sum, c) => sum + c.count, 0)).toBe(total);
    expect(list.held).toBe(PUSH);
    const count = (origin: string, reason: string) =>
      list.counts.find((c) => c.origin === origin && c.reason === reason)?.count;
    expect(count(DLQ_NAMES.pushSubscription, 'delivery_attempts_exhausted')).toBe(PUSH - 1);
    expect(count(DLQ_NAMES.pushSubscription, 'drill (pmp_drill)')).toBe(1);
    for (const [stage, errorType, n] of CURATED) expect(count(stage, errorType)).toBe(n);
    expect(count('pmp-bq-writer', 'invalid_json')).toBe(WRITER);
    expect(list.records).toHaveLength(5);
    const times = list.records.map((r) => r.at);
    expect(times).toEqual([...times].sort().reverse());
    // Peeking did not consume: the hold subscription still has every push dead letter.
    expect((await listDeadLetters(stack)).held).toBe(PUSH);
    expect(formatDeadLetterList(list)).toMatch(/^12 dead letters since .* \(4 held\)/);
  }, 30_000);

  it('--since leaves out what is older', async () => {
    const list = await listDeadLetters(stack, { since: new Date(now.getTime() - 30 * 60_000) });
    expect(list.total).toBe(PUSH + 6);
    expect(list.counts.find((c) => c.source === 'writer')).toBeUndefined();
  }, 30_000);

  it('shows one record of each kind in full, a long payload cut', async () => {
    const { records } = await listDeadLetters(stack, { limit: 100 });
    const push = records.find((r) => r.source === 'push')!;
    const shown = await showDeadLetter(stack, push.id);
    expect(shown).toMatchObject({ held: true, deliveryAttempts: 5, messageId: push.messageId });
    expect(formatDeadLetter(shown)).toMatch(
      /attributes\n( {2}.*\n)* {2}CloudPubSubDeadLetterSourceDeliveryCount=5\n/,
    );
    expect(formatDeadLetter(shown)).toMatch(/payload\n\{\n {2}"n": \d,\n {2}"payload": \{/);
    const long = records.find((r) => r.payload?.startsWith('xxxx'))!;
    const text = formatDeadLetter(await showDeadLetter(stack, long.id), 100);
    expect(text).toMatch(/stage\s+|origin\s+parse_normalize/);
    expect(text).toContain(`${'x'.repeat(100)}\n… 9900 more characters`);
    const writer = records.find((r) => r.source === 'writer')!;
    expect(formatDeadLetter(await showDeadLetter(stack, writer.id))).toMatch(
      /origin\s+pmp-bq-writer/,
    );
  }, 30_000);

  it('an unknown id is a clear error', async () => {
    await expect(showDeadLetter(stack, 'curated:000000000000')).rejects.toThrow(
      UnknownDeadLetterError,
    );
    await expect(showDeadLetter(stack, 'nope')).rejects.toThrow(
      /no dead letter with id "nope": ids look like push:/,
    );
  }, 30_000);
});
