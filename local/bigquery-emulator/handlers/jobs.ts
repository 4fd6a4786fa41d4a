import { randomUUID } from 'node:crypto';
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import type { Context } from 'koa';
import { ApiError, duplicate, invalid, notFound } from '../errors.js';
import type { EmulatorState } from '../state.js';
import type { JobResource, TableResource } from '../storage/metadata.js';
import { describeQuery } from '../storage/rows.js';
import type { QueryResult } from '../storage/results.js';
import { qualifiedName, schemaName } from '../types/duckdb-names.js';
import { encodeRow } from '../types/encode.js';
import { decodeQueryParameters } from '../types/params.js';
import { fieldFromDuckType, type RestField } from '../types/schema.js';
import type { StatementType } from '../translator.js';
import { parseCreateView } from './_ddl-view.js';
import { forgetTable } from './_forget-table.js';
import {
  encodePageToken,
  etag,
  firstRowOf,
  listPage,
  param,
  queryBool,
  queryInt,
  readJsonBody,
} from './_request.js';
import { duckErrorToInvalidQuery, translateSql } from '../translate-sql.js';
import {
  noteTableAppend,
  noteTableRewrite,
  refreshStaleMaterializedViews,
} from '../storage/materialized-views.js';

/** Rows per page when the client sets no maxResults (BigQuery pages at about 10 MB). */
const DEFAULT_PAGE_ROWS = 100_000;

interface QueryJobRequest {
  projectId: string;
  jobId: string;
  location: string;
  /** `configuration.query` as sent, echoed back in the job resource. */
  query: Record<string, unknown>;
  dryRun: boolean;
  labels?: unknown;
}

interface QueryOutcome {
  job: JobResource;
  result?: QueryResult;
  error?: ApiError;
}

/** POST /projects/{p}/queries — run a query synchronously and return the first page. */
export async function query(state: EmulatorState, ctx: Context): Promise<void> {
  const projectId = param(ctx, 'projectId');
  const body = await readJsonBody(ctx);
  const request: QueryJobRequest = {
    projectId,
    jobId: `job_${randomUUID().replaceAll('-', '')}`,
    location: typeof body.location === 'string' ? body.location : state.location,
    query: {
      query: body.query,
      useLegacySql: body.useLegacySql,
      parameterMode: body.parameterMode,
      queryParameters: body.queryParameters,
      defaultDataset: body.defaultDataset,
    },
    dryRun: body.dryRun === true,
  };
  const outcome = await runQueryJob(state, request);
  if (outcome.error) throw outcome.error;
  const { job, result } = outcome;
  const formatOptions = (body.formatOptions ?? {}) as { useInt64Timestamp?: unknown };
  const page = resultPage(result, {
    offset: 0,
    maxResults: typeof body.maxResults === 'number' ? body.maxResults : undefined,
    int64Timestamp: formatOptions.useInt64Timestamp === true,
  });
  ctx.body = { kind: 'bigquery#queryResponse', ...completedQuery(job, page) };
}

/** POST /projects/{p}/jobs — only query jobs (and their dry runs) are supported. */
export async function insertJob(state: EmulatorState, ctx: Context): Promise<void> {
  const projectId = param(ctx, 'projectId');
  const body = await readJsonBody(ctx);
  const configuration = (body.configuration ?? {}) as Record<string, unknown>;
  const reference = (body.jobReference ?? {}) as Record<string, unknown>;
  if (!configuration.query) {
    const kind =
      ['load', 'copy', 'extract'].find((k) => configuration[k] !== undefined) ?? 'unknown';
    throw invalid(`The emulator runs query jobs only; this is a ${kind} job.`);
  }
  const jobId =
    typeof reference.jobId === 'string'
      ? reference.jobId
      : `job_${randomUUID().replaceAll('-', '')}`;
  if (!/^[A-Za-z0-9_-]{1,1024}$/.test(jobId)) throw invalid(`Invalid job ID "${jobId}"`);
  const dryRun = configuration.dryRun === true;
  if (!dryRun && state.meta.getJob(projectId, jobId)) throw duplicate(`Job ${projectId}:${jobId}`);
  const outcome = await runQueryJob(state, {
    projectId,
    jobId,
    location: typeof reference.location === 'string' ? reference.location : state.location,
    query: configuration.query as Record<string, unknown>,
    dryRun,
    labels: configuration.labels,
  });
  // A failed query job is still created; its status carries the error (the client raises it).
  ctx.body = outcome.job;
}

export function getJob(state: EmulatorState, ctx: Context): void {
  ctx.body = requireJob(state, param(ctx, 'projectId'), param(ctx, 'jobId'));
}

/** Latest creation time a job position can hold, in ms (year 2286): positions stay one width. */
const LAST_MS = 9_999_999_999_999;

/** A job's place in jobs.list: newest first (BigQuery's order), then by id for the same ms. */
function newestFirst(job: JobResource): string {
  const age = LAST_MS - Number(job.statistics.creationTime);
  return `${String(age).padStart(13, '0')}/${job.jobReference.jobId}`;
}

export function listJobs(state: EmulatorState, ctx: Context): void {
  const projectId = param(ctx, 'projectId');
  const page = listPage(ctx, state.meta.listJobs(projectId), newestFirst);
  ctx.body = {
    kind: 'bigquery#jobList',
    etag: etag(),
    jobs: page.items.map((job) => ({
      kind: job.kind,
      id: job.id,
      jobReference: job.jobReference,
      state: job.status.state,
      status: job.status,
      configuration: job.configuration,
      statistics: job.statistics,
      user_email: job.user_email,
      ...(job.status.errorResult ? { errorResult: job.status.errorResult } : {}),
    })),
    ...page.next,
  };
}

/** Jobs finish before jobs.insert returns, so cancelling one changes nothing. */
export function cancelJob(state: EmulatorState, ctx: Context): void {
  ctx.body = {
    kind: 'bigquery#jobCancelResponse',
    job: requireJob(state, param(ctx, 'projectId'), param(ctx, 'jobId')),
  };
}

/** GET /projects/{p}/queries/{jobId} — pages of a finished query job's results. */
export function getQueryResults(state: EmulatorState, ctx: Context): void {
  const projectId = param(ctx, 'projectId');
  const job = requireJob(state, projectId, param(ctx, 'jobId'));
  const errorResult = job.status.errorResult as { reason?: string; message?: string } | undefined;
  if (errorResult) {
    throw new ApiError(
      400,
      errorResult.reason === 'notFound' ? 'notFound' : 'invalidQuery',
      errorResult.message ?? 'Query failed',
    );
  }
  const statistics = job.statistics.query as { statementType?: StatementType } | undefined;
  let result = state.results.get(projectId, job.jobReference.jobId);
  if (!result) {
    if (statistics?.statementType === 'SELECT') {
      throw notFound(
        `Results of job ${projectId}:${job.jobReference.jobId} are no longer available: the emulator keeps query results in memory (the last 200 jobs, lost on a restart); run the query again`,
      );
    }
    result = { fields: [], rows: [] };
  }
  const page = resultPage(result, {
    offset: firstRowOf(ctx),
    maxResults: queryInt(ctx, 'maxResults'),
    int64Timestamp: queryBool(ctx, 'formatOptions.useInt64Timestamp') ?? false,
  });
  ctx.body = {
    kind: 'bigquery#getQueryResultsResponse',
    etag: job.etag,
    ...completedQuery(job, page),
  };
}

function requireJob(state: EmulatorState, projectId: string, jobId: string): JobResource {
  const job = state.meta.getJob(projectId, jobId);
  if (!job) throw notFound(`Job ${projectId}:${state.location}.${jobId}`);
  return job;
}

function resultPage(
  result: QueryResult | undefined,
  options: { offset: number; maxResults: number | undefined; int64Timestamp: boolean },
): Record<string, unknown> {
  if (!result) return {};
  const { offset, int64Timestamp } = options;
  const maxResults = options.maxResults ?? DEFAULT_PAGE_ROWS;
  const rows = result.rows.slice(offset, offset + maxResults);
  const page: Record<string, unknown> = {
    schema: { fields: result.fields },
    totalRows: String(result.rows.length),
  };
  if (rows.length > 0)
    page.rows = rows.map((row) => encodeRow(row, result.fields, { int64Timestamp }));
  if (offset + rows.length < result.rows.length)
    page.pageToken = encodePageToken(offset + rows.length);
  return page;
}

/** What jobs.query and getQueryResults both answer about a finished query and its page of rows. */
function completedQuery(job: JobResource, page: Record<string, unknown>): Record<string, unknown> {
  return {
    jobReference: job.jobReference,
    jobComplete: true,
    cacheHit: false,
    totalBytesProcessed: '0',
    ...statementStatsForResponse(job),
    ...page,
  };
}

function statementStatsForResponse(job: JobResource): Record<string, unknown> {
  const stats = job.statistics.query as { numDmlAffectedRows?: string } | undefined;
  return stats?.numDmlAffectedRows !== undefined
    ? { numDmlAffectedRows: stats.numDmlAffectedRows }
    : {};
}

/**
 * Translates and runs one query job. Failures are recorded on the job (status.errorResult) and
 * returned; the job is stored unless it is a dry run.
 */
async function runQueryJob(state: EmulatorState, request: QueryJobRequest): Promise<QueryOutcome> {
  const created = state.now().getTime();
  const config = request.query;
  const job: JobResource = {
    kind: 'bigquery#job',
    id: `${request.projectId}:${request.location}.${request.jobId}`,
    etag: etag(),
    selfLink: `/bigquery/v2/projects/${request.projectId}/jobs/${request.jobId}?location=${request.location}`,
    jobReference: {
      projectId: request.projectId,
      jobId: request.jobId,
      location: request.location,
    },
    configuration: {
      jobType: 'QUERY',
      query: { ...config, useLegacySql: false, priority: config.priority ?? 'INTERACTIVE' },
      ...(request.dryRun ? { dryRun: true } : {}),
      ...(request.labels ? { labels: request.labels } : {}),
    },
    status: { state: 'DONE' },
    statistics: { creationTime: String(created), startTime: String(created) },
    user_email: 'emulator@localhost',
  };
  let outcome: QueryOutcome;
  try {
    const executed = await execute(state, request);
    job.statistics.query = {
      statementType: executed.statementType,
      totalBytesProcessed: '0',
      totalBytesBilled: '0',
      cacheHit: false,
      ...(executed.result && request.dryRun ? { schema: { fields: executed.result.fields } } : {}),
      ...(executed.affectedRows !== undefined
        ? { numDmlAffectedRows: String(executed.affectedRows) }
        : {}),
    };
    job.statistics.totalBytesProcessed = '0';
    if (!request.dryRun && executed.result) {
      state.results.put(request.projectId, request.jobId, executed.result);
    }
    outcome = { job, ...(executed.result ? { result: executed.result } : {}) };
  } catch (error) {
    const apiError = duckErrorToInvalidQuery(error);
    const detail = {
      reason: apiError.reason,
      message: apiError.message,
      ...(apiError.location ? { location: apiError.location } : {}),
    };
    job.status = { state: 'DONE', errorResult: detail, errors: [detail] };
    outcome = { job, error: apiError };
  }
  job.statistics.endTime = String(state.now().getTime());
  if (!request.dryRun) {
    // The job's own work already postponed the idle checkpoint if it wrote; its record does not.
    await state.db.record((connection) => state.meta.putJob(connection, job));
  } else {
    delete (job.jobReference as { jobId?: string }).jobId;
  }
  return outcome;
}

interface Executed {
  statementType: StatementType;
  result?: QueryResult;
  affectedRows?: number;
}

async function execute(state: EmulatorState, request: QueryJobRequest): Promise<Executed> {
  const config = request.query;
  if (typeof config.query !== 'string' || config.query.trim() === '')
    throw invalid('Query text is empty.');
  if (config.useLegacySql === true) {
    throw invalid('Legacy SQL is not supported by the emulator; set useLegacySql to false.');
  }
  const defaultDataset = (config.defaultDataset ?? {}) as {
    projectId?: string;
    datasetId?: string;
  };
  const params = decodeQueryParameters(config.parameterMode, config.queryParameters);
  const translation = translateSql(state, {
    sql: config.query,
    defaultProjectId: defaultDataset.projectId ?? request.projectId,
    ...(defaultDataset.datasetId ? { defaultDatasetId: defaultDataset.datasetId } : {}),
    ...(params ? { params } : {}),
  });
  const { statementType } = translation;
  const sql = translation.sql;
  if (request.dryRun) {
    // Binding the statement checks names and types without running it.
    if (statementType === 'SELECT') {
      const fields = await state.db.read((c) => describeQuery(c, sql));
      return { statementType, result: { fields: anonymousColumnNames(fields), rows: [] } };
    }
    if (statementType !== 'SCRIPT') await state.db.read((c) => c.extractStatements(sql));
    return { statementType };
  }
  const destination = config.destinationTable as
    { projectId?: string; datasetId?: string; tableId?: string } | undefined;
  if (destination)
    throw invalid('Query jobs with a destinationTable are not supported by the emulator.');
  if (statementType === 'SELECT') {
    // A query only reads, unless it refreshes a materialized view (which notes that write).
    return state.db.read(async (connection) => {
      await refreshStaleMaterializedViews(state, connection, request.projectId, sql);
      const reader = await connection.runAndReadAll(sql);
      const fields = anonymousColumnNames(
        reader.columnNames().map((name, i) => fieldFromDuckType(name, reader.columnType(i))),
      );
      return { statementType, result: { fields, rows: reader.getRows() as DuckDBValue[][] } };
    });
  }
  return state.db.exclusive(async (connection) => {
    // An INSERT only appends rows: materialized views may catch up incrementally. Anything else
    // is noted before it runs (the persisted marks must not outlive it, even across a crash).
    if (statementType !== 'INSERT') await noteTableRewrite(state, connection);
    const reader = await connection.runAndReadAll(sql);
    if (statementType === 'INSERT') noteTableAppend(state);
    if (['CREATE_TABLE', 'CREATE_VIEW', 'DROP_TABLE', 'SCRIPT'].includes(statementType)) {
      await syncCatalog(state, connection, request.projectId);
    }
    if (statementType === 'CREATE_VIEW') {
      await keepViewQuery(state, connection, config.query as string, {
        projectId: defaultDataset.projectId ?? request.projectId,
        datasetId: defaultDataset.datasetId,
      });
    }
    return ['INSERT', 'DELETE', 'UPDATE', 'MERGE'].includes(statementType)
      ? { statementType, affectedRows: reader.rowsChanged }
      : { statementType };
  });
}

/**
 * A view made by DDL reports its query as written in BigQuery SQL (what BigQuery shows in
 * `view.query`), not the DuckDB translation the catalog holds; a replaced view also gets its new
 * schema. Statements the parser does not follow keep the catalog's text.
 */
async function keepViewQuery(
  state: EmulatorState,
  connection: DuckDBConnection,
  sql: string,
  defaults: { projectId: string; datasetId: string | undefined },
): Promise<void> {
  const statement = parseCreateView(sql);
  if (!statement) return;
  const parts = statement.nameParts;
  const tableId = parts[parts.length - 1]!;
  const datasetId = parts.length >= 2 ? parts[parts.length - 2]! : defaults.datasetId;
  const projectId = parts.length === 3 ? parts[0]! : defaults.projectId;
  if (datasetId === undefined) return;
  const table = state.meta.getTable(projectId, datasetId, tableId);
  if (!table || table.type === 'TABLE') return;
  const fields = await describeQuery(
    connection,
    `SELECT * FROM ${qualifiedName(projectId, datasetId, tableId)}`,
  );
  const query = { query: statement.query };
  await state.meta.putTable(connection, {
    ...table,
    schema: { fields },
    lastModifiedTime: String(state.now().getTime()),
    ...(table.type === 'VIEW'
      ? { view: { ...query, useLegacySql: false as const } }
      : { materializedView: { ...table.materializedView, ...query } }),
  });
}

/** BigQuery names unnamed result columns f0_, f1_, …; DuckDB names them after the expression. */
function anonymousColumnNames(fields: RestField[]): RestField[] {
  let anonymous = 0;
  return fields.map((field) =>
    /^[A-Za-z_][A-Za-z0-9_]*$/.test(field.name) ? field : { ...field, name: `f${anonymous++}_` },
  );
}

/**
 * After DDL run through a query (CREATE TABLE / VIEW, DROP), brings the metadata in line with
 * DuckDB's catalog for the datasets we know: new relations get a resource with the schema DuckDB
 * reports, dropped ones lose theirs.
 */
async function syncCatalog(
  state: EmulatorState,
  connection: DuckDBConnection,
  projectId: string,
): Promise<void> {
  const datasetsBySchema = new Map(
    state.meta
      .listDatasets(projectId)
      .map((d) => [
        schemaName(projectId, d.datasetReference.datasetId),
        d.datasetReference.datasetId,
      ]),
  );
  const reader = await connection.runAndReadAll(
    `SELECT schema_name, table_name, 'TABLE', NULL FROM duckdb_tables() WHERE NOT internal
     UNION ALL SELECT schema_name, view_name, 'VIEW', sql FROM duckdb_views() WHERE NOT internal`,
  );
  const present = new Set<string>();
  for (const [schema, name, kind, viewSql] of reader.getRows() as [
    string,
    string,
    string,
    string | null,
  ][]) {
    const datasetId = datasetsBySchema.get(schema);
    if (datasetId === undefined) continue;
    present.add(`${datasetId}.${name}`);
    if (state.meta.getTable(projectId, datasetId, name)) continue;
    const now = String(state.now().getTime());
    const fields = await describeQuery(
      connection,
      `SELECT * FROM ${qualifiedName(projectId, datasetId, name)}`,
    );
    const table: TableResource = {
      kind: 'bigquery#table',
      id: `${projectId}:${datasetId}.${name}`,
      etag: etag(),
      selfLink: `/bigquery/v2/projects/${projectId}/datasets/${datasetId}/tables/${name}`,
      tableReference: { projectId, datasetId, tableId: name },
      type: kind === 'VIEW' ? 'VIEW' : 'TABLE',
      schema: { fields },
      location: state.location,
      creationTime: now,
      lastModifiedTime: now,
      ...(kind === 'VIEW' ? { view: { query: viewSql ?? '', useLegacySql: false as const } } : {}),
    };
    await state.meta.putTable(connection, table);
  }
  for (const datasetId of datasetsBySchema.values()) {
    for (const table of state.meta.listTables(projectId, datasetId)) {
      const id = table.tableReference.tableId;
      if (!present.has(`${datasetId}.${id}`)) {
        await forgetTable(state, connection, projectId, datasetId, id);
      }
    }
  }
}
