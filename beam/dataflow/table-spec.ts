/** A BigQuery table named the way Beam and `bq` name it. */
export interface TableSpec {
  /** Null when the spec has no project: the client's project applies. */
  readonly projectId: string | null;
  readonly datasetId: string;
  readonly tableId: string;
}

const PROJECT = '[a-z][a-z0-9-]{4,28}[a-z0-9]';
const DATASET = '[A-Za-z0-9_]{1,1024}';
const TABLE = '[\\p{L}\\p{M}\\p{N}\\p{Pc}\\p{Pd}\\p{Zs}]{1,1024}';

/**
 * `project:dataset.table` (Beam, bq) or `dataset.table`. The same pattern guards the Flex
 * Template parameters in metadata.json (tested to agree).
 */
export const TABLE_SPEC_PATTERN = new RegExp(`^(?:(${PROJECT}):)?(${DATASET})\\.(${TABLE})$`, 'u');

/** Parses a table spec; throws a TypeError naming the variable and the accepted forms. */
export function parseTableSpec(spec: string, name = 'table'): TableSpec {
  const match = TABLE_SPEC_PATTERN.exec(spec);
  if (!match) {
    throw new TypeError(
      `${name} must be "project:dataset.table" or "dataset.table", got ${JSON.stringify(spec)}`,
    );
  }
  return { projectId: match[1] ?? null, datasetId: match[2]!, tableId: match[3]! };
}

export function formatTableSpec(t: TableSpec): string {
  return `${t.projectId === null ? '' : `${t.projectId}:`}${t.datasetId}.${t.tableId}`;
}
