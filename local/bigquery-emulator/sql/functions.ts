import {
  type DatePart,
  WEEKDAYS,
  calendarDiff,
  elapsedDiff,
  epochFloor,
  extractCivil,
  interval,
  isSubDay,
  timestampTrunc,
  truncCivil,
} from './date-time.js';
import { UnknownFormatElement, parseFormat, splitFormat } from './format-elements.js';
import { bigNumericLiteral, sqlString } from './literals.js';
import type { Token } from './tokenizer.js';
import type { Translator } from './translator.js';
import { type Group, type Node, isGroup, isWord, splitCommas } from './tree.js';
import { type BqType, duckDbType, parseType } from './types.js';

/** One call site: `NAME(args) [OVER ...]`. */
interface Call {
  readonly t: Translator;
  readonly name: string;
  readonly token: Token;
  readonly group: Group | undefined;
  readonly args: Node[][];
  readonly over: string | undefined;
}

type Handler = (c: Call) => string;

/** Functions whose DuckDB namesake has the same meaning for BigQuery's argument types. */
const SAME: Record<string, string> = {
  ABS: 'abs',
  SIGN: 'sign',
  SQRT: 'sqrt',
  POW: 'pow',
  POWER: 'power',
  EXP: 'exp',
  LN: 'ln',
  LOG10: 'log10',
  SIN: 'sin',
  COS: 'cos',
  TAN: 'tan',
  ASIN: 'asin',
  ACOS: 'acos',
  ATAN: 'atan',
  ATAN2: 'atan2',
  CEIL: 'ceil',
  CEILING: 'ceiling',
  FLOOR: 'floor',
  IS_NAN: 'isnan',
  IS_INF: 'isinf',
  COALESCE: 'coalesce',
  NULLIF: 'nullif',
  COUNT: 'count',
  SUM: 'sum',
  AVG: 'avg',
  MIN: 'min',
  MAX: 'max',
  ANY_VALUE: 'any_value',
  STDDEV: 'stddev',
  STDDEV_SAMP: 'stddev_samp',
  STDDEV_POP: 'stddev_pop',
  VARIANCE: 'variance',
  VAR_SAMP: 'var_samp',
  VAR_POP: 'var_pop',
  CORR: 'corr',
  COVAR_POP: 'covar_pop',
  COVAR_SAMP: 'covar_samp',
  BIT_AND: 'bit_and',
  BIT_OR: 'bit_or',
  BIT_XOR: 'bit_xor',
  MAX_BY: 'max_by',
  MIN_BY: 'min_by',
  LOGICAL_AND: 'bool_and',
  LOGICAL_OR: 'bool_or',
  ROW_NUMBER: 'row_number',
  RANK: 'rank',
  DENSE_RANK: 'dense_rank',
  PERCENT_RANK: 'percent_rank',
  CUME_DIST: 'cume_dist',
  NTILE: 'ntile',
  LAG: 'lag',
  LEAD: 'lead',
  FIRST_VALUE: 'first_value',
  LAST_VALUE: 'last_value',
  NTH_VALUE: 'nth_value',
  PERCENTILE_CONT: 'quantile_cont',
  PERCENTILE_DISC: 'quantile_disc',
  LOWER: 'lower',
  UPPER: 'upper',
  LENGTH: 'length',
  CHAR_LENGTH: 'length',
  CHARACTER_LENGTH: 'length',
  BYTE_LENGTH: 'strlen',
  TRIM: 'trim',
  LTRIM: 'ltrim',
  RTRIM: 'rtrim',
  REPLACE: 'replace',
  REVERSE: 'reverse',
  STARTS_WITH: 'starts_with',
  ENDS_WITH: 'ends_with',
  STRPOS: 'strpos',
  ASCII: 'ascii',
  CHR: 'chr',
  TRANSLATE: 'translate',
  TO_BASE64: 'to_base64',
  FROM_BASE64: 'from_base64',
  FROM_HEX: 'unhex',
  ARRAY_LENGTH: 'len',
  ARRAY_REVERSE: 'list_reverse',
  GROUPING: 'grouping',
};

const H: Record<string, Handler> = {};

/** Emits a call; unknown functions are refused, never passed through. */
export function callFunction(
  t: Translator,
  token: Token,
  group: Group | undefined,
  over: string | undefined,
): string {
  const name = token.upper;
  const args = group ? splitCommas(group.items) : [];
  const call: Call = { t, name, token, group, args, over };
  const handler = H[name];
  if (handler) return handler(call);
  const same = SAME[name];
  if (same !== undefined && group) return withOver(`${same}(${t.expr(group.items)})`, over);
  return t.fail(
    `function ${token.value}`,
    token,
    `Function not found: ${token.value} (not supported by the BigQuery emulator)`,
  );
}

function withOver(expr: string, over: string | undefined): string {
  return over ? `${expr} ${over}` : expr;
}

function arity(c: Call, min: number, max = min): void {
  if (c.args.length < min || c.args.length > max) {
    const want = min === max ? `${min}` : `${min} to ${max}`;
    c.t.fail(
      `function ${c.token.value}`,
      c.token,
      `No matching signature for function ${c.name}: expected ${want} arguments, got ${c.args.length}`,
    );
  }
}

/** Translated arguments. */
function a(c: Call): string[] {
  return c.args.map((arg) => c.t.expr(arg));
}

/** A date part argument: `HOUR`, `WEEK`, `WEEK(MONDAY)`. */
function datePart(c: Call, nodes: Node[] | undefined, allowed: readonly string[]): DatePart {
  const fail = (): never =>
    c.t.fail(
      `date part in ${c.name}`,
      nodes?.[0] ?? c.token,
      `A valid date part name is required for ${c.name} (one of ${allowed.join(', ')})`,
    );
  const word = nodes?.[0];
  if (!nodes || !isWord(word)) return fail();
  if (nodes.length === 1) {
    if (!allowed.includes(word.upper)) return fail();
    return { name: word.upper };
  }
  const g = nodes[1];
  if (nodes.length === 2 && word.upper === 'WEEK' && allowed.includes('WEEK') && isGroup(g, '(')) {
    const day = g.items[0];
    const idx = g.items.length === 1 && isWord(day) ? WEEKDAYS.indexOf(day.upper) : -1;
    if (idx < 0) return fail();
    return { name: 'WEEK', weekday: idx };
  }
  return fail();
}

/** `INTERVAL n PART` as an argument. */
function intervalArg(c: Call, nodes: Node[] | undefined, allowed: readonly string[]): string {
  const kw = nodes?.[0];
  const part = nodes?.[nodes.length - 1];
  if (
    !nodes ||
    !isWord(kw, 'INTERVAL') ||
    nodes.length < 3 ||
    !isWord(part) ||
    !allowed.includes(part.upper)
  ) {
    return c.t.fail(
      `interval in ${c.name}`,
      nodes?.[0] ?? c.token,
      `${c.name} needs INTERVAL <int64> <part> with part one of ${allowed.join(', ')}`,
    );
  }
  return interval(c.t.expr(nodes.slice(1, -1)), part.upper);
}

/** An argument that must be a TIMESTAMP: a bare string literal is read as one, as BigQuery coerces it. */
function tsArg(c: Call, k: number, duck = 'TIMESTAMPTZ'): string {
  const nodes = c.args[k]!;
  const e = c.t.expr(nodes);
  return nodes.length === 1 && nodes[0]!.kind === 'string' ? `CAST(${e} AS ${duck})` : e;
}

const SUB_DAY = ['MICROSECOND', 'MILLISECOND', 'SECOND', 'MINUTE', 'HOUR'];
const CALENDAR = ['DAY', 'WEEK', 'ISOWEEK', 'MONTH', 'QUARTER', 'YEAR', 'ISOYEAR'];
const ALL_TRUNC = [...SUB_DAY, ...CALENDAR];
const DATE_ADD_PARTS = ['DAY', 'WEEK', 'MONTH', 'QUARTER', 'YEAR'];

// ------------------------------------------------------------------ conditionals and null handling

H.IF = (c) => {
  arity(c, 3);
  const [cond, yes, no] = a(c);
  return `(CASE WHEN ${cond} THEN ${yes} ELSE ${no} END)`;
};
H.IFNULL = (c) => {
  arity(c, 2);
  return `coalesce(${a(c).join(', ')})`;
};
H.COUNTIF = (c) => {
  arity(c, 1);
  if (isWord(c.args[0]![0], 'DISTINCT')) c.t.fail('COUNTIF(DISTINCT ...)', c.token);
  return withOver(`count(CASE WHEN ${c.t.expr(c.args[0]!)} THEN 1 END)`, c.over);
};
H.APPROX_COUNT_DISTINCT = (c) => {
  arity(c, 1);
  // Exact: BigQuery's HLL++ is exact for small cardinalities, and an exact count is what tests expect.
  return withOver(`count(DISTINCT ${c.t.expr(c.args[0]!)})`, c.over);
};
const greatestLeast =
  (fn: string): Handler =>
  (c) => {
    if (c.args.length === 0) arity(c, 1, 99);
    const xs = a(c);
    // BigQuery returns NULL if any argument is NULL; DuckDB's greatest/least skip NULLs.
    return `(CASE WHEN ${xs.map((x) => `(${x}) IS NULL`).join(' OR ')} THEN NULL ELSE ${fn}(${xs.join(', ')}) END)`;
  };
H.GREATEST = greatestLeast('greatest');
H.LEAST = greatestLeast('least');

// ------------------------------------------------------------------ arithmetic

H.SAFE_DIVIDE = (c) => {
  arity(c, 2);
  const [x, y] = a(c);
  return `((${x}) / nullif(${y}, 0))`;
};
const zeroChecked =
  (op: string, what: string): Handler =>
  (c) => {
    arity(c, 2);
    const [x, y] = a(c);
    return `((${x}) ${op} (CASE WHEN (${y}) = 0 THEN error('${what}: division by zero') ELSE (${y}) END))`;
  };
H.DIV = zeroChecked('//', 'DIV');
H.MOD = zeroChecked('%', 'MOD');
for (const [name, op] of [
  ['SAFE_ADD', '+'],
  ['SAFE_SUBTRACT', '-'],
  ['SAFE_MULTIPLY', '*'],
] as const) {
  H[name] = (c) => {
    arity(c, 2);
    const [x, y] = a(c);
    return `try((${x}) ${op} (${y}))`;
  };
}
H.SAFE_NEGATE = (c) => {
  arity(c, 1);
  return `try(-(${a(c)[0]}))`;
};
H.ROUND = (c) => {
  arity(c, 1, 2);
  const xs = a(c);
  return xs.length === 1 ? `round(${xs[0]})` : `round(${xs[0]}, CAST(${xs[1]} AS INTEGER))`;
};
H.TRUNC = (c) => {
  arity(c, 1, 2);
  const xs = a(c);
  return xs.length === 1 ? `trunc(${xs[0]})` : `trunc(${xs[0]}, CAST(${xs[1]} AS INTEGER))`;
};
H.LOG = (c) => {
  arity(c, 1, 2);
  const xs = a(c);
  // BigQuery LOG is the natural log (DuckDB's log is base 10).
  return xs.length === 1 ? `ln(${xs[0]})` : `(ln(${xs[0]}) / ln(${xs[1]}))`;
};
H.RAND = (c) => {
  arity(c, 0);
  return 'random()';
};

// ------------------------------------------------------------------ casts

H.CAST = (c) => castCall(c, false);
H.SAFE_CAST = (c) => castCall(c, true);

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
    ` WHEN typeof(${x}) IN ('DOUBLE', 'FLOAT') THEN ${noTrailingZeros(`CAST(${cast}(${x} AS DECIMAL(38, 9)) AS VARCHAR)`)}` +
    ` WHEN typeof(${x}) IN ${INTEGER_TYPES} OR typeof(${x}) LIKE 'DECIMAL%' THEN ${noTrailingZeros(text)}` +
    ` WHEN ${x} IS NULL THEN NULL ELSE ${bad(text)} END)`
  );
}

// ------------------------------------------------------------------ strings

H.CONCAT = (c) => {
  arity(c, 1, 999);
  const xs = a(c);
  // `||` is NULL if any operand is NULL, like BigQuery's CONCAT (DuckDB's concat skips NULLs).
  return xs.length === 1 ? `(${xs[0]})` : `(${xs.map((x) => `(${x})`).join(' || ')})`;
};
const substr: Handler = (c) => {
  arity(c, 2, 3);
  const [s, p, len] = a(c);
  // BigQuery: position 0 means 1, and a negative position before the start clamps to 1.
  const pos =
    /^\d+$/.test(p!) && p !== '0'
      ? p
      : `(CASE WHEN (${p}) > 0 THEN (${p}) WHEN (${p}) = 0 THEN 1 ELSE greatest(length(${s}) + (${p}) + 1, 1) END)`;
  if (len === undefined) return `substring(${s}, ${pos})`;
  return `substring(${s}, ${pos}, (CASE WHEN (${len}) < 0 THEN error('SUBSTR: negative length') ELSE (${len}) END))`;
};
H.SUBSTR = substr;
H.SUBSTRING = substr;
const pad =
  (fn: string): Handler =>
  (c) => {
    arity(c, 2, 3);
    const [s, n, p] = a(c);
    return `${fn}(${s}, CAST(${n} AS INTEGER), ${p ?? "' '"})`;
  };
H.LPAD = pad('lpad');
H.RPAD = pad('rpad');
H.LEFT = (c) => {
  arity(c, 2);
  const [s, n] = a(c);
  return `left(${s}, CAST(${n} AS INTEGER))`;
};
H.RIGHT = (c) => {
  arity(c, 2);
  const [s, n] = a(c);
  return `right(${s}, CAST(${n} AS INTEGER))`;
};
H.REPEAT = (c) => {
  arity(c, 2);
  const [s, n] = a(c);
  return `repeat(${s}, CAST(${n} AS BIGINT))`;
};
H.SPLIT = (c) => {
  arity(c, 1, 2);
  const [s, d] = a(c);
  return `string_split(${s}, ${d ?? "','"})`;
};
H.REGEXP_CONTAINS = (c) => {
  arity(c, 2);
  const [s, re] = a(c);
  return `regexp_matches(${s}, ${re})`;
};
H.REGEXP_REPLACE = (c) => {
  arity(c, 3);
  const [s, re, rep] = a(c);
  return `regexp_replace(${s}, ${re}, ${rep}, 'g')`;
};
const regexGroup = (c: Call, k: number): number => {
  const re = c.t.literalString(c.args[k]!);
  if (re === undefined)
    return c.t.fail(`${c.name} with a non-literal regular expression`, c.args[k]![0]);
  const groups = countGroups(re);
  if (groups > 1)
    c.t.fail(
      c.name,
      c.args[k]![0],
      'Regular expressions passed into extraction functions must not have more than 1 capturing group',
    );
  return groups;
};
H.REGEXP_EXTRACT = (c) => {
  arity(c, 2, 2);
  const [s, re] = a(c);
  const g = regexGroup(c, 1);
  // DuckDB returns '' where BigQuery returns NULL for no match.
  return `(CASE WHEN regexp_matches(${s}, ${re}) THEN regexp_extract(${s}, ${re}, ${g}) END)`;
};
H.REGEXP_SUBSTR = H.REGEXP_EXTRACT;
H.REGEXP_EXTRACT_ALL = (c) => {
  arity(c, 2);
  const [s, re] = a(c);
  return `regexp_extract_all(${s}, ${re}, ${regexGroup(c, 1)})`;
};

function countGroups(re: string): number {
  let n = 0;
  let inClass = false;
  for (let i = 0; i < re.length; i++) {
    const ch = re[i];
    if (ch === '\\') {
      i++;
      continue;
    }
    if (inClass) {
      if (ch === ']') inClass = false;
      continue;
    }
    if (ch === '[') inClass = true;
    else if (ch === '(' && re[i + 1] !== '?') n++;
    else if (ch === '(' && re[i + 2] === 'P') n++;
  }
  return n;
}

H.TO_HEX = (c) => {
  arity(c, 1);
  return `lower(hex(${a(c)[0]}))`;
};
for (const [name, fn] of [
  ['MD5', 'md5'],
  ['SHA1', 'sha1'],
  ['SHA256', 'sha256'],
] as const) {
  H[name] = (c) => {
    arity(c, 1);
    return `unhex(${fn}(${a(c)[0]}))`;
  };
}
H.GENERATE_UUID = (c) => {
  arity(c, 0);
  return 'CAST(uuid() AS VARCHAR)';
};

// ------------------------------------------------------------------ aggregates with clauses

/** Splits `[DISTINCT] expr [IGNORE|RESPECT NULLS] [ORDER BY ...] [LIMIT n]`. */
function aggregateParts(c: Call) {
  const items = c.group?.items ?? [];
  let k = 0;
  const distinct = isWord(items[0], 'DISTINCT');
  if (distinct) k = 1;
  let end = items.length;
  let ignoreNulls = false;
  let orderAt = -1;
  let limitAt = -1;
  for (let j = k; j < items.length; j++) {
    const n = items[j];
    if (isWord(n, 'IGNORE', 'RESPECT') && isWord(items[j + 1], 'NULLS')) {
      ignoreNulls = n.upper === 'IGNORE';
      end = Math.min(end, j);
    } else if (isWord(n, 'ORDER') && isWord(items[j + 1], 'BY')) {
      orderAt = j;
      end = Math.min(end, j);
    } else if (isWord(n, 'LIMIT')) {
      limitAt = j;
      end = Math.min(end, j);
    }
  }
  const valueArgs = splitCommas(items.slice(k, end));
  const order =
    orderAt >= 0 ? c.t.expr(items.slice(orderAt, limitAt >= 0 ? limitAt : items.length)) : '';
  const limit = limitAt >= 0 ? c.t.expr(items.slice(limitAt + 1)) : undefined;
  return { distinct, valueArgs, ignoreNulls, order, limit };
}

H.ARRAY_AGG = (c) => {
  const p = aggregateParts(c);
  if (p.valueArgs.length !== 1) arity({ ...c, args: p.valueArgs }, 1);
  const x = c.t.expr(p.valueArgs[0]!);
  let e = `array_agg(${p.distinct ? 'DISTINCT ' : ''}${x}${p.order ? ` ${p.order}` : ''})`;
  if (p.ignoreNulls) e += ` FILTER (WHERE (${x}) IS NOT NULL)`;
  e = withOver(e, c.over);
  return p.limit !== undefined ? `(${e})[1:${p.limit}]` : e;
};
H.STRING_AGG = (c) => {
  const p = aggregateParts(c);
  if (p.valueArgs.length < 1 || p.valueArgs.length > 2) arity({ ...c, args: p.valueArgs }, 1, 2);
  const x = c.t.expr(p.valueArgs[0]!);
  const sep = p.valueArgs[1] ? c.t.expr(p.valueArgs[1]) : "','";
  const d = p.distinct ? 'DISTINCT ' : '';
  if (p.limit !== undefined) {
    const list = withOver(
      `array_agg(${d}${x}${p.order ? ` ${p.order}` : ''}) FILTER (WHERE (${x}) IS NOT NULL)`,
      c.over,
    );
    return `array_to_string((${list})[1:${p.limit}], ${sep})`;
  }
  return withOver(`string_agg(${d}${x}, ${sep}${p.order ? ` ${p.order}` : ''})`, c.over);
};

// ------------------------------------------------------------------ arrays

H.ARRAY_CONCAT = (c) => {
  arity(c, 1, 999);
  return `(${a(c)
    .map((x) => `(${x})`)
    .join(' || ')})`;
};
H.ARRAY_TO_STRING = (c) => {
  arity(c, 2, 3);
  const [arr, sep, nullText] = a(c);
  if (nullText === undefined) return `array_to_string(${arr}, ${sep})`;
  return `array_to_string(list_transform(${arr}, __x -> coalesce(__x, ${nullText})), ${sep})`;
};
H.GENERATE_ARRAY = (c) => {
  arity(c, 2, 3);
  const [s, e, step] = a(c);
  return `generate_series(${s}, ${e}, ${step ?? '1'})`;
};
H.GENERATE_DATE_ARRAY = (c) => {
  arity(c, 2, 3);
  const s = `CAST(${tsArg(c, 0, 'DATE')} AS DATE)`;
  const e = `CAST(${tsArg(c, 1, 'DATE')} AS DATE)`;
  const step = c.args[2] ? intervalArg(c, c.args[2], DATE_ADD_PARTS) : 'INTERVAL 1 DAY';
  // start + k * step for each k, as BigQuery does (2024-01-31 + 2 months is 2024-03-31, where
  // DuckDB's generate_series would step 01-31 → 02-29 → 03-29). A step is at least a day, so the
  // day count bounds k.
  const ks = `generate_series(0, abs(date_diff('day', ${s}, ${e})))`;
  const dates = `list_transform(${ks}, __k -> CAST(${s} + __k * ${step} AS DATE))`;
  return `list_filter(${dates}, __d -> CASE WHEN ${s} + ${step} > ${s} THEN __d <= ${e} ELSE __d >= ${e} END)`;
};

H.GENERATE_TIMESTAMP_ARRAY = (c) => {
  arity(c, 3);
  const s = tsArg(c, 0);
  const e = tsArg(c, 1);
  return `generate_series(${s}, ${e}, ${intervalArg(c, c.args[2], [...SUB_DAY, 'DAY'])})`;
};

// ------------------------------------------------------------------ JSON

H.JSON_VALUE = (c) => {
  arity(c, 1, 2);
  const [j, path] = a(c);
  const p = path ?? "'$'";
  // Objects and arrays are not scalars: BigQuery returns NULL for them.
  return `(CASE WHEN json_type(${j}, ${p}) IN ('OBJECT', 'ARRAY') THEN NULL ELSE json_extract_string(${j}, ${p}) END)`;
};
H.JSON_EXTRACT_SCALAR = H.JSON_VALUE;
H.JSON_QUERY = (c) => {
  arity(c, 1, 2);
  const [j, path] = a(c);
  return `json_extract(${j}, ${path ?? "'$'"})`;
};
H.JSON_EXTRACT = H.JSON_QUERY;
H.PARSE_JSON = (c) => {
  arity(c, 1);
  return `CAST(${a(c)[0]} AS JSON)`;
};

// ------------------------------------------------------------------ dates and times

H.CURRENT_TIMESTAMP = (c) => {
  arity(c, 0);
  return 'current_timestamp';
};
H.CURRENT_DATE = (c) => {
  arity(c, 0, 1);
  const [tz] = a(c);
  return tz
    ? `CAST(timezone(${tz}, current_timestamp) AS DATE)`
    : `CAST(timezone('UTC', current_timestamp) AS DATE)`;
};
H.CURRENT_DATETIME = (c) => {
  arity(c, 0, 1);
  return `timezone(${a(c)[0] ?? "'UTC'"}, current_timestamp)`;
};
H.CURRENT_TIME = (c) => {
  arity(c, 0, 1);
  return `CAST(timezone(${a(c)[0] ?? "'UTC'"}, current_timestamp) AS TIME)`;
};

H.TIMESTAMP_TRUNC = (c) => {
  arity(c, 2, 3);
  const part = datePart(c, c.args[1], ALL_TRUNC);
  const tz = c.args[2] ? c.t.expr(c.args[2]) : undefined;
  return timestampTrunc(tsArg(c, 0), part, tz);
};
H.DATETIME_TRUNC = (c) => {
  arity(c, 2);
  return truncCivil(tsArg(c, 0, 'TIMESTAMP'), datePart(c, c.args[1], ALL_TRUNC));
};
H.DATE_TRUNC = (c) => {
  arity(c, 2);
  return `CAST(${truncCivil(tsArg(c, 0, 'DATE'), datePart(c, c.args[1], CALENDAR))} AS DATE)`;
};
H.TIME_TRUNC = (c) => {
  arity(c, 2);
  const part = datePart(c, c.args[1], SUB_DAY);
  return `CAST(date_trunc('${part.name.toLowerCase()}', CAST('1970-01-01' AS DATE) + ${tsArg(c, 0, 'TIME')}) AS TIME)`;
};

H.EXTRACT = (c) => {
  const items = c.group?.items ?? [];
  const fromAt = items.findIndex((n) => isWord(n, 'FROM'));
  if (fromAt <= 0)
    return c.t.fail('EXTRACT', c.token, 'Syntax error: EXTRACT needs "part FROM expr"');
  const part = datePart(c, items.slice(0, fromAt), [
    ...SUB_DAY,
    ...CALENDAR,
    'DAYOFWEEK',
    'DAYOFYEAR',
    'DATE',
    'TIME',
    'DATETIME',
  ]);
  let valueNodes = items.slice(fromAt + 1);
  let tz: string | undefined;
  const at = valueNodes.findIndex(
    (n, k) =>
      isWord(n, 'AT') && isWord(valueNodes[k + 1], 'TIME') && isWord(valueNodes[k + 2], 'ZONE'),
  );
  if (at >= 0) {
    tz = c.t.expr(valueNodes.slice(at + 3));
    valueNodes = valueNodes.slice(0, at);
  }
  const v = c.t.expr(valueNodes);
  return extractCivil(tz ? `timezone(${tz}, ${v})` : v, part);
};

H.TIMESTAMP_ADD = (c) => {
  arity(c, 2);
  return `(${tsArg(c, 0)} + ${intervalArg(c, c.args[1], [...SUB_DAY, 'DAY'])})`;
};
H.TIMESTAMP_SUB = (c) => {
  arity(c, 2);
  return `(${tsArg(c, 0)} - ${intervalArg(c, c.args[1], [...SUB_DAY, 'DAY'])})`;
};
H.TIMESTAMP_DIFF = (c) => {
  arity(c, 3);
  const part = datePart(c, c.args[2], [...SUB_DAY, 'DAY']);
  return elapsedDiff(tsArg(c, 0), tsArg(c, 1), part);
};
H.DATETIME_ADD = (c) => {
  arity(c, 2);
  return `(${tsArg(c, 0, 'TIMESTAMP')} + ${intervalArg(c, c.args[1], [...SUB_DAY, ...DATE_ADD_PARTS])})`;
};
H.DATETIME_SUB = (c) => {
  arity(c, 2);
  return `(${tsArg(c, 0, 'TIMESTAMP')} - ${intervalArg(c, c.args[1], [...SUB_DAY, ...DATE_ADD_PARTS])})`;
};
H.DATETIME_DIFF = (c) => {
  arity(c, 3);
  const part = datePart(c, c.args[2], ALL_TRUNC);
  const x = tsArg(c, 0, 'TIMESTAMP');
  const y = tsArg(c, 1, 'TIMESTAMP');
  return isSubDay(part) ? elapsedDiff(x, y, part) : calendarDiff(x, y, part);
};
H.DATE_ADD = (c) => {
  arity(c, 2);
  return `CAST(${tsArg(c, 0, 'DATE')} + ${intervalArg(c, c.args[1], DATE_ADD_PARTS)} AS DATE)`;
};
H.DATE_SUB = (c) => {
  arity(c, 2);
  return `CAST(${tsArg(c, 0, 'DATE')} - ${intervalArg(c, c.args[1], DATE_ADD_PARTS)} AS DATE)`;
};
H.DATE_DIFF = (c) => {
  arity(c, 3);
  const part = datePart(c, c.args[2], CALENDAR);
  return calendarDiff(tsArg(c, 0, 'DATE'), tsArg(c, 1, 'DATE'), part);
};
H.TIME_ADD = (c) => {
  arity(c, 2);
  return `CAST(${tsArg(c, 0, 'TIME')} + ${intervalArg(c, c.args[1], SUB_DAY)} AS TIME)`;
};
H.TIME_SUB = (c) => {
  arity(c, 2);
  return `CAST(${tsArg(c, 0, 'TIME')} - ${intervalArg(c, c.args[1], SUB_DAY)} AS TIME)`;
};

/** Is this argument obviously a TIME (so DATETIME(date, time) rather than DATETIME(ts, tz))? */
function looksLikeTime(nodes: Node[] | undefined): boolean {
  if (!nodes) return false;
  const [first, second] = nodes;
  return (
    isWord(first, 'TIME', 'CURRENT_TIME') &&
    (nodes.length === 1 || second?.kind === 'string' || isGroup(second, '('))
  );
}

H.DATETIME = (c) => {
  arity(c, 1, 6);
  const xs = a(c);
  if (xs.length === 1) return `CAST(${xs[0]} AS TIMESTAMP)`;
  if (xs.length === 2) {
    if (looksLikeTime(c.args[1]))
      return `(CAST(${tsArg(c, 0, 'DATE')} AS DATE) + CAST(${xs[1]} AS TIME))`;
    return `timezone(${xs[1]}, ${tsArg(c, 0)})`;
  }
  if (xs.length === 6) return `make_timestamp(${xs.join(', ')})`;
  return c.t.fail('DATETIME', c.token, 'No matching signature for function DATETIME');
};
H.DATE = (c) => {
  arity(c, 1, 3);
  const xs = a(c);
  if (xs.length === 1) return `CAST(${xs[0]} AS DATE)`;
  if (xs.length === 2) return `CAST(timezone(${xs[1]}, ${tsArg(c, 0)}) AS DATE)`;
  return `make_date(${xs.map((x) => `CAST(${x} AS BIGINT)`).join(', ')})`;
};
H.TIMESTAMP = (c) => {
  arity(c, 1, 2);
  const xs = a(c);
  if (xs.length === 1) return `CAST(${xs[0]} AS TIMESTAMPTZ)`;
  return `timezone(${xs[1]}, CAST(${xs[0]} AS TIMESTAMP))`;
};
H.TIME = (c) => {
  arity(c, 1, 3);
  const xs = a(c);
  if (xs.length === 1) return `CAST(${xs[0]} AS TIME)`;
  if (xs.length === 2) return `CAST(timezone(${xs[1]}, ${tsArg(c, 0)}) AS TIME)`;
  return `make_time(CAST(${xs[0]} AS BIGINT), CAST(${xs[1]} AS BIGINT), CAST(${xs[2]} AS DOUBLE))`;
};

H.UNIX_SECONDS = (c) => {
  arity(c, 1);
  return epochFloor(tsArg(c, 0), 1_000_000);
};
H.UNIX_MILLIS = (c) => {
  arity(c, 1);
  return epochFloor(tsArg(c, 0), 1_000);
};
H.UNIX_MICROS = (c) => {
  arity(c, 1);
  return `epoch_us(${tsArg(c, 0)})`;
};
H.UNIX_DATE = (c) => {
  arity(c, 1);
  return `date_diff('day', CAST('1970-01-01' AS DATE), ${tsArg(c, 0, 'DATE')})`;
};
H.DATE_FROM_UNIX_DATE = (c) => {
  arity(c, 1);
  return `CAST(CAST('1970-01-01' AS DATE) + CAST(${a(c)[0]} AS BIGINT) * INTERVAL 1 DAY AS DATE)`;
};
const fromEpoch =
  (microsPerUnit: number): Handler =>
  (c) => {
    arity(c, 1);
    const n = `CAST(${a(c)[0]} AS BIGINT)`;
    const us = microsPerUnit === 1 ? n : `(${n} * ${microsPerUnit})`;
    return `timezone('UTC', make_timestamp(${us}))`;
  };
H.TIMESTAMP_SECONDS = fromEpoch(1_000_000);
H.TIMESTAMP_MILLIS = fromEpoch(1_000);
H.TIMESTAMP_MICROS = fromEpoch(1);
H.LAST_DAY = (c) => {
  arity(c, 1, 2);
  if (c.args[1]) {
    const part = datePart(c, c.args[1], ['MONTH']);
    void part;
  }
  return `last_day(${tsArg(c, 0, 'DATE')})`;
};

// ------------------------------------------------------------------ formatting and parsing

type FormatKind = 'TIMESTAMP' | 'DATETIME' | 'DATE' | 'TIME';

function formatCall(kind: FormatKind): Handler {
  return (c) => {
    arity(c, 2, kind === 'TIMESTAMP' ? 3 : 2);
    const fmt = c.t.literalString(c.args[0]!);
    if (fmt === undefined)
      return c.t.fail(`FORMAT_${kind} with a non-literal format`, c.args[0]![0]);
    const x = tsArg(
      c,
      1,
      kind === 'TIMESTAMP'
        ? 'TIMESTAMPTZ'
        : kind === 'DATE'
          ? 'DATE'
          : kind === 'TIME'
            ? 'TIME'
            : 'TIMESTAMP',
    );
    const tzNodes = c.args[2];
    const tz = tzNodes ? c.t.expr(tzNodes) : undefined;
    const tzIsUtc =
      !tzNodes ||
      ['UTC', 'Etc/UTC', '+00', '+00:00', 'Z'].includes(c.t.literalString(tzNodes) ?? '');
    // The civil value strftime prints.
    const v =
      kind === 'TIMESTAMP'
        ? `timezone(${tz ?? "'UTC'"}, ${x})`
        : kind === 'TIME'
          ? `(CAST('1970-01-01' AS DATE) + ${x})`
          : x;
    let pieces;
    try {
      pieces = splitFormat(fmt);
    } catch (err) {
      if (err instanceof UnknownFormatElement)
        return c.t.fail(`format element %${err.element}`, c.args[0]![0]);
      throw err;
    }
    const offsetMinutes = `((epoch_us(${v}) - epoch_us(${x})) // 60000000)`;
    const parts = pieces.map((p) => {
      if (p.kind === 'strftime') return `strftime(${v}, ${sqlString(p.text)})`;
      switch (p.element) {
        case 'e':
          return `lpad(CAST(day(${v}) AS VARCHAR), 2, ' ')`;
        case 'k':
          return `lpad(CAST(hour(${v}) AS VARCHAR), 2, ' ')`;
        case 'l':
          return `lpad(CAST(((hour(${v}) + 11) % 12) + 1 AS VARCHAR), 2, ' ')`;
        case 'C':
          return `lpad(CAST(year(${v}) // 100 AS VARCHAR), 2, '0')`;
        case 'g':
          return `lpad(CAST(isoyear(${v}) % 100 AS VARCHAR), 2, '0')`;
        case 'Q':
          return `CAST(quarter(${v}) AS VARCHAR)`;
        case 'P':
          return `lower(strftime(${v}, '%p'))`;
        case 's':
          if (kind !== 'TIMESTAMP') break;
          return `CAST(${epochFloor(x, 1_000_000)} AS VARCHAR)`;
        case 'z':
        case 'Ez': {
          if (kind !== 'TIMESTAMP') break;
          const sep = p.element === 'Ez' ? ':' : '';
          if (tzIsUtc) return sqlString(`+00${sep}00`);
          const m = offsetMinutes;
          return `printf('%s%02d${sep}%02d', CASE WHEN ${m} < 0 THEN '-' ELSE '+' END, abs(${m}) // 60, abs(${m}) % 60)`;
        }
        case 'Z':
          if (kind === 'TIMESTAMP' && tzIsUtc) return "'UTC'";
          break;
      }
      return c.t.fail(
        `format element %${p.element} in FORMAT_${kind}${p.element === 'Z' ? ' with a time zone' : ''}`,
        c.args[0]![0],
      );
    });
    return parts.length === 1 ? parts[0]! : `(${parts.join(' || ')})`;
  };
}
H.FORMAT_TIMESTAMP = formatCall('TIMESTAMP');
H.FORMAT_DATETIME = formatCall('DATETIME');
H.FORMAT_DATE = formatCall('DATE');
H.FORMAT_TIME = formatCall('TIME');

function parseCall(kind: FormatKind): Handler {
  return (c) => {
    arity(c, 2, kind === 'TIMESTAMP' ? 3 : 2);
    const fmt = c.t.literalString(c.args[0]!);
    if (fmt === undefined)
      return c.t.fail(`PARSE_${kind} with a non-literal format`, c.args[0]![0]);
    let duckFmt: string;
    try {
      duckFmt = parseFormat(fmt);
    } catch (err) {
      if (err instanceof UnknownFormatElement)
        return c.t.fail(`format element %${err.element} in PARSE_${kind}`, c.args[0]![0]);
      throw err;
    }
    const s = c.t.expr(c.args[1]!);
    const parsed = `strptime(${s}, ${sqlString(duckFmt)})`;
    switch (kind) {
      case 'DATE':
        return `CAST(${parsed} AS DATE)`;
      case 'DATETIME':
        return parsed;
      case 'TIME':
        return `CAST(${parsed} AS TIME)`;
      case 'TIMESTAMP': {
        if (duckFmt.includes('%z')) return parsed;
        const tz = c.args[2] ? c.t.expr(c.args[2]) : "'UTC'";
        return `timezone(${tz}, ${parsed})`;
      }
    }
  };
}
H.PARSE_TIMESTAMP = parseCall('TIMESTAMP');
H.PARSE_DATETIME = parseCall('DATETIME');
H.PARSE_DATE = parseCall('DATE');
H.PARSE_TIME = parseCall('TIME');

/** Every function name the translator accepts (for docs and tests). */
export function supportedFunctions(): string[] {
  return [...new Set([...Object.keys(SAME), ...Object.keys(H)])].sort();
}
