import type { EnvConfig } from './env-config.js';
import {
  stationInformationTable,
  stationStatusRawTable,
  writerDlqTable,
  DATASETS,
} from '../core/warehouse/index.js';
import { serviceUrl } from './environment.js';
import {
  IMAGES,
  REPLAYER_JOB,
  SERVICE_ACCOUNTS,
  SERVICES,
  SUBSCRIPTIONS,
  TOPICS,
} from '../core/resource-names.js';

export interface EnvVar {
  readonly name: string;
  readonly value: string;
}

/** A workload we run: a Cloud Run service or job, or (locally) a Kubernetes Deployment. */
export interface RuntimeComponent {
  /** Cloud Run name (also the local Deployment and Service name). */
  readonly name: string;
  readonly kind: 'service' | 'job';
  /** Image name; the environment adds its registry. */
  readonly image: string;
  /** Account id of the component's own service account. */
  readonly serviceAccount: string;
  /** Cloud Run ingress: writers only take traffic from inside Google Cloud (Pub/Sub push). */
  readonly ingress: 'all' | 'internal';
  /** Receives Pub/Sub push requests and so verifies their OIDC token. */
  readonly receivesPush: boolean;
  /** The environment of docs/contracts.md, in its order (PORT is set by the platform). */
  env(config: EnvConfig): EnvVar[];
}

const WRITER_DLQ_TABLE = `${writerDlqTable.datasetId}.${writerDlqTable.tableId}`;

function vars(values: Record<string, string>): EnvVar[] {
  return Object.entries(values).map(([name, value]) => ({ name, value }));
}

/** Every runtime component with its contract environment (docs/contracts.md). */
export const COMPONENTS: readonly RuntimeComponent[] = [
  {
    name: SERVICES.collector,
    kind: 'service',
    image: IMAGES.collector,
    serviceAccount: SERVICE_ACCOUNTS.collector,
    ingress: 'all',
    receivesPush: false,
    env: (config) =>
      vars({
        PROJECT_ID: config.projectId,
        TOPIC_ID: TOPICS.events,
        FEED_URL: config.stationStatusFeedUrl,
        SOURCE: 'velib',
        EVENT_TYPE: 'station_status_snapshot',
      }),
  },
  {
    name: SERVICES.stationInfoCollector,
    kind: 'service',
    image: IMAGES.collector,
    serviceAccount: SERVICE_ACCOUNTS.stationInfoCollector,
    ingress: 'all',
    receivesPush: false,
    env: (config) =>
      vars({
        PROJECT_ID: config.projectId,
        TOPIC_ID: TOPICS.stationInfo,
        FEED_URL: config.stationInformationFeedUrl,
        SOURCE: 'velib',
        EVENT_TYPE: 'station_information_snapshot',
      }),
  },
  {
    name: SERVICES.bqWriter,
    kind: 'service',
    image: IMAGES.bqWriter,
    serviceAccount: SERVICE_ACCOUNTS.bqWriter,
    ingress: 'internal',
    receivesPush: true,
    env: (config) =>
      vars({
        PROJECT_ID: config.projectId,
        BQ_DATASET: stationStatusRawTable.datasetId,
        BQ_TABLE: stationStatusRawTable.tableId,
        WRITER_DLQ_TABLE,
        PUSH_AUDIENCE: serviceUrl(config, SERVICES.bqWriter),
      }),
  },
  {
    name: SERVICES.stationInfoWriter,
    kind: 'service',
    image: IMAGES.stationInfoWriter,
    serviceAccount: SERVICE_ACCOUNTS.stationInfoWriter,
    ingress: 'internal',
    receivesPush: true,
    env: (config) =>
      vars({
        PROJECT_ID: config.projectId,
        BQ_DATASET: stationInformationTable.datasetId,
        BQ_TABLE: stationInformationTable.tableId,
        WRITER_DLQ_TABLE,
        DLQ_TEST_ENABLED: 'false',
        PUSH_AUDIENCE: serviceUrl(config, SERVICES.stationInfoWriter),
      }),
  },
  {
    name: SERVICES.dashboard,
    kind: 'service',
    image: IMAGES.dashboard,
    serviceAccount: SERVICE_ACCOUNTS.dashboard,
    ingress: 'all',
    receivesPush: false,
    env: (config) =>
      vars({
        PROJECT_ID: config.projectId,
        MARTS_DATASET: DATASETS.marts,
        OPS_DATASET: DATASETS.ops,
      }),
  },
  {
    name: SERVICES.dataQuality,
    kind: 'service',
    image: IMAGES.dataQuality,
    serviceAccount: SERVICE_ACCOUNTS.dataQuality,
    // Only Cloud Scheduler calls it; the platform's invoker check verifies its OIDC token.
    ingress: 'internal',
    receivesPush: false,
    env: (config) => vars({ PROJECT_ID: config.projectId, WINDOW_HOURS: '24' }),
  },
  {
    name: REPLAYER_JOB,
    kind: 'job',
    image: IMAGES.replayer,
    serviceAccount: SERVICE_ACCOUNTS.replayer,
    ingress: 'internal',
    receivesPush: false,
    env: (config) =>
      vars({
        PROJECT_ID: config.projectId,
        SUBSCRIPTION_ID: SUBSCRIPTIONS.stationInfoDlqHold,
        TARGET_TOPIC_ID: TOPICS.stationInfo,
        QPS: '5',
        MAX_MESSAGES: '1000',
        BATCH_SIZE: '50',
        DRY_RUN: 'false',
        REPLAY_ENABLED: 'true',
        ACK_SKIPPED: 'false',
      }),
  },
];

export function component(name: string): RuntimeComponent {
  const found = COMPONENTS.find((c) => c.name === name);
  if (!found) throw new Error(`unknown component ${name}`);
  return found;
}
