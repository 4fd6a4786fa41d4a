/**
 * How BigQuery names become DuckDB names: the one identifier quoting and the one dataset → schema
 * layout, shared by storage (which creates the schemas and tables) and the SQL translator (which
 * names them in queries). Pure, no DuckDB import, so `sql/` can use it.
 */

/** Double-quotes an identifier for DuckDB (an embedded `"` is doubled). */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** DuckDB schema of a BigQuery dataset: `<projectId>__<datasetId>`. */
export function schemaName(projectId: string, datasetId: string): string {
  return `${projectId}__${datasetId}`;
}

/** Fully qualified, quoted DuckDB name of a table or view: `"<project>__<dataset>"."<table>"`. */
export function qualifiedName(projectId: string, datasetId: string, tableId: string): string {
  return `${quoteIdent(schemaName(projectId, datasetId))}.${quoteIdent(tableId)}`;
}
