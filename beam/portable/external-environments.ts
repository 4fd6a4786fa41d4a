import '../beam-sdk.js';
import {
  asExternalEnvironment,
  TYPESCRIPT_DEFAULT_ENVIRONMENT_URN,
} from 'apache-beam/internal/environments';
import type { Pipeline } from 'apache-beam/proto/beam_runner_api';

/**
 * `pipeline` with its TypeScript environments as EXTERNAL ones served at `address` (a pool of the
 * caller's, owned-worker-pool.ts); the other environments (Java expansions) stay as they are.
 */
export function onExternalWorkerPool(pipeline: Pipeline, address: string): Pipeline {
  const environments = Object.fromEntries(
    Object.entries(pipeline.components!.environments).map(([id, env]) => [
      id,
      env.urn === TYPESCRIPT_DEFAULT_ENVIRONMENT_URN ? asExternalEnvironment(env, address) : env,
    ]),
  );
  return { ...pipeline, components: { ...pipeline.components!, environments } };
}
