import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import type { EnvConfig } from './env-config.js';
import { StorageBucket } from '../cdk8s/imports/storage.cnrm.cloud.google.com.js';
import { dataflowBucket } from './environment.js';

export interface StreamingChartProps {
  /** The environment rendered. */
  readonly config: EnvConfig;
}

/**
 * What the Dataflow job needs and that costs nothing idle: its bucket (Flex Template spec, staging,
 * temp files). The job itself is in `StreamingJobChart` (demo/); its service account and grants
 * are in the identity chart.
 */
export class StreamingChart extends Chart {
  constructor(scope: Construct, id: string, props: StreamingChartProps) {
    super(scope, id, { namespace: props.config.namespace });
    const bucket = dataflowBucket(props.config);
    new StorageBucket(this, 'Bucket', {
      metadata: {
        name: bucket,
        annotations: { 'cnrm.cloud.google.com/force-destroy': 'false' },
      },
      spec: {
        resourceId: bucket,
        location: props.config.region.toUpperCase(),
        uniformBucketLevelAccess: true,
        publicAccessPrevention: 'enforced',
        // Temp and staging files are throwaway; templates are re-uploaded by the Beam build.
        lifecycleRule: [{ action: { type: 'Delete' }, condition: { age: 7, withState: 'ANY' } }],
      },
    });
  }
}
