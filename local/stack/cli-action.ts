/**
 * Wraps a command's action so that an expected failure prints one clear line on stderr and sets a
 * non-zero exit code, instead of a stack trace. `PMP_DEBUG=1` shows the stack.
 */
export function cliAction<A extends unknown[]>(
  command: string,
  action: (...args: A) => Promise<void>,
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await action(...args);
    } catch (error) {
      reportCliFailure(`pmp ${command}`, error);
    }
  };
}

/** `<who>: <message>` on stderr (the stack too with `PMP_DEBUG=1`), and exit code 1. */
export function reportCliFailure(who: string, error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`${who}: ${message}\n`);
  if (process.env.PMP_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
  process.exitCode = 1;
}
