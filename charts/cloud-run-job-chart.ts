import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import type { EnvConfig } from './env-config.js';
import { Job } from '../cdk8s/imports/run.googleapis.com.js';
import type { RuntimeComponent } from './components.js';
import { imageRef, serviceAccountEmail } from './environment.js';

export interface CloudRunJobChartProps {
  /** The environment rendered. */
  readonly config: EnvConfig;
  /** The job to render (one of COMPONENTS with kind `job`). */
  readonly component: RuntimeComponent;
}

/**
 * A Cloud Run Job spec (`run.googleapis.com/v1` Job), deployed with `gcloud run jobs replace` and
 * executed on demand (`gcloud run jobs execute`). One task, no retries: the replayer acks only
 * after a successful publish, so a rerun picks up whatever a failed run left.
 */
export class CloudRunJobChart extends Chart {
  constructor(scope: Construct, id: string, props: CloudRunJobChartProps) {
    super(scope, id, { namespace: props.config.projectId });
    const { config, component } = props;
    new Job(this, 'Resource', {
      metadata: {
        name: component.name,
        labels: { 'cloud.googleapis.com/location': config.region },
      },
      spec: {
        template: {
          spec: {
            taskCount: 1,
            parallelism: 1,
            template: {
              spec: {
                serviceAccountName: serviceAccountEmail(config, component.serviceAccount),
                maxRetries: 0,
                timeoutSeconds: 1800,
                containers: [
                  {
                    image: imageRef(config, component.image),
                    env: component.env(config),
                    resources: { limits: { cpu: '1', memory: '512Mi' } },
                  },
                ],
              },
            },
          },
        },
      },
    });
  }
}
