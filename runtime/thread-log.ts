import { pino } from 'pino';
import type { Logger } from './logger.js';

/** One log record as a worker thread hands it to its parent: pino's object, level as a number. */
export type ThreadLogRecord = { level: number; msg?: string } & Record<string, unknown>;

/**
 * A logger for a worker thread whose records go to `post` (a parentPort message) instead of
 * stdout, so the parent writes them with its own logger, destination and severity mapping.
 */
export function threadLogger(level: string, post: (record: ThreadLogRecord) => void): Logger {
  return pino(
    { level, base: undefined, timestamp: false },
    { write: (line: string) => post(JSON.parse(line) as ThreadLogRecord) },
  );
}

/** Writes a record received from a worker thread through the parent's logger. */
export function writeThreadLogRecord(log: Logger | undefined, record: ThreadLogRecord): void {
  if (log === undefined) return;
  const { level, msg, ...fields } = record;
  const label = (log.levels.labels[level] ?? 'info') as 'info';
  log[label](fields, msg ?? '');
}
