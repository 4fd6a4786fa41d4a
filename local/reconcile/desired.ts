import {
  describeObject,
  ofKind,
  type LoadedManifest,
  type RenderedObject,
} from '../../cdk8s/manifests/index.js';
import { mapServiceUrl, type ServiceUrls } from './service-urls.js';

/**
 * The state the rendered Config Connector manifests ask for, in one canonical shape per resource so
 * that what the emulators report can be compared field by field. Pure: no I/O.
 */

/** The label Config Connector puts on every resource it manages; the reconciler does the same. */
export const MANAGED_LABEL = 'managed-by-cnrm';

export interface DesiredTopic {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly source: string;
}

/** Every subscription field the reconciler manages, with the API's defaults filled in. */
export interface SubscriptionFields {
  readonly topic: string;
  readonly ackDeadlineSeconds: number;
  readonly messageRetentionSeconds: number;
  readonly retainAckedMessages: boolean;
  /** Seconds of inactivity before the subscription expires; null = never. */
  readonly expirationTtlSeconds: number | null;
  readonly filter: string;
  readonly enableMessageOrdering: boolean;
  readonly enableExactlyOnceDelivery: boolean;
  readonly deadLetterTopic: string | null;
  readonly maxDeliveryAttempts: number | null;
  readonly retryMinimumBackoffSeconds: number | null;
  readonly retryMaximumBackoffSeconds: number | null;
  readonly pushEndpoint: string | null;
  readonly oidcAudience: string | null;
  readonly oidcServiceAccountEmail: string | null;
  /** `project:dataset.table` */
  readonly bigqueryTable: string | null;
  readonly bigqueryWriteMetadata: boolean;
  readonly bigqueryUseTopicSchema: boolean;
  readonly bigqueryDropUnknownFields: boolean;
  readonly labels: Readonly<Record<string, string>>;
}

export interface DesiredSubscription {
  readonly name: string;
  readonly fields: SubscriptionFields;
  readonly source: string;
}

export interface DesiredDataset {
  readonly datasetId: string;
  readonly description: string | null;
  readonly location: string | null;
  readonly labels: Readonly<Record<string, string>>;
  readonly source: string;
}

export interface SchemaField {
  readonly name: string;
  readonly type: string;
  readonly mode: string;
  readonly description?: string;
  readonly fields?: readonly SchemaField[];
}

export interface DesiredTable {
  readonly datasetId: string;
  readonly tableId: string;
  readonly description: string | null;
  readonly labels: Readonly<Record<string, string>>;
  /** null for a view. */
  readonly schema: readonly SchemaField[] | null;
  readonly timePartitioning: { readonly type: string; readonly field: string | null } | null;
  readonly clustering: readonly string[] | null;
  /** The view's Standard SQL; null for a table. */
  readonly viewQuery: string | null;
  /** For a materialized view: its refresh options (`enableRefresh`, `refreshIntervalMs`, …). */
  readonly materialized?: Readonly<Record<string, unknown>> | null;
  /** BigQuery's `maxStaleness` interval, when set. */
  readonly maxStaleness?: string | null;
  readonly source: string;
}

export interface DesiredState {
  readonly projectId: string;
  readonly topics: readonly DesiredTopic[];
  readonly subscriptions: readonly DesiredSubscription[];
  readonly datasets: readonly DesiredDataset[];
  readonly tables: readonly DesiredTable[];
}

/** `604800s`, `10.5s` (the protobuf JSON form Config Connector uses) → seconds. */
export function parseDurationSeconds(value: unknown, where: string): number | null {
  if (value === undefined || value === null || value === '') return null;
  const match = typeof value === 'string' ? /^(\d+(?:\.\d+)?)s$/.exec(value) : null;
  if (!match) throw new Error(`${where}: not a duration like "600s": ${JSON.stringify(value)}`);
  return Number(match[1]);
}

const str = (value: unknown): string | null =>
  typeof value === 'string' && value !== '' ? value : null;

function record(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

function labelsOf(object: RenderedObject): Record<string, string> {
  return { ...(object.metadata.labels ?? {}), [MANAGED_LABEL]: 'true' };
}

function resourceId(object: RenderedObject): string {
  return str(object.spec?.resourceID) ?? object.metadata.name;
}

function where(manifest: LoadedManifest): string {
  return `${manifest.file}: ${describeObject(manifest.object)}`;
}

/** The project of an environment: the namespace annotation Config Connector reads. */
export function projectOf(manifests: readonly LoadedManifest[]): string | undefined {
  for (const m of ofKind(manifests, 'Namespace')) {
    const id = m.object.metadata.annotations?.['cnrm.cloud.google.com/project-id'];
    if (id) return id;
  }
  return undefined;
}

/**
 * Resolves a KCC reference (`{name}` to another object of `kind`, or `{external}`) to that object's
 * resource id. Throws naming the manifest when the reference points nowhere.
 */
function resolveRef(
  ref: unknown,
  kind: string,
  byName: ReadonlyMap<string, RenderedObject>,
  at: string,
  field: string,
): string {
  const r = record(ref);
  const external = str(r.external);
  if (external) return external.split('/').pop()!;
  const name = str(r.name);
  if (!name) throw new Error(`${at}: ${field} has neither name nor external`);
  const target = byName.get(name);
  if (!target) throw new Error(`${at}: ${field} names ${kind} ${name}, which no manifest defines`);
  return resourceId(target);
}

function byMetadataName(manifests: readonly LoadedManifest[], kind: string) {
  return new Map(ofKind(manifests, kind).map((m) => [m.object.metadata.name, m.object]));
}

function normalizeSchema(value: unknown, at: string): SchemaField[] {
  if (!Array.isArray(value)) throw new Error(`${at}: schema is not a JSON array of fields`);
  return value.map((raw) => {
    const f = record(raw);
    const name = str(f.name);
    const type = str(f.type);
    if (!name || !type) throw new Error(`${at}: a schema field lacks name or type`);
    return canonicalField({
      name,
      type,
      mode: str(f.mode) ?? 'NULLABLE',
      ...(str(f.description) ? { description: str(f.description)! } : {}),
      ...(Array.isArray(f.fields) ? { fields: normalizeSchema(f.fields, at) } : {}),
    });
  });
}

const TYPE_ALIASES: Record<string, string> = {
  INTEGER: 'INT64',
  FLOAT: 'FLOAT64',
  BOOLEAN: 'BOOL',
  RECORD: 'STRUCT',
};

/** One spelling per BigQuery type and mode, so `INTEGER` and `INT64` compare equal. */
export function canonicalField(field: SchemaField): SchemaField {
  const type = field.type.toUpperCase();
  return {
    name: field.name,
    type: TYPE_ALIASES[type] ?? type,
    mode: (field.mode || 'NULLABLE').toUpperCase(),
    ...(field.description ? { description: field.description } : {}),
    ...(field.fields && field.fields.length > 0
      ? { fields: field.fields.map((f) => canonicalField(f)) }
      : {}),
  };
}

/** The objects KCC references can name, by `metadata.name`. */
interface ReferenceTargets {
  readonly topics: ReadonlyMap<string, RenderedObject>;
  readonly datasets: ReadonlyMap<string, RenderedObject>;
  readonly tables: ReadonlyMap<string, RenderedObject>;
}

/**
 * Reads the desired state out of the manifests of an environment folder. `serviceUrls` maps Cloud
 * Run service names to the local URLs serving them (push endpoints are rewritten with it).
 */
export function desiredStateOf(
  manifests: readonly LoadedManifest[],
  options: { projectId?: string; serviceUrls?: ServiceUrls } = {},
): DesiredState {
  const projectId = options.projectId ?? projectOf(manifests);
  if (!projectId) {
    throw new Error(
      'no project id: no Namespace with the cnrm.cloud.google.com/project-id annotation (pass --project)',
    );
  }
  const targets: ReferenceTargets = {
    topics: byMetadataName(manifests, 'PubSubTopic'),
    datasets: byMetadataName(manifests, 'BigQueryDataset'),
    tables: byMetadataName(manifests, 'BigQueryTable'),
  };
  const topics = ofKind(manifests, 'PubSubTopic').map((m): DesiredTopic => ({
    name: resourceId(m.object),
    labels: labelsOf(m.object),
    source: where(m),
  }));
  const datasets = ofKind(manifests, 'BigQueryDataset').map((m): DesiredDataset => ({
    datasetId: resourceId(m.object),
    description: str(m.object.spec?.description),
    location: str(m.object.spec?.location),
    labels: labelsOf(m.object),
    source: where(m),
  }));
  const tables = ofKind(manifests, 'BigQueryTable').map((m) => desiredTable(m, targets));
  const subscriptions = ofKind(manifests, 'PubSubSubscription').map((m) =>
    desiredSubscription(m, { projectId, targets, serviceUrls: options.serviceUrls ?? {} }),
  );
  return { projectId, topics, subscriptions, datasets, tables };
}

/** A BigQueryTable: a table with its schema, or a (materialized) view with its query. */
function desiredTable(m: LoadedManifest, targets: ReferenceTargets): DesiredTable {
  const at = where(m);
  const spec = m.object.spec ?? {};
  const datasetId = resolveRef(
    spec.datasetRef,
    'BigQueryDataset',
    targets.datasets,
    at,
    'datasetRef',
  );
  const materialized = spec.materializedView !== undefined ? record(spec.materializedView) : null;
  const view = materialized ?? record(spec.view);
  const viewQuery = str(view.query);
  if (viewQuery && view.useLegacySql === true) {
    throw new Error(`${at}: legacy SQL views are not supported locally`);
  }
  const tp = record(spec.timePartitioning);
  const clustering = Array.isArray(spec.clustering) ? spec.clustering.map(String) : [];
  return {
    datasetId,
    tableId: resourceId(m.object),
    description: str(spec.description),
    labels: labelsOf(m.object),
    schema: viewQuery ? null : tableSchema(spec.schema, at),
    timePartitioning: str(tp.type) ? { type: str(tp.type)!, field: str(tp.field) } : null,
    clustering: clustering.length > 0 ? clustering : null,
    viewQuery,
    materialized: materialized
      ? Object.fromEntries(Object.entries(materialized).filter(([k]) => k !== 'query'))
      : null,
    maxStaleness: str(spec.maxStaleness),
    source: at,
  };
}

/** A table's `spec.schema`: KCC's JSON string of fields. */
function tableSchema(schema: unknown, at: string): SchemaField[] {
  if (typeof schema !== 'string')
    throw new Error(`${at}: a table needs spec.schema (a JSON string)`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(schema);
  } catch (error) {
    throw new Error(`${at}: spec.schema is not valid JSON: ${(error as Error).message}`);
  }
  return normalizeSchema(parsed, at);
}

interface SubscriptionContext {
  readonly projectId: string;
  readonly targets: ReferenceTargets;
  readonly serviceUrls: ServiceUrls;
}

/** A PubSubSubscription, every managed field with the API's default where the manifest is silent. */
function desiredSubscription(m: LoadedManifest, context: SubscriptionContext): DesiredSubscription {
  const at = where(m);
  const spec = m.object.spec ?? {};
  const { projectId, targets } = context;
  const topicName = resolveRef(spec.topicRef, 'PubSubTopic', targets.topics, at, 'topicRef');
  const bigquery = bigqueryFields(record(spec.bigqueryConfig), at, context);
  const expiration = record(spec.expirationPolicy);
  const fields: SubscriptionFields = {
    topic: `projects/${projectId}/topics/${topicName}`,
    ackDeadlineSeconds: typeof spec.ackDeadlineSeconds === 'number' ? spec.ackDeadlineSeconds : 10,
    messageRetentionSeconds:
      parseDurationSeconds(spec.messageRetentionDuration, `${at}: messageRetentionDuration`) ??
      604_800,
    retainAckedMessages: spec.retainAckedMessages === true,
    // KCC's `ttl: ""` means "never expire"; without an expirationPolicy the API's default is 31 days.
    expirationTtlSeconds:
      spec.expirationPolicy === undefined
        ? 31 * 86_400
        : parseDurationSeconds(expiration.ttl, `${at}: expirationPolicy.ttl`),
    filter: str(spec.filter) ?? '',
    enableMessageOrdering: spec.enableMessageOrdering === true,
    enableExactlyOnceDelivery: spec.enableExactlyOnceDelivery === true,
    ...deadLetterFields(spec, at, context),
    ...retryFields(spec, at),
    ...pushFields(record(spec.pushConfig), context.serviceUrls),
    ...bigquery,
    labels: labelsOf(m.object),
  };
  if (fields.pushEndpoint && fields.bigqueryTable) {
    throw new Error(`${at}: a subscription cannot be both push and BigQuery`);
  }
  return { name: resourceId(m.object), fields, source: at };
}

type Spec = Record<string, unknown>;

function deadLetterFields(
  spec: Spec,
  at: string,
  { projectId, targets }: SubscriptionContext,
): Pick<SubscriptionFields, 'deadLetterTopic' | 'maxDeliveryAttempts'> {
  if (spec.deadLetterPolicy === undefined)
    return { deadLetterTopic: null, maxDeliveryAttempts: null };
  const dlp = record(spec.deadLetterPolicy);
  const topic = resolveRef(
    dlp.deadLetterTopicRef,
    'PubSubTopic',
    targets.topics,
    at,
    'deadLetterPolicy.deadLetterTopicRef',
  );
  return {
    deadLetterTopic: `projects/${projectId}/topics/${topic}`,
    maxDeliveryAttempts: typeof dlp.maxDeliveryAttempts === 'number' ? dlp.maxDeliveryAttempts : 5,
  };
}

function retryFields(
  spec: Spec,
  at: string,
): Pick<SubscriptionFields, 'retryMinimumBackoffSeconds' | 'retryMaximumBackoffSeconds'> {
  if (spec.retryPolicy === undefined) {
    return { retryMinimumBackoffSeconds: null, retryMaximumBackoffSeconds: null };
  }
  const retry = record(spec.retryPolicy);
  return {
    retryMinimumBackoffSeconds:
      parseDurationSeconds(retry.minimumBackoff, `${at}: retryPolicy.minimumBackoff`) ?? 10,
    retryMaximumBackoffSeconds:
      parseDurationSeconds(retry.maximumBackoff, `${at}: retryPolicy.maximumBackoff`) ?? 600,
  };
}

/** The push endpoint mapped to the local service serving it, and its OIDC token settings. */
function pushFields(
  push: Spec,
  serviceUrls: ServiceUrls,
): Pick<SubscriptionFields, 'pushEndpoint' | 'oidcAudience' | 'oidcServiceAccountEmail'> {
  const endpoint = str(push.pushEndpoint);
  const oidc = record(push.oidcToken);
  return {
    pushEndpoint: endpoint ? mapServiceUrl(endpoint, serviceUrls) : null,
    oidcAudience: endpoint ? str(oidc.audience) : null,
    oidcServiceAccountEmail: endpoint ? str(oidc.serviceAccountEmail) : null,
  };
}

function bigqueryFields(
  bq: Spec,
  at: string,
  context: SubscriptionContext,
): Pick<
  SubscriptionFields,
  'bigqueryTable' | 'bigqueryWriteMetadata' | 'bigqueryUseTopicSchema' | 'bigqueryDropUnknownFields'
> {
  const bigqueryTable =
    bq.tableRef !== undefined || bq.table !== undefined ? bigqueryTableOf(bq, at, context) : null;
  return {
    bigqueryTable,
    bigqueryWriteMetadata: bigqueryTable !== null && bq.writeMetadata === true,
    bigqueryUseTopicSchema: bigqueryTable !== null && bq.useTopicSchema === true,
    bigqueryDropUnknownFields: bigqueryTable !== null && bq.dropUnknownFields === true,
  };
}

/** A BigQuery subscription's table as `project:dataset.table`: a BigQueryTable named, or external. */
function bigqueryTableOf(
  bq: Spec,
  at: string,
  { projectId, targets }: SubscriptionContext,
): string {
  const tableRef = record(bq.tableRef);
  const tableName = str(tableRef.name);
  const table = tableName ? targets.tables.get(tableName) : undefined;
  if (tableName && !table) {
    throw new Error(
      `${at}: bigqueryConfig.tableRef names BigQueryTable ${tableName}, which no manifest defines`,
    );
  }
  if (table) {
    const ds = resolveRef(
      table.spec?.datasetRef,
      'BigQueryDataset',
      targets.datasets,
      at,
      'datasetRef',
    );
    return `${projectId}:${ds}.${resourceId(table)}`;
  }
  const external = str(tableRef.external) ?? str(bq.table);
  if (!external) throw new Error(`${at}: bigqueryConfig has no table`);
  return external;
}
