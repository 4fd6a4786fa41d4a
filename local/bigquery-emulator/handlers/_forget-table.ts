import type { DuckDBConnection } from '@duckdb/node-api';
import type { EmulatorState } from '../state.js';
import { forgetMaterializedView } from '../storage/materialized-views.js';

/**
 * Drops what the emulator keeps about a table or view that is gone (deleted through the API, by a
 * DROP statement or with its dataset): its metadata, its insertIds and a materialized view's
 * refresh state, so a new table of the same name starts clean. The DuckDB relation is the
 * caller's to drop.
 */
export async function forgetTable(
  state: EmulatorState,
  connection: DuckDBConnection,
  projectId: string,
  datasetId: string,
  tableId: string,
): Promise<void> {
  await state.meta.deleteTable(connection, projectId, datasetId, tableId);
  state.insertIds.forget(`${projectId}:${datasetId}.${tableId}`);
  forgetMaterializedView(state, projectId, datasetId, tableId);
}
