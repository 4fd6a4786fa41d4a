import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
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

/**
 * Runs a service entry point (`services/<x>/main.ts`) as its own process, as Cloud Run would: the
 * environment is the whole configuration. Resolves once the service logs `listening` (its port is
 * read from that line, so PORT=0 works); rejects with the service's own fatal message when it exits
 * first. JSON log lines go to `logFile`. `url` addresses the service at the `HOST` it was given
 * (loopback for a wildcard or no `HOST`).
 */
export async function startChildService(options: {
  name: string;
  entry: string;
  cwd: string;
  env: Record<string, string>;
  logFile: string;
  /** @default 60 000 */
  startTimeoutMs?: number;
  /** Called when it exits without being asked to, with its last error line ('' when none). */
  onExit?: (code: number | null, signal: NodeJS.Signals | null, lastError: string) => void;
}): Promise<ChildService> {
  mkdirSync(path.dirname(options.logFile), { recursive: true });
  const log: WriteStream = createWriteStream(options.logFile, { flags: 'a' });
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', options.entry], {
    cwd: options.cwd,
    // The service stops by itself if this process dies without stopping it (services/shared/serve.ts).
    env: { ...options.env, PMP_STACK_PID: String(process.pid) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stopping = false;
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  // 'close', not 'exit': its output is read to the end first, so its last error line is known.
  const exited = once(child, 'close').then(([code, signal]) => {
    exit = { code: code as number | null, signal: signal as NodeJS.Signals | null };
    if (!stopping) options.onExit?.(exit.code, exit.signal, lastError);
    log.end();
  });
  let lastError = '';
  let port: number | undefined;
  let resolveListening: (port: number) => void = () => undefined;
  const listening = new Promise<number>((resolve) => (resolveListening = resolve));
  const readLines = (stream: NodeJS.ReadableStream) =>
    createInterface({ input: stream }).on('line', (line) => {
      log.write(`${line}\n`);
      try {
        const entry = JSON.parse(line) as Record<string, unknown>;
        if (entry.message === 'listening' && typeof entry.port === 'number') {
          port = entry.port;
          resolveListening(entry.port);
        }
        if (entry.severity === 'CRITICAL' || entry.severity === 'ERROR') {
          const err = entry.err as { message?: string } | undefined;
          lastError = `${String(entry.message ?? '')}${err?.message ? `: ${err.message}` : ''}`;
        }
      } catch {
        if (line.trim() !== '') lastError = line.trim();
      }
    });
  readLines(child.stdout!);
  readLines(child.stderr!);

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
        : `${options.name} exited during start-up (code ${exit?.code ?? exit?.signal}): ${lastError || 'no message'} (log: ${options.logFile})`,
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
        : `crashed (${exit.code ?? exit.signal}): ${lastError}`;
    },
    stop,
  };
}
