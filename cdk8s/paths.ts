import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, whatever the working directory (tests, CLI and scripts all resolve from it). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The CRDs we generate classes from and validate against: the shared ones, then our own. */
export const SHARED_CRD_DIR = path.resolve(REPO_ROOT, '../shared/crds');
export const OWN_CRD_DIR = path.join(REPO_ROOT, 'cdk8s/crds');

export const IMPORTS_DIR = path.join(REPO_ROOT, 'cdk8s/imports');
export const CLUSTERS_DIR = path.join(REPO_ROOT, 'clusters');
export { SQL_DIR } from '../sql/view-order.js';
export const SKAFFOLD_FILE = path.join(REPO_ROOT, 'skaffold.yaml');

/** True when `moduleUrl` is the script node was asked to run (`tsx cdk8s/x.ts`), not an import. */
export function isMainModule(moduleUrl: string): boolean {
  const entry = process.argv[1];
  return entry !== undefined && path.resolve(entry) === fileURLToPath(moduleUrl);
}
