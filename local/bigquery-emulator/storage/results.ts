import type { DuckDBValue } from '@duckdb/node-api';
import type { RestField } from '../types/schema.js';

export interface QueryResult {
  fields: RestField[];
  rows: DuckDBValue[][];
}

/**
 * Results of finished query jobs, for `jobs.getQueryResults` paging. Held in memory (BigQuery
 * keeps them in a temporary table for a day); the oldest are dropped past `capacity` jobs.
 */
export class ResultCache {
  private readonly results = new Map<string, QueryResult>();

  constructor(private readonly capacity = 200) {}

  put(projectId: string, jobId: string, result: QueryResult): void {
    const key = `${projectId}\u0000${jobId}`;
    this.results.delete(key);
    this.results.set(key, result);
    while (this.results.size > this.capacity) {
      const oldest = this.results.keys().next().value as string;
      this.results.delete(oldest);
    }
  }

  get(projectId: string, jobId: string): QueryResult | undefined {
    return this.results.get(`${projectId}\u0000${jobId}`);
  }
}
