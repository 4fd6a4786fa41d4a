import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/*
 * `pmp` loads a command's implementation only when that command runs (cli/commands/*.ts import it
 * in their action), so `pmp --help` costs tsx and commander, not the whole repository's
 * dependencies (docs/PERFORMANCE.md, "pmp start-up"). These tests run the real entry point in a
 * child process that records every module it loads, through both loaders: a CommonJS preload
 * listing `require.cache` at exit (the SDK, the Google clients, DuckDB, playwright and cdk8s are
 * CommonJS, also when imported) and an ESM resolve hook. They check what was loaded, never how
 * long it took.
 */

const repo = fileURLToPath(new URL('..', import.meta.url));
const pmp = join(repo, 'cli/bin/pmp.js');

/** Packages that no command's description needs; each is hundreds of modules or a native addon. */
const HEAVY = [
  'apache-beam',
  '@google-cloud/pubsub',
  '@google-cloud/bigquery',
  'google-gax',
  '@grpc/grpc-js',
  '@duckdb/node-api',
  '@duckdb/node-bindings',
  'playwright-core',
  'cdk8s',
  'cdk8s-plus-28',
  'koa',
  'pino',
  'yaml',
  'cli-progress',
];

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'pmp-startup-test-'));
  writeFileSync(
    join(dir, 'record-commonjs.cjs'),
    `const { appendFileSync } = require('node:fs');
process.on('exit', () => {
  appendFileSync(process.env.PMP_LOADED_FILE, Object.keys(require.cache).join('\\n') + '\\n');
});
`,
  );
  writeFileSync(
    join(dir, 'esm-hooks.mjs'),
    `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  appendFileSync(process.env.PMP_LOADED_FILE, resolved.url + '\\n');
  return resolved;
}
`,
  );
  writeFileSync(
    join(dir, 'record-esm.mjs'),
    `import { register } from 'node:module';
register(${JSON.stringify(pathToFileURL(join(dir, 'esm-hooks.mjs')).href)});
`,
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `pmp ...args`; its exit status, stdout and the package names of every module it loaded. */
function runRecorded(name: string, args: string[]) {
  const loadedFile = join(dir, `${name}.loaded.txt`);
  writeFileSync(loadedFile, '');
  const run = spawnSync(
    process.execPath,
    [
      '--require',
      join(dir, 'record-commonjs.cjs'),
      '--import',
      pathToFileURL(join(dir, 'record-esm.mjs')).href,
      pmp,
      ...args,
    ],
    {
      cwd: repo,
      encoding: 'utf8',
      env: { ...process.env, PMP_LOADED_FILE: loadedFile, NODE_OPTIONS: '' },
    },
  );
  const files = readFileSync(loadedFile, 'utf8').split('\n').filter(Boolean);
  const packages = new Set<string>();
  for (const file of files) {
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(file.replaceAll('\\', '/'));
    if (match) packages.add(match[1]!);
  }
  return { status: run.status, stdout: run.stdout, stderr: run.stderr, files, packages };
}

describe('pmp start-up', () => {
  it('prints --help without loading any command implementation', () => {
    const run = runRecorded('help', ['--help']);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain('Usage: pmp [options] [command]');
    // The recording works: tsx and commander were seen, through both loaders.
    expect(run.packages).toContain('commander');
    expect(run.packages).toContain('tsx');
    expect(HEAVY.filter((name) => run.packages.has(name))).toEqual([]);
  });

  it('describes a subcommand without loading it (pmp curate --help)', () => {
    const run = runRecorded('curate-help', ['curate', '--help']);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain('Usage: pmp curate');
    expect(HEAVY.filter((name) => run.packages.has(name))).toEqual([]);
  });

  it('curates a file on the DirectRunner with the Beam SDK only: no Google client, DuckDB, playwright or cdk8s', () => {
    const input = join(dir, 'empty.jsonl');
    writeFileSync(input, '\n');
    const run = runRecorded('curate', [
      'curate',
      '--input',
      input,
      '--output',
      join(dir, 'rows.jsonl'),
      '--dlq',
      join(dir, 'dlq.jsonl'),
    ]);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain('blank lines skipped: 1');
    expect(run.packages).toContain('apache-beam');
    const unneeded = HEAVY.filter((name) => !['apache-beam', '@grpc/grpc-js'].includes(name));
    expect(unneeded.filter((name) => run.packages.has(name))).toEqual([]);
  });
});
