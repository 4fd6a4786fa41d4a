import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import type { EnvConfig } from './env-config.js';
import { PROJECT_ID_ANNOTATION } from './environment.js';

export interface ProjectNamespaceProps {
  /** The environment whose project the namespace's Config Connector objects act on. */
  readonly config: EnvConfig;
}

/**
 * The namespace holding one environment's Config Connector objects, annotated with its project
 * (Config Connector's namespaced mode reads the project from this annotation).
 */
export class ProjectNamespace extends Construct {
  constructor(scope: Construct, id: string, props: ProjectNamespaceProps) {
    super(scope, id);
    new kplus.Namespace(this, 'Resource', {
      metadata: {
        name: props.config.namespace,
        annotations: { [PROJECT_ID_ANNOTATION]: props.config.projectId },
      },
    });
  }
}
