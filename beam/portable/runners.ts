import '../beam-sdk.js';
// Before any worker runs here: the SDK's data channel otherwise finishes bundles early.
import './data-arrival-order.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { javaServiceJar } from './java-services.js';
import { BeamServiceProcess } from './service-process.js';
import { MetricsKeepingPortableRunner } from './metrics-keeping-portable-runner.js';
import { beamPython } from './python-venv.js';

import type { PortableRunnerName } from './runner-names.js';

export { RUNNER_NAMES, type PortableRunnerName, type RunnerName } from './runner-names.js';

/**
 * Points the SDK's service lookups at what the project provisioned, merged over any overrides the
 * caller already set (BEAM_SERVICE_OVERRIDES is the SDK's documented switch; it reads it each time
 * it starts a service).
 */
export function addServiceOverrides(overrides: Record<string, string>): void {
  const current = process.env.BEAM_SERVICE_OVERRIDES;
  const merged = {
    ...(current ? (JSON.parse(current) as Record<string, string>) : {}),
    ...overrides,
  };
  process.env.BEAM_SERVICE_OVERRIDES = JSON.stringify(merged);
}

/** The SDK's PortableRunner overwrites its jobEndpoint with the address its job service returns. */
const JOB_ENDPOINT_FROM_SERVICE = '';

/**
 * Java system properties for the Flink job server: slf4j-simple (on its class path) logs every
 * Flink INFO line otherwise, which is all kept in memory for an error message.
 */
const FLINK_JOB_SERVER_JVM_FLAGS = ['-Dorg.slf4j.simpleLogger.defaultLogLevel=warn'];

/**
 * A real Beam runner for `name` (not `direct`, which file mode and the local streaming runner run
 * in process themselves), its workers in LOOPBACK: the SDK serves the TypeScript workers from this
 * process, so no Docker is needed and the DoFns see this machine's files.
 * - `portable`: the SDK's PortableRunner on Beam's Python job service (FnApiRunner), from the
 *   project's venv, as the SDK's universalRunner would start it;
 * - `flink`: the SDK's PortableRunner on Beam's Flink job server with an embedded `[local]` Flink in
 *   its JVM, as the SDK's flinkRunner would start it.
 * The job services are our BeamServiceProcess rather than the SDK's: the SDK's gives a cold JVM 10 s
 * to listen and pours its logs into our stdout. Each call starts its own service for one job; the
 * runner keeps the job's metrics as the service reported them (metrics-keeping-portable-runner.ts).
 */
export async function createPortableRunner(
  name: PortableRunnerName,
  options: {
    parallelism?: number;
    /** More pipeline options for the job, e.g. Flink's streaming ones (beam/flink-streaming.ts). */
    pipelineOptions?: Readonly<Record<string, unknown>>;
    /** TypeScript workers from this pool (owned-worker-pool.ts) instead of the SDK's LOOPBACK one. */
    workerPoolAddress?: string;
  } = {},
): Promise<MetricsKeepingPortableRunner> {
  if (name === 'portable') {
    const python = await beamPython();
    addServiceOverrides({ 'python:*': python });
    const jobService = new BeamServiceProcess({
      name: "Beam's Python job service",
      command: python,
      args: (port) => [
        '-u',
        '-m',
        'apache_beam.runners.portability.local_job_service_main',
        '--port',
        String(port),
      ],
    });
    // The universalRunner's options: the Python runner may run Python stages in process.
    return new MetricsKeepingPortableRunner(
      {
        jobEndpoint: JOB_ENDPOINT_FROM_SERVICE,
        environmentType: 'LOOPBACK',
        directEmbedDockerPython: true,
        ...options.pipelineOptions,
      },
      jobService,
      options.workerPoolAddress,
    );
  }
  const jar = await javaServiceJar('flinkJobServer');
  const artifactsDir = mkdtempSync(join(tmpdir(), 'pmp-flink-artifacts-'));
  const jobService = new BeamServiceProcess({
    name: "Beam's Flink job server",
    command: 'java',
    args: (port) => [
      ...FLINK_JOB_SERVER_JVM_FLAGS,
      '-jar',
      jar,
      '--flink-master',
      '[local]',
      '--artifacts-dir',
      artifactsDir,
      '--job-port',
      String(port),
      '--artifact-port',
      '0',
      '--expansion-port',
      '0',
    ],
    // Java's Google auth library skips its metadata-server probe too (no GCE VM here).
    env: { ...process.env, NO_GCE_CHECK: 'true' },
    onStopped: () => rmSync(artifactsDir, { recursive: true, force: true }),
  });
  return new MetricsKeepingPortableRunner(
    {
      jobEndpoint: JOB_ENDPOINT_FROM_SERVICE,
      flinkMaster: '[local]',
      environmentType: 'LOOPBACK',
      parallelism: options.parallelism ?? 1,
      artifactsDir,
      ...options.pipelineOptions,
    },
    jobService,
    options.workerPoolAddress,
  );
}
