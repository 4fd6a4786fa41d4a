import { describe, expect, it } from 'vitest';
import { collectSettings, loadCollectorSettings } from './config.js';

describe('collector environment', () => {
  it('needs TOPIC_ID and FEED_URL', () => {
    expect(() => loadCollectorSettings({ FEED_URL: 'http://x/f.json' })).toThrow(
      /TOPIC_ID is required/,
    );
    expect(() => loadCollectorSettings({ TOPIC_ID: 't', FEED_URL: 'not a url' })).toThrow(
      /FEED_URL is invalid/,
    );
  });

  it('has the contract defaults and a staleness threshold per event type', () => {
    const status = loadCollectorSettings({ TOPIC_ID: 'pmp-events', FEED_URL: 'http://x/s.json' });
    expect(status).toMatchObject({
      SOURCE: 'velib',
      EVENT_TYPE: 'station_status_snapshot',
      PORT: 8080,
    });
    expect(collectSettings(status).staleAfterSeconds).toBe(600);
    const info = loadCollectorSettings({
      TOPIC_ID: 'pmp-velib-station-info',
      FEED_URL: 'http://x/i.json',
      EVENT_TYPE: 'station_information_snapshot',
    });
    expect(collectSettings(info).staleAfterSeconds).toBe(3 * 24 * 3600);
    expect(
      collectSettings(
        loadCollectorSettings({ TOPIC_ID: 't', FEED_URL: 'http://x', STALE_AFTER_SECONDS: '90' }),
      ).staleAfterSeconds,
    ).toBe(90);
  });

  it('refuses an unknown event type', () => {
    expect(() =>
      loadCollectorSettings({ TOPIC_ID: 't', FEED_URL: 'http://x', EVENT_TYPE: 'bikes' }),
    ).toThrow(/EVENT_TYPE is invalid/);
  });

  it('HOST and the invoker check are off unless set (Cloud Run does both)', () => {
    const base = { TOPIC_ID: 't', FEED_URL: 'http://x' };
    expect(loadCollectorSettings(base)).toMatchObject({
      HOST: undefined,
      INVOKER_AUDIENCE: undefined,
      INVOKER_JWKS_URL: 'https://www.googleapis.com/oauth2/v3/certs',
    });
    expect(
      loadCollectorSettings({ ...base, HOST: '127.0.0.1', INVOKER_AUDIENCE: 'http://c:8080' }),
    ).toMatchObject({ HOST: '127.0.0.1', INVOKER_AUDIENCE: 'http://c:8080' });
    expect(() => loadCollectorSettings({ ...base, HOST: 'not a host' })).toThrow(/HOST is invalid/);
  });
});
