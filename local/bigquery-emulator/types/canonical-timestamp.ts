/**
 * The fast path for the timestamp text writers almost always send: `YYYY-MM-DDTHH:MM:SS[.f]Z`
 * (what `Date#toISOString` and most JSON encoders produce), also with a space separator, a
 * `+00:00` zone or no zone (UTC). Parsed with character codes and plain numbers: no regular
 * expression, no Date, no BigInt. Anything else returns NaN and the caller takes the general
 * parser, which also produces the error message for bad text.
 */
export function canonicalTimestampMicros(text: string): number {
  const length = text.length;
  if (length < 19 || length > 35) return NaN;
  if (text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45) return NaN; // '-'
  const separator = text.charCodeAt(10);
  if (separator !== 84 && separator !== 116 && separator !== 32) return NaN; // 'T' 't' ' '
  if (text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58) return NaN; // ':'
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 2);
  const day = digits(text, 8, 2);
  const hour = digits(text, 11, 2);
  const minute = digits(text, 14, 2);
  const second = digits(text, 17, 2);
  // NaN (a non-digit) fails every comparison below, so it falls through to the general parser.
  if (!(year >= 1 && month >= 1 && month <= 12 && day >= 1 && hour <= 23)) return NaN;
  if (!(minute <= 59 && second <= 59 && day <= daysInMonth(year, month))) return NaN;

  let at = 19;
  let micros = 0;
  if (at < length && text.charCodeAt(at) === 46) {
    // '.', then 1 to 9 digits; digits past microseconds are truncated, as BigQuery stores micros.
    at++;
    const start = at;
    let scale = 100_000;
    while (at < length) {
      const code = text.charCodeAt(at);
      if (code < 48 || code > 57) break;
      micros += (code - 48) * scale;
      scale /= 10;
      at++;
    }
    if (at === start || at - start > 9) return NaN;
    micros = Math.trunc(micros);
  }
  const rest = length - at;
  if (rest === 1) {
    const zone = text.charCodeAt(at);
    if (zone !== 90 && zone !== 122) return NaN; // 'Z' 'z'
  } else if (rest === 6) {
    if (text.slice(at) !== '+00:00') return NaN;
  } else if (rest !== 0) {
    return NaN;
  }
  const days = daysFromCivil(year, month, day);
  const value = (days * 86_400 + hour * 3_600 + minute * 60 + second) * 1_000_000 + micros;
  return Number.isSafeInteger(value) ? value : NaN;
}

function digits(text: string, start: number, count: number): number {
  let value = 0;
  for (let i = start; i < start + count; i++) {
    const code = text.charCodeAt(i);
    if (code < 48 || code > 57) return NaN;
    value = value * 10 + (code - 48);
  }
  return value;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra =
    yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}
