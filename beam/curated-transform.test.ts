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
} from '../core/index.js';
import * as beam from 'apache-beam';
import { impulse } from 'apache-beam/transforms/internal';
import { COUNTERS, type KeyedDlqRecord, type KeyedRow } from './curated-elements.js';
import { curatedTransform, type CuratedPCollections } from './curated-transform.js';
import { runOnDirectRunner } from './direct-run.js';
import { NdjsonSinkDoFn, NdjsonSourceDoFn } from './ndjson-io.js';
import { ndjsonPipeline } from './ndjson-pipeline.js';
import { mixedInputLines, STATUS_FIXTURES } from './testing/fixtures.js';

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
        inputFormat: 'envelopes',
        rowsPath: join(dir, 'rows.jsonl'),
        dlqPath: join(dir, 'dlq.jsonl'),
        keyed: false,
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

describe('keyed output (the streaming runner stages Pub/Sub messages this way)', () => {
  it('carries insertIds `${messageId}:${station_id}` and `${messageId}:${stage}:0`', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pmp-beam-'));
    try {
      const [good, , , , , , bad] = mixedInputLines();
      const messages = [
        { data_base64: Buffer.from(good!).toString('base64'), messageId: 'm-1' },
        {
          data_base64: Buffer.from(bad!).toString('base64'),
          messageId: 'm-2',
          publishTime: '2025-10-18T09:10:01.000Z',
          attributes: { origin: 'test' },
        },
      ];
      writeFileSync(join(dir, 'in.jsonl'), messages.map((m) => JSON.stringify(m)).join('\n'));
      for (const name of ['rows.jsonl', 'dlq.jsonl']) writeFileSync(join(dir, name), '');
      await runOnDirectRunner(
        ndjsonPipeline({
          inputPath: join(dir, 'in.jsonl'),
          inputFormat: 'messages',
          rowsPath: join(dir, 'rows.jsonl'),
          dlqPath: join(dir, 'dlq.jsonl'),
          keyed: true,
          fixedNow: FIXED_NOW,
        }),
      );
      const rows = readNdjson<KeyedRow>(join(dir, 'rows.jsonl'));
      const dlq = readNdjson<KeyedDlqRecord>(join(dir, 'dlq.jsonl'));
      expect(rows).toHaveLength(1495);
      expect(new Set(rows.map((r) => r.insertId)).size).toBe(1495);
      for (const r of rows) expect(r.insertId).toBe(`m-1:${r.value.station_id}`);
      expect(dlq).toEqual([
        {
          insertId: 'm-2:parse_normalize:0',
          value: curateMessage(
            bad!,
            {
              messageId: 'm-2',
              publishTime: '2025-10-18T09:10:01.000Z',
              attributes: { origin: 'test' },
            },
            new Date(FIXED_NOW),
          ).dlq[0],
        },
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('curatedTransform, the per-row form (what the Dataflow write takes)', () => {
  it('yields one KeyedRow element per station: the same lines as the batched file pipeline', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pmp-beam-'));
    try {
      const messages = mixedInputLines().map((data, i) => ({
        data_base64: Buffer.from(data).toString('base64'),
        messageId: `m-${i}`,
      }));
      const input = join(dir, 'in.jsonl');
      writeFileSync(input, messages.map((m) => JSON.stringify(m)).join('\n'));
      const paths = ['rows', 'dlq', 'batched-rows', 'batched-dlq'].map((n) => join(dir, n));
      for (const path of paths) writeFileSync(path, '');
      const [rowsPath, dlqPath, batchedRows, batchedDlq] = paths as [
        string,
        string,
        string,
        string,
      ];

      const counters = await runOnDirectRunner((root: beam.Root) => {
        const { rows, dlq } = root
          .apply(impulse())
          .apply(
            beam.parDo(new NdjsonSourceDoFn(input, 'messages'), {
              blankLines: beam.counter(COUNTERS.blankLinesSkipped),
            }),
          )
          .apply(curatedTransform({ fixedNow: FIXED_NOW })) as CuratedPCollections;
        rows.apply(beam.parDo(new NdjsonSinkDoFn(rowsPath)));
        dlq.apply(beam.parDo(new NdjsonSinkDoFn(dlqPath)));
      });
      await runOnDirectRunner(
        ndjsonPipeline({
          inputPath: input,
          inputFormat: 'messages',
          rowsPath: batchedRows,
          dlqPath: batchedDlq,
          keyed: true,
          fixedNow: FIXED_NOW,
        }),
      );

      const rows = readNdjson<KeyedRow>(rowsPath);
      expect(rows).toHaveLength(counters[COUNTERS.stationRows] ?? -1);
      expect(rows).toHaveLength(1495 + 1439 + 1485 + 1495 - 2);
      for (const r of rows)
        expect(r.insertId).toMatch(new RegExp(`^m-\\d+:${r.value.station_id}$`));
      expect(readFileSync(rowsPath, 'utf8')).toBe(readFileSync(batchedRows, 'utf8'));
      expect(readFileSync(dlqPath, 'utf8')).toBe(readFileSync(batchedDlq, 'utf8'));
      expect(readNdjson<KeyedDlqRecord>(dlqPath)).toHaveLength(8);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
