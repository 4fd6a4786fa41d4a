import { epochFloor } from '../date-time.js';
import { UnknownFormatElement, parseFormat, splitFormat } from '../format-elements.js';
import { sqlString } from '../literals.js';
import { type Call, type FunctionFamily, type Handler, arity } from './call.js';
import { tsArg } from './dates.js';

type FormatKind = 'TIMESTAMP' | 'DATETIME' | 'DATE' | 'TIME';

/** Checks the arguments of `FORMAT_x(format, value[, zone])` / `PARSE_x(…)`; the format's text. */
function literalFormat(c: Call, name: string): string {
  arity(c, 2, name.endsWith('TIMESTAMP') ? 3 : 2);
  const fmt = c.t.literalString(c.args[0]!);
  return fmt ?? c.t.fail(`${name} with a non-literal format`, c.args[0]![0]);
}

function formatCall(kind: FormatKind): Handler {
  return (c) => {
    const fmt = literalFormat(c, `FORMAT_${kind}`);
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
    const printed = { kind, civil: v, value: x, tzIsUtc };
    const parts = pieces.map((p) => {
      if (p.kind === 'strftime') return `strftime(${v}, ${sqlString(p.text)})`;
      return (
        formatElement(printed, p.element) ??
        c.t.fail(
          `format element %${p.element} in FORMAT_${kind}${p.element === 'Z' ? ' with a time zone' : ''}`,
          c.args[0]![0],
        )
      );
    });
    return parts.length === 1 ? parts[0]! : `(${parts.join(' || ')})`;
  };
}

/** What a FORMAT_ call prints: the civil value strftime sees, and the value itself. */
interface Printed {
  readonly kind: FormatKind;
  readonly civil: string;
  readonly value: string;
  /** The time zone is UTC (the default, or a literal spelling of it). */
  readonly tzIsUtc: boolean;
}

/** An element strftime does not print as BigQuery does; undefined when it is not supported. */
function formatElement(printed: Printed, element: string): string | undefined {
  const { kind, civil: v, value: x, tzIsUtc } = printed;
  switch (element) {
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
      return kind === 'TIMESTAMP' ? `CAST(${epochFloor(x, 1_000_000)} AS VARCHAR)` : undefined;
    case 'z':
    case 'Ez': {
      if (kind !== 'TIMESTAMP') return undefined;
      const sep = element === 'Ez' ? ':' : '';
      if (tzIsUtc) return sqlString(`+00${sep}00`);
      const m = `((epoch_us(${v}) - epoch_us(${x})) // 60000000)`;
      return `printf('%s%02d${sep}%02d', CASE WHEN ${m} < 0 THEN '-' ELSE '+' END, abs(${m}) // 60, abs(${m}) % 60)`;
    }
    case 'Z':
      return kind === 'TIMESTAMP' && tzIsUtc ? "'UTC'" : undefined;
    default:
      return undefined;
  }
}

function parseCall(kind: FormatKind): Handler {
  return (c) => {
    const fmt = literalFormat(c, `PARSE_${kind}`);
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

/** FORMAT_ and PARSE_ TIMESTAMP, DATETIME, DATE and TIME. */
export const FORMAT_FUNCTIONS: FunctionFamily = {
  FORMAT_TIMESTAMP: formatCall('TIMESTAMP'),
  FORMAT_DATETIME: formatCall('DATETIME'),
  FORMAT_DATE: formatCall('DATE'),
  FORMAT_TIME: formatCall('TIME'),
  PARSE_TIMESTAMP: parseCall('TIMESTAMP'),
  PARSE_DATETIME: parseCall('DATETIME'),
  PARSE_DATE: parseCall('DATE'),
  PARSE_TIME: parseCall('TIME'),
};
