import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { SKAFFOLD_FILE } from './paths.js';

export interface SkaffoldArtifact {
  readonly image: string;
  readonly context: string;
  readonly dockerfile: string;
  /** `docker.buildArgs`, passed to `docker build` as `--build-arg NAME=value` (e.g. SERVICE). */
  readonly buildArgs: Readonly<Record<string, string>>;
}

interface RawArtifact {
  image: string;
  context?: string;
  docker?: { dockerfile?: string; buildArgs?: Record<string, unknown> };
}

interface RawBuild {
  artifacts?: RawArtifact[];
}

export interface SkaffoldConfig {
  build?: RawBuild;
  manifests?: { rawYaml?: string[] };
  profiles?: { name: string; build?: RawBuild; manifests?: { rawYaml?: string[] } }[];
}

export function readSkaffold(file = SKAFFOLD_FILE): SkaffoldConfig {
  return parse(readFileSync(file, 'utf8')) as SkaffoldConfig;
}

const artifact = (a: RawArtifact): SkaffoldArtifact => ({
  image: a.image,
  context: a.context ?? '.',
  dockerfile: a.docker?.dockerfile ?? 'Dockerfile',
  buildArgs: buildArgs(a),
});

/**
 * Skaffold also allows a null value (taken from the environment) or a template; our deploy runs
 * `docker build` without skaffold, so only literal strings are accepted, rather than built wrong.
 */
function buildArgs(a: RawArtifact): Record<string, string> {
  const args: Record<string, string> = {};
  for (const [name, value] of Object.entries(a.docker?.buildArgs ?? {})) {
    if (typeof value !== 'string' || value.includes('{{')) {
      throw new Error(`skaffold.yaml ${a.image}: build arg ${name} must be a literal string`);
    }
    args[name] = value;
  }
  return args;
}

/** The artifacts of the base build (or of a profile that overrides it). One list: skaffold.yaml. */
export function skaffoldArtifacts(config: SkaffoldConfig, profile?: string): SkaffoldArtifact[] {
  const profiled = profile ? config.profiles?.find((p) => p.name === profile)?.build : undefined;
  return (profiled ?? config.build)?.artifacts?.map(artifact) ?? [];
}

/**
 * Files a `rawYaml` entry matches. Our entries are `dir/*.yaml`-style (a `*` in the last segment
 * only); anything fancier is refused rather than half-understood. (Node 20 has no fs.globSync.)
 */
export function expandManifestGlob(pattern: string, root: string): string[] {
  const dir = path.posix.dirname(pattern);
  const base = path.posix.basename(pattern);
  if (/[*?[\]{}]/.test(dir)) throw new Error(`unsupported glob ${pattern}: wildcard in a folder`);
  const full = path.join(root, dir);
  if (!existsSync(full)) return [];
  const re = new RegExp(`^${base.replace(/[.+^${}()|\\]/g, '\\$&').replaceAll('*', '[^/]*')}$`);
  return readdirSync(full)
    .filter((name) => re.test(name))
    .sort()
    .map((name) => `${dir}/${name}`);
}
