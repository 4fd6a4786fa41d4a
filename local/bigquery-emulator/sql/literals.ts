import { duckDbScalarType } from '../types/bigquery-types.js';
import { canonicalBigNumeric } from '../types/decimal-text.js';
import { type BqType, duckDbType, formatBqType } from './types.js';

/** A DuckDB string literal holding exactly `value`. */
export function sqlString(value: string): string {
  if (value.includes('\0')) throw new TypeError('string contains a NUL character');
  return `'${value.replace(/'/g, "''")}'`;
}

/** A DuckDB BLOB literal holding exactly `bytes` (`\xHH` escapes are decoded by the BLOB cast). */
export function sqlBytes(bytes: Uint8Array): string {
  let body = '';
  for (const b of bytes) {
    if (b >= 0x20 && b < 0x7f && b !== 0x5c && b !== 0x27) body += String.fromCharCode(b);
    else body += `\\x${b.toString(16).padStart(2, '0').toUpperCase()}`;
  }
  return `CAST('${body}' AS BLOB)`;
}

/**
 * A BIGNUMERIC value as the column stores it (exact canonical text, `types/bigquery-types.ts`),
 * or undefined when `text` is no BIGNUMERIC.
 */
export function bigNumericLiteral(text: string): string | undefined {
  const canonical = canonicalBigNumeric(text);
  return canonical === undefined
    ? undefined
    : `CAST(${sqlString(canonical)} AS ${duckDbScalarType('BIGNUMERIC')})`;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * Renders a query parameter's value as a typed DuckDB literal. Values come the way the REST API
 * carries them (strings for INT64, NUMERIC, timestamps; base64 for BYTES) or as plain JS values.
 * Throws a TypeError naming what is wrong with the value.
 */
export function typedLiteral(type: BqType, value: unknown): string {
  if (value === null || value === undefined) return `CAST(NULL AS ${duckDbType(type)})`;
  const bad = (): never => {
    throw new TypeError(`invalid value ${preview(value)} for type ${formatBqType(type)}`);
  };
  switch (type.kind) {
    case 'array': {
      if (!Array.isArray(value)) return bad();
      const items = value.map((v) => typedLiteral(type.element, v));
      return `CAST([${items.join(', ')}] AS ${duckDbType(type)})`;
    }
    case 'struct': {
      if (typeof value !== 'object') return bad();
      const record = value as Record<string, unknown>;
      const parts = type.fields.map((f, i) => {
        const v = Array.isArray(value)
          ? value[i]
          : f.name !== undefined
            ? record[f.name]
            : undefined;
        return `${sqlString(f.name ?? `_field_${i + 1}`)}: ${typedLiteral(f.type, v)}`;
      });
      return `CAST({${parts.join(', ')}} AS ${duckDbType(type)})`;
    }
    case 'scalar':
      return scalarLiteral(type, value, bad);
  }
}

type ScalarType = Extract<BqType, { kind: 'scalar' }>;

/** {@link typedLiteral} of a scalar; `bad` throws the error naming the value and type. */
function scalarLiteral(type: ScalarType, value: unknown, bad: () => never): string {
  const duck = duckDbType(type);
  switch (type.name) {
    case 'INT64': {
      const text = typeof value === 'bigint' ? value.toString() : String(value).trim();
      if (!/^[+-]?\d+$/.test(text)) return bad();
      const n = BigInt(text);
      if (n < INT64_MIN || n > INT64_MAX) return bad();
      return `CAST(${n.toString()} AS BIGINT)`;
    }
    case 'FLOAT64': {
      const text = String(value).trim();
      if (
        !/^(?:[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|[+-]?(?:Infinity|inf)|NaN)$/i.test(text)
      ) {
        return bad();
      }
      return `CAST(${sqlString(text.replace(/Infinity/i, 'inf'))} AS DOUBLE)`;
    }
    case 'NUMERIC': {
      const text = String(value).trim();
      if (!/^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(text)) return bad();
      return `CAST(${sqlString(text)} AS ${duck})`;
    }
    case 'BIGNUMERIC':
      return bigNumericLiteral(String(value)) ?? bad();
    case 'BOOL': {
      if (value === true || value === 'true' || value === 'TRUE') return 'TRUE';
      if (value === false || value === 'false' || value === 'FALSE') return 'FALSE';
      return bad();
    }
    case 'STRING':
      if (typeof value !== 'string') return bad();
      return sqlString(value);
    case 'BYTES': {
      if (value instanceof Uint8Array) return sqlBytes(value);
      if (typeof value !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(value)) return bad();
      return sqlBytes(Buffer.from(value, 'base64'));
    }
    case 'TIMESTAMP':
    case 'DATETIME':
    case 'DATE':
    case 'TIME': {
      if (value instanceof Date) {
        if (Number.isNaN(value.getTime())) return bad();
        return `CAST(${sqlString(value.toISOString())} AS ${duck})`;
      }
      if (typeof value !== 'string' || !/^[0-9][0-9:.\-+ TZtz/A-Za-z_]*$/.test(value)) return bad();
      return `CAST(${sqlString(value)} AS ${duck})`;
    }
    case 'JSON': {
      const text = typeof value === 'string' ? value : JSON.stringify(value);
      return `CAST(${sqlString(text)} AS ${duck})`;
    }
    case 'INTERVAL':
      if (typeof value !== 'string') return bad();
      return `CAST(${sqlString(value)} AS ${duck})`;
  }
}

function preview(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
