import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../main.ts', import.meta.url));

export interface ChildEmulator {
  host: string;
  adminUrl: string;
  process: ChildProcess;
}

/** Starts the emulator in its own process and resolves with its address once it is listening. */
export function spawnEmulator(args: string[]): Promise<ChildEmulator> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', MAIN, '--port', '0', '--admin-port', '0', ...args],
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

export function killHard(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}
