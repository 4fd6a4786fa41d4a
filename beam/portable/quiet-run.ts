/** Console methods the SDK and its LOOPBACK workers print through during a job. */
const CONSOLE_METHODS = ['debug', 'log', 'info', 'warn', 'error'] as const;
/** Lines of that output kept for the error message when a job fails. */
const KEPT_LINES = 40;
/**
 * grpc-js's warning when the SDK's worker pool calls `server.start()`, printed once per process:
 * harmless, and not ours to fix.
 */
const GRPC_START_DEPRECATION = /Calling start\(\) is no longer necessary/;

/** A job that failed, with the last lines the SDK printed while it ran. */
export class QuietRunError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'QuietRunError';
  }
}

/**
 * Runs `job` with the console kept to itself: on a real runner the SDK logs every bundle request,
 * its LOOPBACK workers log their channels (and a "Multiplexer hanging up" error as every job
 * ends), and none of it belongs in the CLI's output. The lines are kept and shown only if the job
 * fails, so a real failure still says what the SDK saw.
 */
export async function runQuietly<T>(job: () => Promise<T>): Promise<T> {
  const kept: string[] = [];
  const saved = CONSOLE_METHODS.map((name) => [name, console[name]] as const);
  for (const name of CONSOLE_METHODS) {
    console[name] = (...args: unknown[]) => {
      kept.push(`${name}: ${args.map(String).join(' ')}`.slice(0, 2_000));
      if (kept.length > KEPT_LINES) kept.shift();
    };
  }
  const emitWarning = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const text = typeof warning === 'string' ? warning : warning.message;
    if (GRPC_START_DEPRECATION.test(text)) return;
    (emitWarning as (...args: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    return await job();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const tail = kept.length > 0 ? `\nthe SDK's last lines:\n${kept.join('\n')}` : '';
    throw new QuietRunError(`${message}${tail}`, { cause: error });
  } finally {
    for (const [name, method] of saved) console[name] = method;
    process.emitWarning = emitWarning;
  }
}
