import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import type { EnvConfig } from './env-config.js';
import { RootSyncV1Beta1, RootSyncV1Beta1SpecGitAuth } from '../cdk8s/imports/configsync.gke.io.js';
import {
  ConfigConnectorContext,
  ConfigConnectorContextSpecStateIntoSpec,
} from '../cdk8s/imports/core.cnrm.cloud.google.com.js';
import { ProjectNamespace } from './project-namespace.js';

export interface BootstrapChartProps {
  /** The environment rendered. */
  readonly config: EnvConfig;
}

/**
 * Applied once per cluster by hand (docs/gitops.md): the environment's namespace, Config Connector
 * in namespaced mode for it, and the RootSync that reconciles `clusters/<env>/config-sync` from Git.
 */
export class BootstrapChart extends Chart {
  constructor(scope: Construct, id: string, props: BootstrapChartProps) {
    super(scope, id);
    const { config } = props;
    new ProjectNamespace(this, 'Namespace', { config });
    new ConfigConnectorContext(this, 'ConfigConnectorContext', {
      // Config Connector only accepts this exact name, one per namespace.
      metadata: {
        name: 'configconnectorcontext.core.cnrm.cloud.google.com',
        namespace: config.namespace,
      },
      spec: {
        googleServiceAccount: config.configConnectorServiceAccount,
        stateIntoSpec: ConfigConnectorContextSpecStateIntoSpec.ABSENT,
      },
    });
    new RootSyncV1Beta1(this, 'RootSync', {
      metadata: { name: `pmp-${config.name}`, namespace: 'config-management-system' },
      spec: {
        sourceFormat: 'unstructured',
        git: {
          repo: config.gitRepo,
          branch: config.gitBranch,
          dir: `clusters/${config.name}/config-sync`,
          auth: RootSyncV1Beta1SpecGitAuth.NONE,
        },
      },
    });
  }
}
