import { createHash } from 'node:crypto';
import type * as Esbuild from 'esbuild';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/*
 * File mode's worker threads start on one JavaScript file of their modules (esbuild), not on the
 * TypeScript sources: a worker started through tsx first registers it (~0.2 s) and then loads ~30
 * modules through tsx's loader thread, ~0.8–0.9 s before it curates anything against ~0.4–0.6 s
 * on the bundle. The files live under node_modules/.cache/pmp-file-mode/ because a worker needs a
 * module file whose package imports (left external) resolve from node_modules: not a data: URL,
 * not /tmp. Named by content hash, one file serves every process with the same sources. Building
 * it (esbuild, synchronously: the asynchronous build needs several round trips to esbuild's
 * process, each waiting for this thread) took 75–285 ms, on the critical path of every `pmp
 * curate` that starts workers, before any worker started: so the build is cached. Beside the
 * bundles, INPUTS_RECORD names the newest one and the sha-256 of every source file it was built
 * from (esbuild's metafile); a process whose sources all hash the same reuses that bundle (~30
 * files read and hashed, ~1–2 ms), any other builds and records anew. Each change of the sources
 * adds a file, so the directory is pruned whenever a bundle is stored: the KEPT_BUNDLES most
 * recently used stay (a process on older sources may be starting workers on one), the rest go,
 * and so do temporary files left by a process that died while writing one.
 */

/** Where the bundles are written: under node_modules, so the workers' package imports resolve. */
const BUNDLE_DIR = new URL('../../node_modules/.cache/pmp-file-mode/', import.meta.url);

/** Bundles kept in the directory, the one in use included, most recently used first. */
export const KEPT_BUNDLES = 3;

/** A temporary file older than this was left by a process that died while writing it. */
export const ABANDONED_TEMP_MS = 10 * 60_000;

const BUNDLE_NAME = /^worker-[0-9a-f]{16}\.mjs$/;
const TEMP_NAME = /^worker-[0-9a-f]{16}\.\d+\.tmp$/;

/**
 * Removes from `dir` every bundle but the `keep` most recently used and temporary files older than
 * ABANDONED_TEMP_MS. Best effort: a file another process removed or still holds is passed over.
 */
export function pruneWorkerBundles(dir: URL, keep: number, now = Date.now()): void {
  const bundles: { path: URL; usedMs: number }[] = [];
  for (const name of readdirSync(dir)) {
    const path = new URL(name, dir);
    try {
      const usedMs = statSync(path).mtimeMs;
      if (BUNDLE_NAME.test(name)) bundles.push({ path, usedMs });
      else if (TEMP_NAME.test(name) && now - usedMs > ABANDONED_TEMP_MS) rmSync(path);
    } catch {
      // Gone already (another process pruned it) or not ours to remove.
    }
  }
  bundles.sort((a, b) => b.usedMs - a.usedMs);
  for (const { path } of bundles.slice(keep)) rmSync(path, { force: true });
}

/**
 * Puts `code` in `dir` as `worker-<hash>.mjs`, or marks the existing file as just used, prunes
 * the directory and returns the file.
 */
export function storeWorkerBundle(code: Uint8Array, dir: URL, now = Date.now()): URL {
  const hash = createHash('sha256').update(code).digest('hex').slice(0, 16);
  const out = new URL(`worker-${hash}.mjs`, dir);
  if (existsSync(out)) {
    const seconds = now / 1000;
    utimesSync(out, seconds, seconds);
  } else {
    mkdirSync(dir, { recursive: true });
    // Written aside and renamed: another process may be starting workers on the same file.
    const partial = new URL(`worker-${hash}.${process.pid}.tmp`, dir);
    writeFileSync(partial, code);
    renameSync(partial, out);
  }
  try {
    pruneWorkerBundles(dir, KEPT_BUNDLES, now);
  } catch {
    // Pruning is housekeeping: file mode runs on whether or not it could.
  }
  return out;
}

/** The file in the bundle directory naming the newest bundle and its inputs' hashes. */
export const INPUTS_RECORD = 'worker-inputs.json';

interface InputsRecord {
  /** File name of the bundle in the same directory. */
  readonly bundle: string;
  /** Absolute path of every source file the bundle was built from → sha-256 of its content. */
  readonly inputs: Readonly<Record<string, string>>;
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * The bundle INPUTS_RECORD names in `dir`, marked as just used, when it is there and every source
 * file it was built from still has the same content; otherwise null (build it again).
 */
export function findRecordedBundle(dir: URL, now = Date.now()): URL | null {
  let record: InputsRecord;
  try {
    record = JSON.parse(readFileSync(new URL(INPUTS_RECORD, dir), 'utf8')) as InputsRecord;
  } catch {
    return null;
  }
  if (typeof record.bundle !== 'string' || !BUNDLE_NAME.test(record.bundle)) return null;
  const inputs = Object.entries(record.inputs ?? {});
  if (inputs.length === 0) return null;
  for (const [path, hash] of inputs) {
    try {
      if (sha256(readFileSync(path)) !== hash) return null;
    } catch {
      return null; // moved or removed: the sources changed
    }
  }
  const out = new URL(record.bundle, dir);
  try {
    const seconds = now / 1000;
    utimesSync(out, seconds, seconds); // the most recently used: the last a pruner removes
  } catch {
    return null; // pruned by another process
  }
  return out;
}

/**
 * Bundles `entry` (a TypeScript module, packages external) into `dir` (storeWorkerBundle) and
 * records its inputs there (INPUTS_RECORD) for findRecordedBundle.
 */
export function buildWorkerBundle(entry: string, dir: URL, now = Date.now()): URL {
  // Loaded here, not at the top: only a run that builds a bundle needs esbuild.
  const esbuild = createRequire(import.meta.url)('esbuild') as typeof Esbuild;
  const workingDir = fileURLToPath(new URL('../..', import.meta.url));
  const result = esbuild.buildSync({
    entryPoints: [entry],
    absWorkingDir: workingDir,
    write: false,
    metafile: true,
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'silent',
  });
  const out = storeWorkerBundle(result.outputFiles[0]!.contents, dir, now);
  const inputs: Record<string, string> = {};
  // The sources, and what decides how they are built: this module's options and tsconfig.json.
  const built = [fileURLToPath(import.meta.url), resolve(workingDir, 'tsconfig.json')];
  for (const input of [...Object.keys(result.metafile.inputs), ...built]) {
    const path = resolve(workingDir, input);
    inputs[path] = sha256(readFileSync(path));
  }
  const record: InputsRecord = { bundle: out.pathname.split('/').pop()!, inputs };
  try {
    // Written aside and renamed: another process may be reading it.
    const partial = new URL(`${INPUTS_RECORD}.${process.pid}.tmp`, dir);
    writeFileSync(partial, JSON.stringify(record));
    renameSync(partial, new URL(INPUTS_RECORD, dir));
  } catch {
    // Without a record the next process builds again: slower, not wrong.
  }
  return out;
}

let bundle: URL | null | undefined;

/**
 * The worker's modules (`file-mode-worker.ts` and what it imports, packages external) as one
 * JavaScript file: the recorded one when its sources are unchanged, else built, once per process;
 * null (start the workers through tsx) when that fails.
 */
export function fileModeWorkerBundle(): URL | null {
  if (bundle === undefined) {
    try {
      bundle =
        findRecordedBundle(BUNDLE_DIR) ??
        buildWorkerBundle(
          fileURLToPath(new URL('./file-mode-worker.ts', import.meta.url)),
          BUNDLE_DIR,
        );
    } catch {
      bundle = null;
    }
  }
  return bundle;
}
