/**
 * Paris wall-clock time for a UTC instant. Intl carries the tz database, so daylight-saving changes
 * (last Sunday of March and of October) come out right without a hand-written rule.
 */
const formatter = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/Paris',
  hourCycle: 'h23',
  weekday: 'short',
  hour: '2-digit',
  minute: '2-digit',
});

export interface ParisClock {
  /** Local hour with minutes as a fraction, 0 ≤ hour < 24 (08:30 → 8.5). */
  readonly hour: number;
  /** Saturday or Sunday in Paris. */
  readonly weekend: boolean;
}

export function parisClock(epochMs: number): ParisClock {
  let hour = 0;
  let minute = 0;
  let weekend = false;
  for (const part of formatter.formatToParts(epochMs)) {
    if (part.type === 'hour') hour = Number(part.value);
    else if (part.type === 'minute') minute = Number(part.value);
    else if (part.type === 'weekday') weekend = part.value === 'Sat' || part.value === 'Sun';
  }
  return { hour: hour + minute / 60, weekend };
}
