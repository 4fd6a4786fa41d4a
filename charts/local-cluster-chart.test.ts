import { describe, expect, it } from 'vitest';
import { ofKind, synthChart, testConfig, findObject } from './testing/render-chart.js';
import { BootstrapChart } from './bootstrap-chart.js';
import { COMPONENTS } from './components.js';
import { LocalClusterChart } from './local-cluster-chart.js';
import { EMULATORS, SIMULATOR } from '../core/resource-names.js';

describe('LocalClusterChart', () => {
  const objects = synthChart(
    (app) => new LocalClusterChart(app, 'k8s', { config: testConfig('local') }),
  );

  it('renders as before', () => {
    expect(objects).toMatchSnapshot();
  });

  it('runs every service, the emulators and the feed simulator, each behind a Service', () => {
    const services = COMPONENTS.filter((c) => c.kind === 'service').map((c) => c.name);
    const names = (kind: string) =>
      ofKind(objects, kind)
        .map((o) => o.metadata.name)
        .sort();
    expect(names('Deployment')).toEqual([...services, EMULATORS, SIMULATOR].sort());
    expect(names('Service')).toEqual([...services, EMULATORS, SIMULATOR].sort());
  });

  it('points the services at the emulators', () => {
    const writer = findObject(objects, 'Deployment', 'pmp-bq-writer');
    const env = Object.fromEntries(
      writer.spec.template.spec.containers[0].env.map((e: { name: string; value: string }) => [
        e.name,
        e.value,
      ]),
    );
    expect(env).toMatchObject({
      PUBSUB_EMULATOR_HOST: 'pmp-emulators:8085',
      BIGQUERY_EMULATOR_HOST: 'http://pmp-emulators:9050',
      PORT: '8080',
      PUSH_AUDIENCE: 'http://pmp-bq-writer:8080',
    });
  });

  it('refuses an environment without emulators', () => {
    expect(() =>
      synthChart((app) => new LocalClusterChart(app, 'k', { config: testConfig('dev') })),
    ).toThrow(/no emulators/);
  });
});

describe('BootstrapChart', () => {
  const objects = synthChart((app) => new BootstrapChart(app, 'b', { config: testConfig('prod') }));

  it('renders as before', () => {
    expect(objects).toMatchSnapshot();
  });

  it('syncs clusters/prod/config-sync as unstructured, in namespaced Config Connector mode', () => {
    const rootSync = findObject(objects, 'RootSync', 'pmp-prod');
    expect(rootSync.apiVersion).toBe('configsync.gke.io/v1beta1');
    expect(rootSync.spec).toMatchObject({
      sourceFormat: 'unstructured',
      git: { dir: 'clusters/prod/config-sync' },
    });
    const context = ofKind(objects, 'ConfigConnectorContext')[0]!;
    expect(context.metadata.namespace).toBe('pmp-prod');
    const namespace = findObject(objects, 'Namespace', 'pmp-prod');
    expect(namespace.metadata.annotations['cnrm.cloud.google.com/project-id']).toBe(
      'pmp-prod-paris',
    );
  });
});
