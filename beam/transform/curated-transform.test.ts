import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  curateMessage,
  parseEnvelope,
  statusSnapshotToRows,
  type CuratedDlqRow,
  type CuratedStatusRow,
} from '../../core/index.js';
import { COUNTERS, keyedRows, type CuratedMessage } from './curated-elements.js';
import { curatedBatchTransform, curatedTransform } from './curated-transform.js';
import { runOnDirectRunner } from '../direct/direct-run.js';
import { curateInProcess } from '../streaming/in-process-io.js';
import { ndjsonPipeline } from '../file-mode/ndjson-pipeline.js';
import { mixedInputLines, STATUS_FIXTURES } from '../testing/fixtures.js';

const FIXED_NOW = '2025-10-18T09:11:00.000Z';

function readNdjson<T>(path: string): T[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as T);
}

const byJson = <T>(items: T[]) => items.map((i) => JSON.stringify(i)).sort();

describe('curatedTransform on the DirectRunner (file source → composite → file sinks)', () => {
  let dir: string;
  let lines: Uint8Array[];
  let counters: Record<string, number>;
  let rows: CuratedStatusRow[];
  let dlq: CuratedDlqRow[];
  const inputPath = () => join(dir, 'events.jsonl');

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pmp-beam-'));
    lines = mixedInputLines();
    // A blank line and a CRLF line ending: neither is an input, neither may break the reader.
    const blank = Buffer.from('\n   \r\n');
    writeFileSync(
      inputPath(),
      Buffer.concat([...lines.flatMap((l) => [Buffer.from(l), Buffer.from('\n')]), blank]),
    );
    for (const name of ['rows.jsonl', 'dlq.jsonl']) writeFileSync(join(dir, name), '');
    counters = await runOnDirectRunner(
      ndjsonPipeline({
        inputPath: inputPath(),
        rowsPath: join(dir, 'rows.jsonl'),
        dlqPath: join(dir, 'dlq.jsonl'),
        fixedNow: FIXED_NOW,
      }),
    );
    rows = readNdjson(join(dir, 'rows.jsonl'));
    dlq = readNdjson(join(dir, 'dlq.jsonl'));
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  // What core's pure path says each input line must become (same meta as the file source adds).
  const expected = () =>
    lines.map((line, i) =>
      curateMessage(
        line,
        { attributes: { input_file: inputPath(), input_line: String(i + 1) } },
        new Date(FIXED_NOW),
      ),
    );

  it('accounts for every input line: rows, one DLQ record, or an ignored snapshot', () => {
    const n = lines.length;
    expect(counters[COUNTERS.messagesIn]).toBe(n);
    expect(counters[COUNTERS.blankLinesSkipped]).toBe(2);
    const outcomes =
      (counters[COUNTERS.parseNormalizeDlq] ?? 0) +
      (counters[COUNTERS.snapshotToStationRowsDlq] ?? 0) +
      (counters[COUNTERS.snapshotsIgnored] ?? 0) +
      (counters[COUNTERS.snapshotsCurated] ?? 0);
    expect(outcomes).toBe(n);
    expect(counters[COUNTERS.snapshotsIgnored]).toBe(1);
    expect(counters[COUNTERS.snapshotsCurated]).toBe(STATUS_FIXTURES.length + 1);
    expect(dlq).toHaveLength(
      (counters[COUNTERS.parseNormalizeDlq] ?? 0) +
        (counters[COUNTERS.snapshotToStationRowsDlq] ?? 0),
    );
    expect(rows).toHaveLength(counters[COUNTERS.stationRows] ?? -1);
  });

  it('writes exactly the rows core maps from each real snapshot (1495 + 1439 + 1485 stations)', () => {
    const fromCore = lines.flatMap((line) => {
      try {
        return statusSnapshotToRows(parseEnvelope(line));
      } catch {
        return [];
      }
    });
    expect(fromCore.length).toBe(1495 + 1439 + 1485 + 1495 - 2);
    expect(rows).toHaveLength(fromCore.length);
    // DirectRunner keeps input order within the single bundle, but the contract is the multiset.
    expect(byJson(rows)).toEqual(byJson(fromCore));
    expect(rows.slice(0, 1495)).toEqual(fromCore.slice(0, 1495));
  });

  it('writes exactly the DLQ records of core curateMessage, stage by stage', () => {
    const fromCore = expected().flatMap((r) => r.dlq);
    expect(byJson(dlq)).toEqual(byJson(fromCore));
    const stages = dlq.map((r) => r.stage).sort();
    expect(stages).toEqual([
      'parse_normalize',
      'parse_normalize',
      'parse_normalize',
      'parse_normalize',
      'parse_normalize',
      'parse_normalize',
      'snapshot_to_station_rows',
      'snapshot_to_station_rows',
    ]);
    const badUtf8 = dlq.find((r) => r.error_type === 'UnicodeDecodeError');
    expect(badUtf8?.event_meta).toContain(`"input_line":"${lines.length}"`);
    for (const record of dlq) {
      expect(new Date(record.dlq_ts).toISOString()).toBe(FIXED_NOW);
      expect(record.raw).not.toBeNull();
      expect(record.raw!.length).toBeLessThanOrEqual(200_000);
    }
  });
});

describe('the in-process pipeline (what the streaming runner runs per batch)', () => {
  it('carries insertIds `${messageId}:${station_id}` and `${messageId}:${stage}:0`', async () => {
    const [good, , , , , , bad] = mixedInputLines();
    const meta = {
      messageId: 'm-2',
      publishTime: '2025-10-18T09:10:01.000Z',
      attributes: { origin: 'test' },
    };
    const { rows: batches, dlq } = await curateInProcess(
      [
        { data: good!, messageId: 'm-1' },
        { data: bad!, ...meta },
      ],
      curatedBatchTransform({ fixedNow: FIXED_NOW }),
    );
    const rows = batches.flatMap(keyedRows);
    expect(rows).toHaveLength(1495);
    expect(new Set(rows.map((r) => r.insertId)).size).toBe(1495);
    for (const r of rows) expect(r.insertId).toBe(`m-1:${r.value.station_id}`);
    expect(dlq).toEqual([
      {
        insertId: 'm-2:parse_normalize:0',
        value: curateMessage(bad!, meta, new Date(FIXED_NOW)).dlq[0],
      },
    ]);
  });

  it('accounts for every message of a batch with the rows and DLQ records of core, per row or per snapshot', async () => {
    const lines = mixedInputLines();
    const messages: CuratedMessage[] = lines.map((data, i) => ({ data, messageId: `m-${i}` }));
    const perRow = await curateInProcess(messages, curatedTransform({ fixedNow: FIXED_NOW }));
    const batched = await curateInProcess(messages, curatedBatchTransform({ fixedNow: FIXED_NOW }));

    const { counters } = perRow;
    expect(counters[COUNTERS.messagesIn]).toBe(lines.length);
    const outcomes =
      (counters[COUNTERS.parseNormalizeDlq] ?? 0) +
      (counters[COUNTERS.snapshotToStationRowsDlq] ?? 0) +
      (counters[COUNTERS.snapshotsIgnored] ?? 0) +
      (counters[COUNTERS.snapshotsCurated] ?? 0);
    expect(outcomes).toBe(lines.length);
    expect(batched.counters).toEqual(counters);

    // What core's pure path makes of each message, with the insertIds the composite adds.
    const fromCore = messages.map(({ data, messageId }) =>
      curateMessage(data, { messageId: messageId! }, new Date(FIXED_NOW)),
    );
    const coreRows = fromCore.flatMap((r, i) =>
      keyedRows({ messageId: messages[i]!.messageId!, rows: r.rows }),
    );
    const coreDlq = fromCore.flatMap((r, i) =>
      r.dlq.map((value) => ({ insertId: `${messages[i]!.messageId}:${value.stage}:0`, value })),
    );
    expect(coreRows).toHaveLength(1495 + 1439 + 1485 + 1495 - 2);
    expect(perRow.rows).toHaveLength(counters[COUNTERS.stationRows] ?? -1);
    expect(perRow.dlq).toHaveLength(8);
    // One bundle keeps input order; JSON text, as toEqual on ~6,000 rows is slow.
    expect(JSON.stringify(perRow.rows)).toBe(JSON.stringify(coreRows));
    expect(JSON.stringify(batched.rows.flatMap(keyedRows))).toBe(JSON.stringify(coreRows));
    expect(byJson(perRow.dlq)).toEqual(byJson(coreDlq));
    expect(batched.dlq).toEqual(perRow.dlq);
  });
});
