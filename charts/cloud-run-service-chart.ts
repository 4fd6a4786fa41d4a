import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import type { EnvConfig } from './env-config.js';
import {
  Service,
  ServiceSpecTemplateSpecContainersResourcesLimits,
  ServiceSpecTemplateSpecContainersStartupProbeHttpGetPort,
} from '../cdk8s/imports/serving.knative.dev.js';
import type { RuntimeComponent } from './components.js';
import { imageRef, serviceAccountEmail } from './environment.js';

/** Cloud Run reads the ingress setting from this Service annotation. */
export const INGRESS_ANNOTATION = 'run.googleapis.com/ingress';

export interface CloudRunServiceChartProps {
  /** The environment rendered. */
  readonly config: EnvConfig;
  /** The service to render (one of COMPONENTS with kind `service`). */
  readonly component: RuntimeComponent;
  /**
   * Most instances Cloud Run may start.
   * @default 2
   */
  readonly maxScale?: number;
}

/**
 * A Knative-style `serving.knative.dev/v1` Service spec, deployed with `gcloud run services replace`
 * (one file per service, as that command takes). PORT is not set: Cloud Run reserves it and sets
 * it from `containerPort`.
 */
export class CloudRunServiceChart extends Chart {
  constructor(scope: Construct, id: string, props: CloudRunServiceChartProps) {
    super(scope, id, { namespace: props.config.projectId });
    const { config, component } = props;
    new Service(this, 'Resource', {
      metadata: {
        name: component.name,
        labels: { 'cloud.googleapis.com/location': config.region },
        annotations: { [INGRESS_ANNOTATION]: component.ingress },
      },
      spec: {
        template: {
          metadata: {
            annotations: {
              'autoscaling.knative.dev/minScale': '0',
              'autoscaling.knative.dev/maxScale': String(props.maxScale ?? 2),
            },
          },
          spec: {
            serviceAccountName: serviceAccountEmail(config, component.serviceAccount),
            containerConcurrency: 80,
            timeoutSeconds: 300,
            containers: [
              {
                image: imageRef(config, component.image),
                ports: [{ name: 'http1', containerPort: 8080 }],
                env: component.env(config),
                resources: {
                  limits: {
                    cpu: ServiceSpecTemplateSpecContainersResourcesLimits.fromString('1'),
                    memory: ServiceSpecTemplateSpecContainersResourcesLimits.fromString('512Mi'),
                  },
                },
                startupProbe: {
                  httpGet: {
                    path: '/healthz',
                    port: ServiceSpecTemplateSpecContainersStartupProbeHttpGetPort.fromNumber(8080),
                  },
                },
              },
            ],
          },
        },
      },
    });
  }
}
