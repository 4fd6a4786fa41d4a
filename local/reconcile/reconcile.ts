import { BigQuery } from '@google-cloud/bigquery';
import { PubSub } from '@google-cloud/pubsub';
import { readManifestDir, type LoadedManifest } from '../../cdk8s/manifests/index.js';
import {
  applyBigQueryDeletions,
  applyDatasets,
  applyTables,
  observeBigQuery,
  planBigQuery,
} from './bigquery.js';
import { desiredStateOf, projectOf, type DesiredState } from './desired.js';
import type { Change } from './plan.js';
import {
  applyPubSubDeletions,
  applySubscriptions,
  applyTopics,
  observePubSub,
  planPubSub,
} from './pubsub.js';
import type { ServiceUrls } from './service-urls.js';

export interface ReconcileOptions {
  /** An environment folder (`clusters/local`) or any folder of rendered manifests. */
  readonly dir: string;
  /** @default the namespace's `cnrm.cloud.google.com/project-id` annotation */
  readonly projectId?: string;
  /** Cloud Run service name → local URL, for push endpoints. */
  readonly serviceUrls?: ServiceUrls;
  /** Compute and return the plan without changing anything. */
  readonly dryRun?: boolean;
  /** Allow deleting or recreating tables that hold rows. */
  readonly pruneData?: boolean;
  /** Clients; by default built for the project (the emulator host variables apply). */
  readonly pubsub?: PubSub;
  readonly bigquery?: BigQuery;
}

export interface ReconcileResult {
  readonly projectId: string;
  /** In the order they were (or would be) applied. */
  readonly changes: readonly Change[];
  readonly applied: boolean;
}

/**
 * The manifests Config Sync would apply for the stack: everything under `config-sync/` when the
 * folder is an environment folder, else every manifest of the folder.
 */
export function readReconcilable(dir: string): LoadedManifest[] {
  const all = readManifestDir(dir);
  const fromConfigSync = all.filter((m) => m.file.startsWith('config-sync/'));
  return fromConfigSync.length > 0 ? fromConfigSync : all;
}

/**
 * Converges the Pub/Sub and BigQuery emulators (or whatever the clients point at) to the rendered
 * Config Connector manifests, like Config Sync does: creates what is missing, updates what the API
 * can change in place, recreates what it cannot, deletes managed resources the manifests no longer
 * contain (never a table holding rows unless `pruneData`). Order: topics, datasets, tables, views
 * (dependency order), subscriptions (BigQuery subscriptions need their table); deletions last.
 */
export async function reconcile(options: ReconcileOptions): Promise<ReconcileResult> {
  const manifests = readReconcilable(options.dir);
  const projectId = options.projectId ?? projectOf(readManifestDir(options.dir));
  const desired: DesiredState = desiredStateOf(manifests, {
    projectId,
    serviceUrls: options.serviceUrls,
  });
  const pubsub = options.pubsub ?? new PubSub({ projectId: desired.projectId });
  const bigquery = options.bigquery ?? new BigQuery({ projectId: desired.projectId });
  try {
    const [observedPubSub, observedBigQuery] = await Promise.all([
      observePubSub(pubsub),
      observeBigQuery(bigquery),
    ]);
    const ps = planPubSub(desired, observedPubSub);
    const bq = planBigQuery(desired, observedBigQuery, { pruneData: options.pruneData });
    const changes: Change[] = [
      ...ps.topics,
      ...bq.datasets,
      ...bq.tables,
      ...ps.subscriptions,
      ...ps.deletions,
      ...bq.deletions,
    ];
    if (!options.dryRun) {
      await applyTopics(pubsub, desired, ps.topics);
      await applyDatasets(bigquery, desired, bq.datasets);
      await applyTables(bigquery, desired, bq.tables);
      await applySubscriptions(pubsub, desired, ps.subscriptions);
      await applyPubSubDeletions(pubsub, ps.deletions);
      await applyBigQueryDeletions(bigquery, bq.deletions);
    }
    return { projectId: desired.projectId, changes, applied: !options.dryRun };
  } finally {
    if (!options.pubsub) await pubsub.close();
  }
}
