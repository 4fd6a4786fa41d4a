import { Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import type { Construct } from 'constructs';
import type { EnvConfig } from './env-config.js';
import { COMPONENTS, type EnvVar, type RuntimeComponent } from './components.js';
import { imageRef } from './environment.js';
import { EMULATORS, IMAGES, SIMULATOR } from '../core/resource-names.js';

/** Ports the emulators image serves (docs/contracts.md). */
export const EMULATOR_PORTS = {
  pubsub: 8085,
  admin: 8086,
  bigquery: 9050,
} as const;

/** `pmp simulate`'s default port; the feeds are under /opendata/Velib_Metropole/. */
export const SIMULATOR_PORT = 8090;

const SERVICE_PORT = 8080;

export interface LocalClusterChartProps {
  /** The local environment (must carry `emulators`). */
  readonly config: EnvConfig;
}

/**
 * Non-root, as the images run (`USER node`, uid 1000); Node needs a writable /tmp. Images are
 * built and loaded by skaffold, never pulled, hence IfNotPresent.
 */
const SECURITY = { user: 1000, group: 1000, ensureNonRoot: true, readOnlyRootFilesystem: false };

/**
 * The pipeline on a local Kubernetes cluster (`skaffold dev -p local`): one Deployment and Service
 * per Cloud Run service, with the contract environment plus the emulator hosts, the emulators, and
 * the feed simulator.
 * The replayer is a job run on demand, so it has no Deployment. The namespace is its own chart
 * (a chart's namespace would otherwise be stamped on the Namespace object itself).
 */
export class LocalClusterChart extends Chart {
  constructor(scope: Construct, id: string, props: LocalClusterChartProps) {
    super(scope, id, { namespace: props.config.namespace });
    const { config } = props;
    const emulators = config.emulators;
    if (!emulators) throw new Error(`environment ${config.name} has no emulators to point at`);

    addWorkload(this, emulatorsWorkload(config));
    addWorkload(this, simulatorWorkload(config));
    for (const component of COMPONENTS.filter((c) => c.kind === 'service')) {
      addWorkload(this, serviceWorkload(config, emulators, component));
    }
  }
}

type Emulators = NonNullable<EnvConfig['emulators']>;

/** One Deployment of one container, and the Service in front of it, both named `name`. */
interface Workload {
  readonly name: string;
  /** What differs between workloads; the security context and pull policy are the same for all. */
  readonly container: Omit<kplus.ContainerProps, 'name' | 'securityContext' | 'imagePullPolicy'>;
  readonly servicePorts: kplus.ServicePort[];
}

function addWorkload(chart: Chart, workload: Workload): void {
  const deployment = new kplus.Deployment(chart, workload.name, {
    metadata: { name: workload.name },
    replicas: 1,
    securityContext: SECURITY,
    containers: [
      {
        name: workload.name,
        ...workload.container,
        securityContext: SECURITY,
        imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
      },
    ],
  });
  deployment.exposeViaService({ name: workload.name, ports: workload.servicePorts });
}

function emulatorsWorkload(config: EnvConfig): Workload {
  return {
    name: EMULATORS,
    container: {
      image: imageRef(config, IMAGES.emulators),
      ports: Object.entries(EMULATOR_PORTS).map(([name, number]) => ({ name, number })),
      readiness: kplus.Probe.fromTcpSocket({ port: EMULATOR_PORTS.admin }),
    },
    servicePorts: Object.entries(EMULATOR_PORTS).map(([name, port]) => ({
      name,
      port,
      targetPort: port,
    })),
  };
}

/** The simulated Vélib feed the collectors fetch, from the same image as the emulators. */
function simulatorWorkload(config: EnvConfig): Workload {
  return {
    name: SIMULATOR,
    container: {
      image: imageRef(config, IMAGES.emulators),
      command: ['node', 'cli/bin/pmp.js', 'simulate', '--host', '0.0.0.0'],
      args: ['--port', String(SIMULATOR_PORT)],
      portNumber: SIMULATOR_PORT,
      readiness: kplus.Probe.fromHttpGet('/healthz', { port: SIMULATOR_PORT }),
    },
    servicePorts: [{ port: SIMULATOR_PORT, targetPort: SIMULATOR_PORT }],
  };
}

/** A Cloud Run service as a Deployment: its contract environment plus the emulator hosts. */
function serviceWorkload(
  config: EnvConfig,
  emulators: Emulators,
  component: RuntimeComponent,
): Workload {
  const env: EnvVar[] = [
    ...component.env(config),
    { name: 'PORT', value: String(SERVICE_PORT) },
    { name: 'PUBSUB_EMULATOR_HOST', value: emulators.pubsubHost },
    { name: 'BIGQUERY_EMULATOR_HOST', value: emulators.bigqueryHost },
    ...(component.receivesPush ? [{ name: 'PUSH_JWKS_URL', value: emulators.jwksUrl }] : []),
  ];
  return {
    name: component.name,
    container: {
      image: imageRef(config, component.image),
      portNumber: SERVICE_PORT,
      envVariables: Object.fromEntries(env.map((v) => [v.name, kplus.EnvValue.fromValue(v.value)])),
      readiness: kplus.Probe.fromHttpGet('/healthz', { port: SERVICE_PORT }),
    },
    servicePorts: [{ port: SERVICE_PORT, targetPort: SERVICE_PORT }],
  };
}
