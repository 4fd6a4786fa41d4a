import type { EnvConfig } from './env-config.js';
import type { IamPolicyMemberSpecResourceRef } from '../cdk8s/imports/iam.cnrm.cloud.google.com.js';
import {
  curatedDlqTable,
  stationInfoPushDlqTable,
  stationInformationTable,
  stationStatusCuratedTable,
  stationStatusRawTable,
  writerDlqTable,
  dataQualityResultsTable,
} from '../core/warehouse/index.js';
import {
  BILLING_BUDGET_PUBLISHER,
  dataflowBucket,
  pubsubServiceAgent,
  schedulerServiceAgent,
} from './environment.js';
import type { MartView } from './mart-views.js';
import { assertionSourceTables, martSourceTables } from './source-tables.js';
import {
  SUBSCRIPTIONS,
  TOPICS,
  SERVICES,
  SERVICE_ACCOUNTS,
  kubernetesName,
} from '../core/resource-names.js';

/** Who gets a grant: one of our service accounts, or a Google-managed identity by email. */
export type Grantee =
  { readonly serviceAccount: string } | { readonly agent: string; readonly as: string };

export interface Grant {
  readonly to: Grantee;
  readonly role: string;
  readonly on: IamPolicyMemberSpecResourceRef;
}

/** What the grants are computed from: the environment, and the SQL whose tables are read. */
export interface GrantSources {
  readonly config: EnvConfig;
  readonly views: readonly MartView[];
  readonly assertionQueries: readonly string[];
}

type RoleOn = readonly [role: string, on: IamPolicyMemberSpecResourceRef];

const topic = (name: string) => ({ kind: 'PubSubTopic', name });
const subscription = (name: string) => ({ kind: 'PubSubSubscription', name });
const table = (tableId: string) => ({ kind: 'BigQueryTable', name: kubernetesName(tableId) });
const serviceAccount = (name: string) => ({ kind: 'IAMServiceAccount', name });
const project = (config: EnvConfig) => ({
  kind: 'Project',
  external: `projects/${config.projectId}`,
});
const runService = (config: EnvConfig, name: string) => ({
  kind: 'RunService',
  external: `projects/${config.projectId}/locations/${config.region}/services/${name}`,
});

const sa = (name: string): Grantee => ({ serviceAccount: name });

function grantsTo(to: Grantee, roles: readonly RoleOn[]): Grant[] {
  return roles.map(([role, on]) => ({ to, role, on }));
}

/** Collectors publish their snapshots, each to its own topic. */
function collectorGrants(): Grant[] {
  return [
    ...grantsTo(sa(SERVICE_ACCOUNTS.collector), [['roles/pubsub.publisher', topic(TOPICS.events)]]),
    ...grantsTo(sa(SERVICE_ACCOUNTS.stationInfoCollector), [
      ['roles/pubsub.publisher', topic(TOPICS.stationInfo)],
    ]),
  ];
}

/** Writers stream rows into their table and record bad pushes in the writer DLQ table. */
function writerGrants(): Grant[] {
  return [
    ...grantsTo(sa(SERVICE_ACCOUNTS.bqWriter), [
      ['roles/bigquery.dataEditor', table(stationStatusRawTable.tableId)],
      ['roles/bigquery.dataEditor', table(writerDlqTable.tableId)],
    ]),
    ...grantsTo(sa(SERVICE_ACCOUNTS.stationInfoWriter), [
      ['roles/bigquery.dataEditor', table(stationInformationTable.tableId)],
      ['roles/bigquery.dataEditor', table(writerDlqTable.tableId)],
    ]),
  ];
}

/** The replayer drains the hold subscription into the source topic. */
function replayerGrants(): Grant[] {
  return grantsTo(sa(SERVICE_ACCOUNTS.replayer), [
    ['roles/pubsub.subscriber', subscription(SUBSCRIPTIONS.stationInfoDlqHold)],
    ['roles/pubsub.publisher', topic(TOPICS.stationInfo)],
  ]);
}

/**
 * The dashboard runs queries (jobs are project-level), reads pmp_marts and pmp_ops through their
 * access lists, and the tables behind the views here.
 */
function dashboardGrants({ config, views }: GrantSources): Grant[] {
  return grantsTo(sa(SERVICE_ACCOUNTS.dashboard), [
    ['roles/bigquery.jobUser', project(config)],
    ...martSourceTables(views).map((t): RoleOn => ['roles/bigquery.dataViewer', table(t.tableId)]),
  ]);
}

/**
 * The data-quality run queries (project-level jobs), reads the tables its assertions check
 * (pmp_marts through its access list) and appends to its results table, nothing else.
 */
function dataQualityGrants({ config, views, assertionQueries }: GrantSources): Grant[] {
  return grantsTo(sa(SERVICE_ACCOUNTS.dataQuality), [
    ['roles/bigquery.jobUser', project(config)],
    ...assertionSourceTables(assertionQueries, views).map((t): RoleOn => [
      'roles/bigquery.dataViewer',
      table(t.tableId),
    ]),
    ['roles/bigquery.dataEditor', table(dataQualityResultsTable.tableId)],
  ]);
}

/** Dataflow workers: the worker role is project-level by design of Dataflow. */
function dataflowGrants(config: EnvConfig): Grant[] {
  return grantsTo(sa(SERVICE_ACCOUNTS.dataflow), [
    ['roles/dataflow.worker', project(config)],
    ['roles/pubsub.subscriber', subscription(SUBSCRIPTIONS.eventsDataflow)],
    // PubsubIO reads the subscription's metadata before pulling.
    ['roles/pubsub.viewer', subscription(SUBSCRIPTIONS.eventsDataflow)],
    ['roles/bigquery.dataEditor', table(stationStatusCuratedTable.tableId)],
    ['roles/bigquery.dataEditor', table(curatedDlqTable.tableId)],
    ['roles/storage.objectAdmin', { kind: 'StorageBucket', name: dataflowBucket(config) }],
  ]);
}

/** Invokers: each may call exactly the services its caller needs. */
function invokerGrants(config: EnvConfig): Grant[] {
  const invoke = (service: string): RoleOn => ['roles/run.invoker', runService(config, service)];
  return [
    ...grantsTo(sa(SERVICE_ACCOUNTS.schedulerInvoker), [
      invoke(SERVICES.collector),
      invoke(SERVICES.stationInfoCollector),
    ]),
    ...grantsTo(sa(SERVICE_ACCOUNTS.dataQualityInvoker), [invoke(SERVICES.dataQuality)]),
    ...grantsTo(sa(SERVICE_ACCOUNTS.bqWriterPushInvoker), [invoke(SERVICES.bqWriter)]),
    ...grantsTo(sa(SERVICE_ACCOUNTS.stationInfoWriterPushInvoker), [
      invoke(SERVICES.stationInfoWriter),
    ]),
  ];
}

function pubsubAgentGrants(config: EnvConfig): Grant[] {
  return grantsTo({ agent: pubsubServiceAgent(config), as: 'pubsub-agent' }, [
    // The Pub/Sub service agent mints push OIDC tokens as the push invokers…
    ['roles/iam.serviceAccountTokenCreator', serviceAccount(SERVICE_ACCOUNTS.bqWriterPushInvoker)],
    [
      'roles/iam.serviceAccountTokenCreator',
      serviceAccount(SERVICE_ACCOUNTS.stationInfoWriterPushInvoker),
    ],
    // …forwards dead letters (publish to the DLQ topic, ack on the source subscription)…
    ['roles/pubsub.publisher', topic(TOPICS.stationInfoPushDlq)],
    ['roles/pubsub.subscriber', subscription(SUBSCRIPTIONS.stationInfoToBq)],
    // …and writes the BigQuery subscription's rows.
    ['roles/bigquery.dataEditor', table(stationInfoPushDlqTable.tableId)],
    ['roles/bigquery.metadataViewer', table(stationInfoPushDlqTable.tableId)],
  ]);
}

/** The Cloud Scheduler service agent mints the scheduler jobs' OIDC tokens. */
function schedulerAgentGrants(config: EnvConfig): Grant[] {
  return grantsTo({ agent: schedulerServiceAgent(config), as: 'scheduler-agent' }, [
    ['roles/iam.serviceAccountTokenCreator', serviceAccount(SERVICE_ACCOUNTS.schedulerInvoker)],
    ['roles/iam.serviceAccountTokenCreator', serviceAccount(SERVICE_ACCOUNTS.dataQualityInvoker)],
  ]);
}

/** Cloud Billing publishes budget notifications to the alerts topic. */
function billingGrants(): Grant[] {
  return grantsTo({ agent: BILLING_BUDGET_PUBLISHER, as: 'billing-budgets' }, [
    ['roles/pubsub.publisher', topic(TOPICS.budgetAlerts)],
  ]);
}

/** Every grant of the identity chart, grouped by grantee, in the order they render. */
export function identityGrants(sources: GrantSources): Grant[] {
  return [
    ...collectorGrants(),
    ...writerGrants(),
    ...replayerGrants(),
    ...dashboardGrants(sources),
    ...dataQualityGrants(sources),
    ...dataflowGrants(sources.config),
    ...invokerGrants(sources.config),
    ...pubsubAgentGrants(sources.config),
    ...schedulerAgentGrants(sources.config),
    ...billingGrants(),
  ];
}
