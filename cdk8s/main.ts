import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateImports } from './import-crds.js';
import { CLUSTERS_DIR, IMPORTS_DIR, isMainModule } from './paths.js';
import { diffClusters, listFiles, renderClusters, writeClusters } from './synth.js';

/** `npm run synth`: renders every environment into clusters/. */
export function synth(root = CLUSTERS_DIR): number {
  const files = renderClusters();
  writeClusters(root, files);
  return files.size;
}

/**
 * `npm run synth:check`: compares a fresh render (in memory) and a fresh `cdk8s import` (in a
 * temporary folder) with what is committed. Writes nothing under the work tree.
 */
export function synthCheck(): string[] {
  const problems = diffClusters(CLUSTERS_DIR, renderClusters()).map((p) => `clusters/ ${p}`);
  const fresh = mkdtempSync(path.join(os.tmpdir(), 'pmp-imports-'));
  try {
    generateImports(path.join(fresh, 'imports'));
    const generated = new Map(
      listFiles(path.join(fresh, 'imports')).map((f) => [
        f,
        readFileSync(path.join(fresh, 'imports', f), 'utf8'),
      ]),
    );
    problems.push(...diffClusters(IMPORTS_DIR, generated).map((p) => `cdk8s/imports/ ${p}`));
  } finally {
    rmSync(fresh, { recursive: true, force: true });
  }
  return problems;
}

if (isMainModule(import.meta.url)) {
  if (process.argv.includes('--check')) {
    const problems = synthCheck();
    if (problems.length > 0) {
      console.error(
        [
          'synth:check: the committed output differs from a fresh render:',
          ...problems.map((p) => `  ${p}`),
          'Run `npm run import && npm run synth` and commit clusters/ and cdk8s/imports/.',
        ].join('\n'),
      );
      process.exitCode = 1;
    } else {
      console.log('synth:check: clusters/ and cdk8s/imports/ match a fresh render');
    }
  } else {
    const started = performance.now();
    const count = synth();
    console.log(
      `synth: ${count} files in clusters/ (${Math.round(performance.now() - started)} ms)`,
    );
  }
}
