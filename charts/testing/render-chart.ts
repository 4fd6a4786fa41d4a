import { Testing, type Chart } from 'cdk8s';
import { loadEnvConfig, type EnvName } from '../../cdk8s/config/index.js';
import type { EnvConfig } from '../env-config.js';

/** A rendered object, loosely typed: tests read fields by path. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Manifest = Record<string, any>;

export function testConfig(name: EnvName = 'dev'): EnvConfig {
  return loadEnvConfig(name);
}

/** Synthesises a chart built on a throwaway app. */
export function synthChart(build: (app: ReturnType<typeof Testing.app>) => Chart): Manifest[] {
  return Testing.synth(build(Testing.app())) as Manifest[];
}

export function findObject(objects: readonly Manifest[], kind: string, name: string): Manifest {
  const found = objects.find((o) => o.kind === kind && o.metadata?.name === name);
  if (!found) throw new Error(`no ${kind} ${name} among ${objects.length} objects`);
  return found;
}

export function ofKind(objects: readonly Manifest[], kind: string): Manifest[] {
  return objects.filter((o) => o.kind === kind);
}
