import { describe, expect, it } from 'vitest';
import { mapServiceUrl } from './service-urls.js';

const services = {
  'pmp-bq-writer': 'http://127.0.0.1:8102',
  'pmp-velib-station-info-writer': 'http://127.0.0.1:8103/',
  'pmp-velib': 'http://127.0.0.1:9999',
};

describe('mapServiceUrl', () => {
  it('maps the local manifests’ in-cluster names, keeping path and query', () => {
    expect(mapServiceUrl('http://pmp-bq-writer:8080/pubsub?x=1', services)).toBe(
      'http://127.0.0.1:8102/pubsub?x=1',
    );
  });
  it('maps Cloud Run URLs (name-hash.region.run.app) to the longest matching service', () => {
    expect(
      mapServiceUrl(
        'https://pmp-velib-station-info-writer-418230917562.europe-west9.run.app/pubsub',
        services,
      ),
    ).toBe('http://127.0.0.1:8103/pubsub');
  });
  it('leaves unknown hosts and non-URLs alone', () => {
    expect(mapServiceUrl('https://example.com/pubsub', services)).toBe(
      'https://example.com/pubsub',
    );
    expect(mapServiceUrl('http://pmp-velib-station-info-collector:8080/x', services)).toBe(
      'http://pmp-velib-station-info-collector:8080/x',
    );
    expect(mapServiceUrl('not a url', services)).toBe('not a url');
  });
});
