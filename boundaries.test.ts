import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

/*
 * The folder READMEs' "may import" rules, as `npm run lint` holds them (boundaries.config.js):
 * a deliberate breach of each fails, the import next to it that the README allows passes.
 */

const eslint = new ESLint({ cwd: import.meta.dirname });

async function lintErrors(filePath: string, specifier: string, rule: string): Promise<string[]> {
  const code = `import * as target from '${specifier}';\nexport const used = target;\n`;
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages.filter((m) => m.ruleId === rule).map((m) => m.message);
}

async function boundaryErrors(filePath: string, specifier: string): Promise<string[]> {
  // The rule checks resolved files only: a case naming no real file would prove nothing.
  const target = join(dirname(filePath), specifier).replace(/\.js$/, '.ts');
  expect(existsSync(join(import.meta.dirname, target)), `${target} exists`).toBe(true);
  return lintErrors(filePath, specifier, 'import-x/no-restricted-paths');
}

const packageErrors = (filePath: string, specifier: string) =>
  lintErrors(filePath, specifier, 'import-x/no-extraneous-dependencies');

function dependenciesOf(workspace: string): Set<string> {
  const manifest = JSON.parse(
    readFileSync(join(import.meta.dirname, workspace, 'package.json'), 'utf8'),
  ) as { dependencies?: Record<string, string> };
  return new Set(Object.keys(manifest.dependencies ?? {}));
}

/** The packages a file imports at run time (type-only imports are erased). */
function runtimePackagesOf(source: string): string[] {
  const specifiers = [
    ...source.matchAll(/^import\s+(?!type\s)(?:[^'"]*?\sfrom\s+)?'([^']+)'/gms),
    ...source.matchAll(/\bimport\('([^']+)'\)/g),
  ].map((match) => match[1]!);
  return specifiers
    .filter((specifier) => !specifier.startsWith('.') && !specifier.startsWith('node:'))
    .map((specifier) =>
      specifier
        .split('/')
        .slice(0, specifier.startsWith('@') ? 2 : 1)
        .join('/'),
    );
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

describe('workspace dependencies', () => {
  it.each([
    ['services/bq-writer/zz.ts', '@duckdb/node-api'],
    ['services/dashboard/zz.ts', 'apache-beam/transforms'],
    ['services/shared/zz.ts', 'playwright-core'],
    ['local/pubsub-emulator/zz.ts', '@duckdb/node-api'],
    ['local/bigquery-emulator/zz.ts', '@google-cloud/pubsub'],
  ])('%s importing %s, which its package.json does not list, is refused', async (file, name) => {
    const errors = await packageErrors(file, name);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(`'${name.split('/')[0]}`);
  });

  it.each([
    ['services/bq-writer/zz.ts', '@google-cloud/bigquery'],
    ['local/bigquery-emulator/zz.ts', '@duckdb/node-api'],
    ['local/pubsub-emulator/zz.ts', '@grpc/grpc-js'],
    ['services/bq-writer/zz.test.ts', '@duckdb/node-api'],
  ])('%s importing %s is allowed', async (file, name) => {
    expect(await packageErrors(file, name)).toEqual([]);
  });

  it('core/ and runtime/, bundled into every service, import only what services/ lists', () => {
    const listed = dependenciesOf('services');
    const files = execFileSync('git', ['ls-files', 'core/*.ts', 'runtime/*.ts'], {
      cwd: import.meta.dirname,
      encoding: 'utf8',
    })
      .split('\n')
      .filter((file) => file && !file.endsWith('.test.ts') && !file.includes('/testing/'));
    expect(files.length).toBeGreaterThan(10);
    const missing = files.flatMap((file) =>
      runtimePackagesOf(readFileSync(join(import.meta.dirname, file), 'utf8'))
        .filter((name) => !listed.has(name))
        .map((name) => `${file}: ${name}`),
    );
    expect(missing).toEqual([]);
    // The scan sees the packages runtime/ does use.
    expect(
      runtimePackagesOf(readFileSync(join(import.meta.dirname, 'runtime/logger.ts'), 'utf8')),
    ).toContain('pino');
  });
});

describe('function length', () => {
  const functionOf = (lines: number) =>
    `export function long(): number {\n  let n = 0;\n${'  n += 1;\n'.repeat(lines - 4)}  return n;\n}\n`;
  const lengthErrors = async (filePath: string, code: string) => {
    const [result] = await eslint.lintText(code, { filePath });
    return result!.messages.filter((m) => m.ruleId === 'max-lines-per-function');
  };

  it('refuses a function of more than 80 lines outside tests', async () => {
    expect(await lengthErrors('services/shared/zz.ts', functionOf(81))).toHaveLength(1);
    expect(await lengthErrors('services/shared/zz.ts', functionOf(80))).toHaveLength(0);
  });

  it('leaves test files alone', async () => {
    expect(await lengthErrors('services/shared/zz.test.ts', functionOf(200))).toHaveLength(0);
  });
});
