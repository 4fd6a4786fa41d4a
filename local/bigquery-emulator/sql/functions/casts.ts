import { duckDbScalarType } from '../../types/bigquery-types.js';
import { bigNumericLiteral, sqlString } from '../literals.js';
import { type Node, isWord } from '../tree.js';
import { type BqType, duckDbType, parseType } from '../types.js';
import { type Call, type FunctionFamily } from './call.js';

function castCall(c: Call, safe: boolean): string {
  const items = c.group?.items ?? [];
  const asAt = items.findIndex((n) => isWord(n, 'AS'));
  if (asAt <= 0) return c.t.fail(c.name, c.token, `Syntax error: ${c.name} needs "expr AS type"`);
  const { type, next } = parseType(items, asAt + 1, c.t.sql);
  if (next !== items.length) {
    const extra = items[next]!;
    if (isWord(extra, 'FORMAT')) return c.t.fail(`${c.name} ... FORMAT`, extra);
    return c.t.fail(c.name, extra, 'Syntax error: unexpected tokens after the type');
  }
  const src = items.slice(0, asAt);
  return castExpr(c.t.expr(src), type, safe, src);
}

/**
 * CAST with BigQuery's results where DuckDB's plain CAST differs: FLOAT64 → INT64 rounds half
 * away from zero (DuckDB rounds half to even), STRING → INT64 accepts only integers (DuckDB
 * rounds '1.5'), FLOAT64 → STRING drops a trailing '.0', STRING → BYTES takes the UTF-8 bytes.
 * The branches pick on the argument's type, which DuckDB folds at bind time.
 */
function castExpr(x: string, type: BqType, safe: boolean, src: Node[]): string {
  const cast = safe ? 'TRY_CAST' : 'CAST';
  const duck = duckDbType(type);
  const single = src.length === 1 ? src[0]! : undefined;
  if (type.kind === 'scalar' && type.name === 'INT64') {
    if (single?.kind === 'number' && !/[.eE]/.test(single.value)) return `${cast}(${x} AS BIGINT)`;
    const bad = safe ? 'NULL' : `error('Bad int64 value: ' || CAST(${x} AS VARCHAR))`;
    return (
      `(CASE WHEN typeof(${x}) IN ('DOUBLE', 'FLOAT') THEN ${cast}(round(TRY_CAST(${x} AS DOUBLE)) AS BIGINT)` +
      ` WHEN typeof(${x}) = 'VARCHAR' THEN (CASE WHEN regexp_full_match(CAST(${x} AS VARCHAR), '\\s*[+-]?(0[xX][0-9a-fA-F]+|[0-9]+)\\s*') THEN ${cast}(${x} AS BIGINT) ELSE ${bad} END)` +
      ` ELSE ${cast}(${x} AS BIGINT) END)`
    );
  }
  if (type.kind === 'scalar' && type.name === 'STRING') {
    if (single?.kind === 'string' || (single?.kind === 'number' && !/[.eE]/.test(single.value))) {
      return `${cast}(${x} AS VARCHAR)`;
    }
    return (
      `(CASE WHEN typeof(${x}) IN ('DOUBLE', 'FLOAT') THEN regexp_replace(CAST(TRY_CAST(${x} AS DOUBLE) AS VARCHAR), '\\.0$', '')` +
      ` ELSE ${cast}(${x} AS VARCHAR) END)`
    );
  }
  if (type.kind === 'scalar' && type.name === 'BYTES') {
    return `(CASE WHEN typeof(${x}) = 'BLOB' THEN TRY_CAST(${x} AS BLOB) ELSE encode(TRY_CAST(${x} AS VARCHAR)) END)`;
  }
  if (type.kind === 'scalar' && type.name === 'BIGNUMERIC') return bigNumericCast(x, safe, single);
  return `${cast}(${x} AS ${duck})`;
}

const INTEGER_TYPES = "('TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT', 'HUGEINT')";

/**
 * CAST to BIGNUMERIC gives the exact text a BIGNUMERIC column holds (`types/bigquery-types.ts`).
 * A literal is made canonical here, as the column decoder does; numbers lose DuckDB's trailing
 * fractional zeros (a FLOAT64 goes through NUMERIC's 9 decimals); a string must be a plain
 * decimal and keeps its spelling; anything else is an error (NULL for SAFE_CAST).
 */
function bigNumericCast(x: string, safe: boolean, single: Node | undefined): string {
  const text = `CAST(${x} AS VARCHAR)`;
  const bad = (shown: string) =>
    safe ? 'NULL' : `error('Invalid BIGNUMERIC value: ' || ${shown})`;
  if (single?.kind === 'string' || single?.kind === 'number') {
    const literal = /^0x/i.test(single.text) ? BigInt(single.text).toString() : single.value;
    return bigNumericLiteral(literal) ?? `CAST(${bad(sqlString(single.value))} AS VARCHAR)`;
  }
  const cast = safe ? 'TRY_CAST' : 'CAST';
  const noTrailingZeros = (t: string) =>
    `rtrim(regexp_replace(${t}, '(\\.[0-9]*?)0+$', '\\1'), '.')`;
  return (
    `(CASE WHEN typeof(${x}) = 'VARCHAR' THEN (CASE WHEN regexp_full_match(trim(${text}), '[+-]?([0-9]+\\.?[0-9]*|\\.[0-9]+)') THEN trim(${text}) ELSE ${bad(text)} END)` +
    ` WHEN typeof(${x}) IN ('DOUBLE', 'FLOAT') THEN ${noTrailingZeros(`CAST(${cast}(${x} AS ${duckDbScalarType('NUMERIC')}) AS VARCHAR)`)}` +
    ` WHEN typeof(${x}) IN ${INTEGER_TYPES} OR typeof(${x}) LIKE 'DECIMAL%' THEN ${noTrailingZeros(text)}` +
    ` WHEN ${x} IS NULL THEN NULL ELSE ${bad(text)} END)`
  );
}

/** CAST and SAFE_CAST to every scalar, ARRAY and STRUCT type. */
export const CAST_FUNCTIONS: FunctionFamily = {
  CAST: (c) => castCall(c, false),
  SAFE_CAST: (c) => castCall(c, true),
};
