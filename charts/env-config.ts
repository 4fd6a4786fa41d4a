import { enums, nonempty, object, optional, pattern, string, type Infer } from 'superstruct';

const kubernetesName = pattern(string(), /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
const httpUrl = pattern(string(), /^https?:\/\/[^\s]+$/);

/**
 * What differs between environments. Everything else (resource names, schemas, policies) is the
 * same everywhere and lives in the charts. No secrets here: identities come from Workload Identity.
 */
export const EnvConfigStruct = object({
  /** Environment name; also the folder under `clusters/`. */
  name: enums(['dev', 'prod', 'local']),
  /** Google Cloud project id (6–30 chars, lowercase, digits, hyphens). */
  projectId: pattern(string(), /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/),
  /** Project number: service agents (`service-<n>@gcp-sa-…`) and Cloud Run URLs are built from it. */
  projectNumber: pattern(string(), /^[1-9][0-9]{5,15}$/),
  /** Region of Cloud Run, Dataflow, the bucket and the BigQuery datasets. */
  region: pattern(string(), /^[a-z]+-[a-z]+[0-9]+$/),
  /** Cloud Scheduler location (europe-west9 has no Cloud Scheduler). */
  schedulerLocation: pattern(string(), /^[a-z]+-[a-z]+[0-9]+$/),
  /** BigQuery dataset location. */
  bigqueryLocation: nonempty(string()),
  /** Billing account id `XXXXXX-XXXXXX-XXXXXX`, for the budget. */
  billingAccount: pattern(string(), /^[0-9A-F]{6}-[0-9A-F]{6}-[0-9A-F]{6}$/),
  /** Namespace holding this environment's Config Connector objects (one namespace per project). */
  namespace: kubernetesName,
  /** Image registry prefix (`<region>-docker.pkg.dev/<project>/<repo>`); empty for local images. */
  imageRegistry: pattern(string(), /^([a-z0-9.-]+(\/[a-z0-9._-]+)*)?$/),
  /**
   * Base URL of a service, with `{service}`, `{projectNumber}` and `{region}` placeholders. On Cloud
   * Run the URL is deterministic: `https://{service}-{projectNumber}.{region}.run.app`.
   */
  serviceUrlTemplate: pattern(string(), /^https?:\/\/.*\{service\}/),
  /** Vélib feeds (GBFS) the collectors fetch. */
  stationStatusFeedUrl: httpUrl,
  stationInformationFeedUrl: httpUrl,
  /**
   * How stale an answer a materialized mart may give (GoogleSQL INTERVAL `Y-M D H:M:S`; BigQuery
   * requires one on non-incremental materialized views). Minutes on Google Cloud, where refreshes
   * cost money; zero locally, where the emulator recomputes on the next read after a write.
   */
  martsMaxStaleness: pattern(string(), /^\d+-\d+ \d+ \d+:\d+:\d+$/),
  /** Git repository Config Sync pulls `clusters/<env>/config-sync` from. */
  gitRepo: httpUrl,
  gitBranch: nonempty(string()),
  /** Kubernetes service account Config Connector impersonates as (bootstrap creates it). */
  configConnectorServiceAccount: pattern(
    string(),
    /^[a-z0-9-]+@[a-z0-9-]+\.iam\.gserviceaccount\.com$/,
  ),
  /** Emulator endpoints the local cluster's services use; only the local environment has them. */
  emulators: optional(
    object({
      pubsubHost: nonempty(string()),
      bigqueryHost: httpUrl,
      jwksUrl: httpUrl,
    }),
  ),
});

export type EnvConfig = Infer<typeof EnvConfigStruct>;
export type EnvName = EnvConfig['name'];
