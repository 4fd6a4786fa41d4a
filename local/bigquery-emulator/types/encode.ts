import {
  DuckDBBlobValue,
  DuckDBDateValue,
  DuckDBDecimalValue,
  DuckDBListValue,
  DuckDBStructValue,
  DuckDBTimestampTZValue,
  DuckDBTimestampValue,
  DuckDBTimeValue,
  type DuckDBValue,
} from '@duckdb/node-api';
import { formatScaledDecimal } from './decimal-text.js';
import type { RestField } from './schema.js';

/** A cell of a REST row: `{v: string | null | {f: Cell[]} | Cell[]}`. */
export interface Cell {
  v: CellValue;
}
export type CellValue = string | null | { f: Cell[] } | Cell[];
export interface RestRow {
  f: Cell[];
}

export interface EncodeOptions {
  /** `formatOptions.useInt64Timestamp`: TIMESTAMP as int64 microseconds instead of float seconds. */
  int64Timestamp: boolean;
}

/**
 * Encodes one DuckDB row as BigQuery's REST API does (`tabledata.list`, `jobs.getQueryResults`):
 * every scalar is a string, RECORD is `{f: [...]}`, REPEATED is `[{v}, ...]`.
 */
export function encodeRow(
  values: readonly DuckDBValue[],
  fields: readonly RestField[],
  options: EncodeOptions,
): RestRow {
  return { f: fields.map((field, i) => ({ v: encodeField(values[i] ?? null, field, options) })) };
}

function encodeField(value: DuckDBValue, field: RestField, options: EncodeOptions): CellValue {
  if (field.mode === 'REPEATED') {
    if (!(value instanceof DuckDBListValue)) return [];
    return value.items.map((item) => ({ v: encodeOne(item, field, options) }));
  }
  return encodeOne(value, field, options);
}

function encodeOne(value: DuckDBValue, field: RestField, options: EncodeOptions): CellValue {
  if (value === null || value === undefined) return null;
  switch (field.type) {
    case 'RECORD': {
      const entries = value instanceof DuckDBStructValue ? value.entries : {};
      return {
        f: (field.fields ?? []).map((sub) => ({
          v: encodeField(entries[sub.name] ?? null, sub, options),
        })),
      };
    }
    case 'TIMESTAMP':
      if (value instanceof DuckDBTimestampTZValue || value instanceof DuckDBTimestampValue) {
        return options.int64Timestamp ? value.micros.toString() : microsToSeconds(value.micros);
      }
      break;
    case 'DATETIME':
      if (value instanceof DuckDBTimestampValue || value instanceof DuckDBTimestampTZValue) {
        return formatDatetime(value.micros);
      }
      break;
    case 'DATE':
      if (value instanceof DuckDBDateValue) return formatDate(value.days);
      break;
    case 'TIME':
      if (value instanceof DuckDBTimeValue) return formatTime(value.micros);
      break;
    case 'NUMERIC':
    case 'BIGNUMERIC':
      if (value instanceof DuckDBDecimalValue) return formatScaledDecimal(value.value, value.scale);
      break;
    case 'BYTES':
      if (value instanceof DuckDBBlobValue) return Buffer.from(value.bytes).toString('base64');
      break;
    case 'BOOLEAN':
      return value ? 'true' : 'false';
    case 'FLOAT':
      if (typeof value === 'number') return formatFloat(value);
      break;
    default:
      break;
  }
  return typeof value === 'string' ? value : String(value);
}

/** Float seconds with microsecond digits, e.g. `1672574400.123456` (the client reads it with Number). */
export function microsToSeconds(micros: bigint): string {
  const negative = micros < 0n;
  const abs = negative ? -micros : micros;
  const whole = abs / 1_000_000n;
  const fraction = (abs % 1_000_000n).toString().padStart(6, '0').replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
}

function formatFloat(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return 'Infinity';
  if (value === -Infinity) return '-Infinity';
  return String(value);
}

const MICROS_PER_DAY = 86_400_000_000n;

export function formatDate(days: number): string {
  const date = new Date(days * 86_400_000);
  const year = String(date.getUTCFullYear()).padStart(4, '0');
  const month = String(date.getUTCMonth() + 1).padStart(2, '0');
  const day = String(date.getUTCDate()).padStart(2, '0');
  return `${year}-${month}-${day}`;
}

export function formatTime(micros: bigint): string {
  const totalSeconds = Number(micros / 1_000_000n);
  const fraction = Number(micros % 1_000_000n);
  const hh = String(Math.floor(totalSeconds / 3600)).padStart(2, '0');
  const mm = String(Math.floor((totalSeconds % 3600) / 60)).padStart(2, '0');
  const ss = String(totalSeconds % 60).padStart(2, '0');
  return `${hh}:${mm}:${ss}${fraction ? `.${String(fraction).padStart(6, '0')}` : ''}`;
}

/** DATETIME as `YYYY-MM-DDTHH:MM:SS[.ffffff]`, the form BigQuery's REST API returns. */
export function formatDatetime(micros: bigint): string {
  let days = micros / MICROS_PER_DAY;
  let rest = micros % MICROS_PER_DAY;
  if (rest < 0n) {
    rest += MICROS_PER_DAY;
    days -= 1n;
  }
  return `${formatDate(Number(days))}T${formatTime(rest)}`;
}
