import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import type { EnvConfig } from './env-config.js';
import { Service } from '../cdk8s/imports/serviceusage.cnrm.cloud.google.com.js';

/** Google APIs the pipeline uses, sorted. */
export const REQUIRED_APIS = [
  'artifactregistry.googleapis.com',
  'bigquery.googleapis.com',
  'billingbudgets.googleapis.com',
  'cloudscheduler.googleapis.com',
  'compute.googleapis.com',
  'dataflow.googleapis.com',
  'iam.googleapis.com',
  'iamcredentials.googleapis.com',
  'pubsub.googleapis.com',
  'run.googleapis.com',
  'storage.googleapis.com',
] as const;

export interface ApisChartProps {
  /** The environment rendered. */
  readonly config: EnvConfig;
  /**
   * APIs to enable.
   * @default REQUIRED_APIS
   */
  readonly apis?: readonly string[];
}

/**
 * Enables the APIs. `deletion-policy: abandon` and `disable-on-destroy: false`: deleting the
 * manifest (or the namespace) must never switch an API off under running resources.
 */
export class ApisChart extends Chart {
  constructor(scope: Construct, id: string, props: ApisChartProps) {
    super(scope, id, { namespace: props.config.namespace });
    for (const api of props.apis ?? REQUIRED_APIS) {
      new Service(this, api, {
        metadata: {
          name: api,
          annotations: {
            'cnrm.cloud.google.com/deletion-policy': 'abandon',
            'cnrm.cloud.google.com/disable-on-destroy': 'false',
          },
        },
        spec: { resourceId: api },
      });
    }
  }
}
