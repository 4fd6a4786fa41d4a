import { curatedInsertId, type CuratedStatusRow } from '../core/index.js';
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

/** Encodes rows of one or more snapshots, keeping the timestamp prefix of the last one seen. */
class RowEncoder {
  private ingestTs: unknown = undefined;
  private eventTs: unknown = undefined;
  private head = '';

  row(row: CuratedStatusRow): string {
    if (!hasRowShape(row)) return JSON.stringify(row);
    if (row.ingest_ts !== this.ingestTs || row.event_ts !== this.eventTs) {
      const ingest = scalarJson(row.ingest_ts);
      const event = scalarJson(row.event_ts);
      if (ingest === undefined || event === undefined) return JSON.stringify(row);
      this.ingestTs = row.ingest_ts;
      this.eventTs = row.event_ts;
      this.head = `{"ingest_ts":${ingest},"event_ts":${event},"station_id":`;
    }
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
    const raw = scalarJson(row.raw_station_json);
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
      ebike === undefined ||
      raw === undefined
    ) {
      return JSON.stringify(row);
    }
    return (
      `${this.head}${stationId},"station_code":${stationCode},"is_installed":${isInstalled}` +
      `,"is_renting":${isRenting},"is_returning":${isReturning},"last_reported_ts":${lastReported}` +
      `,"num_bikes_available":${bikes},"num_docks_available":${docks}` +
      `,"mechanical_available":${mechanical},"ebike_available":${ebike}` +
      `,"raw_station_json":${raw}}`
    );
  }
}

/**
 * Hands `emit` one NDJSON line (without the newline) per row of the batch, in order:
 * `JSON.stringify(row)`, or with `keyed`, `JSON.stringify({insertId, value: row})` with the
 * insertId of `keyedRows`. Lines are handed over one at a time rather than returned as an array so
 * that each can be garbage as soon as it is written: a snapshot's worth of lines (~1 MB) kept alive
 * survives young-generation collections and gets copied and promoted for nothing.
 */
export function emitStationRowLines(
  batch: StationRowBatch,
  keyed: boolean,
  emit: (line: string) => void,
): void {
  const encoder = new RowEncoder();
  const { messageId, rows } = batch;
  for (const row of rows) {
    const body = encoder.row(row);
    if (!keyed) {
      emit(body);
    } else {
      const insertId =
        messageId === null ? 'null' : JSON.stringify(curatedInsertId(messageId, row.station_id));
      emit(`{"insertId":${insertId},"value":${body}}`);
    }
  }
}

/** The lines of `emitStationRowLines` as an array. */
export function stationRowLines(batch: StationRowBatch, keyed: boolean): string[] {
  const lines: string[] = [];
  emitStationRowLines(batch, keyed, (line) => lines.push(line));
  return lines;
}
