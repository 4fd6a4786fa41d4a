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
} from '../date-time.js';
import { type Node, isGroup, isWord } from '../tree.js';
import { type Call, type FunctionFamily, type Handler, a, arity } from './call.js';

/** A date part argument: `HOUR`, `WEEK`, `WEEK(MONDAY)`. */
export function datePart(c: Call, nodes: Node[] | undefined, allowed: readonly string[]): DatePart {
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
export function intervalArg(
  c: Call,
  nodes: Node[] | undefined,
  allowed: readonly string[],
): string {
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
export function tsArg(c: Call, k: number, duck = 'TIMESTAMPTZ'): string {
  const nodes = c.args[k]!;
  const e = c.t.expr(nodes);
  return nodes.length === 1 && nodes[0]!.kind === 'string' ? `CAST(${e} AS ${duck})` : e;
}

export const SUB_DAY = ['MICROSECOND', 'MILLISECOND', 'SECOND', 'MINUTE', 'HOUR'];

export const CALENDAR = ['DAY', 'WEEK', 'ISOWEEK', 'MONTH', 'QUARTER', 'YEAR', 'ISOYEAR'];

const ALL_TRUNC = [...SUB_DAY, ...CALENDAR];

export const DATE_ADD_PARTS = ['DAY', 'WEEK', 'MONTH', 'QUARTER', 'YEAR'];

/** Is this argument obviously a TIME (so DATETIME(date, time) rather than DATETIME(ts, tz))? */
function looksLikeTime(nodes: Node[] | undefined): boolean {
  if (!nodes) return false;
  const [first, second] = nodes;
  return (
    isWord(first, 'TIME', 'CURRENT_TIME') &&
    (nodes.length === 1 || second?.kind === 'string' || isGroup(second, '('))
  );
}

/** `X_ADD` / `X_SUB`: the value plus or minus `INTERVAL n PART`; DATE and TIME are cast back. */
const shifted =
  (op: '+' | '-', duck: string, parts: readonly string[], castBack: boolean): Handler =>
  (c) => {
    arity(c, 2);
    const sum = `${tsArg(c, 0, duck)} ${op} ${intervalArg(c, c.args[1], parts)}`;
    return castBack ? `CAST(${sum} AS ${duck})` : `(${sum})`;
  };

const fromEpoch =
  (microsPerUnit: number): Handler =>
  (c) => {
    arity(c, 1);
    const n = `CAST(${a(c)[0]} AS BIGINT)`;
    const us = microsPerUnit === 1 ? n : `(${n} * ${microsPerUnit})`;
    return `timezone('UTC', make_timestamp(${us}))`;
  };

/** Date and time functions (FORMAT_ and PARSE_ are in formats.ts). */
export const DATE_TIME_FUNCTIONS: FunctionFamily = {
  CURRENT_TIMESTAMP: (c) => {
    arity(c, 0);
    return 'current_timestamp';
  },
  CURRENT_DATE: (c) => {
    arity(c, 0, 1);
    const [tz] = a(c);
    return tz
      ? `CAST(timezone(${tz}, current_timestamp) AS DATE)`
      : `CAST(timezone('UTC', current_timestamp) AS DATE)`;
  },
  CURRENT_DATETIME: (c) => {
    arity(c, 0, 1);
    return `timezone(${a(c)[0] ?? "'UTC'"}, current_timestamp)`;
  },
  CURRENT_TIME: (c) => {
    arity(c, 0, 1);
    return `CAST(timezone(${a(c)[0] ?? "'UTC'"}, current_timestamp) AS TIME)`;
  },
  TIMESTAMP_TRUNC: (c) => {
    arity(c, 2, 3);
    const part = datePart(c, c.args[1], ALL_TRUNC);
    const tz = c.args[2] ? c.t.expr(c.args[2]) : undefined;
    return timestampTrunc(tsArg(c, 0), part, tz);
  },
  DATETIME_TRUNC: (c) => {
    arity(c, 2);
    return truncCivil(tsArg(c, 0, 'TIMESTAMP'), datePart(c, c.args[1], ALL_TRUNC));
  },
  DATE_TRUNC: (c) => {
    arity(c, 2);
    return `CAST(${truncCivil(tsArg(c, 0, 'DATE'), datePart(c, c.args[1], CALENDAR))} AS DATE)`;
  },
  TIME_TRUNC: (c) => {
    arity(c, 2);
    const part = datePart(c, c.args[1], SUB_DAY);
    return `CAST(date_trunc('${part.name.toLowerCase()}', CAST('1970-01-01' AS DATE) + ${tsArg(c, 0, 'TIME')}) AS TIME)`;
  },
  EXTRACT: (c) => {
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
  },
  TIMESTAMP_ADD: shifted('+', 'TIMESTAMPTZ', [...SUB_DAY, 'DAY'], false),
  TIMESTAMP_SUB: shifted('-', 'TIMESTAMPTZ', [...SUB_DAY, 'DAY'], false),
  TIMESTAMP_DIFF: (c) => {
    arity(c, 3);
    const part = datePart(c, c.args[2], [...SUB_DAY, 'DAY']);
    return elapsedDiff(tsArg(c, 0), tsArg(c, 1), part);
  },
  DATETIME_ADD: shifted('+', 'TIMESTAMP', [...SUB_DAY, ...DATE_ADD_PARTS], false),
  DATETIME_SUB: shifted('-', 'TIMESTAMP', [...SUB_DAY, ...DATE_ADD_PARTS], false),
  DATETIME_DIFF: (c) => {
    arity(c, 3);
    const part = datePart(c, c.args[2], ALL_TRUNC);
    const x = tsArg(c, 0, 'TIMESTAMP');
    const y = tsArg(c, 1, 'TIMESTAMP');
    return isSubDay(part) ? elapsedDiff(x, y, part) : calendarDiff(x, y, part);
  },
  DATE_ADD: shifted('+', 'DATE', DATE_ADD_PARTS, true),
  DATE_SUB: shifted('-', 'DATE', DATE_ADD_PARTS, true),
  DATE_DIFF: (c) => {
    arity(c, 3);
    const part = datePart(c, c.args[2], CALENDAR);
    return calendarDiff(tsArg(c, 0, 'DATE'), tsArg(c, 1, 'DATE'), part);
  },
  TIME_ADD: shifted('+', 'TIME', SUB_DAY, true),
  TIME_SUB: shifted('-', 'TIME', SUB_DAY, true),
  DATETIME: (c) => {
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
  },
  DATE: (c) => {
    arity(c, 1, 3);
    const xs = a(c);
    if (xs.length === 1) return `CAST(${xs[0]} AS DATE)`;
    if (xs.length === 2) return `CAST(timezone(${xs[1]}, ${tsArg(c, 0)}) AS DATE)`;
    return `make_date(${xs.map((x) => `CAST(${x} AS BIGINT)`).join(', ')})`;
  },
  TIMESTAMP: (c) => {
    arity(c, 1, 2);
    const xs = a(c);
    if (xs.length === 1) return `CAST(${xs[0]} AS TIMESTAMPTZ)`;
    return `timezone(${xs[1]}, CAST(${xs[0]} AS TIMESTAMP))`;
  },
  TIME: (c) => {
    arity(c, 1, 3);
    const xs = a(c);
    if (xs.length === 1) return `CAST(${xs[0]} AS TIME)`;
    if (xs.length === 2) return `CAST(timezone(${xs[1]}, ${tsArg(c, 0)}) AS TIME)`;
    return `make_time(CAST(${xs[0]} AS BIGINT), CAST(${xs[1]} AS BIGINT), CAST(${xs[2]} AS DOUBLE))`;
  },
  UNIX_SECONDS: (c) => {
    arity(c, 1);
    return epochFloor(tsArg(c, 0), 1_000_000);
  },
  UNIX_MILLIS: (c) => {
    arity(c, 1);
    return epochFloor(tsArg(c, 0), 1_000);
  },
  UNIX_MICROS: (c) => {
    arity(c, 1);
    return `epoch_us(${tsArg(c, 0)})`;
  },
  UNIX_DATE: (c) => {
    arity(c, 1);
    return `date_diff('day', CAST('1970-01-01' AS DATE), ${tsArg(c, 0, 'DATE')})`;
  },
  DATE_FROM_UNIX_DATE: (c) => {
    arity(c, 1);
    return `CAST(CAST('1970-01-01' AS DATE) + CAST(${a(c)[0]} AS BIGINT) * INTERVAL 1 DAY AS DATE)`;
  },
  TIMESTAMP_SECONDS: fromEpoch(1_000_000),
  TIMESTAMP_MILLIS: fromEpoch(1_000),
  TIMESTAMP_MICROS: fromEpoch(1),
  LAST_DAY: (c) => {
    arity(c, 1, 2);
    if (c.args[1]) {
      const part = datePart(c, c.args[1], ['MONTH']);
      void part;
    }
    return `last_day(${tsArg(c, 0, 'DATE')})`;
  },
};
