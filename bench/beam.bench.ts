// File-mode throughput of the curated Beam job on real snapshots (issue #6): station rows per second,
// Beam included, against the target of 5 × 85,000 (the original Python transform on this machine).
// To say where the time goes, the same input is also run through core alone (parse + map) and
// through core plus the NDJSON output the sink writes, without Beam.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEnvelope, statusSnapshotToRows } from '../core/index.js';
import { curateFile } from '../beam/file-mode.js';
import { envelopeLine, STATUS_FIXTURES } from '../beam/testing/fixtures.js';

const TARGET = 5 * 85_000;
const COPIES = Number(process.env.BENCH_COPIES ?? 40); // × 3 snapshots × ~1,470 stations

const lines = STATUS_FIXTURES.map((f) => envelopeLine(f));
const input: string[] = [];
for (let i = 0; i < COPIES; i += 1) input.push(...lines);
const bytes = input.map((l) => new Uint8Array(Buffer.from(l)));
const dir = mkdtempSync(join(tmpdir(), 'pmp-beam-bench-'));
const inputPath = join(dir, 'events.jsonl');
writeFileSync(inputPath, input.join('\n') + '\n');

function rate(rows: number, ms: number): string {
  return `${Math.round(rows / (ms / 1000)).toLocaleString('en')} rows/s`;
}

try {
  // Warm-up, so JIT compilation is not billed to the first measurement.
  for (const b of bytes.slice(0, 3)) statusSnapshotToRows(parseEnvelope(b));

  let parseMs = 0;
  let mapMs = 0;
  let serializeMs = 0;
  let rows = 0;
  let outputChars = 0;
  for (const b of bytes) {
    const t0 = performance.now();
    const envelope = parseEnvelope(b);
    const t1 = performance.now();
    const mapped = statusSnapshotToRows(envelope);
    const t2 = performance.now();
    let chars = 0;
    for (const row of mapped) chars += JSON.stringify(row).length;
    const t3 = performance.now();
    parseMs += t1 - t0;
    mapMs += t2 - t1;
    serializeMs += t3 - t2;
    rows += mapped.length;
    outputChars += chars;
  }
  const coreMs = parseMs + mapMs;

  const summary = await curateFile({
    input: inputPath,
    output: join(dir, 'rows.jsonl'),
    dlq: join(dir, 'dlq.jsonl'),
  });
  if (summary.stationRows !== rows) {
    throw new Error(`Beam wrote ${summary.stationRows} rows, core mapped ${rows}`);
  }
  const beamMs = summary.elapsedMs;
  const overheadMs = beamMs - coreMs - serializeMs;

  console.log(`input: ${input.length} snapshots, ${rows.toLocaleString('en')} station rows`);
  console.log(`core parseEnvelope:          ${parseMs.toFixed(0)} ms`);
  console.log(`core statusSnapshotToRows:   ${mapMs.toFixed(0)} ms`);
  console.log(`core only (parse + map):     ${rate(rows, coreMs)}`);
  console.log(
    `+ NDJSON row serialization:  ${serializeMs.toFixed(0)} ms (${(outputChars / 1e6).toFixed(0)} MB) → ${rate(rows, coreMs + serializeMs)}`,
  );
  console.log(`Beam file mode (end to end): ${beamMs.toFixed(0)} ms → ${rate(rows, beamMs)}`);
  console.log(
    `Beam + file I/O overhead:    ${overheadMs.toFixed(0)} ms (${((overheadMs / beamMs) * 100).toFixed(0)}% of the run)`,
  );
  const ratio = rows / (beamMs / 1000) / TARGET;
  console.log(
    `target ${TARGET.toLocaleString('en')} rows/s: ${(ratio * 100).toFixed(0)}% of target`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
