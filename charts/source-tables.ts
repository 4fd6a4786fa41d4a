import { DATASETS, TABLES, type TableDefinition } from '../core/warehouse/index.js';
import { referencedTables, type MartView } from './mart-views.js';

/** The core/warehouse table `id` (`dataset.table`) names; `reader` says who reads it in the error. */
function definedTable(id: string, reader: string): TableDefinition {
  const table = TABLES.find((t) => `${t.datasetId}.${t.tableId}` === id);
  if (!table) throw new Error(`${reader} reads ${id}, which core/warehouse does not define`);
  return table;
}

/**
 * Tables outside pmp_marts and pmp_ops that the views read (the dashboard reads those two datasets
 * whole, through their access lists). A view naming a table we do not define is an error here.
 */
export function martSourceTables(views: readonly MartView[]): TableDefinition[] {
  const wanted = new Set(views.flatMap((v) => referencedTables(v.query, DATASETS.marts)));
  return [...wanted]
    .sort()
    .filter((id) => id.split('.')[0] !== DATASETS.ops)
    .map((id) => definedTable(id, 'a mart view'));
}

/**
 * Tables the data-quality assertions read, directly or through the mart views they query (pmp_marts
 * itself is read through its access list). Defined tables only, as for the dashboard.
 */
export function assertionSourceTables(
  queries: readonly string[],
  views: readonly MartView[],
): TableDefinition[] {
  const direct = new Set(queries.flatMap((q) => referencedTables(q, DATASETS.marts)));
  const viewsRead = new Set(
    queries.flatMap((q) =>
      referencedTables(q, '').filter((id) => id.startsWith(`${DATASETS.marts}.`)),
    ),
  );
  const throughViews = martSourceTables(
    views.filter((v) => viewsRead.has(`${DATASETS.marts}.${v.tableId}`)),
  );
  const ids = new Set([...direct, ...throughViews.map((t) => `${t.datasetId}.${t.tableId}`)]);
  return [...ids].sort().map((id) => definedTable(id, 'an assertion'));
}
