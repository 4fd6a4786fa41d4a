import { closeSync, openSync, readSync } from 'node:fs';
import type { LineRange } from './ndjson-io.js';

const NEWLINE = 0x0a;
const SCAN_BYTES = 4 << 20;

/**
 * Cuts a file into contiguous ranges of whole lines of about `targetBytes` each (a range ends after
 * the first newline past the target, so a line is never split), in file order, with the number of
 * each range's first line so DLQ records keep the line numbers of a one-piece run. Every line is
 * counted: the scan is one memchr per line over the file, a small fraction of curating it. An
 * empty file gives no ranges.
 */
export function splitIntoLineRanges(path: string, targetBytes: number): LineRange[] {
  if (!(targetBytes >= 1)) throw new RangeError(`targetBytes must be ≥ 1, got ${targetBytes}`);
  const ranges: LineRange[] = [];
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.allocUnsafe(SCAN_BYTES);
    let position = 0;
    let rangeStart = 0;
    let rangeFirstLine = 1;
    let linesEnded = 0;
    for (;;) {
      const read = readSync(fd, buffer, 0, SCAN_BYTES, position);
      if (read === 0) break;
      for (let nl = buffer.indexOf(NEWLINE); nl !== -1 && nl < read;) {
        linesEnded += 1;
        const end = position + nl + 1;
        if (end - rangeStart >= targetBytes) {
          ranges.push({ start: rangeStart, end, firstLine: rangeFirstLine });
          rangeStart = end;
          rangeFirstLine = linesEnded + 1;
        }
        nl = buffer.indexOf(NEWLINE, nl + 1);
      }
      position += read;
    }
    if (position > rangeStart) {
      ranges.push({ start: rangeStart, end: position, firstLine: rangeFirstLine });
    }
  } finally {
    closeSync(fd);
  }
  return ranges;
}
