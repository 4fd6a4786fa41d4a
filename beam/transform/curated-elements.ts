import {
  curatedInsertId,
  type CuratedDlqRow,
  type CuratedStatusRow,
  type Envelope,
} from '../../core/index.js';

/**
 * One input message of the curated pipeline, whatever the source: a Pub/Sub message (streaming and
 * Dataflow) or a line of an NDJSON file (file mode, where `attributes` carry the file and line).
 */
export interface CuratedMessage {
  /** The message body: the JSON envelope, as text or as the bytes Pub/Sub delivered. */
  readonly data: string | Uint8Array;
  readonly messageId?: string;
  readonly publishTime?: string;
  readonly attributes?: Record<string, string>;
}

/** A message that passed `parse_normalize`, with what the next stage needs for its DLQ record. */
export interface ParsedMessage {
  readonly envelope: Envelope;
  readonly message: CuratedMessage;
  /**
   * The JSON text the envelope was parsed from, for `statusSnapshotToRows` to slice each station's
   * `raw_station_json` out of (same rows, less CPU). Optional: without it, stations are serialized.
   */
  readonly text?: string;
}

/**
 * An output element with its BigQuery insertId (null when the input had no message id, as in file
 * mode): the id travels with the row so a redelivered message can never duplicate it.
 */
export interface Keyed<T> {
  readonly insertId: string | null;
  readonly value: T;
}

export type KeyedRow = Keyed<CuratedStatusRow>;
export type KeyedDlqRecord = Keyed<CuratedDlqRow>;

/**
 * The rows of one snapshot, travelling as ONE element: a runner's per-element cost (dispatch,
 * split, wrappers) is paid per snapshot instead of per station, ~1,500 times less. `keyedRows`
 * turns it into the KeyedRows the per-row contract promises, insertIds included.
 */
export interface StationRowBatch {
  /** The message's id, from which each row's insertId is made; null when there is none. */
  readonly messageId: string | null;
  readonly rows: readonly CuratedStatusRow[];
}

/** The batch as KeyedRows: insertId `${messageId}:${station_id}`, null without a message id. */
export function keyedRows(batch: StationRowBatch): KeyedRow[] {
  const { messageId, rows } = batch;
  const keyed = new Array<KeyedRow>(rows.length);
  for (let i = 0; i < rows.length; i += 1) {
    const row = rows[i]!;
    keyed[i] = {
      insertId: messageId === null ? null : curatedInsertId(messageId, row.station_id),
      value: row,
    };
  }
  return keyed;
}

/** What `curatedTransform` returns: station rows, and every failure of its stages. */
// A type alias, not an interface: Beam's PValue wants an index signature, which aliases satisfy.
export type CuratedOutputs<RowsT, DlqT> = {
  readonly rows: RowsT;
  readonly dlq: DlqT;
};

/**
 * Beam counter names, one set per stage (`PipelineResult.counters()` reports them). Every message
 * ends in exactly one of: parse_normalize_dlq, snapshot_to_station_rows_dlq, snapshots_ignored,
 * snapshots_curated; so `messages_in` always equals their sum.
 */
export const COUNTERS = {
  messagesIn: 'messages_in',
  parseNormalizeDlq: 'parse_normalize_dlq',
  snapshotsCurated: 'snapshots_curated',
  snapshotsIgnored: 'snapshots_ignored',
  snapshotToStationRowsDlq: 'snapshot_to_station_rows_dlq',
  stationRows: 'station_rows',
  blankLinesSkipped: 'blank_lines_skipped',
} as const;

export type CounterName = (typeof COUNTERS)[keyof typeof COUNTERS];
