import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Where `pmp start` keeps its state when no `--data-dir` is given (relative to the working directory). */
export const DEFAULT_DATA_DIR = '.pmp';

export interface ComponentState {
  readonly name: string;
  /** What it is: emulator, service, job, scheduler, feed, dashboard, control. */
  readonly kind: string;
  readonly url: string | null;
  readonly status: string;
  readonly detail?: string;
  /** A service's process id now (it changes when the stack restarts it). */
  readonly pid?: number;
  /** How many times the stack restarted it after it died (services, the curated runner). */
  readonly restarts?: number;
}

/**
 * What a running `pmp start` publishes in `<dataDir>/stack.json` so that `pmp status`,
 * `pmp reconcile`, `pmp replay` and `pmp demo --local` find the stack without flags.
 */
export interface StackState {
  readonly pid: number;
  readonly startedAt: string;
  readonly projectId: string;
  readonly dataDir: string;
  readonly speed: number;
  readonly feed: string;
  readonly env: {
    readonly PUBSUB_EMULATOR_HOST: string;
    readonly BIGQUERY_EMULATOR_HOST: string;
    readonly PUSH_JWKS_URL: string;
  };
  readonly pubsubAdminUrl: string;
  /** Cloud Run service name → local URL. */
  readonly serviceUrls: Readonly<Record<string, string>>;
  /** The stack's control endpoint (localhost only). */
  readonly controlUrl: string;
  readonly components: readonly ComponentState[];
}

export function stateFilePath(dataDir: string): string {
  return path.join(dataDir, 'stack.json');
}

export function writeStackState(state: StackState): void {
  mkdirSync(state.dataDir, { recursive: true });
  const file = stateFilePath(state.dataDir);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(tmp, file);
}

export function removeStackState(dataDir: string): void {
  rmSync(stateFilePath(dataDir), { force: true });
}

/** Whether process `pid` exists (EPERM: it does, but is someone else's). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The state of a running stack, or undefined (no file, or its process is gone). */
export function readStackState(dataDir: string = DEFAULT_DATA_DIR): StackState | undefined {
  let text: string;
  try {
    text = readFileSync(stateFilePath(dataDir), 'utf8');
  } catch {
    return undefined;
  }
  const state = JSON.parse(text) as StackState;
  return isProcessAlive(state.pid) ? state : undefined;
}
