import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import type { EnvConfig } from './env-config.js';
import { ProjectNamespace } from './project-namespace.js';

export interface NamespaceChartProps {
  /** The environment rendered. */
  readonly config: EnvConfig;
}

/** The environment's namespace, as Config Sync reconciles it. */
export class NamespaceChart extends Chart {
  constructor(scope: Construct, id: string, props: NamespaceChartProps) {
    super(scope, id);
    new ProjectNamespace(this, 'Namespace', { config: props.config });
  }
}
