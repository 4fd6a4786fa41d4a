import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { curateFile, CurateFileError, type CurateFileSummary } from './file-mode.js';
import { curateFileParallel } from './file-mode-parallel.js';
import { splitIntoLineRanges } from './line-ranges.js';
import { mixedInputLines } from '../testing/fixtures.js';

const FIXED_NOW = '2025-10-18T09:11:00.000Z';

/** Everything in a summary but the elapsed time. */
function counts(summary: CurateFileSummary): Omit<CurateFileSummary, 'elapsedMs'> {
  const { elapsedMs: _elapsed, ...rest } = summary;
  return rest;
}

describe('splitIntoLineRanges', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'pmp-ranges-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('cuts any file into contiguous ranges of whole lines, numbered as the file', () => {
    const path = join(dir, 'lines');
    fc.assert(
      fc.property(
        fc.array(fc.stringMatching(/^[a-z\r ]{0,40}$/), { maxLength: 30 }),
        fc.boolean(),
        fc.integer({ min: 1, max: 100 }),
        (lines, trailingNewline, target) => {
          const text = lines.join('\n') + (trailingNewline && lines.length > 0 ? '\n' : '');
          writeFileSync(path, text);
          const ranges = splitIntoLineRanges(path, target);
          if (text === '') {
            expect(ranges).toEqual([]);
            return;
          }
          expect(ranges[0]!.start).toBe(0);
          expect(ranges.at(-1)!.end).toBe(Buffer.byteLength(text));
          for (const [i, range] of ranges.entries()) {
            if (i > 0) expect(range.start).toBe(ranges[i - 1]!.end);
            // A range ends with a newline (only the last one may not), and is not cut before
            // reaching the target unless the file ends.
            if (i < ranges.length - 1) {
              expect(text[range.end - 1]).toBe('\n');
              expect(range.end - range.start).toBeGreaterThanOrEqual(target);
            }
            expect(range.firstLine).toBe(text.slice(0, range.start).split('\n').length);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('file mode over several threads', () => {
  let dir: string;
  let input: string;
  let lineCount: number;
  const run = (name: string, options: { workers: number; rangeBytes?: number }) =>
    curateFile({
      input,
      output: join(dir, `${name}.rows.jsonl`),
      dlq: join(dir, `${name}.dlq.jsonl`),
      fixedNow: FIXED_NOW,
      ...options,
    });
  const bytesOf = (name: string) => ({
    rows: readFileSync(join(dir, `${name}.rows.jsonl`)),
    dlq: readFileSync(join(dir, `${name}.dlq.jsonl`)),
  });

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'pmp-parallel-'));
    input = join(dir, 'events.jsonl');
    // The real snapshots and every corrupted variant, twice, with blank lines, a CRLF ending and
    // no final newline: DLQ records carry the line number, so ranges must keep the file's.
    const lines = mixedInputLines().map((l) => Buffer.from(l));
    const parts: Buffer[] = [];
    for (const copy of [0, 1]) {
      for (const line of lines) parts.push(line, Buffer.from(copy === 0 ? '\n' : '\r\n'));
      parts.push(Buffer.from('\n  \n'));
    }
    parts.push(lines[0]!);
    writeFileSync(input, Buffer.concat(parts));
    lineCount = 2 * (lines.length + 2) + 1;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes byte for byte the files of a one-thread run, with the same counts', async () => {
    const single = await run('single', { workers: 1 });
    // 300 kB ranges: most lines (a snapshot is ~450 kB) are a range of their own, so the three
    // threads finish ranges out of order and the writer must hold them back.
    const ranges: [number, number][] = [];
    const parallel = await curateFile({
      input,
      output: join(dir, 'parallel.rows.jsonl'),
      dlq: join(dir, 'parallel.dlq.jsonl'),
      fixedNow: FIXED_NOW,
      workers: 3,
      rangeBytes: 300_000,
      onProgress: (written, total) => ranges.push([written, total]),
    });

    expect(single.stationRows).toBeGreaterThan(8_000);
    expect(single.dlqParseNormalize + single.dlqSnapshotToStationRows).toBe(16);
    expect(single.blankLinesSkipped).toBe(4);
    expect(counts(parallel)).toEqual(counts(single));
    const [a, b] = [bytesOf('single'), bytesOf('parallel')];
    // Buffer.equals, not toEqual: vitest compares large buffers byte by byte, very slowly.
    expect(b.rows.length).toBe(a.rows.length);
    expect(b.rows.equals(a.rows)).toBe(true);
    expect(b.dlq.toString('utf8')).toBe(a.dlq.toString('utf8'));
    // DLQ records point at their line of the whole file, whichever thread curated them.
    const lines = a.dlq
      .toString('utf8')
      .trim()
      .split('\n')
      .map((l) =>
        Number(
          (JSON.parse(l) as { event_meta: string }).event_meta.match(/"input_line":"(\d+)"/)![1],
        ),
      );
    expect(Math.max(...lines)).toBeLessThanOrEqual(lineCount);
    expect(new Set(lines).size).toBe(16);

    const total = splitIntoLineRanges(input, 300_000).length;
    expect(total).toBeGreaterThan(10);
    expect(ranges).toEqual(Array.from({ length: total }, (_, i) => [i + 1, total]));
  });

  it('with more threads than ranges, and with ranges larger than the input', async () => {
    const reference = bytesOf('single');
    for (const [name, options] of [
      ['few-ranges', { workers: 8, rangeBytes: 2_500_000 }],
      ['one-range', { workers: 2, rangeBytes: 1 << 30 }],
    ] as const) {
      await run(name, options);
      const out = bytesOf(name);
      expect(out.rows.equals(reference.rows)).toBe(true);
      expect(out.dlq.equals(reference.dlq)).toBe(true);
    }
  });

  it.each([
    ['bundled', true],
    ['through tsx', false],
  ])(
    'worker threads alone (%s), finishing ranges in any order, give the same files',
    async (name, bundleWorker) => {
      const reference = bytesOf('single');
      const [output, dlq] = [join(dir, `${name}.rows.jsonl`), join(dir, `${name}.dlq.jsonl`)];
      writeFileSync(output, '');
      writeFileSync(dlq, '');
      const counters = await curateFileParallel({
        input,
        output,
        dlq,
        fixedNow: FIXED_NOW,
        threads: 3,
        rangeBytes: 200_000,
        curateInThisThread: false,
        bundleWorker,
      });
      expect(counters.messages_in).toBe(lineCount - 4);
      expect(readFileSync(output).equals(reference.rows)).toBe(true);
      expect(readFileSync(dlq).equals(reference.dlq)).toBe(true);
    },
  );

  it('fails, naming the cause, when a worker thread cannot curate its range', async () => {
    const gone = join(dir, 'vanishing.jsonl');
    writeFileSync(gone, readFileSync(input));
    const [output, dlq] = [join(dir, 'gone.rows.jsonl'), join(dir, 'gone.dlq.jsonl')];
    writeFileSync(output, '');
    writeFileSync(dlq, '');
    const run = curateFileParallel({
      input: gone,
      output,
      dlq,
      fixedNow: FIXED_NOW,
      threads: 2,
      rangeBytes: 1_000_000,
      curateInThisThread: false,
    });
    // The ranges are cut before the call returns; the worker is still loading the SDK.
    rmSync(gone);
    await expect(run).rejects.toThrow(/ENOENT|no such file/);
  });

  it('refuses a thread count out of range, naming the option', async () => {
    for (const workers of [0, 9, 1.5, Number.NaN]) {
      await expect(run('bad', { workers })).rejects.toThrow(CurateFileError);
      await expect(run('bad', { workers })).rejects.toThrow(/--workers must be an integer/);
    }
  });
});
