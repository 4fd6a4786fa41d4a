import { describe, expect, it } from 'vitest';
import { coerce, defaulted, integer, object, string } from 'superstruct';
import { ConfigError, loadConfig } from './config.js';

const Port = coerce(integer(), string(), (value) => Number(value));
const Settings = object({
  TOPIC_ID: string(),
  PORT: defaulted(Port, 8080),
});

describe('loadConfig', () => {
  it('coerces and defaults', () => {
    expect(loadConfig(Settings, { TOPIC_ID: 't', PORT: '9000' })).toEqual({
      TOPIC_ID: 't',
      PORT: 9000,
    });
    expect(loadConfig(Settings, { TOPIC_ID: 't' }).PORT).toBe(8080);
  });

  it('names a missing variable', () => {
    expect(() => loadConfig(Settings, {})).toThrow(/TOPIC_ID is required/);
  });

  it('names an invalid variable', () => {
    const attempt = () => loadConfig(Settings, { TOPIC_ID: 't', PORT: 'eighty' });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/PORT is invalid/);
  });
});
