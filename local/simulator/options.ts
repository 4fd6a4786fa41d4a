import { SIMULATION } from './defaults.js';
import { FEED_FORMATS, type FeedFormat } from './feeds.js';

/**
 * Validation of every simulator setting, shared by the `pmp simulate` flags and the library API so
 * both reject the same inputs with the same message (a TypeError naming the setting).
 */

/** GBFS timestamps must be after 2015-12-15; the simulator starts no earlier than 2016. */
const EARLIEST = Date.UTC(2016, 0, 1);
const ISO = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/;

export function parseTime(value: string, name: string): Date {
  if (!ISO.test(value)) {
    throw new TypeError(
      `${name}: "${value}" is not an ISO 8601 time with a zone, e.g. 2025-10-18T09:10:00Z or 2025-10-18`,
    );
  }
  const [year, month, day] = value.slice(0, 10).split('-').map(Number) as [number, number, number];
  const calendar = new Date(Date.UTC(year, month - 1, day));
  const time = new Date(value.length === 10 ? `${value}T00:00:00Z` : value);
  // Date silently rolls 2025-02-30 over to March; a typo must not become another day.
  if (
    Number.isNaN(time.getTime()) ||
    calendar.getUTCMonth() !== month - 1 ||
    calendar.getUTCDate() !== day
  ) {
    throw new TypeError(`${name}: "${value}" is not a real date`);
  }
  return checkTime(time, name);
}

/** A usable simulated time: a real date, no earlier than 2016-01-01. */
export function checkTime(time: Date, name: string): Date {
  if (Number.isNaN(time.getTime())) throw new TypeError(`${name}: not a valid time`);
  if (time.getTime() < EARLIEST) {
    throw new TypeError(
      `${name}: ${time.toISOString()} is before 2016-01-01 (GBFS timestamps start 2015-12-15)`,
    );
  }
  return time;
}

/** "60s", "5m", "1h" or bare seconds; a whole number of model ticks. */
export function parseInterval(value: string, name: string): number {
  const match = /^(\d+)(s|m|h)?$/.exec(value.trim());
  if (!match) throw new TypeError(`${name}: "${value}" is not a duration like 60s, 5m or 1h`);
  const seconds = Number(match[1]) * (match[2] === 'h' ? 3600 : match[2] === 'm' ? 60 : 1);
  checkInterval(seconds, name);
  return seconds;
}

export function checkInterval(seconds: number, name: string): void {
  const tick = SIMULATION.tickSeconds;
  if (!Number.isInteger(seconds) || seconds <= 0 || seconds % tick !== 0) {
    throw new TypeError(
      `${name}: ${seconds}s must be a positive multiple of the model's ${tick}s tick`,
    );
  }
}

export function parsePort(value: string | number, name = 'port'): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535 || String(value).trim() === '') {
    throw new TypeError(`${name}: "${value}" is not a port (0–65535; 0 picks a free one)`);
  }
  return port;
}

export function parseSeed(value: string | number, name = 'seed'): number {
  const seed = Number(value);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffff_ffff || String(value).trim() === '') {
    throw new TypeError(`${name}: "${value}" is not an integer from 0 to 4294967295`);
  }
  return seed;
}

export function parseSpeed(value: string | number, name = 'speed'): number {
  const speed = Number(value);
  if (!Number.isFinite(speed) || speed <= 0 || speed > 1_000_000 || String(value).trim() === '') {
    throw new TypeError(`${name}: "${value}" is not a speed-up factor (> 0, at most 1000000)`);
  }
  return speed;
}

export function parseFormat(value: string, name = 'format'): FeedFormat {
  if (!(FEED_FORMATS as readonly string[]).includes(value)) {
    throw new TypeError(
      `${name}: "${value}" is not a feed format (one of: ${FEED_FORMATS.join(', ')})`,
    );
  }
  return value as FeedFormat;
}
