import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import type { EnvConfig } from './env-config.js';
import { SQL_DIR } from '../sql/view-order.js';
import {
  BigQueryDataset,
  BigQueryTable,
  type BigQueryDatasetSpecAccess,
  type BigQueryTableSpec,
} from '../cdk8s/imports/bigquery.cnrm.cloud.google.com.js';
import {
  DATASETS,
  TABLES,
  type FieldSchema,
  type TableDefinition,
} from '../core/warehouse/index.js';
import { serviceAccountEmail } from './environment.js';
import { readMartViews, type MartView } from './mart-views.js';
import { kubernetesName, SERVICE_ACCOUNTS } from '../core/resource-names.js';

const DATASET_DESCRIPTIONS: Record<string, string> = {
  [DATASETS.raw]: 'Raw snapshots as published (one row per feed snapshot).',
  [DATASETS.curated]: 'Curated rows: one per station per snapshot, and station metadata.',
  [DATASETS.marts]: 'Views the dashboard and analysts read.',
  [DATASETS.ops]: 'Dead letters and operational records.',
};

/**
 * How often BigQuery refreshes a materialized mart in the background (its minimum is 1 minute).
 * Same value as `MATERIALIZED_REFRESH_MS` in sql/testing/warehouse.ts, which charts do not import
 * (it loads the BigQuery client).
 */
export const MATERIALIZED_REFRESH_MS = 5 * 60_000;

export interface WarehouseChartProps {
  /** The environment rendered. */
  readonly config: EnvConfig;
  /**
   * Tables to render.
   * @default TABLES from core/warehouse (the one schema source)
   */
  readonly tables?: readonly TableDefinition[];
  /**
   * Views of `pmp_marts`.
   * @default every sql/*.sql file, sorted
   */
  readonly views?: readonly MartView[];
}

/** The BigQuery schema JSON Config Connector expects in `spec.schema` (a string). */
export function schemaJson(fields: readonly FieldSchema[]): string {
  const plain = (field: FieldSchema): Record<string, unknown> => ({
    name: field.name,
    type: field.type,
    mode: field.mode,
    description: field.description,
    ...(field.fields ? { fields: field.fields.map(plain) } : {}),
  });
  return JSON.stringify(fields.map(plain));
}

/**
 * Datasets with their access lists, every table of core/warehouse, and the mart views.
 *
 * Dataset permissions must live in `spec.access` (a dataset cannot be an IAMPolicyMember target);
 * setting `access` replaces the whole ACL, so each list restates the project owners' entry.
 *
 * No authorised-view entries: BigQuery refuses an ACL naming a view that does not exist yet, and
 * the views cannot exist before the datasets whose tables they read, so a fresh project would never
 * converge. The dashboard instead reads the tables behind the marts through table-level grants
 * (identity chart).
 */
export class WarehouseChart extends Chart {
  constructor(scope: Construct, id: string, props: WarehouseChartProps) {
    super(scope, id, { namespace: props.config.namespace });
    const { config } = props;
    addDatasets(this, config);
    const claim = uniqueTableNames();
    for (const table of props.tables ?? TABLES) addTable(this, claim, table);
    for (const view of props.views ?? readMartViews(SQL_DIR)) addView(this, claim, config, view);
  }
}

/** Who reads a dataset whole, through its access list (the other datasets: owners only). */
function datasetReaders(config: EnvConfig): Record<string, string[]> {
  const dashboard = serviceAccountEmail(config, SERVICE_ACCOUNTS.dashboard);
  // The data-quality run reads the marts its assertions query; its tables are granted one by one.
  const dataQuality = serviceAccountEmail(config, SERVICE_ACCOUNTS.dataQuality);
  return {
    [DATASETS.marts]: [dashboard, dataQuality],
    [DATASETS.ops]: [dashboard],
  };
}

function addDatasets(chart: Chart, config: EnvConfig): void {
  const readers = datasetReaders(config);
  for (const dataset of Object.values(DATASETS)) {
    const access: BigQueryDatasetSpecAccess[] = [
      { role: 'roles/bigquery.dataOwner', specialGroup: 'projectOwners' },
      ...(readers[dataset] ?? []).map((email) => ({
        role: 'roles/bigquery.dataViewer',
        userByEmail: email,
      })),
    ];
    new BigQueryDataset(chart, dataset, {
      metadata: {
        name: kubernetesName(dataset),
        annotations: { 'cnrm.cloud.google.com/delete-contents-on-destroy': 'false' },
      },
      spec: {
        resourceId: dataset,
        location: config.bigqueryLocation,
        description: DATASET_DESCRIPTIONS[dataset],
        access,
      },
    });
  }
}

/** A table's Kubernetes name, refused when another table already has it. */
type ClaimName = (tableId: string) => string;

/**
 * Hands out each table's Kubernetes name once: two tables (or a table and a view) whose ids
 * render alike would otherwise overwrite each other in the cluster.
 */
function uniqueTableNames(): ClaimName {
  const names = new Set<string>();
  return (tableId) => {
    const name = kubernetesName(tableId);
    if (names.has(name)) throw new Error(`two BigQuery tables render as ${name}`);
    names.add(name);
    return name;
  };
}

/** A table or view of `datasetId`: the fields every one of them carries, then `spec`. */
function addBigQueryTable(
  chart: Chart,
  claim: ClaimName,
  datasetId: string,
  tableId: string,
  spec: Omit<BigQueryTableSpec, 'resourceId' | 'datasetRef'>,
): void {
  new BigQueryTable(chart, `${datasetId}.${tableId}`, {
    metadata: { name: claim(tableId) },
    spec: { resourceId: tableId, datasetRef: { name: kubernetesName(datasetId) }, ...spec },
  });
}

function addTable(chart: Chart, claim: ClaimName, table: TableDefinition): void {
  addBigQueryTable(chart, claim, table.datasetId, table.tableId, {
    description: table.description,
    schema: schemaJson(table.fields),
    ...(table.timePartitioning
      ? {
          timePartitioning: {
            type: table.timePartitioning.type,
            field: table.timePartitioning.field,
          },
        }
      : {}),
    ...(table.clustering ? { clustering: [...table.clustering] } : {}),
  });
}

function addView(chart: Chart, claim: ClaimName, config: EnvConfig, view: MartView): void {
  addBigQueryTable(
    chart,
    claim,
    DATASETS.marts,
    view.tableId,
    view.materialized
      ? {
          description: `Materialized mart rendered from sql/${view.tableId}.sql.`,
          materializedView: {
            query: view.query,
            enableRefresh: true,
            refreshIntervalMs: MATERIALIZED_REFRESH_MS,
            // The marts de-duplicate with a window, which incremental refresh cannot do.
            allowNonIncrementalDefinition: true,
          },
          // BigQuery refuses a non-incremental materialized view without one.
          maxStaleness: config.martsMaxStaleness,
        }
      : {
          description: `Mart view rendered from sql/${view.tableId}.sql.`,
          view: { query: view.query, useLegacySql: false },
        },
  );
}
