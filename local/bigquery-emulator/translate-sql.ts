import { ApiError, invalidQuery, notFound } from './errors.js';
import type { EmulatorState } from './state.js';
import { qualifiedName } from './types/duckdb-names.js';
import type { QueryParam, Translation } from './translator.js';

export interface TranslateRequest {
  sql: string;
  defaultProjectId: string;
  defaultDatasetId?: string;
  params?: { named?: Record<string, QueryParam>; positional?: QueryParam[] };
}

/**
 * BigQuery SQL → DuckDB SQL, resolving table names against our metadata. It lives at the emulator
 * root, beside the `Translator` seam, because handlers (queries, views) and storage (refreshes
 * of materialized views) both translate, and storage never imports handlers. Every translator failure
 * becomes an `invalidQuery` error that names the construct and position; an unknown table is
 * BigQuery's 404 `notFound`.
 */
export function translateSql(state: EmulatorState, request: TranslateRequest): Translation {
  const translator = state.translator;
  const resolver = {
    resolve(ref: { projectId?: string; datasetId?: string; tableId: string }): string {
      const projectId = ref.projectId ?? request.defaultProjectId;
      const datasetId = ref.datasetId ?? request.defaultDatasetId;
      if (datasetId === undefined) {
        throw invalidQuery(
          `Table "${ref.tableId}" must be qualified with a dataset (e.g. dataset.table).`,
        );
      }
      if (!state.meta.getDataset(projectId, datasetId)) {
        throw notFound(
          `Dataset ${projectId}:${datasetId} was not found in location ${state.location}`,
        );
      }
      const table = state.meta.getTable(projectId, datasetId, ref.tableId);
      if (!table) {
        throw notFound(
          `Table ${projectId}:${datasetId}.${ref.tableId} was not found in location ${state.location}`,
        );
      }
      return qualifiedName(projectId, datasetId, ref.tableId);
    },
  };
  try {
    return translator.translate(request.sql, {
      defaultProjectId: request.defaultProjectId,
      ...(request.defaultDatasetId !== undefined
        ? { defaultDatasetId: request.defaultDatasetId }
        : {}),
      resolver,
      ...(request.params ? { params: request.params } : {}),
    });
  } catch (error) {
    if (error instanceof ApiError) throw error;
    if (translator.isUnsupported(error)) {
      // The translator's message names the construct and ends with `at [line:column]`.
      throw invalidQuery(error.message, 'query');
    }
    throw invalidQuery(error instanceof Error ? error.message : String(error), 'query');
  }
}

/** DuckDB's own errors on translated SQL, reported as invalidQuery without DuckDB's prefix noise. */
export function duckErrorToInvalidQuery(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return invalidQuery(message.replace(/^\w+ Error: /, ''), 'query');
}
