import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../main.ts', import.meta.url));

export interface ChildEmulator {
  host: string;
  adminUrl: string;
  process: ChildProcess;
}

export interface SpawnOptions {
  /** Node flags placed before the script (the bench passes `--cpu-prof`). */
  readonly nodeArgs?: readonly string[];
  /** Another checkout's `main.ts`, so a bench can run an older emulator side by side. */
  readonly main?: string;
}

/** Starts the emulator in its own process and resolves with its address once it is listening. */
export function spawnEmulator(args: string[], options: SpawnOptions = {}): Promise<ChildEmulator> {
  const child = spawn(
    process.execPath,
    [
      ...(options.nodeArgs ?? []),
      '--import',
      'tsx',
      options.main ?? MAIN,
      '--port',
      '0',
      '--admin-port',
      '0',
      ...args,
    ],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`emulator exited early (${code})`)));
    createInterface({ input: child.stdout! }).once('line', (line) => {
      const { host, adminUrl } = JSON.parse(line) as { host: string; adminUrl: string };
      resolve({ host, adminUrl, process: child });
    });
  });
}

/**
 * Sends `signal` and waits for the exit. SIGKILL is a crash (kill -9 tests); on SIGTERM the
 * emulator closes cleanly (and writes its `--cpu-prof` profile).
 */
export function stopEmulator(child: ChildProcess, signal: 'SIGKILL' | 'SIGTERM'): Promise<void> {
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}
