import type { TableRef } from './warehouse-insert.js';

/**
 * `dataset.table`, `project.dataset.table` or `project:dataset.table` (the bq CLI spelling) →
 * a TableRef. Throws a TypeError naming the text when it is none of those.
 */
export function parseTableRef(text: string): TableRef {
  const match = /^(?:((?:[a-z0-9.-]+:)?[a-z][a-z0-9-]*)[.:])?(\w+)\.(\w+)$/.exec(text.trim());
  if (!match) {
    throw new TypeError(`expected dataset.table or project.dataset.table, got "${text}"`);
  }
  const [, projectId, datasetId = '', tableId = ''] = match;
  return projectId ? { projectId, datasetId, tableId } : { datasetId, tableId };
}
