/**
 * DuckDB expressions with BigQuery's date/time semantics. Inputs are DuckDB SQL text already
 * translated; BigQuery TIMESTAMP is DuckDB TIMESTAMPTZ (session time zone UTC), DATETIME is
 * TIMESTAMP, DATE and TIME are the same.
 */

/** A date part keyword; `weekday` (0 = Sunday) only for WEEK(<WEEKDAY>) / WEEK / ISOWEEK. */
export interface DatePart {
  readonly name: string;
  readonly weekday?: number;
}

export const WEEKDAYS = [
  'SUNDAY',
  'MONDAY',
  'TUESDAY',
  'WEDNESDAY',
  'THURSDAY',
  'FRIDAY',
  'SATURDAY',
];

const MICROS: Record<string, number> = {
  MICROSECOND: 1,
  MILLISECOND: 1_000,
  SECOND: 1_000_000,
  MINUTE: 60_000_000,
  HOUR: 3_600_000_000,
  DAY: 86_400_000_000,
};

/** Sub-day parts: fixed length, so truncation/difference works on the instant. */
export function isSubDay(part: DatePart): boolean {
  return part.name in MICROS && part.name !== 'DAY';
}

/** Week start for WEEK (Sunday), WEEK(<WEEKDAY>) and ISOWEEK (Monday). */
function weekStart(part: DatePart): number {
  if (part.name === 'ISOWEEK') return 1;
  return part.weekday ?? 0;
}

/**
 * Truncates a DuckDB TIMESTAMP/TIMESTAMPTZ/DATE value `v` to `part` in its own civil time.
 * DuckDB's 'week' starts on Monday; other week starts shift into and out of a Monday week.
 */
export function truncCivil(v: string, part: DatePart): string {
  switch (part.name) {
    case 'WEEK':
    case 'ISOWEEK': {
      const shift = (weekStart(part) + 6) % 7; // days from Monday to the week's first day
      if (shift === 0) return `date_trunc('week', ${v})`;
      return `(date_trunc('week', ${v} - INTERVAL ${shift} DAY) + INTERVAL ${shift} DAY)`;
    }
    case 'ISOYEAR':
      return `date_trunc('isoyear', ${v})`;
    default:
      return `date_trunc('${part.name.toLowerCase()}', ${v})`;
  }
}

/**
 * TIMESTAMP_TRUNC. Sub-day parts follow BigQuery's rule of subtracting the civil minutes/seconds
 * in the time zone from the instant (so an ambiguous DST hour stays on the right side); day and
 * longer parts truncate the civil time in the zone and convert back.
 */
export function timestampTrunc(ts: string, part: DatePart, tz?: string): string {
  if (!tz) return truncCivil(ts, part);
  const local = `timezone(${tz}, ${ts})`;
  if (isSubDay(part)) return `(${ts} - (${local} - ${truncCivil(local, part)}))`;
  return `timezone(${tz}, ${truncCivil(local, part)})`;
}

/** INTERVAL n PART as a DuckDB interval value (n must be INT64 in BigQuery). */
export function interval(n: string, part: string): string {
  switch (part) {
    case 'QUARTER':
      return `(CAST(${n} AS BIGINT) * INTERVAL 3 MONTH)`;
    case 'WEEK':
      return `(CAST(${n} AS BIGINT) * INTERVAL 7 DAY)`;
    default:
      return `(CAST(${n} AS BIGINT) * INTERVAL 1 ${part})`;
  }
}

/** Whole `part`s elapsed from b to a, truncated toward zero (TIMESTAMP_DIFF, sub-day DATETIME_DIFF). */
export function elapsedDiff(a: string, b: string, part: DatePart): string {
  const unit = MICROS[part.name]!;
  return `((epoch_us(${a}) - epoch_us(${b})) // ${unit})`;
}

/** Part boundaries crossed from b to a on the calendar (DATE_DIFF, DATETIME_DIFF for DAY+). */
export function calendarDiff(a: string, b: string, part: DatePart): string {
  switch (part.name) {
    case 'DAY':
    case 'MONTH':
    case 'QUARTER':
    case 'YEAR':
      return `date_diff('${part.name.toLowerCase()}', CAST(${b} AS DATE), CAST(${a} AS DATE))`;
    case 'WEEK':
    case 'ISOWEEK':
      return `(date_diff('day', CAST(${truncCivil(`CAST(${b} AS DATE)`, part)} AS DATE), CAST(${truncCivil(`CAST(${a} AS DATE)`, part)} AS DATE)) // 7)`;
    case 'ISOYEAR':
      return `(isoyear(${a}) - isoyear(${b}))`;
    default:
      throw new Error(`no calendar difference for ${part.name}`);
  }
}

/** EXTRACT(part FROM v) on a civil value (already moved to the wanted time zone). */
export function extractCivil(v: string, part: DatePart): string {
  switch (part.name) {
    case 'DAYOFWEEK':
      return `(dayofweek(${v}) + 1)`;
    case 'DAYOFYEAR':
      return `dayofyear(${v})`;
    case 'WEEK': {
      // Week number where weeks start on `weekday`; days before the first such day are week 0.
      const w = part.weekday ?? 0;
      return `((dayofyear(${v}) - ((dayofweek(${v}) - ${w} + 7) % 7) + 6) // 7)`;
    }
    case 'ISOWEEK':
      return `week(${v})`;
    case 'ISOYEAR':
      return `isoyear(${v})`;
    case 'MILLISECOND':
      return `(millisecond(${v}) % 1000)`;
    case 'MICROSECOND':
      return `(microsecond(${v}) % 1000000)`;
    case 'DATE':
      return `CAST(${v} AS DATE)`;
    case 'TIME':
      return `CAST(${v} AS TIME)`;
    case 'DATETIME':
      return `CAST(${v} AS TIMESTAMP)`;
    default:
      return `extract(${part.name.toLowerCase()} FROM ${v})`;
  }
}

/** Floor division of an epoch in microseconds, exact for negative values too. */
export function epochFloor(ts: string, unit: number): string {
  const us = `epoch_us(${ts})`;
  return `((${us} - (((${us} % ${unit}) + ${unit}) % ${unit})) // ${unit})`;
}
