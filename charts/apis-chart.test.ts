import { describe, expect, it } from 'vitest';
import { findObject, ofKind, synthChart, testConfig } from './testing/render-chart.js';
import { ApisChart, REQUIRED_APIS } from './apis-chart.js';
import { NamespaceChart } from './namespace-chart.js';
import { StreamingChart } from './streaming-chart.js';

const config = testConfig('dev');

describe('ApisChart', () => {
  const objects = synthChart((app) => new ApisChart(app, 'apis', { config }));

  it('renders as before', () => {
    expect(objects).toMatchSnapshot();
  });

  it('enables every API and never disables one on delete', () => {
    expect(ofKind(objects, 'Service').map((s) => s.spec.resourceID)).toEqual([...REQUIRED_APIS]);
    for (const service of objects) {
      expect(service.apiVersion).toBe('serviceusage.cnrm.cloud.google.com/v1beta1');
      expect(service.metadata.annotations).toEqual({
        'cnrm.cloud.google.com/deletion-policy': 'abandon',
        'cnrm.cloud.google.com/disable-on-destroy': 'false',
      });
    }
  });
});

describe('StreamingChart', () => {
  it('keeps the Dataflow bucket private and its temp files short-lived', () => {
    const objects = synthChart((app) => new StreamingChart(app, 's', { config }));
    const bucket = findObject(objects, 'StorageBucket', 'pmp-dev-paris-pmp-dataflow').spec;
    expect(bucket).toMatchObject({
      location: 'EUROPE-WEST9',
      uniformBucketLevelAccess: true,
      publicAccessPrevention: 'enforced',
    });
    expect(bucket.lifecycleRule[0].condition.age).toBe(7);
  });
});

describe('NamespaceChart', () => {
  it('annotates the namespace with its project and gives it no namespace of its own', () => {
    const [namespace] = synthChart((app) => new NamespaceChart(app, 'n', { config }));
    expect(namespace!.metadata).toEqual({
      name: 'pmp-dev',
      annotations: { 'cnrm.cloud.google.com/project-id': 'pmp-dev-paris' },
    });
  });
});
