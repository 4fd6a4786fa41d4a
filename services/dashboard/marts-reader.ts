import type { BigQuery } from '@google-cloud/bigquery';
import { plainValue, type PlainValue } from '../shared/plain-value.js';

/** A mart query's rows with client value objects (TIMESTAMP, DATETIME, DATE…) turned into strings. */
export type MartRow = Record<string, PlainValue>;

export interface MartsReaderOptions {
  readonly bigquery: BigQuery;
  /** Dataset holding the views, `pmp_marts`. */
  readonly martsDataset: string;
  /** How long a result is reused. @default 15000 */
  readonly cacheMs?: number;
  /** @default Date.now */
  readonly now?: () => number;
  /** Per-query timeout handed to BigQuery. @default 20000 */
  readonly timeoutMs?: number;
}

/**
 * Reads the marts through the official BigQuery client (BigQuery on Google Cloud, the emulator
 * locally: only BIGQUERY_EMULATOR_HOST differs). Results are cached for a short while and
 * concurrent identical queries share one job, so a room of open dashboards costs one query per
 * refresh period, not one per browser.
 */
export class MartsReader {
  private readonly cache = new Map<string, { expires: number; rows: Promise<MartRow[]> }>();
  private readonly cacheMs: number;
  private readonly now: () => number;

  constructor(private readonly options: MartsReaderOptions) {
    this.cacheMs = options.cacheMs ?? 15_000;
    this.now = options.now ?? Date.now;
  }

  /** `pmp_marts.<view>` as it appears in queries (dataset names are validated config). */
  view(name: string): string {
    return `\`${this.options.martsDataset}.${name}\``;
  }

  /** Runs `sql` (with `@name` parameters), or answers from the cache. */
  query(sql: string, params: Record<string, string | number> = {}): Promise<MartRow[]> {
    const key = JSON.stringify([sql, params]);
    const now = this.now();
    const hit = this.cache.get(key);
    if (hit && hit.expires > now) return hit.rows;
    const rows = this.run(sql, params);
    this.cache.set(key, { expires: now + this.cacheMs, rows });
    // A failure is not cached: the next refresh tries again.
    rows.catch(() => {
      if (this.cache.get(key)?.rows === rows) this.cache.delete(key);
    });
    if (this.cache.size > 100) {
      for (const [k, v] of this.cache) if (v.expires <= now) this.cache.delete(k);
    }
    return rows;
  }

  private async run(sql: string, params: Record<string, string | number>): Promise<MartRow[]> {
    const [rows] = await this.options.bigquery.query({
      query: sql,
      params,
      useLegacySql: false,
      jobTimeoutMs: this.options.timeoutMs ?? 20_000,
    });
    return (rows as Record<string, unknown>[]).map((row) =>
      Object.fromEntries(Object.entries(row).map(([k, v]) => [k, plainValue(v)])),
    );
  }
}
