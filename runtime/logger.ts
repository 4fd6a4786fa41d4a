import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger } from 'pino';

/** pino level → Cloud Logging `severity`, so log lines are classified without an agent. */
const SEVERITY: Record<string, string> = {
  trace: 'DEBUG',
  debug: 'DEBUG',
  info: 'INFO',
  warn: 'WARNING',
  error: 'ERROR',
  fatal: 'CRITICAL',
};

export interface LoggerSettings {
  /** Component name, logged as `logger` on every line. */
  readonly name: string;
  /** @default process.env.LOG_LEVEL ?? 'info' */
  readonly level?: string;
  /** Where lines go. @default stdout */
  readonly destination?: pino.DestinationStream;
}

/** Structured JSON logs with Cloud Logging's `severity` and `message` fields. */
export function createLogger(settings: LoggerSettings): Logger {
  const options: LoggerOptions = {
    name: settings.name,
    level: settings.level ?? process.env.LOG_LEVEL ?? 'info',
    messageKey: 'message',
    base: { logger: settings.name },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: {
      level: (label) => ({ severity: SEVERITY[label] ?? 'DEFAULT' }),
    },
  };
  return settings.destination ? pino(options, settings.destination) : pino(options);
}

/** A logger that discards everything, for tests that do not assert on logs. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
