import type { BigQuery, TableMetadata } from '@google-cloud/bigquery';
import { orderViews } from '../../sql/view-order.js';
import {
  canonicalField,
  MANAGED_LABEL,
  type DesiredDataset,
  type DesiredState,
  type DesiredTable,
  type SchemaField,
} from './desired.js';
import type { Change } from './plan.js';

export interface ObservedTable {
  readonly datasetId: string;
  readonly tableId: string;
  readonly type: 'TABLE' | 'VIEW' | string;
  readonly description: string | null;
  readonly labels: Record<string, string>;
  readonly schema: SchemaField[];
  readonly timePartitioning: { type: string; field: string | null } | null;
  readonly clustering: string[] | null;
  readonly viewQuery: string | null;
  readonly numRows: number;
}

export interface ObservedDataset {
  readonly description: string | null;
  readonly labels: Record<string, string>;
}

export interface ObservedBigQuery {
  readonly datasets: ReadonlyMap<string, ObservedDataset>;
  /** Keyed `dataset.table`. */
  readonly tables: ReadonlyMap<string, ObservedTable>;
}

const text = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const key = (datasetId: string, tableId: string) => `${datasetId}.${tableId}`;
const managed = (labels: Record<string, string>) => labels[MANAGED_LABEL] === 'true';
const rows = (n: number) => `${n} row${n === 1 ? '' : 's'}`;
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const sortedLabels = (l: Readonly<Record<string, string>>) =>
  Object.fromEntries(Object.entries(l).sort(([a], [b]) => a.localeCompare(b)));

function observedTable(datasetId: string, meta: TableMetadata): ObservedTable {
  const tp = meta.timePartitioning as { type?: string; field?: string } | undefined;
  const clustering = (meta.clustering as { fields?: string[] } | undefined)?.fields;
  const fields = ((meta.schema as { fields?: SchemaField[] } | undefined)?.fields ?? []).map((f) =>
    canonicalField(f),
  );
  return {
    datasetId,
    tableId: String(meta.tableReference?.tableId ?? meta.id?.split('.').pop() ?? ''),
    type: String(meta.type ?? 'TABLE'),
    description: text(meta.description),
    labels: { ...((meta.labels as Record<string, string> | undefined) ?? {}) },
    schema: fields,
    timePartitioning: tp ? { type: tp.type ?? 'DAY', field: text(tp.field) } : null,
    clustering: clustering && clustering.length > 0 ? [...clustering] : null,
    viewQuery: text(
      ((meta.materializedView ?? meta.view) as { query?: string } | undefined)?.query,
    ),
    numRows: Number(meta.numRows ?? 0),
  };
}

export async function observeBigQuery(bigquery: BigQuery): Promise<ObservedBigQuery> {
  const [datasetList] = await bigquery.getDatasets();
  const datasets = new Map<string, ObservedDataset>();
  const tables = new Map<string, ObservedTable>();
  for (const dataset of datasetList) {
    const [meta] = await dataset.getMetadata();
    datasets.set(dataset.id!, {
      description: text(meta.description),
      labels: { ...((meta.labels as Record<string, string> | undefined) ?? {}) },
    });
    const [tableList] = await dataset.getTables();
    for (const table of tableList) {
      const [tableMeta] = await table.getMetadata();
      const observed = observedTable(dataset.id!, tableMeta);
      tables.set(key(dataset.id!, observed.tableId), observed);
    }
  }
  return { datasets, tables };
}

/**
 * How the schema may move in place: BigQuery allows adding NULLABLE columns and relaxing REQUIRED to
 * NULLABLE; everything else (a dropped or retyped column, a new REQUIRED column) needs a new table.
 */
export function schemaChange(
  current: readonly SchemaField[],
  next: readonly SchemaField[],
): 'same' | 'compatible' | 'incompatible' {
  if (same(current, next)) return 'same';
  const byName = new Map(next.map((f) => [f.name.toLowerCase(), f]));
  for (const field of current) {
    const replacement = byName.get(field.name.toLowerCase());
    if (!replacement) return 'incompatible';
    if (replacement.type !== field.type || !same(replacement.fields, field.fields)) {
      return 'incompatible';
    }
    if (
      replacement.mode !== field.mode &&
      !(field.mode === 'REQUIRED' && replacement.mode === 'NULLABLE')
    ) {
      return 'incompatible';
    }
  }
  const names = new Set(current.map((f) => f.name.toLowerCase()));
  if (next.some((f) => !names.has(f.name.toLowerCase()) && f.mode === 'REQUIRED')) {
    return 'incompatible';
  }
  return 'compatible';
}

function planTable(
  t: DesiredTable,
  current: ObservedTable | undefined,
  pruneData: boolean,
): Change {
  const kind = t.materialized ? 'mat. view' : t.viewQuery ? 'view' : 'table';
  const wantedType = t.materialized ? 'MATERIALIZED_VIEW' : t.viewQuery ? 'VIEW' : 'TABLE';
  const name = key(t.datasetId, t.tableId);
  if (!current) return { action: 'create', kind, name };
  const fields: string[] = [];
  const immutable: string[] = [];
  if (current.type !== wantedType) immutable.push('type');
  if (t.description !== current.description) fields.push('description');
  if (!same(sortedLabels(t.labels), sortedLabels(current.labels))) fields.push('labels');
  if (t.viewQuery !== null) {
    if (current.viewQuery?.trim() !== t.viewQuery.trim()) fields.push('view.query');
  } else if (current.type === 'TABLE') {
    const change = schemaChange(current.schema, t.schema ?? []);
    if (change === 'compatible') fields.push('schema');
    if (change === 'incompatible') immutable.push('schema');
    if (!same(t.timePartitioning, current.timePartitioning)) immutable.push('timePartitioning');
    if (!same(t.clustering, current.clustering)) fields.push('clustering');
  }
  if (immutable.length > 0) {
    const all = [...immutable, ...fields];
    const why = `${immutable.join(', ')} cannot be changed in place`;
    if (current.numRows > 0 && !pruneData) {
      return {
        action: 'blocked',
        kind,
        name,
        fields: all,
        reason: `${why} and it holds ${rows(current.numRows)} (--prune-data recreates it empty)`,
      };
    }
    return { action: 'recreate', kind, name, fields: all, reason: why };
  }
  if (fields.length > 0) return { action: 'update', kind, name, fields };
  return { action: 'unchanged', kind, name };
}

/** Views sorted so each comes after the views it reads (per dataset, through sql/view-order.ts). */
export function viewsInDependencyOrder(tables: readonly DesiredTable[]): DesiredTable[] {
  const views = tables.filter((t) => t.viewQuery !== null);
  const datasets = [...new Set(views.map((v) => v.datasetId))].sort();
  return datasets.flatMap((datasetId) =>
    orderViews(
      views.filter((v) => v.datasetId === datasetId).map((v) => ({ ...v, query: v.viewQuery! })),
      datasetId,
    ),
  );
}

export interface BigQueryPlan {
  readonly datasets: Change[];
  /** Tables first, then views in dependency order. */
  readonly tables: Change[];
  /** Views (reverse dependency order), then tables, then datasets. */
  readonly deletions: Change[];
}

/** Compares desired and observed; no I/O. */
export function planBigQuery(
  desired: DesiredState,
  observed: ObservedBigQuery,
  options: { pruneData?: boolean } = {},
): BigQueryPlan {
  const pruneData = options.pruneData ?? false;
  const datasets = desired.datasets.map((d) => planDataset(d, observed.datasets.get(d.datasetId)));
  const ordered = [
    ...desired.tables.filter((t) => t.viewQuery === null),
    ...viewsInDependencyOrder(desired.tables),
  ];
  const tables = ordered.map((t) =>
    planTable(t, observed.tables.get(key(t.datasetId, t.tableId)), pruneData),
  );
  const deletions = tableDeletions(desired, observed, pruneData);
  deletions.push(...datasetDeletions(desired, observed, deletions));
  return { datasets, tables, deletions };
}

function planDataset(d: DesiredDataset, current: ObservedDataset | undefined): Change {
  if (!current) return { action: 'create', kind: 'dataset', name: d.datasetId };
  const fields: string[] = [];
  if (d.description !== current.description) fields.push('description');
  if (!same(sortedLabels(d.labels), sortedLabels(current.labels))) fields.push('labels');
  return fields.length > 0
    ? { action: 'update', kind: 'dataset', name: d.datasetId, fields }
    : { action: 'unchanged', kind: 'dataset', name: d.datasetId };
}

/**
 * Managed tables and views no manifest names any more: views first, those reading others before
 * the ones they read (reverse creation order), then tables; a table holding rows is kept unless
 * `pruneData`.
 */
function tableDeletions(
  desired: DesiredState,
  observed: ObservedBigQuery,
  pruneData: boolean,
): Change[] {
  const wanted = new Set(desired.tables.map((t) => key(t.datasetId, t.tableId)));
  const unwanted = [...observed.tables.values()].filter(
    (t) => !wanted.has(key(t.datasetId, t.tableId)) && managed(t.labels),
  );
  const deleteOrKeep = (t: ObservedTable): Change => {
    const kind = t.type === 'TABLE' ? 'table' : 'view';
    const name = key(t.datasetId, t.tableId);
    if (t.type === 'TABLE' && t.numRows > 0 && !pruneData) {
      return {
        action: 'kept',
        kind,
        name,
        reason: `no longer in the manifests; holds ${rows(t.numRows)}`,
      };
    }
    return { action: 'delete', kind, name };
  };
  const unwantedViews = unwanted.filter((t) => t.type !== 'TABLE');
  const viewOrder = viewsInDependencyOrder(
    unwantedViews.map((v) => ({
      datasetId: v.datasetId,
      tableId: v.tableId,
      description: null,
      labels: {},
      schema: null,
      timePartitioning: null,
      clustering: null,
      viewQuery: v.viewQuery ?? 'SELECT 1',
      source: '',
    })),
  ).reverse();
  const byKey = new Map(unwanted.map((t) => [key(t.datasetId, t.tableId), t]));
  return [
    ...viewOrder.map((v) => deleteOrKeep(byKey.get(key(v.datasetId, v.tableId))!)),
    ...unwanted.filter((t) => t.type === 'TABLE').map(deleteOrKeep),
  ];
}

/** Managed datasets no manifest names any more; one still holding tables after `deletions` is kept. */
function datasetDeletions(
  desired: DesiredState,
  observed: ObservedBigQuery,
  deletions: readonly Change[],
): Change[] {
  const wantedDatasets = new Set(desired.datasets.map((d) => d.datasetId));
  const changes: Change[] = [];
  for (const [datasetId, d] of observed.datasets) {
    if (wantedDatasets.has(datasetId) || !managed(d.labels)) continue;
    const others = [...observed.tables.values()].filter(
      (t) =>
        t.datasetId === datasetId &&
        !deletions.some((c) => c.action === 'delete' && c.name === key(datasetId, t.tableId)),
    );
    changes.push(
      others.length > 0
        ? {
            action: 'kept',
            kind: 'dataset',
            name: datasetId,
            reason: `no longer in the manifests; still holds ${others.map((t) => t.tableId).join(', ')}`,
          }
        : { action: 'delete', kind: 'dataset', name: datasetId },
    );
  }
  return changes;
}

function tableBody(t: DesiredTable): Record<string, unknown> {
  return {
    ...(t.description ? { description: t.description } : {}),
    labels: { ...t.labels },
    ...(t.maxStaleness ? { maxStaleness: t.maxStaleness } : {}),
    ...(t.materialized
      ? { materializedView: { ...t.materialized, query: t.viewQuery } }
      : t.viewQuery
        ? { view: { query: t.viewQuery, useLegacySql: false } }
        : {
            schema: { fields: structuredClone(t.schema ?? []) },
            ...(t.timePartitioning
              ? {
                  timePartitioning: {
                    type: t.timePartitioning.type,
                    ...(t.timePartitioning.field ? { field: t.timePartitioning.field } : {}),
                  },
                }
              : {}),
            ...(t.clustering ? { clustering: { fields: [...t.clustering] } } : {}),
          }),
  };
}

export async function applyDatasets(
  bigquery: BigQuery,
  desired: DesiredState,
  changes: readonly Change[],
): Promise<void> {
  for (const change of changes) {
    const d = desired.datasets.find((x) => x.datasetId === change.name)!;
    const body = {
      ...(d.description ? { description: d.description } : {}),
      labels: { ...d.labels },
    };
    if (change.action === 'create') {
      await bigquery.createDataset(d.datasetId, {
        ...body,
        ...(d.location ? { location: d.location } : {}),
      });
    } else if (change.action === 'update') {
      await bigquery.dataset(d.datasetId).setMetadata(body);
    }
  }
}

export async function applyTables(
  bigquery: BigQuery,
  desired: DesiredState,
  changes: readonly Change[],
): Promise<void> {
  for (const change of changes) {
    if (!['create', 'update', 'recreate'].includes(change.action)) continue;
    const t = desired.tables.find((x) => key(x.datasetId, x.tableId) === change.name)!;
    const dataset = bigquery.dataset(t.datasetId);
    const body = tableBody(t);
    if (change.action === 'recreate') await dataset.table(t.tableId).delete();
    if (change.action === 'update') {
      // A patch: send only what changed (a view's query, a table's evolved schema, metadata).
      await dataset.table(t.tableId).setMetadata(body);
    } else {
      await dataset.createTable(t.tableId, body);
    }
  }
}

export async function applyBigQueryDeletions(
  bigquery: BigQuery,
  changes: readonly Change[],
): Promise<void> {
  for (const change of changes) {
    if (change.action !== 'delete') continue;
    if (change.kind === 'dataset') {
      await bigquery.dataset(change.name).delete();
    } else {
      const [datasetId, tableId] = change.name.split('.') as [string, string];
      await bigquery.dataset(datasetId).table(tableId).delete();
    }
  }
}
