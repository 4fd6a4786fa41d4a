import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';

/** A Kubernetes-style object as rendered into clusters/ (fields beyond metadata are free-form). */
export interface RenderedObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly labels?: Readonly<Record<string, string>>;
    readonly annotations?: Readonly<Record<string, string>>;
  };
  readonly spec?: Readonly<Record<string, unknown>>;
  readonly [field: string]: unknown;
}

/** One object and where it came from, so every message can name the file. */
export interface LoadedManifest {
  readonly object: RenderedObject;
  /** Path of the file, relative to the folder that was read. */
  readonly file: string;
  /** Position of the document in its file (0-based). */
  readonly index: number;
}

/** `Kind namespace/name` (or `Kind name` without a namespace): how messages name an object. */
export function describeObject(object: RenderedObject): string {
  const ns = object.metadata?.namespace;
  return `${object.kind} ${ns ? `${ns}/` : ''}${object.metadata?.name}`;
}

/** A key unique within an environment: group-qualified kind, namespace and name. */
export function objectKey(object: RenderedObject): string {
  const group = object.apiVersion.includes('/') ? object.apiVersion.split('/')[0] : 'core';
  return `${object.kind}.${group}/${object.metadata?.namespace ?? ''}/${object.metadata?.name}`;
}

/** True for package metadata that is never applied (the Kptfile and `local-config` objects). */
export function isLocalConfig(object: RenderedObject): boolean {
  return (
    object.kind === 'Kptfile' ||
    object.metadata?.annotations?.['config.kubernetes.io/local-config'] === 'true'
  );
}

/** Parses a multi-document YAML file; throws naming the file on a syntax error. */
export function parseManifests(text: string, file: string): LoadedManifest[] {
  const out: LoadedManifest[] = [];
  parseAllDocuments(text).forEach((doc, index) => {
    if (doc.errors.length > 0) {
      throw new Error(`${file}: document ${index + 1}: ${doc.errors[0]!.message}`);
    }
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) return;
    if (typeof value !== 'object' || Array.isArray(value)) {
      throw new Error(`${file}: document ${index + 1} is not an object`);
    }
    const object = value as RenderedObject;
    if (typeof object.kind !== 'string' || typeof object.apiVersion !== 'string') {
      throw new Error(`${file}: document ${index + 1} has no apiVersion/kind`);
    }
    if (!isLocalConfig(object)) out.push({ object, file, index });
  });
  return out;
}

/** Every `*.yaml`/`*.yml` file under `dir` (recursively, in sorted order), parsed. */
export function readManifestDir(dir: string): LoadedManifest[] {
  const files: string[] = [];
  const walk = (current: string): void => {
    for (const name of readdirSync(current).sort()) {
      const full = path.join(current, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (/\.ya?ml$/.test(name)) files.push(full);
    }
  };
  walk(dir);
  return files.flatMap((full) =>
    parseManifests(readFileSync(full, 'utf8'), path.relative(dir, full).split(path.sep).join('/')),
  );
}

/**
 * The rendered packages of one environment folder (`clusters/<env>/<package>/…`), as ARCHITECTURE.md
 * ("Infrastructure as TypeScript") lays them out.
 */
export const PACKAGES = ['config-sync', 'demo', 'cloud-run', 'bootstrap', 'k8s'] as const;
export type PackageName = (typeof PACKAGES)[number];

/** The package (first folder) a manifest was read from, relative to its environment folder. */
export function packageOf(manifest: LoadedManifest): string {
  return manifest.file.split('/')[0] ?? '';
}

export function ofKind(manifests: readonly LoadedManifest[], kind: string): LoadedManifest[] {
  return manifests.filter((m) => m.object.kind === kind);
}
