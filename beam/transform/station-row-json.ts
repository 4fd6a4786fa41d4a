import type { CuratedStatusRow } from '../../core/index.js';
import type { StationRowBatch } from './curated-elements.js';

/*
 * NDJSON text of curated rows for the file sinks, byte for byte what `JSON.stringify` gives, but
 * built from the known row shape: the two envelope timestamps (the same in every row of a snapshot)
 * are encoded once per snapshot, and numbers and nulls skip the generic serializer. Any row that
 * does not have exactly the shape below (keys in this order, string/number/null values) goes
 * through `JSON.stringify` itself, so the output never depends on the shape holding.
 */

/** The columns in the order core's `stationStatusRow` creates them (JSON.stringify's order). */
const ROW_KEYS = [
  'ingest_ts',
  'event_ts',
  'station_id',
  'station_code',
  'is_installed',
  'is_renting',
  'is_returning',
  'last_reported_ts',
  'num_bikes_available',
  'num_docks_available',
  'mechanical_available',
  'ebike_available',
  'raw_station_json',
] as const;

/** A row whose own enumerable keys (and inherited ones, which for-in also lists) are ROW_KEYS. */
function hasRowShape(row: object): boolean {
  let index = 0;
  for (const key in row) {
    if (key !== ROW_KEYS[index]) return false;
    index += 1;
  }
  return index === ROW_KEYS.length;
}

/** JSON.stringify of a string, number or null; undefined for anything else. */
function scalarJson(value: unknown): string | undefined {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') return Number.isFinite(value) ? `${value}` : 'null';
  if (value === null) return 'null';
  return undefined;
}

/** No snapshot seen yet: equal to no timestamp, not even to a row's undefined ones. */
const NO_SNAPSHOT = Symbol('no snapshot yet');

/** Encodes rows of one or more snapshots, keeping the timestamp prefix of the last one seen. */
class RowEncoder {
  private ingestTs: unknown = NO_SNAPSHOT;
  private eventTs: unknown = NO_SNAPSHOT;
  private head = '';

  row(row: CuratedStatusRow): string {
    if (!hasRowShape(row) || !this.prepareTimestamps(row)) return JSON.stringify(row);
    const raw = scalarJson(row.raw_station_json);
    if (raw === undefined) return JSON.stringify(row);
    const head = this.headBeforeRaw(row);
    return head === undefined ? JSON.stringify(row) : `${head}${raw}}`;
  }

  /**
   * The row's JSON text up to the opening quote of `raw_station_json`'s value, when that value is a
   * string and the row has the known shape: the caller then writes the string's escaped contents
   * and `"}` itself (see `LineSink.lineWithJsonString`). undefined otherwise.
   */
  rawStringHead(row: CuratedStatusRow): string | undefined {
    if (typeof row.raw_station_json !== 'string' || !hasRowShape(row)) return undefined;
    if (!this.prepareTimestamps(row)) return undefined;
    const head = this.headBeforeRaw(row);
    return head === undefined ? undefined : `${head}"`;
  }

  /** Sets the timestamp prefix for the row's snapshot; false when a timestamp is not a scalar. */
  private prepareTimestamps(row: CuratedStatusRow): boolean {
    if (row.ingest_ts !== this.ingestTs || row.event_ts !== this.eventTs) {
      const ingest = scalarJson(row.ingest_ts);
      const event = scalarJson(row.event_ts);
      if (ingest === undefined || event === undefined) return false;
      this.ingestTs = row.ingest_ts;
      this.eventTs = row.event_ts;
      this.head = `{"ingest_ts":${ingest},"event_ts":${event},"station_id":`;
    }
    return true;
  }

  /** Everything up to and including `"raw_station_json":` (the timestamps already prepared). */
  private headBeforeRaw(row: CuratedStatusRow): string | undefined {
    const stationId = scalarJson(row.station_id);
    const stationCode = scalarJson(row.station_code);
    const isInstalled = scalarJson(row.is_installed);
    const isRenting = scalarJson(row.is_renting);
    const isReturning = scalarJson(row.is_returning);
    const lastReported = scalarJson(row.last_reported_ts);
    const bikes = scalarJson(row.num_bikes_available);
    const docks = scalarJson(row.num_docks_available);
    const mechanical = scalarJson(row.mechanical_available);
    const ebike = scalarJson(row.ebike_available);
    if (
      stationId === undefined ||
      stationCode === undefined ||
      isInstalled === undefined ||
      isRenting === undefined ||
      isReturning === undefined ||
      lastReported === undefined ||
      bikes === undefined ||
      docks === undefined ||
      mechanical === undefined ||
      ebike === undefined
    ) {
      return undefined;
    }
    return (
      `${this.head}${stationId},"station_code":${stationCode},"is_installed":${isInstalled}` +
      `,"is_renting":${isRenting},"is_returning":${isReturning},"last_reported_ts":${lastReported}` +
      `,"num_bikes_available":${bikes},"num_docks_available":${docks}` +
      `,"mechanical_available":${mechanical},"ebike_available":${ebike},"raw_station_json":`
    );
  }
}

/**
 * Where the rows sinks put lines: `line` writes a line of text; `lineWithJsonString` writes `head`,
 * the contents of `JSON.stringify(text)` without its quotes, `tail` and the newline, or nothing
 * and returns false when it cannot do so exactly (the caller then writes the line with `line`).
 */
export interface LineSink {
  line(text: string): void;
  lineWithJsonString(head: string, text: string, tail: string): boolean;
}

/**
 * Writes one NDJSON line per row of the batch to `sink`, in order: `JSON.stringify(row)`. Each row's
 * `raw_station_json` (half of every line, and full of quotes) is escaped by the sink straight into
 * its output buffer instead of through `JSON.stringify` into another string of ~700 bytes per
 * station that is UTF-8-encoded once more and then garbage.
 */
export function writeStationRowLines(batch: StationRowBatch, sink: LineSink): void {
  const encoder = new RowEncoder();
  for (const row of batch.rows) {
    const head = encoder.rawStringHead(row);
    if (head !== undefined && sink.lineWithJsonString(head, row.raw_station_json!, '"}')) continue;
    sink.line(encoder.row(row));
  }
}

/**
 * The lines of `writeStationRowLines` as strings (without newlines), every one built by the row
 * encoder itself (the sink declines `lineWithJsonString`): tests compare them, and the sinks'
 * bytes, with `JSON.stringify`.
 */
export function stationRowLines(batch: StationRowBatch): string[] {
  const lines: string[] = [];
  writeStationRowLines(batch, {
    line: (text) => lines.push(text),
    lineWithJsonString: () => false,
  });
  return lines;
}
