import type { EnvConfig } from './env-config.js';

/** Values derived from an environment's settings, computed in one place. */
export function serviceAccountEmail(config: EnvConfig, accountId: string): string {
  return `${accountId}@${config.projectId}.iam.gserviceaccount.com`;
}

/** Base URL of a Cloud Run service (deterministic on Cloud Run: name, project number, region). */
export function serviceUrl(config: EnvConfig, service: string): string {
  return config.serviceUrlTemplate
    .replaceAll('{service}', service)
    .replaceAll('{projectNumber}', config.projectNumber)
    .replaceAll('{region}', config.region);
}

export function imageRef(config: EnvConfig, image: string): string {
  return config.imageRegistry ? `${config.imageRegistry}/${image}` : image;
}

/** Google-managed identities that act on our behalf, named from the project number. */
export function pubsubServiceAgent(config: EnvConfig): string {
  return `service-${config.projectNumber}@gcp-sa-pubsub.iam.gserviceaccount.com`;
}

export function schedulerServiceAgent(config: EnvConfig): string {
  return `service-${config.projectNumber}@gcp-sa-cloudscheduler.iam.gserviceaccount.com`;
}

/** The identity Cloud Billing publishes budget notifications with. */
export const BILLING_BUDGET_PUBLISHER = 'billing-budget-alert@system.gserviceaccount.com';

export function dataflowBucket(config: EnvConfig): string {
  return `${config.projectId}-pmp-dataflow`;
}

/** Annotation Config Connector reads the project from (set on every namespace). */
export const PROJECT_ID_ANNOTATION = 'cnrm.cloud.google.com/project-id';
