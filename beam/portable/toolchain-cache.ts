import { existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

/**
 * Where the Beam toolchain (the Python job service's venv, the Java services' jars) is kept:
 * beside the npm packages, so `npm ci` on a fresh clone starts clean and nothing lands in the home
 * folder. `PMP_BEAM_CACHE` moves it (a CI cache, a shared disk).
 */
export function beamCacheDir(): string {
  const override = process.env.PMP_BEAM_CACHE;
  if (override) return override;
  return fileURLToPath(new URL('../../node_modules/.cache/pmp-beam/', import.meta.url));
}

/** A registry or tool failure while provisioning, naming what was being fetched and how to retry. */
export class ToolchainError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ToolchainError';
  }
}

const COMPLETE = '.pmp-complete';
/** A lock older than this belongs to a build that died (the slowest, pip, takes ~2 min). */
const STALE_LOCK_MS = 15 * 60_000;

/**
 * Builds `name` under the cache once, in place (a venv cannot be moved after it is made): a marker
 * written last says the build finished, so one cut short is started over. Tests run in parallel
 * processes, so a lock folder lets one build while the others wait for the marker.
 */
export async function cachedBuild(
  name: string,
  build: (dir: string) => Promise<void>,
): Promise<string> {
  const dir = join(beamCacheDir(), name);
  const lock = `${dir}.lock`;
  mkdirSync(beamCacheDir(), { recursive: true });
  for (;;) {
    if (existsSync(join(dir, COMPLETE))) return dir;
    if (tryLock(lock)) break;
    await sleep(500);
  }
  try {
    if (existsSync(join(dir, COMPLETE))) return dir;
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    await build(dir);
    writeFileSync(join(dir, COMPLETE), new Date().toISOString());
    return dir;
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function tryLock(lock: string): boolean {
  try {
    mkdirSync(lock);
    return true;
  } catch {
    // The holder may have just finished and removed it: then there is nothing to age.
    const held = statSync(lock, { throwIfNoEntry: false });
    if (held && Date.now() - held.mtimeMs > STALE_LOCK_MS) {
      rmSync(lock, { recursive: true, force: true });
    }
    return false;
  }
}
