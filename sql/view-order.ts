import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folder holding the marts, one `<view>.sql` per view. */
export const SQL_DIR = path.dirname(fileURLToPath(import.meta.url));

export interface MartView {
  /** View id in the marts dataset: the file name without `.sql` (as in charts/mart-views.ts). */
  readonly tableId: string;
  /** The view's SELECT, BigQuery Standard SQL. */
  readonly query: string;
  /**
   * True when the file starts with the line `-- materialized: true`: the mart is a materialized
   * view (non-incremental, refreshed by BigQuery), not a logical view. Same SELECT either way.
   */
  readonly materialized: boolean;
}

/** The header line that makes a `sql/*.sql` mart a materialized view. */
export const MATERIALIZED_HEADER = /^--\s*materialized:\s*true\s*$/m;

/** Whether `query`'s leading comment block holds the `-- materialized: true` line. */
export function isMaterialized(query: string): boolean {
  const header = query.match(/^(?:\s*--[^\n]*\n?)*/)?.[0] ?? '';
  return MATERIALIZED_HEADER.test(header);
}

/** Every `*.sql` file of `dir` as a view, sorted by name. */
export function readMartViews(dir: string = SQL_DIR): MartView[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.sql'))
    .sort()
    .map((file) => {
      const query = readFileSync(path.join(dir, file), 'utf8').trim();
      return { tableId: file.slice(0, -'.sql'.length), query, materialized: isMaterialized(query) };
    });
}

/** Strips `-- …` comments and string literals so a name mentioned in prose is not a dependency. */
function codeOnly(query: string): string {
  return query.replace(/--[^\n]*/g, ' ').replace(/'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"/g, "''");
}

/**
 * Names of the other views of `dataset` a query reads: `dataset.name` or `` `dataset.name` ``
 * (optionally `project.dataset.name`), restricted to `known` names.
 */
export function viewDependencies(
  query: string,
  dataset: string,
  known: ReadonlySet<string>,
): string[] {
  const found = new Set<string>();
  const pattern = new RegExp(`\\b${dataset}\`?\\.\`?([A-Za-z_][A-Za-z0-9_]*)`, 'g');
  for (const match of codeOnly(query).matchAll(pattern)) {
    const name = match[1]!;
    if (known.has(name)) found.add(name);
  }
  return [...found].sort();
}

/**
 * Orders views so that each comes after every view of `dataset` it reads (a view can only be
 * created once the views it selects from exist). Ties keep name order, so the result is stable.
 * Throws on a cycle, naming the views involved.
 */
export function orderViews<V extends Pick<MartView, 'tableId' | 'query'>>(
  views: readonly V[],
  dataset = 'pmp_marts',
): V[] {
  const byName = new Map(views.map((view) => [view.tableId, view]));
  const names = new Set(byName.keys());
  const pending = new Map(
    [...views]
      .sort((a, b) => a.tableId.localeCompare(b.tableId))
      .map((view) => [
        view.tableId,
        new Set(viewDependencies(view.query, dataset, names).filter((n) => n !== view.tableId)),
      ]),
  );
  for (const view of views) {
    if (viewDependencies(view.query, dataset, names).includes(view.tableId)) {
      throw new Error(`view ${dataset}.${view.tableId} reads itself`);
    }
  }
  const ordered: V[] = [];
  while (pending.size > 0) {
    const ready = [...pending].find(([, deps]) => deps.size === 0)?.[0];
    if (ready === undefined) {
      throw new Error(`views depend on each other in a cycle: ${[...pending.keys()].join(', ')}`);
    }
    pending.delete(ready);
    for (const deps of pending.values()) deps.delete(ready);
    ordered.push(byName.get(ready)!);
  }
  return ordered;
}
