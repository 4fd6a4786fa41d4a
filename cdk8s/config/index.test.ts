import { describe, expect, it } from 'vitest';
import { dev } from './dev.js';
import { ENV_NAMES, loadEnvConfig, validateEnvConfig } from './index.js';

describe('environment config', () => {
  it('validates every environment', () => {
    for (const name of ENV_NAMES) {
      const config = loadEnvConfig(name);
      expect(config.name).toBe(name);
      expect(config.region).toBe('europe-west9');
      expect(config.schedulerLocation).toBe('europe-west1');
    }
  });

  it('names the environment and the key that is wrong', () => {
    expect(() => validateEnvConfig('dev', { ...dev, projectNumber: 'abc' })).toThrow(
      /cdk8s\/config\/dev\.ts: invalid configuration: projectNumber is invalid/,
    );
    const { billingAccount: _dropped, ...missing } = dev;
    expect(() => validateEnvConfig('dev', missing)).toThrow(/billingAccount is required/);
  });

  it('rejects unknown keys, so a typo cannot silently fall back to a default', () => {
    expect(() => validateEnvConfig('prod', { ...dev, regoin: 'x' })).toThrow(/regoin/);
  });
});
