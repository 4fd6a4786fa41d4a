import { readFileSync } from 'node:fs';
import { COUNTERS } from '../transform/curated-elements.js';
import { countEnvelopeLines } from './ndjson-io.js';

/**
 * Where file mode's figures came from: the pipeline's user counters as the runner reported them,
 * or, on a runner that reports none (Flink, docs/dataflow.md), the input and output files.
 */
export type FileModeFiguresSource = 'counters' | 'files';

/** What a file-mode run counted. */
export interface FileModeFigures {
  /** Non-blank input lines. */
  readonly messages: number;
  readonly stationRows: number;
  /** null when counted from the files: no file says how many snapshots had no usable station. */
  readonly snapshotsCurated: number | null;
  /** Envelopes of another event type (no rows, no DLQ); null when counted from the files. */
  readonly snapshotsIgnored: number | null;
  readonly dlqParseNormalize: number;
  readonly dlqSnapshotToStationRows: number;
  readonly blankLinesSkipped: number;
  readonly figuresFrom: FileModeFiguresSource;
}

/** The figures from the curated composite's user counters (`COUNTERS`). */
export function figuresFromCounters(counters: Readonly<Record<string, number>>): FileModeFigures {
  const count = (name: string) => counters[name] ?? 0;
  return {
    messages: count(COUNTERS.messagesIn),
    stationRows: count(COUNTERS.stationRows),
    snapshotsCurated: count(COUNTERS.snapshotsCurated),
    snapshotsIgnored: count(COUNTERS.snapshotsIgnored),
    dlqParseNormalize: count(COUNTERS.parseNormalizeDlq),
    dlqSnapshotToStationRows: count(COUNTERS.snapshotToStationRowsDlq),
    blankLinesSkipped: count(COUNTERS.blankLinesSkipped),
    figuresFrom: 'counters',
  };
}

/** Lines of a file the sinks wrote: each ends in a newline. */
function countLines(bytes: Buffer): number {
  let count = 0;
  for (let at = bytes.indexOf(0x0a); at !== -1; at = bytes.indexOf(0x0a, at + 1)) count += 1;
  return count;
}

/**
 * The figures a run leaves in its files: messages and blank lines as the source splits the input,
 * one row per line of `output`, DLQ records per `stage` of `dlq`. Snapshots curated and ignored
 * leave no trace of their own (a curated snapshot may have no usable station), so they are null.
 */
export function figuresFromFiles(input: string, output: string, dlq: string): FileModeFigures {
  const { messages, blankLines } = countEnvelopeLines(input);
  const stages = readFileSync(dlq, 'utf8')
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => (JSON.parse(line) as { stage?: unknown }).stage);
  return {
    messages,
    stationRows: countLines(readFileSync(output)),
    snapshotsCurated: null,
    snapshotsIgnored: null,
    dlqParseNormalize: stages.filter((s) => s === 'parse_normalize').length,
    dlqSnapshotToStationRows: stages.filter((s) => s === 'snapshot_to_station_rows').length,
    blankLinesSkipped: blankLines,
    figuresFrom: 'files',
  };
}
