import { flinkRunner } from 'apache-beam/runners/flink';
import type { Runner } from 'apache-beam/runners/runner';
import { universalRunner } from 'apache-beam/runners/universal';
import { javaServiceJar } from './java-services.js';
import { beamPython } from './python-venv.js';

/** The runners the curated job runs on: `direct` in process, the other two on real Beam runners. */
export const RUNNER_NAMES = ['direct', 'portable', 'flink'] as const;
export type RunnerName = (typeof RUNNER_NAMES)[number];

/**
 * Points the SDK's service lookups at what the project provisioned, merged over any overrides the
 * caller already set (BEAM_SERVICE_OVERRIDES is the SDK's documented switch; it reads it each time
 * it starts a service).
 */
export function addServiceOverrides(overrides: Record<string, string>): void {
  const current = process.env.BEAM_SERVICE_OVERRIDES;
  const merged = { ...(current ? (JSON.parse(current) as Record<string, string>) : {}), ...overrides };
  process.env.BEAM_SERVICE_OVERRIDES = JSON.stringify(merged);
}

/**
 * A real Beam runner for `name` (not `direct`, which file mode and the local streaming runner run
 * in process themselves), its workers in LOOPBACK: the SDK serves the TypeScript workers from this
 * process, so no Docker is needed and the DoFns see this machine's files.
 * - `portable`: the SDK's universal runner on Beam's Python job service (FnApiRunner), from the
 *   project's venv;
 * - `flink`: the SDK's Flink runner on an embedded `[local]` Flink, in the job server's JVM.
 */
export async function createPortableRunner(
  name: Exclude<RunnerName, 'direct'>,
  options: { parallelism?: number } = {},
): Promise<Runner> {
  if (name === 'portable') {
    addServiceOverrides({ 'python:*': await beamPython() });
    return universalRunner({ environmentType: 'LOOPBACK' });
  }
  return flinkRunner({
    flinkMaster: '[local]',
    flinkJobServerJar: await javaServiceJar('flinkJobServer'),
    environmentType: 'LOOPBACK',
    parallelism: options.parallelism ?? 1,
  });
}
