import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import type { EnvConfig } from './env-config.js';
import {
  IamPolicyMember,
  IamServiceAccount,
  type IamPolicyMemberSpecResourceRef,
} from '../cdk8s/imports/iam.cnrm.cloud.google.com.js';
import { SQL_DIR } from '../sql/view-order.js';
import {
  DATASETS,
  TABLES,
  type TableDefinition,
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
import {
  readAssertionQueries,
  readMartViews,
  referencedTables,
  type MartView,
} from './mart-views.js';
import {
  kubernetesName,
  REPLAYER_JOB,
  SERVICE_ACCOUNTS,
  SERVICES,
  SUBSCRIPTIONS,
  TOPICS,
} from '../core/resource-names.js';

const SERVICE_ACCOUNT_PURPOSE: Record<string, string> = {
  [SERVICE_ACCOUNTS.collector]: `Runs ${SERVICES.collector}`,
  [SERVICE_ACCOUNTS.stationInfoCollector]: `Runs ${SERVICES.stationInfoCollector}`,
  [SERVICE_ACCOUNTS.bqWriter]: `Runs ${SERVICES.bqWriter}`,
  [SERVICE_ACCOUNTS.stationInfoWriter]: `Runs ${SERVICES.stationInfoWriter}`,
  [SERVICE_ACCOUNTS.replayer]: `Runs ${REPLAYER_JOB}`,
  [SERVICE_ACCOUNTS.dashboard]: `Runs ${SERVICES.dashboard}`,
  [SERVICE_ACCOUNTS.dataflow]: 'Runs the pmp-velib-curated Dataflow workers',
  [SERVICE_ACCOUNTS.schedulerInvoker]: 'Cloud Scheduler calls the collectors as this identity',
  [SERVICE_ACCOUNTS.bqWriterPushInvoker]: `Pub/Sub pushes to ${SERVICES.bqWriter} as this identity`,
  [SERVICE_ACCOUNTS.stationInfoWriterPushInvoker]: `Pub/Sub pushes to ${SERVICES.stationInfoWriter} as this identity`,
  [SERVICE_ACCOUNTS.dataQuality]: `Runs ${SERVICES.dataQuality}`,
  [SERVICE_ACCOUNTS.dataQualityInvoker]: `Cloud Scheduler calls ${SERVICES.dataQuality} as this identity`,
};

/** Who gets a grant: one of our service accounts, or a Google-managed identity by email. */
type Grantee =
  { readonly serviceAccount: string } | { readonly agent: string; readonly as: string };

interface Grant {
  readonly to: Grantee;
  readonly role: string;
  readonly on: IamPolicyMemberSpecResourceRef;
}

export interface IdentityChartProps {
  /** The environment rendered. */
  readonly config: EnvConfig;
  /**
   * Mart views, whose source tables the dashboard may read.
   * @default every sql/*.sql file
   */
  readonly views?: readonly MartView[];
  /**
   * Queries of the data-quality assertions, whose tables pmp-data-quality may read.
   * @default every sql/assertions/*.sql file
   */
  readonly assertionQueries?: readonly string[];
}

/**
 * Tables outside pmp_marts and pmp_ops that the views read (the dashboard reads those two datasets
 * whole, through their access lists). A view naming a table we do not define is an error here.
 */
export function martSourceTables(views: readonly MartView[]): TableDefinition[] {
  const wanted = new Set(views.flatMap((v) => referencedTables(v.query, DATASETS.marts)));
  const tables: TableDefinition[] = [];
  for (const id of [...wanted].sort()) {
    const [dataset] = id.split('.');
    if (dataset === DATASETS.ops) continue;
    const table = TABLES.find((t) => `${t.datasetId}.${t.tableId}` === id);
    if (!table) throw new Error(`a mart view reads ${id}, which core/warehouse does not define`);
    tables.push(table);
  }
  return tables;
}

/**
 * Tables the data-quality assertions read, directly or through the mart views they query (pmp_marts
 * itself is read through its access list). Defined tables only, as for the dashboard.
 */
export function assertionSourceTables(
  queries: readonly string[],
  views: readonly MartView[],
): TableDefinition[] {
  const direct = new Set(queries.flatMap((q) => referencedTables(q, DATASETS.marts)));
  const viewsRead = new Set(
    queries.flatMap((q) =>
      referencedTables(q, '').filter((id) => id.startsWith(`${DATASETS.marts}.`)),
    ),
  );
  const throughViews = martSourceTables(
    views.filter((v) => viewsRead.has(`${DATASETS.marts}.${v.tableId}`)),
  );
  const ids = new Set([...direct, ...throughViews.map((t) => `${t.datasetId}.${t.tableId}`)]);
  return [...ids].sort().map((id) => {
    const table = TABLES.find((t) => `${t.datasetId}.${t.tableId}` === id);
    if (!table) throw new Error(`an assertion reads ${id}, which core/warehouse does not define`);
    return table;
  });
}

const topic = (name: string) => ({ kind: 'PubSubTopic', name });
const subscription = (name: string) => ({ kind: 'PubSubSubscription', name });
const table = (tableId: string) => ({ kind: 'BigQueryTable', name: kubernetesName(tableId) });
const serviceAccount = (name: string) => ({ kind: 'IAMServiceAccount', name });

/**
 * One service account per component and the narrowest grants that let each do its job: a topic to
 * publish to, a subscription to read, a table to write, a service to invoke. Dataset-level reads
 * are in the warehouse chart (`spec.access`), since a dataset cannot be an IAM member target.
 */
export class IdentityChart extends Chart {
  constructor(scope: Construct, id: string, props: IdentityChartProps) {
    super(scope, id, { namespace: props.config.namespace });
    const { config } = props;
    const project = { kind: 'Project', external: `projects/${config.projectId}` };
    const runService = (name: string) => ({
      kind: 'RunService',
      external: `projects/${config.projectId}/locations/${config.region}/services/${name}`,
    });
    const pubsubAgent = { agent: pubsubServiceAgent(config), as: 'pubsub-agent' };
    const schedulerAgent = { agent: schedulerServiceAgent(config), as: 'scheduler-agent' };
    const billingPublisher = { agent: BILLING_BUDGET_PUBLISHER, as: 'billing-budgets' };
    const sa = (name: string) => ({ serviceAccount: name });

    for (const account of Object.values(SERVICE_ACCOUNTS)) {
      new IamServiceAccount(this, account, {
        metadata: { name: account },
        spec: { resourceId: account, displayName: SERVICE_ACCOUNT_PURPOSE[account] },
      });
    }

    const grants: Grant[] = [
      // Collectors publish their snapshots, each to its own topic.
      {
        to: sa(SERVICE_ACCOUNTS.collector),
        role: 'roles/pubsub.publisher',
        on: topic(TOPICS.events),
      },
      {
        to: sa(SERVICE_ACCOUNTS.stationInfoCollector),
        role: 'roles/pubsub.publisher',
        on: topic(TOPICS.stationInfo),
      },
      // Writers stream rows into their table and record bad pushes in the writer DLQ table.
      {
        to: sa(SERVICE_ACCOUNTS.bqWriter),
        role: 'roles/bigquery.dataEditor',
        on: table(stationStatusRawTable.tableId),
      },
      {
        to: sa(SERVICE_ACCOUNTS.bqWriter),
        role: 'roles/bigquery.dataEditor',
        on: table(writerDlqTable.tableId),
      },
      {
        to: sa(SERVICE_ACCOUNTS.stationInfoWriter),
        role: 'roles/bigquery.dataEditor',
        on: table(stationInformationTable.tableId),
      },
      {
        to: sa(SERVICE_ACCOUNTS.stationInfoWriter),
        role: 'roles/bigquery.dataEditor',
        on: table(writerDlqTable.tableId),
      },
      // The replayer drains the hold subscription into the source topic.
      {
        to: sa(SERVICE_ACCOUNTS.replayer),
        role: 'roles/pubsub.subscriber',
        on: subscription(SUBSCRIPTIONS.stationInfoDlqHold),
      },
      {
        to: sa(SERVICE_ACCOUNTS.replayer),
        role: 'roles/pubsub.publisher',
        on: topic(TOPICS.stationInfo),
      },
      // The dashboard runs queries (jobs are project-level), reads pmp_marts and pmp_ops through
      // their access lists, and the tables behind the views here.
      { to: sa(SERVICE_ACCOUNTS.dashboard), role: 'roles/bigquery.jobUser', on: project },
      ...martSourceTables(props.views ?? readMartViews(SQL_DIR)).map((t) => ({
        to: sa(SERVICE_ACCOUNTS.dashboard),
        role: 'roles/bigquery.dataViewer',
        on: table(t.tableId),
      })),
      // The data-quality run queries (project-level jobs), reads the tables its assertions check
      // (pmp_marts through its access list) and appends to its results table, nothing else.
      { to: sa(SERVICE_ACCOUNTS.dataQuality), role: 'roles/bigquery.jobUser', on: project },
      ...assertionSourceTables(
        props.assertionQueries ?? readAssertionQueries(SQL_DIR),
        props.views ?? readMartViews(SQL_DIR),
      ).map((t) => ({
        to: sa(SERVICE_ACCOUNTS.dataQuality),
        role: 'roles/bigquery.dataViewer',
        on: table(t.tableId),
      })),
      {
        to: sa(SERVICE_ACCOUNTS.dataQuality),
        role: 'roles/bigquery.dataEditor',
        on: table(dataQualityResultsTable.tableId),
      },
      // Dataflow workers: the worker role is project-level by design of Dataflow.
      { to: sa(SERVICE_ACCOUNTS.dataflow), role: 'roles/dataflow.worker', on: project },
      {
        to: sa(SERVICE_ACCOUNTS.dataflow),
        role: 'roles/pubsub.subscriber',
        on: subscription(SUBSCRIPTIONS.eventsDataflow),
      },
      // PubsubIO reads the subscription's metadata before pulling.
      {
        to: sa(SERVICE_ACCOUNTS.dataflow),
        role: 'roles/pubsub.viewer',
        on: subscription(SUBSCRIPTIONS.eventsDataflow),
      },
      {
        to: sa(SERVICE_ACCOUNTS.dataflow),
        role: 'roles/bigquery.dataEditor',
        on: table(stationStatusCuratedTable.tableId),
      },
      {
        to: sa(SERVICE_ACCOUNTS.dataflow),
        role: 'roles/bigquery.dataEditor',
        on: table(curatedDlqTable.tableId),
      },
      {
        to: sa(SERVICE_ACCOUNTS.dataflow),
        role: 'roles/storage.objectAdmin',
        on: { kind: 'StorageBucket', name: dataflowBucket(config) },
      },
      // Invokers: each may call exactly the services its caller needs.
      {
        to: sa(SERVICE_ACCOUNTS.schedulerInvoker),
        role: 'roles/run.invoker',
        on: runService(SERVICES.collector),
      },
      {
        to: sa(SERVICE_ACCOUNTS.schedulerInvoker),
        role: 'roles/run.invoker',
        on: runService(SERVICES.stationInfoCollector),
      },
      {
        to: sa(SERVICE_ACCOUNTS.dataQualityInvoker),
        role: 'roles/run.invoker',
        on: runService(SERVICES.dataQuality),
      },
      {
        to: sa(SERVICE_ACCOUNTS.bqWriterPushInvoker),
        role: 'roles/run.invoker',
        on: runService(SERVICES.bqWriter),
      },
      {
        to: sa(SERVICE_ACCOUNTS.stationInfoWriterPushInvoker),
        role: 'roles/run.invoker',
        on: runService(SERVICES.stationInfoWriter),
      },
      // The Pub/Sub service agent mints push OIDC tokens as the push invokers…
      {
        to: pubsubAgent,
        role: 'roles/iam.serviceAccountTokenCreator',
        on: serviceAccount(SERVICE_ACCOUNTS.bqWriterPushInvoker),
      },
      {
        to: pubsubAgent,
        role: 'roles/iam.serviceAccountTokenCreator',
        on: serviceAccount(SERVICE_ACCOUNTS.stationInfoWriterPushInvoker),
      },
      // …forwards dead letters (publish to the DLQ topic, ack on the source subscription)…
      {
        to: pubsubAgent,
        role: 'roles/pubsub.publisher',
        on: topic(TOPICS.stationInfoPushDlq),
      },
      {
        to: pubsubAgent,
        role: 'roles/pubsub.subscriber',
        on: subscription(SUBSCRIPTIONS.stationInfoToBq),
      },
      // …and writes the BigQuery subscription's rows.
      {
        to: pubsubAgent,
        role: 'roles/bigquery.dataEditor',
        on: table(stationInfoPushDlqTable.tableId),
      },
      {
        to: pubsubAgent,
        role: 'roles/bigquery.metadataViewer',
        on: table(stationInfoPushDlqTable.tableId),
      },
      // The Cloud Scheduler service agent mints the scheduler jobs' OIDC tokens.
      {
        to: schedulerAgent,
        role: 'roles/iam.serviceAccountTokenCreator',
        on: serviceAccount(SERVICE_ACCOUNTS.schedulerInvoker),
      },
      {
        to: schedulerAgent,
        role: 'roles/iam.serviceAccountTokenCreator',
        on: serviceAccount(SERVICE_ACCOUNTS.dataQualityInvoker),
      },
      // Cloud Billing publishes budget notifications to the alerts topic.
      {
        to: billingPublisher,
        role: 'roles/pubsub.publisher',
        on: topic(TOPICS.budgetAlerts),
      },
    ];

    for (const grant of grants) {
      const who = 'serviceAccount' in grant.to ? grant.to.serviceAccount : grant.to.as;
      const role = grant.role
        .replace(/^roles\//, '')
        .replaceAll('.', '-')
        .toLowerCase();
      const target = (grant.on.name ?? grant.on.external?.split('/').pop() ?? '').toLowerCase();
      const name = `${who}--${role}--${kubernetesName(target)}`;
      new IamPolicyMember(this, name, {
        metadata: { name },
        spec: {
          role: grant.role,
          resourceRef: grant.on,
          ...('serviceAccount' in grant.to
            ? { memberFrom: { serviceAccountRef: { name: grant.to.serviceAccount } } }
            : { member: `serviceAccount:${grant.to.agent}` }),
        },
      });
    }
  }
}
