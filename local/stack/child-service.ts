import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { connectHost } from '../../services/shared/listen-host.js';

export interface ChildService {
  readonly name: string;
  readonly port: number;
  readonly url: string;
  readonly pid: number;
  /** running | exited (code) | crashed (code) */
  status(): string;
  /** SIGTERM, then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

/** What starts an entry point (`services/<x>/main.ts`) as a process: the environment is the whole configuration. */
export interface ChildEntryOptions {
  readonly entry: string;
  readonly cwd: string;
  readonly env: Record<string, string>;
  /** Every line it writes, stdout and stderr alike, is appended here. */
  readonly logFile: string;
}

interface ChildExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

interface LoggedChild {
  readonly child: ChildProcess;
  /** On 'close', not 'exit': its output is read to the end first, so its last error line is known. */
  readonly closed: Promise<ChildExit>;
  /** Its last ERROR/CRITICAL JSON log line (or other stderr/stdout line); '' when none. */
  lastError(): string;
}

/** `node --import tsx <entry>`, its output lines appended to `logFile` and handed to `onLogEntry` when JSON. */
function spawnLogged(
  options: ChildEntryOptions & {
    readonly onLine?: (line: string) => void;
    readonly onLogEntry?: (entry: Record<string, unknown>) => void;
  },
): LoggedChild {
  mkdirSync(path.dirname(options.logFile), { recursive: true });
  const log = createWriteStream(options.logFile, { flags: 'a' });
  const child = spawn(process.execPath, ['--import', 'tsx', options.entry], {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let lastError = '';
  const readLines = (stream: NodeJS.ReadableStream) =>
    createInterface({ input: stream }).on('line', (line) => {
      log.write(`${line}\n`);
      options.onLine?.(line);
      try {
        const entry = JSON.parse(line) as Record<string, unknown>;
        options.onLogEntry?.(entry);
        if (entry.severity === 'CRITICAL' || entry.severity === 'ERROR') {
          const err = entry.err as { message?: string } | undefined;
          lastError = `${String(entry.message ?? '')}${err?.message ? `: ${err.message}` : ''}`;
        }
      } catch {
        if (line.trim() !== '') lastError = line.trim();
      }
    });
  readLines(child.stdout);
  readLines(child.stderr);
  const closed = once(child, 'close').then(([code, signal]): ChildExit => {
    log.end();
    return { code: code as number | null, signal: signal as NodeJS.Signals | null };
  });
  return { child, closed, lastError: () => lastError };
}

/**
 * Runs a service entry point (`services/<x>/main.ts`) as its own process, as Cloud Run would: the
 * environment is the whole configuration. Resolves once the service logs `listening` (its port is
 * read from that line, so PORT=0 works); rejects with the service's own fatal message when it exits
 * first. JSON log lines go to `logFile`. `url` addresses the service at the `HOST` it was given
 * (loopback for a wildcard or no `HOST`).
 */
export async function startChildService(
  options: ChildEntryOptions & {
    name: string;
    /** @default 60 000 */
    startTimeoutMs?: number;
    /** Called when it exits without being asked to, with its last error line ('' when none). */
    onExit?: (code: number | null, signal: NodeJS.Signals | null, lastError: string) => void;
  },
): Promise<ChildService> {
  let port: number | undefined;
  let resolveListening: (port: number) => void = () => undefined;
  const listening = new Promise<number>((resolve) => (resolveListening = resolve));
  const { child, closed, lastError } = spawnLogged({
    ...options,
    // The service stops by itself if this process dies without stopping it (services/shared/serve.ts).
    env: { ...options.env, PMP_STACK_PID: String(process.pid) },
    onLogEntry: (entry) => {
      if (entry.message === 'listening' && typeof entry.port === 'number') {
        port = entry.port;
        resolveListening(entry.port);
      }
    },
  });
  let stopping = false;
  let exit: ChildExit | undefined;
  const exited = closed.then((ended) => {
    exit = ended;
    if (!stopping) options.onExit?.(ended.code, ended.signal, lastError());
  });

  const timeoutMs = options.startTimeoutMs ?? 60_000;
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    listening.then((p) => ({ port: p })),
    exited.then(() => ({ exited: true as const })),
    new Promise<{ timeout: true }>((resolve) => {
      timer = setTimeout(() => resolve({ timeout: true }), timeoutMs);
    }),
  ]);
  clearTimeout(timer);
  const stop = async (graceMs = 10_000): Promise<void> => {
    if (exit) return;
    stopping = true;
    child.kill('SIGTERM');
    const kill = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(kill);
  };
  if (!('port' in outcome)) {
    await stop(2_000);
    throw new Error(
      'timeout' in outcome
        ? `${options.name} did not start listening within ${timeoutMs / 1000} s (log: ${options.logFile})`
        : `${options.name} exited during start-up (code ${exit?.code ?? exit?.signal}): ${lastError() || 'no message'} (log: ${options.logFile})`,
    );
  }
  return {
    name: options.name,
    port: port!,
    url: `http://${connectHost(options.env.HOST ?? '0.0.0.0')}:${port}`,
    pid: child.pid!,
    status: () => {
      if (!exit) return 'running';
      return stopping || exit.code === 0
        ? 'stopped'
        : `crashed (${exit.code ?? exit.signal}): ${lastError()}`;
    },
    stop,
  };
}

/**
 * Runs a job entry point (a Cloud Run Job's `main.ts`) to completion, as Cloud Run runs a task:
 * resolves with its exit code (1 when a signal ended it) and everything it wrote, in the order it
 * wrote it; the same lines are appended to `logFile`.
 */
export async function runChildJob(
  options: ChildEntryOptions,
): Promise<{ code: number; log: string }> {
  let output = '';
  const { closed } = spawnLogged({ ...options, onLine: (line) => (output += `${line}\n`) });
  const { code } = await closed;
  return { code: code ?? 1, log: output };
}
