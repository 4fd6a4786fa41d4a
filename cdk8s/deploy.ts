import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { parseManifests } from './manifests/index.js';
import { ENV_NAMES, loadEnvConfig, type EnvName } from './config/index.js';
import { CLUSTERS_DIR, isMainModule, REPO_ROOT } from './paths.js';
import { readSkaffold, skaffoldArtifacts } from './skaffold-config.js';

/** One step of a deploy: a command line, run from the repository root. */
export type Command = readonly string[];

export interface DeployPlan {
  /** Cloud Run specs with images pinned to the build's tag, by path. */
  readonly pinned: ReadonlyMap<string, string>;
  readonly commands: readonly Command[];
}

export interface DeployOptions {
  readonly env: EnvName;
  /** Image tag of this build (the commit SHA in CI). */
  readonly tag: string;
  /** Where the pinned copies of clusters/<env>/cloud-run are written. */
  readonly outDir: string;
  /** @default clusters/ */
  readonly clustersDir?: string;
}

/**
 * Plans a Cloud Run deploy of one environment: build and push every image with the tag (as
 * skaffold.yaml's base build says: Dockerfile, context, build args), then
 * `gcloud run services replace` / `gcloud run jobs replace` each reviewed spec of
 * clusters/<env>/cloud-run with its image pinned to that tag. `replace` is declarative, so running
 * the same plan twice changes nothing the second time.
 */
export function planDeploy(options: DeployOptions): DeployPlan {
  const config = loadEnvConfig(options.env);
  if (!config.imageRegistry) throw new Error(`environment ${options.env} has no image registry`);
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(options.tag)) {
    throw new Error(`invalid image tag ${JSON.stringify(options.tag)}`);
  }
  const dir = path.join(options.clustersDir ?? CLUSTERS_DIR, options.env, 'cloud-run');
  const registry = `${config.imageRegistry}/`;
  const used = new Set<string>();
  const pinned = new Map<string, string>();
  const replaces: Command[] = [];

  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()) {
    const text = readFileSync(path.join(dir, file), 'utf8');
    const objects = parseManifests(text, file).map((m) => m.object);
    if (objects.length !== 1) throw new Error(`${file}: gcloud replaces one object per file`);
    const { kind } = objects[0]!;
    for (const { image } of containersOf(objects[0])) {
      if (!image.startsWith(registry) || image.includes(':')) {
        throw new Error(`${file}: image ${image} is not an untagged ${registry}… image`);
      }
      used.add(image.slice(registry.length));
    }
    const target = path.join(options.outDir, file);
    // The reviewed file, byte for byte, with only the image lines pinned.
    pinned.set(target, pinImages(text, registry, options.tag));
    const verb = kind === 'Job' ? 'jobs' : 'services';
    replaces.push([
      'gcloud',
      'run',
      verb,
      'replace',
      target,
      '--project',
      config.projectId,
      '--region',
      config.region,
      '--quiet',
    ]);
  }

  const builds: Command[] = [];
  for (const artifact of skaffoldArtifacts(readSkaffold())) {
    if (!used.has(artifact.image)) continue;
    const ref = `${registry}${artifact.image}:${options.tag}`;
    builds.push(
      [
        'docker',
        'build',
        '--tag',
        ref,
        '--file',
        path.join(artifact.context, artifact.dockerfile),
        ...Object.entries(artifact.buildArgs).flatMap(([name, value]) => [
          '--build-arg',
          `${name}=${value}`,
        ]),
        artifact.context,
      ],
      ['docker', 'push', ref],
    );
    used.delete(artifact.image);
  }
  if (used.size > 0) {
    throw new Error(`no skaffold.yaml artifact builds ${[...used].sort().join(', ')}`);
  }
  return { pinned, commands: [...builds, ...replaces] };
}

interface Container {
  image: string;
}

function containersOf(object: unknown): Container[] {
  const spec = (object as { spec?: { template?: { spec?: Record<string, unknown> } } }).spec;
  const template = spec?.template?.spec;
  // Service: spec.template.spec.containers; Job: spec.template.spec.template.spec.containers.
  const direct = template?.containers as Container[] | undefined;
  const nested = (template?.template as { spec?: { containers?: Container[] } } | undefined)?.spec
    ?.containers;
  return direct ?? nested ?? [];
}

/** The reviewed file with `image: <registry>/<name>` lines pinned to `:<tag>`, nothing else. */
export function pinImages(text: string, registry: string, tag: string): string {
  const escaped = registry.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  return text.replace(
    new RegExp(`^(\\s*(?:- )?image: ${escaped}[a-z0-9._-]+)$`, 'gm'),
    `$1:${tag}`,
  );
}

export function quote(command: Command): string {
  return command
    .map((a) => (/^[A-Za-z0-9_./:@=,-]+$/.test(a) ? a : `'${a.replaceAll("'", "'\\''")}'`))
    .join(' ');
}

/** Writes the pinned specs and runs the commands in order, stopping at the first failure. */
export function runDeploy(plan: DeployPlan, dryRun: boolean, log = console.log): number {
  for (const [file, content] of plan.pinned) {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, content);
  }
  for (const command of plan.commands) {
    log(`${dryRun ? '[dry-run] ' : '+ '}${quote(command)}`);
    if (dryRun) continue;
    const result = spawnSync(command[0]!, command.slice(1), { cwd: REPO_ROOT, stdio: 'inherit' });
    if (result.status !== 0) return result.status ?? 1;
  }
  return 0;
}

if (isMainModule(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      env: { type: 'string' },
      tag: { type: 'string' },
      out: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
    },
  });
  const env = values.env as EnvName | undefined;
  if (!env || !ENV_NAMES.includes(env) || !values.tag || !values.out) {
    console.error(
      'usage: tsx cdk8s/deploy.ts --env dev|prod --tag <image tag> --out <dir> [--dry-run]',
    );
    process.exit(2);
  }
  const plan = planDeploy({ env, tag: values.tag, outDir: path.resolve(values.out) });
  process.exitCode = runDeploy(plan, values['dry-run'] ?? false);
}
