import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { PACKAGES, readManifestDir, type LoadedManifest } from '../manifests/index.js';
import { CrdSchemas } from './crd-schemas.js';
import { checkPolicies } from './policies.js';
import { problem, type Problem } from './problem.js';
import { checkReferences } from './references.js';

/** Kinds Kubernetes itself defines (rendered by cdk8s-plus); their shape is cdk8s-plus's job. */
const BUILT_IN = new Set(['v1/Namespace', 'v1/Service', 'v1/ConfigMap', 'apps/v1/Deployment']);

export interface EnvironmentReport {
  /** Folder of the environment, relative to the folder validated ('.' when it is one). */
  readonly environment: string;
  readonly objects: number;
  readonly problems: Problem[];
}

let sharedSchemas: CrdSchemas | undefined;

/** Validates one environment's objects: CRD schemas, references, policies. */
export function validateEnvironment(
  manifests: readonly LoadedManifest[],
  schemas: CrdSchemas = (sharedSchemas ??= new CrdSchemas()),
): Problem[] {
  const problems: Problem[] = [];
  for (const manifest of manifests) {
    const { apiVersion, kind } = manifest.object;
    if (BUILT_IN.has(`${apiVersion}/${kind}`)) continue;
    for (const p of schemas.validate(manifest.object)) {
      problems.push(problem('schema', manifest, p.path, p.message));
    }
  }
  problems.push(...checkReferences(manifests), ...checkPolicies(manifests));
  return problems;
}

const isEnvironmentDir = (dir: string) => PACKAGES.some((pkg) => existsSync(path.join(dir, pkg)));

/**
 * Validates `dir`: either one environment folder (holding config-sync/, demo/, …) or a folder of
 * environments (`clusters/`), each validated on its own — references never cross environments.
 */
export function validateTree(dir: string): EnvironmentReport[] {
  const environments = isEnvironmentDir(dir)
    ? ['.']
    : readdirSync(dir)
        .filter((name) => statSync(path.join(dir, name)).isDirectory())
        .sort();
  if (environments.length === 0) throw new Error(`${dir}: no rendered environment to validate`);
  return environments.map((environment) => {
    // Validate with environment-relative files (the package is the first folder), report with
    // paths relative to `dir`.
    const manifests = readManifestDir(path.join(dir, environment));
    const problems = validateEnvironment(manifests).map((p) => ({
      ...p,
      file: environment === '.' ? p.file : `${environment}/${p.file}`,
    }));
    return { environment, objects: manifests.length, problems };
  });
}
