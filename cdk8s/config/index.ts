import { ConfigError, loadConfig } from '../../runtime/config.js';
import { dev } from './dev.js';
import { local } from './local.js';
import { prod } from './prod.js';
import { EnvConfigStruct, type EnvConfig, type EnvName } from '../../charts/env-config.js';

export type { EnvConfig, EnvName } from '../../charts/env-config.js';

/** Every environment, in render order. */
export const ENV_NAMES: readonly EnvName[] = ['dev', 'prod', 'local'];

const RAW: Record<EnvName, unknown> = { dev, prod, local };

/**
 * Validates one environment's settings (superstruct), failing with the environment and the key:
 * `cdk8s/config/dev.ts: invalid configuration: projectNumber is invalid: …`.
 */
export function validateEnvConfig(name: string, raw: unknown): EnvConfig {
  try {
    return loadConfig(EnvConfigStruct, raw as Record<string, string | undefined>);
  } catch (error) {
    if (error instanceof ConfigError) {
      throw new Error(`cdk8s/config/${name}.ts: ${error.message}`, { cause: error });
    }
    throw error;
  }
}

export function loadEnvConfig(name: EnvName): EnvConfig {
  return validateEnvConfig(name, RAW[name]);
}
