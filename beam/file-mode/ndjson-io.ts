import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import type * as beam from 'apache-beam';
import { requireForSerialization } from 'apache-beam/serialization';
import { isWellFormed } from '../../core/index.js';
import type { CuratedMessage, StationRowBatch } from '../transform/curated-elements.js';
import { writeStationRowLines, type LineSink } from '../transform/station-row-json.js';

/*
 * Newline-delimited JSON in and out of a pipeline, as DoFns with synchronous file I/O. The Beam
 * TypeScript SDK's own text IO (`readFromText`, `writeToText`) is a cross-language wrapper around
 * the Python SDK and needs a Python expansion service, so it cannot run on the in-process
 * DirectRunner; these two DoFns are the local equivalent. They are also how a pipeline hands its
 * results back to the program that ran it: DoFns are serialized and rebuilt, so they cannot push
 * into an array of the caller, and files are the SDK-neutral channel (docs/dataflow.md; the
 * exception for the in-process DirectRunner is in-process-registry.ts).
 */

const NEWLINE = 0x0a;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

const CHUNK_BYTES = 1 << 20;

function isBlank(line: Uint8Array): boolean {
  for (const byte of line) {
    if (byte !== 0x20 && byte !== 0x09 && byte !== 0x0d) return false;
  }
  return true;
}

/**
 * A slice of an input file that holds whole lines: bytes [start, end), the first of them being line
 * `firstLine` of the file (1-based). File mode's worker threads each curate such slices.
 */
export interface LineRange {
  readonly start: number;
  readonly end: number;
  readonly firstLine: number;
}

/**
 * The lines of a file (or of a range of it) as bytes, read in 1 MiB chunks; UTF-8 is checked
 * later, per message.
 */
function* readLines(
  path: string,
  range: LineRange | null = null,
): Generator<{ line: Uint8Array; lineNumber: number }> {
  const fd = openSync(path, 'r');
  try {
    let carry: Buffer = Buffer.alloc(0);
    let lineNumber = range === null ? 0 : range.firstLine - 1;
    let position = range === null ? 0 : range.start;
    const stopAt = range === null ? Infinity : range.end;
    for (;;) {
      const want = Math.min(CHUNK_BYTES, stopAt - position);
      if (want <= 0) break;
      const chunk = Buffer.allocUnsafe(want);
      const read = readSync(fd, chunk, 0, want, position);
      if (read === 0) break;
      position += read;
      const buffer = carry.length > 0 ? Buffer.concat([carry, chunk.subarray(0, read)]) : chunk;
      const end = carry.length > 0 ? buffer.length : read;
      let start = 0;
      for (let nl = buffer.indexOf(NEWLINE, start); nl !== -1 && nl < end;) {
        lineNumber += 1;
        const stop = nl > start && buffer[nl - 1] === 0x0d ? nl - 1 : nl;
        yield { line: buffer.subarray(start, stop), lineNumber };
        start = nl + 1;
        nl = buffer.indexOf(NEWLINE, start);
      }
      carry = Buffer.from(buffer.subarray(start, end));
    }
    if (carry.length > 0) {
      lineNumber += 1;
      const stop = carry[carry.length - 1] === 0x0d ? carry.length - 1 : carry.length;
      yield { line: carry.subarray(0, stop), lineNumber };
    }
  } finally {
    closeSync(fd);
  }
}

export interface NdjsonSourceContext {
  readonly blankLines: beam.Counter;
}

/**
 * A source, applied to an impulse: yields one CuratedMessage per non-blank line of the envelope
 * file `path` (or of `range` of it), each line one event envelope as collectors publish it. The
 * messages carry `input_file` and `input_line` attributes so a DLQ record points back at its line.
 */
export class NdjsonSourceDoFn {
  readonly beamName = 'read_ndjson_envelopes';

  constructor(
    readonly path: string,
    readonly range: LineRange | null = null,
  ) {}

  *process(_impulse: unknown, context: NdjsonSourceContext): Generator<CuratedMessage> {
    for (const { line, lineNumber } of readLines(this.path, this.range)) {
      if (isBlank(line)) {
        context.blankLines.increment();
        continue;
      }
      yield { data: line, attributes: { input_file: this.path, input_line: String(lineNumber) } };
    }
  }
}

/**
 * How NdjsonSourceDoFn would split `path` into messages and skipped blank lines, counted outside
 * any pipeline: file mode's figures on a runner that reports no user counters (Flink).
 */
export function countEnvelopeLines(path: string): { messages: number; blankLines: number } {
  let messages = 0;
  let blankLines = 0;
  for (const { line } of readLines(path)) {
    if (isBlank(line)) blankLines += 1;
    else messages += 1;
  }
  return { messages, blankLines };
}

const WRITE_BUFFER_BYTES = 1 << 20;

/**
 * Encodes lines into 1 MiB buffers: each line is UTF-8-encoded straight into the current buffer (no
 * joined string per flush, no second copy), which goes to `drain` when the next line might not fit.
 * With `reuse`, `drain` must be done with the bytes when it returns (a file write) and the buffer is
 * written over again; without, each drained buffer is handed away for good (kept in memory and
 * transferred to another thread) and a fresh one is allocated. Created per bundle, in startBundle.
 */
export class LineWriter implements LineSink {
  private buffer = Buffer.allocUnsafe(WRITE_BUFFER_BYTES);
  private used = 0;
  /** Where `lineWithJsonString` encodes its text before escaping it into `buffer`. */
  private scratch = Buffer.allocUnsafe(64 << 10);

  constructor(
    private readonly drain: (bytes: Buffer) => void,
    private readonly reuse: boolean,
  ) {}

  line(text: string): void {
    // A UTF-16 code unit takes at most 3 UTF-8 bytes; the newline takes 1.
    const worstCase = text.length * 3 + 1;
    if (this.used + worstCase > this.buffer.length) {
      this.flush();
      if (worstCase > this.buffer.length) {
        this.drain(Buffer.from(`${text}\n`, 'utf8'));
        return;
      }
    }
    this.used += this.buffer.write(text, this.used, 'utf8');
    this.buffer[this.used] = NEWLINE;
    this.used += 1;
  }

  /**
   * Writes `head`, `text` escaped as the inside of a JSON string, `tail` and a newline: the bytes of
   * `${head}${JSON.stringify(text).slice(1, -1)}${tail}\n`. The text is UTF-8-encoded into the
   * buffer as it is and its `"` and `\` are then escaped in place, which is all JSON.stringify would
   * do unless the text holds a control character or a lone surrogate: then nothing is written and
   * the answer is false, for the caller to write the line with `line` instead.
   */
  lineWithJsonString(head: string, text: string, tail: string): boolean {
    // Lone surrogates would be encoded as U+FFFD; JSON.stringify escapes them. (For one-byte
    // strings, nearly all of them, this check is free.)
    if (!isWellFormed(text)) return false;
    // 3 UTF-8 bytes per UTF-16 code unit at most; an escaped `"` or `\` takes 2.
    const textWorstCase = text.length * 3;
    const worstCase = (head.length + tail.length) * 3 + textWorstCase + 1;
    if (this.used + worstCase > this.buffer.length) {
      this.flush();
      if (worstCase > this.buffer.length) return false;
    }
    if (textWorstCase > this.scratch.length) this.scratch = Buffer.allocUnsafe(textWorstCase);
    const scratch = this.scratch;
    const length = scratch.write(text, 0, 'utf8');
    const out = this.buffer;
    let at = this.used + out.write(head, this.used, 'utf8');
    // One pass from the UTF-8 bytes to the output. Bytes of multi-byte characters are all ≥ 0x80,
    // so only ASCII `"`, `\` and controls need a look.
    for (let i = 0; i < length; i += 1) {
      const byte = scratch[i]!;
      if (byte === QUOTE || byte === BACKSLASH) {
        out[at] = BACKSLASH;
        out[at + 1] = byte;
        at += 2;
      } else if (byte < 0x20) {
        return false; // this.used is untouched: what was written past it is dropped
      } else {
        out[at] = byte;
        at += 1;
      }
    }
    at += out.write(tail, at, 'utf8');
    out[at] = NEWLINE;
    this.used = at + 1;
    return true;
  }

  flush(): void {
    if (this.used === 0) return;
    this.drain(this.buffer.subarray(0, this.used));
    if (!this.reuse) this.buffer = Buffer.allocUnsafe(WRITE_BUFFER_BYTES);
    this.used = 0;
  }
}

/** A LineWriter appending to an open file descriptor. */
function fileLineWriter(fd: number): LineWriter {
  return new LineWriter((bytes) => {
    let offset = 0;
    while (offset < bytes.length) offset += writeSync(fd, bytes, offset);
  }, true);
}

/**
 * A sink: appends each element as one JSON line to `path` (the caller creates or truncates the file
 * before the run). State lives on the deserialized instance, one per bundle, opened in startBundle.
 */
export class NdjsonSinkDoFn {
  readonly beamName: string;
  private fd: number | null = null;
  private writer: LineWriter | null = null;

  constructor(readonly path: string) {
    this.beamName = `write_ndjson(${path})`;
  }

  startBundle(): void {
    this.fd = openSync(this.path, 'a');
    this.writer = fileLineWriter(this.fd);
  }

  process(element: unknown): void {
    this.writer!.line(JSON.stringify(element));
  }

  finishBundle(): void {
    this.writer?.flush();
    this.writer = null;
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

/**
 * The rows sink: takes the composite's per-snapshot row batches and appends one JSON line per row
 * to `path`, exactly the lines NdjsonSinkDoFn would write for the rows of `curatedTransform`,
 * flattened here instead of in the pipeline so the runner handles one element per snapshot.
 */
export class NdjsonRowBatchSinkDoFn {
  readonly beamName: string;
  private fd: number | null = null;
  private writer: LineWriter | null = null;

  constructor(readonly path: string) {
    this.beamName = `write_ndjson_rows(${path})`;
  }

  startBundle(): void {
    this.fd = openSync(this.path, 'a');
    this.writer = fileLineWriter(this.fd);
  }

  process(batch: StationRowBatch): void {
    writeStationRowLines(batch, this.writer!);
  }

  finishBundle(): void {
    this.writer?.flush();
    this.writer = null;
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

requireForSerialization('paris-mobility-pulse/beam/file-mode/ndjson-io.ts', {
  NdjsonSourceDoFn,
  NdjsonSinkDoFn,
  NdjsonRowBatchSinkDoFn,
});
