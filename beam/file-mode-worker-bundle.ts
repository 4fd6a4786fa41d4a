import { createHash } from 'node:crypto';
import type * as Esbuild from 'esbuild';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/*
 * File mode's worker threads start on one JavaScript file of their modules (esbuild), not on the
 * TypeScript sources: a worker started through tsx first registers it (~0.2 s) and then loads ~30
 * modules through tsx's loader thread, ~0.8–0.9 s before it curates anything against ~0.4–0.6 s
 * on the bundle. The bundle is built again in every process that starts workers (75–170 ms here,
 * synchronously: the asynchronous build needs several round trips to esbuild's process, each
 * waiting for this thread to finish the range it is curating), so the files under
 * node_modules/.cache/pmp-file-mode/ do not cache the build. They exist because a worker needs a
 * module file whose package imports (left external) resolve from node_modules: not a data: URL,
 * not /tmp. Named by content hash, one file serves every process with the same sources, and
 * finding it saves only writing it: ~1–1.5 ms (55 KB, written aside and renamed) against ~0.1 ms.
 * Measured on this machine (2 shared cores, load 3–5), five runs each, the first worker had loaded
 * 0.64–0.95 s after a bundle step that wrote the file and 0.53–1.2 s after one that found it: no
 * difference the noise lets through. Each change of the sources adds a file, so the directory is
 * pruned whenever a bundle is stored or found: the KEPT_BUNDLES most recently used stay (a process
 * on older sources may be starting workers on one), the rest go, and so do temporary files left by
 * a process that died while writing one.
 */

/** Where the bundles are written: under node_modules, so the workers' package imports resolve. */
const BUNDLE_DIR = new URL('../node_modules/.cache/pmp-file-mode/', import.meta.url);

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

let bundle: URL | null | undefined;

/**
 * The worker's modules (`file-mode-worker.ts` and what it imports, packages external) as one
 * JavaScript file, built once per process; null (start the workers through tsx) when that fails.
 */
export function fileModeWorkerBundle(): URL | null {
  if (bundle === undefined) {
    try {
      // Loaded here, not at the top: only a run that starts workers needs esbuild.
      const esbuild = createRequire(import.meta.url)('esbuild') as typeof Esbuild;
      const result = esbuild.buildSync({
        entryPoints: [fileURLToPath(new URL('./file-mode-worker.ts', import.meta.url))],
        write: false,
        bundle: true,
        packages: 'external',
        platform: 'node',
        format: 'esm',
        target: 'node20',
        logLevel: 'silent',
      });
      bundle = storeWorkerBundle(result.outputFiles[0]!.contents, BUNDLE_DIR);
    } catch {
      bundle = null;
    }
  }
  return bundle;
}
