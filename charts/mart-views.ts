import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { isMaterialized } from '../sql/view-order.js';

export interface MartView {
  /** BigQuery table id: the SQL file's name without `.sql`. */
  readonly tableId: string;
  readonly query: string;
  /**
   * The file's leading comments hold `-- materialized: true` (sql/README.md): rendered as a
   * BigQuery materialized view instead of a logical view. Absent means a logical view.
   */
  readonly materialized?: boolean;
}

/** Every `*.sql` file of `dir` as a view, sorted by name so the rendered order never moves. */
export function readMartViews(dir: string): MartView[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.sql'))
    .sort()
    .map((name) => {
      const query = readFileSync(path.join(dir, name), 'utf8').trim();
      // The header convention is sql/'s own (the emulator and tests read it the same way).
      return { tableId: name.slice(0, -'.sql'.length), query, materialized: isMaterialized(query) };
    });
}

/** The query of every `sql/assertions/*.sql` (the data-quality checks), sorted by file name. */
export function readAssertionQueries(sqlDir: string): string[] {
  const dir = path.join(sqlDir, 'assertions');
  return readdirSync(dir)
    .filter((name) => name.endsWith('.sql'))
    .sort()
    .map((name) => readFileSync(path.join(dir, name), 'utf8'));
}

/** Tables (or views) a query reads outside `ownDataset`, as `dataset.table`, sorted. */
export function referencedTables(query: string, ownDataset: string): string[] {
  const found = new Set<string>();
  for (const match of query.matchAll(/\b(pmp_[a-z0-9_]+?)\.([A-Za-z0-9_]+)/g)) {
    if (match[1] !== ownDataset) found.add(`${match[1]}.${match[2]}`);
  }
  return [...found].sort();
}
