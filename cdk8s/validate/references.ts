import { packageOf, type LoadedManifest, type RenderedObject } from '../manifests/index.js';
import { PROJECT_ID_ANNOTATION } from '../../charts/environment.js';
import { problem, walk, type Problem } from './problem.js';

/** The kind a `…Ref` field points at, by field name (IAM `resourceRef` names its own kind). */
const REF_KINDS: Record<string, string> = {
  topicRef: 'PubSubTopic',
  deadLetterTopicRef: 'PubSubTopic',
  pubsubTopicRef: 'PubSubTopic',
  subscriptionRef: 'PubSubSubscription',
  datasetRef: 'BigQueryDataset',
  tableRef: 'BigQueryTable',
  serviceAccountRef: 'IAMServiceAccount',
  serviceAccountEmailRef: 'IAMServiceAccount',
  bucketRef: 'StorageBucket',
};

interface Index {
  readonly projectId: string | undefined;
  /** Namespace of the service accounts (the environment's Config Connector namespace). */
  readonly accountNamespace: string | undefined;
  has(kind: string, namespace: string | undefined, name: string): boolean;
  /** Any namespace: external references carry none. */
  hasName(kind: string, name: string): boolean;
}

function buildIndex(manifests: readonly LoadedManifest[]): Index {
  const keys = new Set<string>();
  const names = new Set<string>();
  let projectId: string | undefined;
  let accountNamespace: string | undefined;
  for (const { object } of manifests) {
    // Knative Services and core Services share a kind name; keep them apart.
    const kind = object.apiVersion.startsWith('serving.knative.dev/')
      ? 'KnativeService'
      : object.kind;
    keys.add(`${kind}/${object.metadata.namespace ?? ''}/${object.metadata.name}`);
    names.add(`${kind}/${object.metadata.name}`);
    if (object.kind === 'Namespace') {
      projectId ??= object.metadata.annotations?.[PROJECT_ID_ANNOTATION];
    }
    if (object.kind === 'IAMServiceAccount') accountNamespace ??= object.metadata.namespace;
  }
  return {
    projectId,
    accountNamespace,
    has: (kind, namespace, name) => keys.has(`${kind}/${namespace ?? ''}/${name}`),
    hasName: (kind, name) => names.has(`${kind}/${name}`),
  };
}

/** `projects/P/…` externals of our own project must name something rendered here. */
function checkExternal(external: string, index: Index): string | undefined {
  const [root, project, collection, id, subCollection, subId] = external.split('/');
  if (root !== 'projects' || !project) return undefined;
  if (index.projectId && project !== index.projectId) {
    return `points at project ${project}, not this environment's ${index.projectId}`;
  }
  if (collection === 'topics' && id && !index.hasName('PubSubTopic', id)) {
    return `topic ${id} is not rendered in this environment`;
  }
  if (collection === 'subscriptions' && id && !index.hasName('PubSubSubscription', id)) {
    return `subscription ${id} is not rendered in this environment`;
  }
  if (
    collection === 'locations' &&
    subCollection === 'services' &&
    subId &&
    !index.hasName('KnativeService', subId)
  ) {
    return `Cloud Run service ${subId} is not rendered in this environment`;
  }
  if (
    collection === 'locations' &&
    subCollection === 'jobs' &&
    subId &&
    !index.hasName('Job', subId)
  ) {
    return `Cloud Run job ${subId} is not rendered in this environment`;
  }
  return undefined;
}

/**
 * Every `…Ref` (topicRef, datasetRef, tableRef, serviceAccountRef, deadLetterTopicRef, IAM
 * resourceRef and memberFrom, …) must name an object rendered in the same environment, and every
 * service account email of the environment's project (push OIDC, Cloud Run, dataset access) must be
 * an IAMServiceAccount rendered there.
 */
export function checkReferences(manifests: readonly LoadedManifest[]): Problem[] {
  const index = buildIndex(manifests);
  const problems: Problem[] = [];
  const emailPattern = index.projectId
    ? new RegExp(
        `^(?:serviceAccount:)?([a-z0-9-]+)@${index.projectId.replace(/[.-]/g, '\\$&')}\\.iam\\.gserviceaccount\\.com$`,
      )
    : undefined;

  for (const manifest of manifests) {
    const object: RenderedObject = manifest.object;
    // Bootstrap names the identity Config Connector itself runs as: it exists before any manifest.
    const checkEmails = packageOf(manifest) !== 'bootstrap';
    const namespace = object.metadata.namespace;
    walk(object.spec, (value, path, key) => {
      const at = `spec.${path}`;
      if (typeof value === 'string' && emailPattern && checkEmails) {
        const account = emailPattern.exec(value)?.[1];
        if (account && !index.has('IAMServiceAccount', index.accountNamespace, account)) {
          problems.push(
            problem(
              'reference',
              manifest,
              at,
              `service account ${account} is not an IAMServiceAccount of this environment`,
            ),
          );
        }
      }
      // `projects/…` names, in a ref's `external` or a plain field (Dataflow parameters), must name
      // this environment's project and, for our own kinds, something rendered here.
      if (typeof value === 'string' && value.startsWith('projects/')) {
        const reason = checkExternal(value, index);
        if (reason) problems.push(problem('reference', manifest, at, `${value} ${reason}`));
      }
      if (typeof value === 'string') return;
      if (
        !key.endsWith('Ref') ||
        value === null ||
        typeof value !== 'object' ||
        Array.isArray(value)
      )
        return;
      const ref = value as { name?: string; namespace?: string; external?: string; kind?: string };
      if (ref.name !== undefined) {
        const kind = key === 'resourceRef' ? ref.kind : REF_KINDS[key];
        if (!kind) {
          problems.push(
            problem('reference', manifest, at, `cannot tell what kind ${key} points at`),
          );
        } else if (!index.has(kind, ref.namespace ?? namespace, ref.name)) {
          problems.push(
            problem(
              'reference',
              manifest,
              at,
              `${kind} ${ref.name} does not exist in this environment`,
            ),
          );
        }
      }
    });
  }
  return problems;
}
