import type { DuckDBConnection } from '@duckdb/node-api';
import type { RestField } from '../types/schema.js';

/** The schema that holds the emulator's own bookkeeping, beside the datasets' schemas. */
export const META_SCHEMA = '_pmp_emulator';

export interface DatasetResource {
  kind: 'bigquery#dataset';
  id: string;
  etag: string;
  selfLink: string;
  datasetReference: { projectId: string; datasetId: string };
  location: string;
  creationTime: string;
  lastModifiedTime: string;
  type: 'DEFAULT';
  friendlyName?: string;
  description?: string;
  labels?: Record<string, string>;
  defaultTableExpirationMs?: string;
  [extra: string]: unknown;
}

export interface TableResource {
  kind: 'bigquery#table';
  id: string;
  etag: string;
  selfLink: string;
  tableReference: { projectId: string; datasetId: string; tableId: string };
  type: 'TABLE' | 'VIEW' | 'MATERIALIZED_VIEW';
  schema: { fields: RestField[] };
  location: string;
  creationTime: string;
  lastModifiedTime: string;
  view?: { query: string; useLegacySql: false };
  materializedView?: { query: string; enableRefresh?: boolean; refreshIntervalMs?: string };
  timePartitioning?: Record<string, unknown>;
  clustering?: { fields: string[] };
  description?: string;
  friendlyName?: string;
  labels?: Record<string, string>;
  expirationTime?: string;
  [extra: string]: unknown;
}

export interface JobResource {
  kind: 'bigquery#job';
  id: string;
  etag: string;
  selfLink: string;
  jobReference: { projectId: string; jobId: string; location: string };
  configuration: Record<string, unknown> & { jobType: string };
  status: { state: 'DONE'; errorResult?: unknown; errors?: unknown[] };
  statistics: Record<string, unknown>;
  user_email: string;
  [extra: string]: unknown;
}

const key = (...parts: string[]): string => parts.join('\u0000');

/**
 * Datasets, tables and jobs: kept in memory for speed and written through to DuckDB tables in
 * {@link META_SCHEMA}, so a `--data-dir` database file holds the metadata with the rows.
 * Every method that writes takes the connection of the caller's exclusive unit of work.
 */
export class MetadataStore {
  private readonly datasets = new Map<string, DatasetResource>();
  private readonly tables = new Map<string, TableResource>();
  private readonly jobs = new Map<string, JobResource>();

  static async load(connection: DuckDBConnection): Promise<MetadataStore> {
    await connection.run(`
      CREATE SCHEMA IF NOT EXISTS "${META_SCHEMA}";
      CREATE TABLE IF NOT EXISTS "${META_SCHEMA}"."datasets" (project_id VARCHAR, dataset_id VARCHAR, resource VARCHAR, PRIMARY KEY (project_id, dataset_id));
      CREATE TABLE IF NOT EXISTS "${META_SCHEMA}"."tables" (project_id VARCHAR, dataset_id VARCHAR, table_id VARCHAR, resource VARCHAR, PRIMARY KEY (project_id, dataset_id, table_id));
      CREATE TABLE IF NOT EXISTS "${META_SCHEMA}"."jobs" (project_id VARCHAR, job_id VARCHAR, resource VARCHAR, PRIMARY KEY (project_id, job_id));
    `);
    const store = new MetadataStore();
    for (const [resource] of (
      await connection.runAndReadAll(`SELECT resource FROM "${META_SCHEMA}"."datasets"`)
    ).getRows()) {
      const dataset = JSON.parse(String(resource)) as DatasetResource;
      store.datasets.set(
        key(dataset.datasetReference.projectId, dataset.datasetReference.datasetId),
        dataset,
      );
    }
    for (const [resource] of (
      await connection.runAndReadAll(`SELECT resource FROM "${META_SCHEMA}"."tables"`)
    ).getRows()) {
      const table = JSON.parse(String(resource)) as TableResource;
      const ref = table.tableReference;
      store.tables.set(key(ref.projectId, ref.datasetId, ref.tableId), table);
    }
    for (const [resource] of (
      await connection.runAndReadAll(`SELECT resource FROM "${META_SCHEMA}"."jobs"`)
    ).getRows()) {
      const job = JSON.parse(String(resource)) as JobResource;
      store.jobs.set(key(job.jobReference.projectId, job.jobReference.jobId), job);
    }
    return store;
  }

  getDataset(projectId: string, datasetId: string): DatasetResource | undefined {
    return this.datasets.get(key(projectId, datasetId));
  }

  listDatasets(projectId: string): DatasetResource[] {
    return [...this.datasets.values()]
      .filter((d) => d.datasetReference.projectId === projectId)
      .sort((a, b) => a.datasetReference.datasetId.localeCompare(b.datasetReference.datasetId));
  }

  async putDataset(connection: DuckDBConnection, dataset: DatasetResource): Promise<void> {
    const { projectId, datasetId } = dataset.datasetReference;
    await connection.run(`INSERT OR REPLACE INTO "${META_SCHEMA}"."datasets" VALUES ($1, $2, $3)`, [
      projectId,
      datasetId,
      JSON.stringify(dataset),
    ]);
    this.datasets.set(key(projectId, datasetId), dataset);
  }

  async deleteDataset(
    connection: DuckDBConnection,
    projectId: string,
    datasetId: string,
  ): Promise<void> {
    await connection.run(
      `DELETE FROM "${META_SCHEMA}"."datasets" WHERE project_id = $1 AND dataset_id = $2`,
      [projectId, datasetId],
    );
    this.datasets.delete(key(projectId, datasetId));
  }

  getTable(projectId: string, datasetId: string, tableId: string): TableResource | undefined {
    return this.tables.get(key(projectId, datasetId, tableId));
  }

  listTables(projectId: string, datasetId: string): TableResource[] {
    return [...this.tables.values()]
      .filter(
        (t) => t.tableReference.projectId === projectId && t.tableReference.datasetId === datasetId,
      )
      .sort((a, b) => a.tableReference.tableId.localeCompare(b.tableReference.tableId));
  }

  async putTable(connection: DuckDBConnection, table: TableResource): Promise<void> {
    const { projectId, datasetId, tableId } = table.tableReference;
    await connection.run(
      `INSERT OR REPLACE INTO "${META_SCHEMA}"."tables" VALUES ($1, $2, $3, $4)`,
      [projectId, datasetId, tableId, JSON.stringify(table)],
    );
    this.tables.set(key(projectId, datasetId, tableId), table);
  }

  async deleteTable(
    connection: DuckDBConnection,
    projectId: string,
    datasetId: string,
    tableId: string,
  ): Promise<void> {
    await connection.run(
      `DELETE FROM "${META_SCHEMA}"."tables" WHERE project_id = $1 AND dataset_id = $2 AND table_id = $3`,
      [projectId, datasetId, tableId],
    );
    this.tables.delete(key(projectId, datasetId, tableId));
  }

  getJob(projectId: string, jobId: string): JobResource | undefined {
    return this.jobs.get(key(projectId, jobId));
  }

  listJobs(projectId: string): JobResource[] {
    return [...this.jobs.values()]
      .filter((j) => j.jobReference.projectId === projectId)
      .sort((a, b) =>
        String(b.statistics.creationTime).localeCompare(String(a.statistics.creationTime)),
      );
  }

  async putJob(connection: DuckDBConnection, job: JobResource): Promise<void> {
    const { projectId, jobId } = job.jobReference;
    await connection.run(`INSERT OR REPLACE INTO "${META_SCHEMA}"."jobs" VALUES ($1, $2, $3)`, [
      projectId,
      jobId,
      JSON.stringify(job),
    ]);
    this.jobs.set(key(projectId, jobId), job);
  }
}
