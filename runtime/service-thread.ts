import { parentPort, workerData, type WorkerOptions } from 'node:worker_threads';
import type { Logger } from './logger.js';
import { threadLogger, writeThreadLogRecord, type ThreadLogRecord } from './thread-log.js';
import { startTsWorker } from './ts-worker.js';

/*
 * A long-running service (an emulator, the curated runner) on its own worker thread: the parent
 * starts it and waits for "started" (or the reason it failed), receives its log records and
 * events, and stops it by message, waiting for "stopped" before terminating the thread. Both
 * halves of that small protocol live here, so each service only says how it starts and stops.
 */

type Report<S, E> =
  | { type: 'started'; value: S }
  | { type: 'stopped' }
  | { type: 'failed'; message: string }
  | { type: 'event'; value: E }
  | { type: 'log'; record: ThreadLogRecord };

interface ThreadInput<I> {
  readonly input: I;
  readonly logLevel: string;
}

export interface ServiceThread<S> {
  /** What the service reported once started (its address, its first statistics…). */
  readonly started: S;
  /** Asks the service to stop, waits until it has, then ends the thread. Idempotent. */
  stop(): Promise<void>;
  /**
   * Resolves with the thread's exit code when it ends, asked to or not: an owner that keeps the
   * service alive (the local stack) learns of a crash here.
   */
  readonly exited: Promise<number>;
  /** Ends the thread at once, without the stop protocol: what a crash looks like (tests). */
  terminate(): Promise<void>;
}

/** Parent side: starts `entry` (a module that calls {@link serveInThread}) with `input`. */
export async function startServiceThread<S, E = never, I = unknown>(
  entry: URL,
  input: I,
  options: {
    /** Receives the thread's log records. @default silent */
    readonly logger?: Logger;
    readonly onEvent?: (event: E) => void;
    readonly env?: WorkerOptions['env'];
  } = {},
): Promise<ServiceThread<S>> {
  const what = entry.pathname.split('/').pop();
  const threadInput: ThreadInput<I> = { input, logLevel: options.logger?.level ?? 'silent' };
  const worker = startTsWorker(entry, threadInput, options.env ? { env: options.env } : {});
  let pending!: { resolve: (report: Report<S, E>) => void; reject: (error: Error) => void };
  const next = () =>
    new Promise<Report<S, E>>((resolve, reject) => (pending = { resolve, reject }));
  const outcome = (reply: Promise<Report<S, E>>) =>
    reply.catch((error: Error) => ({ type: 'failed', message: error.message }) as const);
  let exited = false;
  let reportExit!: (code: number) => void;
  const exitCode = new Promise<number>((resolve) => (reportExit = resolve));
  let reply = next();
  worker.on('message', (report: Report<S, E>) => {
    if (report.type === 'log') writeThreadLogRecord(options.logger, report.record);
    else if (report.type === 'event') options.onEvent?.(report.value);
    else pending.resolve(report);
  });
  worker.on('error', (error) => pending.reject(error));
  worker.on('exit', (code) => {
    exited = true;
    reportExit(code);
    pending.reject(new Error(`${what} thread exited with code ${code}`));
  });

  const started = await outcome(reply);
  if (started.type !== 'started') {
    await worker.terminate();
    throw new Error(started.type === 'failed' ? started.message : `${what} did not start`);
  }
  let stopping: Promise<void> | undefined;
  return {
    started: started.value,
    exited: exitCode,
    terminate: async () => {
      await worker.terminate();
    },
    stop() {
      stopping ??= (async () => {
        if (exited) return;
        reply = next();
        worker.postMessage({ type: 'stop' });
        const stopped = await outcome(reply);
        await worker.terminate();
        if (stopped.type === 'failed') throw new Error(stopped.message);
      })();
      return stopping;
    },
  };
}

/**
 * Thread side: runs `start` with the parent's input and a logger whose records go to the parent;
 * reports what it returns as "started" (or its error as "failed"), and calls `stop` when asked.
 */
export async function serveInThread<I, S, E = never>(
  start: (
    input: I,
    tools: { logger: Logger; emit: (event: E) => void },
  ) => Promise<{ started: S; stop: () => Promise<void> }>,
): Promise<void> {
  const port = parentPort!;
  const { input, logLevel } = (workerData as { input: ThreadInput<I> }).input;
  const report = (message: Report<S, E>) => port.postMessage(message);
  const logger = threadLogger(logLevel, (record) => report({ type: 'log', record }));
  try {
    const service = await start(input, {
      logger,
      emit: (value) => report({ type: 'event', value }),
    });
    report({ type: 'started', value: service.started });
    port.on('message', (message: { type: string }) => {
      if (message.type !== 'stop') return;
      void service.stop().then(
        () => report({ type: 'stopped' }),
        (error: unknown) => report({ type: 'failed', message: String(error) }),
      );
    });
  } catch (error) {
    report({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
  }
}
