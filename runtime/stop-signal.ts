/**
 * The first SIGINT or SIGTERM from now on.
 *
 * Call it before a process says it is ready, not after: a supervisor (a test, the local stack, a
 * shell script) may signal the moment it reads "ready", and a signal that arrives while no
 * listener is installed kills the process outright, skipping its clean shutdown. A signal during
 * start-up is held the same way, so the shutdown runs once start-up has finished.
 */
export function nextStopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
