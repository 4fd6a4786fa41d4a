import { MAX_TIMESTAMP_SECONDS, MIN_TIMESTAMP_SECONDS } from './defaults.js';
import { toInt } from './lenient.js';

/**
 * RFC 3339 timestamps as BigQuery stores them: UTC, 'Z', microseconds at most. Hand-written
 * because `Date.parse` both accepts non-RFC text ("March 7") and drops microseconds, which the
 * Python collectors' `isoformat()` writes.
 */

const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2}):(\d{2}))?$/;

/**
 * Normalises an RFC 3339 / ISO 8601 timestamp to `YYYY-MM-DDTHH:MM:SS[.ffffff]Z`, or returns null
 * when the text is not one. A missing offset means UTC (as BigQuery reads it); fractional digits
 * beyond microseconds are cut; the result must lie in BigQuery's range (years 0001–9999).
 */
export function normalizeTimestamp(text: string): string | null {
  const m = RFC3339.exec(text.trim());
  if (!m) return null;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  if (hour > 23 || minute > 59 || second > 59) return null;
  let offsetMinutes = 0;
  if (m[9] !== undefined) {
    const offsetHours = Number(m[10]);
    const offsetMins = Number(m[11]);
    if (offsetHours > 23 || offsetMins > 59) return null;
    offsetMinutes = (m[9] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMins);
  }
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute - offsetMinutes, second, 0);
  const seconds = date.getTime() / 1000;
  if (seconds < MIN_TIMESTAMP_SECONDS || seconds > MAX_TIMESTAMP_SECONDS) return null;
  const fraction = (m[7] ?? '').slice(0, 6).replace(/0+$/, '');
  return `${date.toISOString().slice(0, 19)}${fraction ? `.${fraction}` : ''}Z`;
}

/**
 * Epoch seconds → RFC 3339 UTC, as the original `_epoch_to_rfc3339`: the value goes through the
 * lenient integer conversion first (so "1760776294" works and 1.7e9 is truncated), anything that
 * does not convert or falls outside years 0001–9999 gives null.
 */
export function epochSecondsToTimestamp(value: unknown): string | null {
  const seconds = toInt(value);
  if (typeof seconds !== 'number') return null;
  if (seconds < MIN_TIMESTAMP_SECONDS || seconds > MAX_TIMESTAMP_SECONDS) return null;
  return formatEpochSeconds(seconds);
}

const SECONDS_PER_DAY = 86_400;

function twoDigits(n: number): string {
  return n < 10 ? `0${n}` : `${n}`;
}

/**
 * Whole epoch seconds within years 0001–9999 → `YYYY-MM-DDTHH:MM:SSZ`, exactly what
 * `new Date(s * 1000).toISOString()` gives without its milliseconds. Done arithmetically because it
 * runs once per station row and a Date plus toISOString costs several times more. The calendar
 * part is the civil-from-days algorithm (proleptic Gregorian, March-based years so the leap day
 * ends a year), as in H. Hinnant's "chrono-compatible low-level date algorithms".
 */
function formatEpochSeconds(seconds: number): string {
  const days = Math.floor(seconds / SECONDS_PER_DAY);
  const secondOfDay = seconds - days * SECONDS_PER_DAY;
  // Days since 0000-03-01; never negative for years ≥ 0001, so plain floors are exact.
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra -
      Math.floor(dayOfEra / 1_460) +
      Math.floor(dayOfEra / 36_524) -
      Math.floor(dayOfEra / 146_096)) /
      365,
  );
  const dayOfYear =
    dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const monthFromMarch = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * monthFromMarch + 2) / 5) + 1;
  const month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  const hour = Math.floor(secondOfDay / 3_600);
  const minute = Math.floor((secondOfDay - hour * 3_600) / 60);
  const second = secondOfDay - hour * 3_600 - minute * 60;
  const yyyy =
    year < 10 ? `000${year}` : year < 100 ? `00${year}` : year < 1000 ? `0${year}` : `${year}`;
  return `${yyyy}-${twoDigits(month)}-${twoDigits(day)}T${twoDigits(hour)}:${twoDigits(minute)}:${twoDigits(second)}Z`;
}

/** A clock reading → RFC 3339 UTC, milliseconds kept when not zero (the same form as the rest). */
export function dateToTimestamp(date: Date): string {
  const iso = date.toISOString();
  return iso.endsWith('.000Z') ? `${iso.slice(0, -5)}Z` : iso;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) {
    const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
    return leap ? 29 : 28;
  }
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}
