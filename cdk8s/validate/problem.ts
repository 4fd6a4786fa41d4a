import { describeObject, type LoadedManifest } from '../manifests/index.js';

/** One thing wrong with a rendered object, located precisely enough to fix it. */
export interface Problem {
  /** `schema`, `reference`, or the policy rule's id. */
  readonly rule: string;
  /** File, relative to the folder validated. */
  readonly file: string;
  /** `Kind namespace/name`. */
  readonly object: string;
  /** Dotted path of the field (`spec.pushConfig.oidcToken`). */
  readonly path: string;
  readonly message: string;
}

export function problem(
  rule: string,
  manifest: LoadedManifest,
  path: string,
  message: string,
): Problem {
  return { rule, file: manifest.file, object: describeObject(manifest.object), path, message };
}

export function formatProblem(p: Problem): string {
  return `${p.file}: ${p.object}: ${p.path}: ${p.message} [${p.rule}]`;
}

/** Calls `visit` on every value of a JSON tree with its dotted path (arrays as `[i]`). */
export function walk(
  value: unknown,
  visit: (value: unknown, path: string, key: string) => void,
  path = '',
  key = '',
): void {
  visit(value, path, key);
  if (Array.isArray(value)) {
    value.forEach((item, i) => walk(item, visit, `${path}[${i}]`, key));
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) walk(v, visit, path ? `${path}.${k}` : k, k);
  }
}
