import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

/*
 * The folder READMEs' "may import" rules, as `npm run lint` holds them (boundaries.config.js):
 * a deliberate breach of each fails, the import next to it that the README allows passes.
 */

const eslint = new ESLint({ cwd: import.meta.dirname });

async function boundaryErrors(filePath: string, specifier: string): Promise<string[]> {
  // The rule checks resolved files only: a case naming no real file would prove nothing.
  const target = join(dirname(filePath), specifier).replace(/\.js$/, '.ts');
  expect(existsSync(join(import.meta.dirname, target)), `${target} exists`).toBe(true);
  const code = `import * as target from '${specifier}';\nexport const used = target;\n`;
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages
    .filter((m) => m.ruleId === 'import-x/no-restricted-paths')
    .map((m) => m.message);
}

describe('folder boundaries', () => {
  it.each([
    [
      'beam/streaming/zz.ts',
      '../../services/shared/serve.js',
      'beam/ may import core/ and runtime/ only',
    ],
    ['core/zz.ts', '../runtime/logger.js', 'core/ is the domain'],
    ['runtime/zz.ts', '../core/index.js', 'runtime/ imports no other folder'],
    ['cdk8s/zz.ts', '../local/replay/index.js', 'cdk8s/ may import charts/'],
    ['charts/zz.ts', '../cdk8s/config/index.js', 'charts/ may import cdk8s/imports/ only'],
    [
      'services/bq-writer/zz.ts',
      '../dashboard/index.js',
      'may import services/shared/, not another service',
    ],
    ['services/shared/zz.ts', '../bq-writer/app.js', 'services/shared/ serves the services'],
    [
      'local/bigquery-emulator/storage/zz.ts',
      '../handlers/jobs.js',
      'storage/ never imports handlers/',
    ],
    ['local/pubsub-emulator/zz.ts', '../simulator/index.js', 'stands alone in local/'],
    ['local/stack/zz.ts', '../../charts/index.js', 'local/ may import core/'],
    ['local/reconcile/zz.ts', '../../cdk8s/synth.js', 'cdk8s/manifests/ only'],
  ])('%s importing %s is refused', async (file, specifier, reason) => {
    const errors = await boundaryErrors(file, specifier);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(reason);
  });

  it.each([
    ['beam/streaming/zz.ts', '../../runtime/logger.js'],
    ['services/bq-writer/zz.ts', '../shared/serve.js'],
    ['local/reconcile/zz.ts', '../../cdk8s/manifests/index.js'],
    ['charts/zz.ts', '../cdk8s/imports/pubsub.cnrm.cloud.google.com.js'],
    ['cdk8s/zz.ts', '../charts/env-config.js'],
    ['local/stack/zz.test.ts', '../../charts/index.js'],
  ])('%s importing %s is allowed', async (file, specifier) => {
    expect(await boundaryErrors(file, specifier)).toEqual([]);
  });
});
