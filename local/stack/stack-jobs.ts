import { runChildJob } from './child-service.js';
import type { ServiceSpec } from './service-specs.js';
import { baseProcessEnv, logFileOf, type EmulatorEnv } from './stack-services.js';

/** Runs a Cloud Run Job (the DLQ replayer) to completion with its manifest env plus `env`. */
export type StackJobRunner = (
  name: string,
  env?: Record<string, string>,
) => Promise<{ code: number; log: string }>;

/**
 * The stack's Cloud Run Jobs, run as Cloud Run runs a task: one process to completion, configured
 * by its spec's env, the emulator hosts and the caller's extra env; its output is appended to
 * `<dataDir>/logs/<job>.log` and returned.
 */
export function cloudRunJobRunner(options: {
  specs: readonly ServiceSpec[];
  /** Named when a job is not found. */
  envDir: string;
  root: string;
  dataDir: string | null;
  emulatorEnv: EmulatorEnv;
  serviceHost: string;
}): StackJobRunner {
  const processEnv = baseProcessEnv();
  return async (name, extra = {}) => {
    const spec = options.specs.find((s) => s.name === name && s.kind === 'job');
    if (!spec) throw new Error(`no Cloud Run Job ${name} in ${options.envDir}/cloud-run`);
    return runChildJob({
      entry: spec.entry,
      cwd: options.root,
      env: {
        ...processEnv,
        ...spec.env,
        ...options.emulatorEnv,
        HOST: options.serviceHost,
        ...extra,
      },
      logFile: logFileOf(options.dataDir, options.root, name),
    });
  };
}
