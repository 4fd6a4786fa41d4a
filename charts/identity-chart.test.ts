import { describe, expect, it } from 'vitest';
import { findObject, ofKind, synthChart, testConfig } from './testing/render-chart.js';
import { IdentityChart } from './identity-chart.js';
import { martSourceTables } from './source-tables.js';
import { SERVICE_ACCOUNTS, TOPICS } from '../core/resource-names.js';

const config = testConfig('dev');
const views = [
  { tableId: 'v1', query: 'SELECT * FROM pmp_curated.velib_station_status JOIN pmp_marts.v0' },
  { tableId: 'v2', query: 'SELECT * FROM pmp_ops.push_writer_dlq' },
];
const objects = synthChart((app) => new IdentityChart(app, 'identity', { config, views }));
const members = ofKind(objects, 'IAMPolicyMember');
const grantsOf = (account: string) =>
  members
    .filter((m) => m.spec.memberFrom?.serviceAccountRef?.name === account)
    .map(
      (m) =>
        `${m.spec.role} ${m.spec.resourceRef.kind}/${m.spec.resourceRef.name ?? m.spec.resourceRef.external}`,
    )
    .sort();

describe('IdentityChart', () => {
  it('renders as before', () => {
    expect(objects).toMatchSnapshot();
  });

  it('creates one service account per component', () => {
    expect(
      ofKind(objects, 'IAMServiceAccount')
        .map((s) => s.metadata.name)
        .sort(),
    ).toEqual(Object.values(SERVICE_ACCOUNTS).sort());
  });

  it('grants each component only what it needs', () => {
    expect(grantsOf(SERVICE_ACCOUNTS.collector)).toEqual([
      'roles/pubsub.publisher PubSubTopic/pmp-events',
    ]);
    expect(grantsOf(SERVICE_ACCOUNTS.bqWriter)).toEqual([
      'roles/bigquery.dataEditor BigQueryTable/push-writer-dlq',
      'roles/bigquery.dataEditor BigQueryTable/velib-station-status-raw',
    ]);
    expect(grantsOf(SERVICE_ACCOUNTS.replayer)).toEqual([
      'roles/pubsub.publisher PubSubTopic/pmp-velib-station-info',
      'roles/pubsub.subscriber PubSubSubscription/pmp-velib-station-info-push-dlq-hold-sub',
    ]);
    expect(grantsOf(SERVICE_ACCOUNTS.bqWriterPushInvoker)).toEqual([
      'roles/run.invoker RunService/projects/pmp-dev-paris/locations/europe-west9/services/pmp-bq-writer',
    ]);
  });

  it('lets the dashboard query, and read the tables behind the marts (and only those)', () => {
    expect(grantsOf(SERVICE_ACCOUNTS.dashboard)).toEqual([
      'roles/bigquery.dataViewer BigQueryTable/velib-station-status',
      'roles/bigquery.jobUser Project/projects/pmp-dev-paris',
    ]);
    expect(() => martSourceTables([{ tableId: 'x', query: 'FROM pmp_raw.nope' }])).toThrow(
      /a mart view reads pmp_raw.nope, which core\/warehouse does not define/,
    );
  });

  it('lets the Pub/Sub service agent sign pushes and forward dead letters', () => {
    const agent = 'serviceAccount:service-418230917562@gcp-sa-pubsub.iam.gserviceaccount.com';
    const agentGrants = members
      .filter((m) => m.spec.member === agent)
      .map((m) => `${m.spec.role} ${m.spec.resourceRef.name}`)
      .sort();
    expect(agentGrants).toEqual([
      'roles/bigquery.dataEditor velib-station-info-push-dlq',
      'roles/bigquery.metadataViewer velib-station-info-push-dlq',
      'roles/iam.serviceAccountTokenCreator pmp-push-bq-writer',
      'roles/iam.serviceAccountTokenCreator pmp-push-info-writer',
      'roles/pubsub.publisher pmp-velib-station-info-push-dlq',
      'roles/pubsub.subscriber pmp-velib-station-info-to-bq-sub',
    ]);
  });

  it('lets the Scheduler agent sign as the scheduler invoker, and billing publish alerts', () => {
    const scheduler = findObject(
      objects,
      'IAMPolicyMember',
      'scheduler-agent--iam-serviceaccounttokencreator--pmp-scheduler-invoker',
    );
    expect(scheduler.spec.member).toBe(
      'serviceAccount:service-418230917562@gcp-sa-cloudscheduler.iam.gserviceaccount.com',
    );
    expect(
      members.some(
        (m) =>
          m.spec.role === 'roles/pubsub.publisher' &&
          m.spec.resourceRef.name === TOPICS.budgetAlerts,
      ),
    ).toBe(true);
  });
});

describe('IdentityChart: pmp-data-quality', () => {
  const assertionQueries = [
    'SELECT * FROM pmp_raw.velib_station_status_raw',
    'SELECT * FROM pmp_marts.v1 JOIN pmp_ops.push_writer_dlq USING (x)',
  ];
  const quality = synthChart(
    (app) => new IdentityChart(app, 'identity', { config, views, assertionQueries }),
  );
  const grants = (account: string) =>
    ofKind(quality, 'IAMPolicyMember')
      .filter((m) => m.spec.memberFrom?.serviceAccountRef?.name === account)
      .map((m) => `${m.spec.role} ${m.spec.resourceRef.name ?? m.spec.resourceRef.external}`)
      .sort();

  it('reads the tables its assertions read, directly or through a mart, and writes only its results', () => {
    expect(grants(SERVICE_ACCOUNTS.dataQuality)).toEqual([
      'roles/bigquery.dataEditor data-quality-results',
      'roles/bigquery.dataViewer push-writer-dlq',
      // v1 reads the curated table: the assertion reading v1 needs it too.
      'roles/bigquery.dataViewer velib-station-status',
      'roles/bigquery.dataViewer velib-station-status-raw',
      'roles/bigquery.jobUser projects/pmp-dev-paris',
    ]);
  });

  it('is invoked by an identity of its own that may call nothing else', () => {
    expect(grants(SERVICE_ACCOUNTS.dataQualityInvoker)).toEqual([
      'roles/run.invoker projects/pmp-dev-paris/locations/europe-west9/services/pmp-data-quality',
    ]);
  });

  it('refuses an assertion reading a table core/warehouse does not define', () => {
    expect(() =>
      synthChart(
        (app) =>
          new IdentityChart(app, 'identity', {
            config,
            views,
            assertionQueries: ['SELECT * FROM pmp_raw.nope'],
          }),
      ),
    ).toThrow('an assertion reads pmp_raw.nope, which core/warehouse does not define');
  });
});
