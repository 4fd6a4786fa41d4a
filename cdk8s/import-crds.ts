import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, cpSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { IMPORTS_DIR, isMainModule, OWN_CRD_DIR, REPO_ROOT, SHARED_CRD_DIR } from './paths.js';

/** Every CRD file we generate classes from, in a stable order. */
export function crdFiles(): string[] {
  const list = (dir: string): string[] =>
    readdirSync(dir)
      .filter((name) => name.endsWith('.yaml'))
      .sort()
      .map((name) => path.join(dir, name));
  return [...list(SHARED_CRD_DIR), ...list(OWN_CRD_DIR)];
}

/**
 * Runs `cdk8s import` once over all CRDs concatenated into one multi-document file.
 *
 * Why one run: `cdk8s import` writes one module per API group, named after the group. Importing two
 * CRD files of the same group in two runs (e.g. PubSubTopic and PubSubSubscription) makes the second
 * run overwrite the first group module. Fed one file holding every CRD, it groups the kinds itself
 * and writes each group module exactly once. The generated code passes our strict tsconfig as is,
 * so it is committed untouched (no `@ts-nocheck`, no post-processing).
 */
export function generateImports(outDir: string): void {
  const work = mkdtempSync(path.join(os.tmpdir(), 'pmp-import-'));
  try {
    const combined = path.join(work, 'crds.yaml');
    writeFileSync(
      combined,
      crdFiles()
        .map((file) => readFileSync(file, 'utf8'))
        .join('\n---\n'),
    );
    const generated = path.join(work, 'imports');
    const result = spawnSync(
      path.join(REPO_ROOT, 'node_modules/.bin/cdk8s'),
      [
        'import',
        '--no-check-upgrade',
        '--no-save',
        '--language',
        'typescript',
        '-o',
        generated,
        combined,
      ],
      { cwd: work, encoding: 'utf8' },
    );
    if (result.status !== 0) {
      throw new Error(`cdk8s import failed (${result.status}):\n${result.stderr}${result.stdout}`);
    }
    rmSync(outDir, { recursive: true, force: true });
    cpSync(generated, outDir, { recursive: true });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (isMainModule(import.meta.url)) {
  generateImports(IMPORTS_DIR);
  const modules = readdirSync(IMPORTS_DIR).sort();
  console.log(`cdk8s/imports: ${modules.length} group modules from ${crdFiles().length} CRDs`);
  for (const name of modules) console.log(`  ${name}`);
}
