// What each folder's production code may import, as its README says, for eslint.config.js
// (import-x/no-restricted-paths: specifiers are resolved to files, so `../x/index.js` and a `.ts`
// source are the same place). Tests and test support (`*.test.ts`, `testing/`, `services/e2e/`)
// may reach across: an end-to-end test starts the emulators. `cli/` and `bench/` import anything.
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const FOLDERS = [
  'core',
  'runtime',
  'services',
  'beam',
  'local',
  'sql',
  'charts',
  'cdk8s',
  'cli',
  'bench',
];

/** Files where the rules do not apply. */
export const BOUNDARY_EXEMPT = [
  '**/*.test.ts',
  '**/testing/**',
  'services/e2e/**',
  'cli/**',
  'bench/**',
];

const others = (...allowed) => FOLDERS.filter((folder) => !allowed.includes(folder));

/** `target` may import only its own folder and `allowed` (each a top-level folder). */
function onlyFrom(target, allowed, message) {
  const own = target.split('/')[0];
  return others(own, ...allowed).map((folder) => ({
    target: `./${target}`,
    from: `./${folder}`,
    message,
  }));
}

/** `target` may not import `from`, except the sub-folders (of `from`) listed. */
function notFrom(target, from, except, message) {
  return { target: `./${target}`, from: `./${from}`, except: except.map((e) => `./${e}`), message };
}

const serviceFolders = readdirSync(new URL('./services/', import.meta.url), { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && !['shared', 'e2e', 'testing'].includes(entry.name))
  .map((entry) => entry.name);

export const BOUNDARY_ZONES = [
  ...onlyFrom('core', [], 'core/ is the domain: it imports no other folder (core/README.md).'),
  ...onlyFrom('runtime', [], 'runtime/ imports no other folder (runtime/README.md).'),
  ...onlyFrom('sql', [], 'sql/ imports nothing of ours (sql/README.md).'),
  ...onlyFrom(
    'beam',
    ['core', 'runtime'],
    'beam/ may import core/ and runtime/ only (beam/README.md).',
  ),
  ...onlyFrom(
    'services',
    ['core', 'runtime'],
    'services/ may import core/ and runtime/ only (services/README.md).',
  ),
  notFrom(
    'services/shared',
    'services',
    ['shared'],
    'services/shared/ serves the services; it imports none of them.',
  ),
  ...serviceFolders.map((name) =>
    notFrom(
      `services/${name}`,
      'services',
      ['shared', name],
      `services/${name}/ may import services/shared/, not another service.`,
    ),
  ),
  ...['bigquery-emulator', 'pubsub-emulator'].flatMap((emulator) => [
    ...onlyFrom(
      `local/${emulator}`,
      ['core', 'runtime'],
      `local/${emulator}/ may import core/ and runtime/ only.`,
    ),
    notFrom(
      `local/${emulator}`,
      'local',
      [emulator],
      `local/${emulator}/ stands alone in local/ (its own workspace).`,
    ),
  ]),
  notFrom(
    'local/bigquery-emulator/storage',
    'local/bigquery-emulator/handlers',
    [],
    "The emulator's storage/ never imports handlers/ (local/bigquery-emulator/README.md).",
  ),
  ...onlyFrom(
    'local',
    ['core', 'runtime', 'services', 'beam', 'sql', 'cdk8s'],
    'local/ may import core/, runtime/, services/, beam/, sql/ and cdk8s/manifests/ (local/README.md).',
  ),
  notFrom(
    'local',
    'cdk8s',
    ['manifests'],
    'local/ reads the rendered manifests through cdk8s/manifests/ only.',
  ),
  ...onlyFrom(
    'charts',
    ['core', 'sql', 'cdk8s'],
    'charts/ may import core/, sql/ and cdk8s/imports/ (charts/README.md).',
  ),
  notFrom(
    'charts',
    'cdk8s',
    ['imports'],
    'charts/ may import cdk8s/imports/ only, never the app or its config.',
  ),
  ...onlyFrom(
    'cdk8s',
    ['charts', 'core', 'runtime', 'sql'],
    'cdk8s/ may import charts/, core/, runtime/ and sql/ (cdk8s/README.md).',
  ),
];

/**
 * Each npm workspace and the folders its image ships: production code there imports only the
 * packages that workspace's package.json lists (import-x/no-extraneous-dependencies), so a service
 * image (`npm ci --omit=dev --workspace=services`) installs everything it runs and nothing more.
 * core/ and runtime/ go into every service bundle too, but the rule also reads the package.json
 * nearest a file (the root's, for them): boundaries.test.ts checks their imports instead.
 */
export const WORKSPACE_PACKAGES = [
  { files: ['services/**/*.ts'], packageDir: 'services' },
  { files: ['local/bigquery-emulator/**/*.ts'], packageDir: 'local/bigquery-emulator' },
  { files: ['local/pubsub-emulator/**/*.ts'], packageDir: 'local/pubsub-emulator' },
].map(({ files, packageDir }) => ({
  files,
  packageDir: fileURLToPath(new URL(`./${packageDir}`, import.meta.url)),
}));
