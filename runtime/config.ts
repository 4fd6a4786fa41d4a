import { StructError, create, type Struct } from 'superstruct';
import type { Logger } from './logger.js';

/** Raised once at start-up when the environment does not satisfy a service's configuration. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    readonly reason: string,
  ) {
    super(`invalid configuration: ${variable} ${reason}`);
    this.name = 'ConfigError';
  }
}

/**
 * Validates (and coerces, through the struct's `coerce`/`defaulted`) the environment once, at start-up.
 * The error names the offending variable, so a misconfigured deployment fails fast and says why.
 */
export function loadConfig<T, S>(
  struct: Struct<T, S>,
  env: Record<string, string | undefined> = process.env,
): T {
  try {
    return create(env, struct);
  } catch (error) {
    if (error instanceof StructError) {
      const failure = error.failures()[0] ?? error;
      const variable = failure.path.join('.') || failure.key || '(environment)';
      const reason =
        failure.value === undefined ? 'is required but not set' : `is invalid: ${failure.message}`;
      throw new ConfigError(String(variable), reason);
    }
    throw error;
  }
}

/**
 * An entry point's settings from `load`, or, when the environment is refused, one fatal
 * `configuration rejected` log line naming the variable and the process ended with `exitCode`:
 * Cloud Run shows that line, where a rethrown error would add only a stack trace.
 */
export function settingsOrExit<T>(log: Logger, load: () => T, exitCode = 1): T {
  try {
    return load();
  } catch (error) {
    log.fatal({ err: error }, 'configuration rejected');
    process.exit(exitCode);
  }
}
