/**
 * Every resource name of the architecture, once. Charts, tests, the validator's policies and the
 * local reconciler read them from here.
 */
export const TOPICS = {
  events: 'pmp-events',
  stationInfo: 'pmp-velib-station-info',
  stationInfoPushDlq: 'pmp-velib-station-info-push-dlq',
  /** Budget notifications (BillingBudgetsBudget allUpdatesRule); see docs/gitops.md. */
  budgetAlerts: 'pmp-budget-alerts',
} as const;

export const SUBSCRIPTIONS = {
  eventsToBq: 'pmp-events-to-bq-sub',
  eventsDataflow: 'pmp-events-dataflow-sub',
  eventsAudit: 'pmp-events-sub',
  stationInfoToBq: 'pmp-velib-station-info-to-bq-sub',
  stationInfoDlqHold: 'pmp-velib-station-info-push-dlq-hold-sub',
  stationInfoDlqToBq: 'pmp-velib-station-info-push-dlq-to-bq-sub',
} as const;

/** Cloud Run services (Knative specs) and the replayer job. */
export const SERVICES = {
  collector: 'pmp-velib-collector',
  stationInfoCollector: 'pmp-velib-station-info-collector',
  bqWriter: 'pmp-bq-writer',
  stationInfoWriter: 'pmp-velib-station-info-writer',
  dashboard: 'pmp-dashboard',
  /** Runs sql/assertions on a schedule (docs/data-quality.md). */
  dataQuality: 'pmp-data-quality',
} as const;

export const REPLAYER_JOB = 'pmp-station-info-dlq-replayer';
export const DATAFLOW_JOB = 'pmp-velib-curated';
export const EMULATORS = 'pmp-emulators';
/** The Vélib feed simulator (`pmp simulate`), run from the emulators image in the local cluster. */
export const SIMULATOR = 'pmp-simulator';

export const SCHEDULER_JOBS = {
  pollEveryMinute: 'pmp-velib-poll-every-minute',
  stationInfoDaily: 'pmp-velib-station-info-daily',
  dataQualityHourly: 'pmp-data-quality-hourly',
} as const;

/**
 * One service account per component (account ids are at most 30 characters, hence the short
 * forms). The invokers are identities of their own so a push subscription or a scheduler job can
 * call exactly one service and nothing else.
 */
export const SERVICE_ACCOUNTS = {
  collector: 'pmp-velib-collector',
  stationInfoCollector: 'pmp-info-collector',
  bqWriter: 'pmp-bq-writer',
  stationInfoWriter: 'pmp-info-writer',
  replayer: 'pmp-dlq-replayer',
  dashboard: 'pmp-dashboard',
  dataflow: 'pmp-dataflow',
  schedulerInvoker: 'pmp-scheduler-invoker',
  bqWriterPushInvoker: 'pmp-push-bq-writer',
  stationInfoWriterPushInvoker: 'pmp-push-info-writer',
  dataQuality: 'pmp-data-quality',
  /** Cloud Scheduler calls pmp-data-quality as this identity, and nothing else. */
  dataQualityInvoker: 'pmp-quality-invoker',
} as const;

/** Container images, by name; the registry prefix comes from the environment. */
export const IMAGES = {
  collector: 'pmp-velib-collector',
  bqWriter: 'pmp-bq-writer',
  stationInfoWriter: 'pmp-velib-station-info-writer',
  replayer: 'pmp-station-info-dlq-replayer',
  dashboard: 'pmp-dashboard',
  dataQuality: 'pmp-data-quality',
  emulators: 'pmp-emulators',
} as const;

/** Kubernetes object names cannot hold `_`; BigQuery ids cannot hold `-`. */
export function kubernetesName(bigQueryId: string): string {
  return bigQueryId.replaceAll('_', '-');
}
