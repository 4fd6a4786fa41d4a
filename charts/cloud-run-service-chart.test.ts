import { describe, expect, it } from 'vitest';
import { findObject, synthChart, testConfig } from './testing/render-chart.js';
import { CloudRunJobChart } from './cloud-run-job-chart.js';
import { CloudRunServiceChart, INGRESS_ANNOTATION } from './cloud-run-service-chart.js';
import { component, COMPONENTS } from './components.js';
import { REPLAYER_JOB, SERVICES } from '../core/resource-names.js';

const config = testConfig('dev');
const render = (name: string) => {
  const c = component(name);
  return c.kind === 'service'
    ? synthChart((app) => new CloudRunServiceChart(app, 'svc', { config, component: c }))
    : synthChart((app) => new CloudRunJobChart(app, 'job', { config, component: c }));
};
const envOf = (container: { env: { name: string; value: string }[] }) =>
  Object.fromEntries(container.env.map((e) => [e.name, e.value]));

/** docs/contracts.md, "Service environment", as rendered for dev (PORT is Cloud Run's to set). */
const CONTRACT: Record<string, Record<string, string>> = {
  [SERVICES.dataQuality]: { PROJECT_ID: 'pmp-dev-paris', WINDOW_HOURS: '24' },
  [SERVICES.collector]: {
    PROJECT_ID: 'pmp-dev-paris',
    TOPIC_ID: 'pmp-events',
    FEED_URL: config.stationStatusFeedUrl,
    SOURCE: 'velib',
    EVENT_TYPE: 'station_status_snapshot',
  },
  [SERVICES.stationInfoCollector]: {
    PROJECT_ID: 'pmp-dev-paris',
    TOPIC_ID: 'pmp-velib-station-info',
    FEED_URL: config.stationInformationFeedUrl,
    SOURCE: 'velib',
    EVENT_TYPE: 'station_information_snapshot',
  },
  [SERVICES.bqWriter]: {
    PROJECT_ID: 'pmp-dev-paris',
    BQ_DATASET: 'pmp_raw',
    BQ_TABLE: 'velib_station_status_raw',
    WRITER_DLQ_TABLE: 'pmp_ops.push_writer_dlq',
    PUSH_AUDIENCE: 'https://pmp-bq-writer-418230917562.europe-west9.run.app',
  },
  [SERVICES.stationInfoWriter]: {
    PROJECT_ID: 'pmp-dev-paris',
    BQ_DATASET: 'pmp_curated',
    BQ_TABLE: 'velib_station_information',
    WRITER_DLQ_TABLE: 'pmp_ops.push_writer_dlq',
    DLQ_TEST_ENABLED: 'false',
    PUSH_AUDIENCE: 'https://pmp-velib-station-info-writer-418230917562.europe-west9.run.app',
  },
  [SERVICES.dashboard]: {
    PROJECT_ID: 'pmp-dev-paris',
    MARTS_DATASET: 'pmp_marts',
    OPS_DATASET: 'pmp_ops',
  },
  [REPLAYER_JOB]: {
    PROJECT_ID: 'pmp-dev-paris',
    SUBSCRIPTION_ID: 'pmp-velib-station-info-push-dlq-hold-sub',
    TARGET_TOPIC_ID: 'pmp-velib-station-info',
    QPS: '5',
    MAX_MESSAGES: '1000',
    BATCH_SIZE: '50',
    DRY_RUN: 'false',
    REPLAY_ENABLED: 'true',
    ACK_SKIPPED: 'false',
  },
};

describe('Cloud Run specs', () => {
  it('renders as before', () => {
    expect(COMPONENTS.map((c) => render(c.name))).toMatchSnapshot();
  });

  it('render exactly the contract environment of every component', () => {
    expect(COMPONENTS.map((c) => c.name).sort()).toEqual(Object.keys(CONTRACT).sort());
    for (const c of COMPONENTS) {
      const [object] = render(c.name);
      const containers =
        c.kind === 'service'
          ? object!.spec.template.spec.containers
          : object!.spec.template.spec.template.spec.containers;
      expect(envOf(containers[0]), c.name).toEqual(CONTRACT[c.name]);
    }
  });

  it('keeps the writers internal and runs each service as its own account', () => {
    for (const c of COMPONENTS.filter((x) => x.kind === 'service')) {
      const service = findObject(render(c.name), 'Service', c.name);
      expect(service.apiVersion).toBe('serving.knative.dev/v1');
      expect(service.metadata.annotations[INGRESS_ANNOTATION]).toBe(
        c.name.includes('writer') || c.name === 'pmp-data-quality' ? 'internal' : 'all',
      );
      expect(service.spec.template.spec.serviceAccountName).toBe(
        `${c.serviceAccount}@pmp-dev-paris.iam.gserviceaccount.com`,
      );
      expect(service.metadata.labels['cloud.googleapis.com/location']).toBe('europe-west9');
      expect(service.spec.template.spec.containers[0].image).toBe(
        `europe-west9-docker.pkg.dev/pmp-dev-paris/pmp/${c.image}`,
      );
    }
  });

  it('renders the replayer as a Cloud Run v1 Job', () => {
    const job = findObject(render(REPLAYER_JOB), 'Job', REPLAYER_JOB);
    expect(job.apiVersion).toBe('run.googleapis.com/v1');
    expect(job.spec.template.spec.template.spec.serviceAccountName).toBe(
      'pmp-dlq-replayer@pmp-dev-paris.iam.gserviceaccount.com',
    );
  });
});
