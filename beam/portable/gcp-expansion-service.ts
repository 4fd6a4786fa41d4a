import { javaServiceJar } from './java-services.js';
import { BeamServiceProcess } from './service-process.js';

export interface RunningExpansionService {
  /** `localhost:port`, for BEAM_SERVICE_OVERRIDES. */
  readonly address: string;
  stop(): Promise<void>;
}

/**
 * Beam's Java GCP IO expansion service with the environment its transforms run in: `EMBEDDED` for
 * Flink, whose job server then runs them in its own JVM (no Docker), or Beam's default (the
 * Java SDK container) for Dataflow. The SDK would start the jar itself, but with no way to pass
 * that option. What it prints goes to `onOutput` (default: kept for an error message only).
 */
export async function startGcpExpansionService(
  options: {
    environment?: 'EMBEDDED' | 'DOCKER';
    onOutput?: (text: string) => void;
    /** JVM options before `-jar` (tests route Google API calls to a local proxy with them). */
    jvmArgs?: readonly string[];
    /** Java pipeline options the expansions are made with, e.g. `--experiments=use_deprecated_read`. */
    pipelineOptions?: readonly string[];
  } = {},
): Promise<RunningExpansionService> {
  const jar = await javaServiceJar('gcpExpansionService');
  const service = new BeamServiceProcess({
    name: "Beam's Java GCP IO expansion service",
    command: 'java',
    args: (port) => [
      ...(options.jvmArgs ?? []),
      '-jar',
      jar,
      String(port),
      ...(options.environment === 'EMBEDDED' ? ['--defaultEnvironmentType=EMBEDDED'] : []),
      ...(options.pipelineOptions ?? []),
    ],
    // No Google credentials are looked for on a VM that is not there (no metadata-server probe).
    env: { ...process.env, NO_GCE_CHECK: 'true' },
    ...(options.onOutput ? { onOutput: options.onOutput } : {}),
  });
  const address = await service.start();
  return { address, stop: () => service.stop() };
}
