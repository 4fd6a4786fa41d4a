import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseEnvelope, statusSnapshotToRows } from '../../core/index.js';
import { NdjsonRowBatchSinkDoFn, NdjsonSinkDoFn } from './ndjson-io.js';
import { envelopeLine } from '../testing/fixtures.js';

/* The sinks write through a reused 1 MiB buffer; these check the bytes that reach the file. */

describe('NDJSON sinks', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'pmp-ndjson-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes one JSON line per element, across buffer flushes, lines larger than the buffer and multi-byte text', () => {
    const path = join(dir, 'out.jsonl');
    writeFileSync(path, 'kept\n');
    const elements: unknown[] = [
      { small: 1 },
      { big: 'é'.repeat(700_000) }, // 1.4 MB of UTF-8: larger than the buffer
      ...Array.from({ length: 5_000 }, (_, i) => ({ i, text: `ligne ${i} — ✓ 😀`.repeat(20) })),
      { lone: '\ud800' },
      'last',
    ];
    const sink = new NdjsonSinkDoFn(path);
    sink.startBundle();
    for (const e of elements) sink.process(e);
    sink.finishBundle();
    const expected = `kept\n${elements.map((e) => JSON.stringify(e)).join('\n')}\n`;
    const written = readFileSync(path);
    // Buffer.equals, not toEqual: vitest compares large buffers byte by byte, very slowly.
    expect(written.length).toBe(Buffer.byteLength(expected));
    expect(written.equals(Buffer.from(expected, 'utf8'))).toBe(true);
  });

  it('the rows sink flattens snapshot batches into the lines of the per-row sink', () => {
    const rows = statusSnapshotToRows(parseEnvelope(envelopeLine('station_status.json')));
    const batches = [
      { messageId: 'm-1', rows },
      { messageId: null, rows: rows.slice(0, 10) },
    ];
    const [perRow, batched] = [join(dir, 'per-row'), join(dir, 'batched')];
    writeFileSync(perRow, '');
    writeFileSync(batched, '');
    const rowSink = new NdjsonSinkDoFn(perRow);
    const batchSink = new NdjsonRowBatchSinkDoFn(batched);
    rowSink.startBundle();
    batchSink.startBundle();
    for (const batch of batches) {
      batchSink.process(batch);
      for (const row of batch.rows) rowSink.process(row);
    }
    rowSink.finishBundle();
    batchSink.finishBundle();
    const written = readFileSync(batched, 'utf8');
    expect(written.split('\n')).toHaveLength(rows.length + 10 + 1);
    expect(written).toBe(readFileSync(perRow, 'utf8'));
  });
});
