import { describe, expect, it } from 'vitest';
import { GOOGLE_JWKS_URL } from './push-auth.js';
import { loadWriterSettings } from './writer-config.js';

const defaults = { BQ_DATASET: 'pmp_raw', BQ_TABLE: 'velib_station_status_raw' };

describe('loadWriterSettings', () => {
  it('defaults to the contract values, auth off and Google keys', () => {
    expect(loadWriterSettings({ PUSH_AUDIENCE: '' }, defaults)).toEqual({
      PROJECT_ID: undefined,
      BQ_DATASET: 'pmp_raw',
      BQ_TABLE: 'velib_station_status_raw',
      WRITER_DLQ_TABLE: 'pmp_ops.push_writer_dlq',
      PUSH_AUDIENCE: undefined,
      PUSH_JWKS_URL: GOOGLE_JWKS_URL,
      DLQ_TEST_ENABLED: false,
      PORT: 8080,
    });
  });

  it('reads every variable and ignores unrelated ones', () => {
    const settings = loadWriterSettings(
      {
        PROJECT_ID: 'p',
        BQ_DATASET: 'd',
        BQ_TABLE: 't',
        PUSH_AUDIENCE: 'https://w/pubsub',
        PUSH_JWKS_URL: 'http://127.0.0.1:8086/jwks',
        DLQ_TEST_ENABLED: 'true',
        PORT: '9000',
        HOME: '/root',
      },
      defaults,
    );
    expect(settings).toMatchObject({
      PROJECT_ID: 'p',
      PUSH_AUDIENCE: 'https://w/pubsub',
      DLQ_TEST_ENABLED: true,
      PORT: 9000,
    });
  });

  it('fails fast naming the variable', () => {
    expect(() => loadWriterSettings({ PORT: '99999' }, defaults)).toThrow(/PORT is invalid/);
    expect(() => loadWriterSettings({ PUSH_JWKS_URL: 'ftp://x' }, defaults)).toThrow(
      /PUSH_JWKS_URL is invalid/,
    );
  });

  it('takes the local stack pid when the stack started us, and nothing on Cloud Run', () => {
    expect(loadWriterSettings({ PMP_STACK_PID: '4242' }, defaults).PMP_STACK_PID).toBe(4242);
    expect(loadWriterSettings({}, defaults).PMP_STACK_PID).toBeUndefined();
    expect(() => loadWriterSettings({ PMP_STACK_PID: 'stack' }, defaults)).toThrow(
      /PMP_STACK_PID is invalid/,
    );
  });
});
